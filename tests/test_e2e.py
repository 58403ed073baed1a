"""End to end: `python -m bot` as its own process against the fake Bot API server (HTTP), or
against the fake WeCom server (a WebSocket, tests/wecom.py) with no Telegram token at all.

The office's chores (import-orgs, invite) run as separate processes on the same database,
exactly as a deployment would; the bot long-polls the fake Bot API, or holds the long
connection to the fake WeCom, and the fakes record what the bot sends. Every wait is
bounded and wakes on each recorded call or frame (wait_for)."""
from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.config import Settings

from .botapi import BotAPIServer, FakeBotAPI
from .helpers import FIXTURES
from .tg import message_json, update_json
from .wecom import BOT_ID, SECRET, ThreadedWeCom

REPO = Path(__file__).resolve().parent.parent
TOKEN = "123:TEST"
WORKER = 4201
ORG_PATH = "武陵山乡 › 百花桥村 › 百花桥村第一网格"
WAIT = 20.0  # seconds; generous for a slow CI machine, never slept through on success
SETTINGS_VARS = {name.upper() for name in Settings.model_fields}


@pytest.fixture
def server():
    with BotAPIServer(FakeBotAPI()) as server:
        yield server


def bot_env(server: BotAPIServer, tmp_path: Path) -> dict[str, str]:
    """This interpreter's environment (the venv), minus any of the bot's own settings that
    happen to be set, plus the test's: token, fake server, a fresh database, DEBUG logging
    (the most talkative level, so the "token never logged" check means something)."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_VARS}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, BOT_API_BASE_URL=server.base_url,
               DATABASE_PATH=str(tmp_path / "bot.sqlite3"), LOG_LEVEL="DEBUG",
               PYTHONUNBUFFERED="1", PYTHONPATH=str(REPO))
    return env


def chore(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=REPO, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stderr}"
    assert TOKEN not in done.stdout + done.stderr and SECRET not in done.stdout + done.stderr
    return done


def prepare(env: dict[str, str], link: bool = True) -> str:
    """Load the tree and make an invite with the CLI; return the invite code (and check the
    t.me link, where there is a Telegram bot to link to)."""
    imported = chore(env, "import-orgs", str(FIXTURES / "orgs.csv"))
    assert "12 added" in imported.stdout
    invite = chore(env, "invite", "--org", "BHQ-1", "--role", "worker")
    lines = invite.stdout.splitlines()
    assert len(lines) == (2 if link else 1), invite.stdout
    code = lines[0]
    assert code.isalnum() and code.isupper(), code
    if link:
        assert lines[1] == f"https://t.me/antifraud_test_bot?start={code}"
    return code


class BotProcess:
    """`python -m bot` (the default command: run), stdout going to a file and its log (stderr)
    read line by line as it comes (wait_line). `api` is the fake it talks to (FakeBotAPI or
    FakeWeCom: wait_for, texts); `secret` must never show."""

    def __init__(self, api, env: dict[str, str], logs: Path, secret: str = TOKEN) -> None:
        self.api, self.logs, self.secret = api, logs, secret
        self.out = logs.with_suffix(".out")
        self.lines: list[str] = []
        self._cond = threading.Condition()
        with self.out.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=REPO, env=env,
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for raw in self.proc.stderr:
            with self._cond:
                self.lines.append(raw.decode("utf-8", errors="replace"))
                self._cond.notify_all()
        with self._cond:
            self.lines.append("")  # the end: wakes the waiters for good
            self._cond.notify_all()

    def stderr(self) -> str:
        with self._cond:
            return "".join(self.lines)

    def wait_line(self, what: str, predicate, timeout: float = WAIT) -> str:
        """The first log line for which predicate(line) holds, waiting for it (woken by each line)."""
        deadline, seen = time.monotonic() + timeout, 0
        with self._cond:
            while True:
                for line in self.lines[seen:]:
                    if line and predicate(line):
                        return line
                seen = len(self.lines)
                ended = bool(self.lines) and self.lines[-1] == ""
                left = deadline - time.monotonic()
                if ended or left <= 0:
                    raise AssertionError(f"no log line {what} (bot {'exited' if ended else 'still running'})"
                                         f"\n--- bot stderr ---\n{''.join(self.lines)[-4000:]}")
                self._cond.wait(left)

    def wait_until(self, what: str, predicate) -> None:
        ok = self.api.wait_for(predicate, timeout=WAIT, abort=lambda: self.proc.poll() is not None)
        if not ok:
            state = "still running" if self.proc.poll() is None else f"exited {self.proc.returncode}"
            raise AssertionError(f"timed out waiting for {what} (bot {state}); sent: "
                                 f"{self.api.texts()}\n--- bot stderr ---\n{self.stderr()[-4000:]}")

    def stop(self) -> str:
        """Ctrl-C, as an operator would; the bot must shut down cleanly on its own."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"bot did not stop on SIGINT\n{self.stderr()[-4000:]}") from None
        self._reader.join(timeout=WAIT)
        log = self.stderr()
        assert code == 0, f"bot exited {code}\n{log[-4000:]}"
        assert "Traceback" not in log, log
        leaks = [line for line in log.splitlines() if self.secret in line or self.secret[-8:] in line]
        assert not leaks, f"the secret appears in the log: {leaks[:3]}"
        assert log.strip()  # it did log (at DEBUG), so the check above means something
        return log

    def __enter__(self) -> "BotProcess":
        return self

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        self.proc.kill()
        self.proc.wait()
        self._reader.join(timeout=WAIT)

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:  # a failed assertion inside the block: don't leak it
            self.kill()


def texts_to(api: FakeBotAPI, chat: int, since: int = 0) -> list[str]:
    return api.texts(chat)[since:]


def test_join_by_invite_then_me_over_http(server, tmp_path):
    api, env = server.api, bot_env(server, tmp_path)
    code = prepare(env)

    with BotProcess(api, env, tmp_path / "bot") as bot:
        api.push_update(update_json(message=message_json(WORKER, f"/start {code}")))
        bot.wait_until("the welcome", lambda: any("欢迎" in t for t in texts_to(api, WORKER)))
        welcome = next(t for t in texts_to(api, WORKER) if "欢迎" in t)
        assert "百花桥村第一网格的网格员" in welcome and "下一步" in welcome

        seen = len(texts_to(api, WORKER))
        api.push_update(update_json(message=message_json(WORKER, "/me")))
        bot.wait_until("the /me answer", lambda: any(ORG_PATH in t for t in texts_to(api, WORKER, seen)))
        bot.stop()

    # The bot really posted over HTTP and was answered: the menu was set for the new worker.
    assert any(c.method == "getUpdates" for c in api.calls)
    assert any(c.method == "setMyCommands" and str(WORKER) in c.params.get("scope", "")
               for c in api.calls)


def test_restart_keeps_people_and_skips_a_redelivered_update(server, tmp_path):
    api, env = server.api, bot_env(server, tmp_path)
    code = prepare(env)
    start = update_json(message=message_json(WORKER, f"/start {code}"))

    with BotProcess(api, env, tmp_path / "first") as bot:
        api.push_update(start)
        bot.wait_until("the welcome", lambda: any("欢迎" in t for t in texts_to(api, WORKER)))
        bot.stop()

    seen = len(texts_to(api, WORKER))
    with BotProcess(api, env, tmp_path / "second") as bot:
        # Telegram redelivers an update whose handling it never saw confirmed (a crash);
        # the bot must recognise it as done and not join the person a second time.
        api.push_update(start)
        api.push_update(update_json(message=message_json(WORKER, "/me")))
        bot.wait_until("the /me answer after a restart",
                       lambda: any(ORG_PATH in t for t in texts_to(api, WORKER, seen)))
        bot.stop()

    after = texts_to(api, WORKER, seen)
    assert len(after) == 1 and "欢迎" not in after[0], after  # only the /me answer
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 1
        assert db.execute("SELECT channel, external_id, chat_id FROM accounts").fetchall() == [
            ("telegram", str(WORKER), str(WORKER))]
        assert db.execute("SELECT COUNT(*) FROM inbox WHERE channel = 'telegram' AND event_id = ?",
                          (str(start["update_id"]),)).fetchone()[0] == 1
        assert db.execute("SELECT COUNT(*) FROM memberships").fetchone()[0] == 1
        assert db.execute("SELECT uses_left FROM invites WHERE code = ?", (code,)).fetchone()[0] == 0


def test_rejected_token_stops_with_one_line_and_never_prints_it(server, tmp_path):
    server.api.reject_token = True
    env = bot_env(server, tmp_path)
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2, done.stderr[-2000:]
    # PTB logs the failure (with its traceback, at DEBUG) through the redacting formatter;
    # the last word is one line naming the variable, and the token appears nowhere.
    assert done.stderr.strip().splitlines()[-1] == "configuration error: TELEGRAM_BOT_TOKEN: rejected by the Bot API"
    assert TOKEN not in done.stderr and TOKEN not in done.stdout


# --- WeCom only -------------------------------------------------------------------------------------

WECOM_WORKER = "zhangwei"


@pytest.fixture
def wecom():
    with ThreadedWeCom() as server:
        yield server


def wecom_env(server: ThreadedWeCom, tmp_path: Path, secret: str = SECRET) -> dict[str, str]:
    """As bot_env, for a WeCom-only office: no Telegram token at all."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_VARS}
    env.update(WECOM_BOT_ID=BOT_ID, WECOM_BOT_SECRET=secret, WECOM_WS_URL=server.fake.url,
               DATABASE_PATH=str(tmp_path / "bot.sqlite3"), LOG_LEVEL="DEBUG",
               PYTHONUNBUFFERED="1", PYTHONPATH=str(REPO))
    return env


def test_wecom_only_join_by_bare_code_then_me_then_a_clean_stop(wecom, tmp_path):
    fake, env = wecom.fake, wecom_env(wecom, tmp_path)
    code = prepare(env, link=False)                    # no Telegram bot: the code alone

    with BotProcess(fake, env, tmp_path / "bot", secret=SECRET) as bot:
        bot.wait_until("the connection", lambda: fake.subscribed == 1)
        wecom.call(fake.text(WECOM_WORKER, code))
        bot.wait_until("the welcome", lambda: any("欢迎" in t for t in fake.texts(WECOM_WORKER)))
        seen = len(fake.texts(WECOM_WORKER))
        wecom.call(fake.text(WECOM_WORKER, "/me"))
        bot.wait_until("the /me answer", lambda: any(ORG_PATH in t for t in fake.texts(WECOM_WORKER)[seen:]))
        log = bot.stop()

    assert "running on wecom" in log and "telegram" not in log.lower()
    assert fake.messages(WECOM_WORKER)[0].cmd == "aibot_respond_msg"     # replies reuse the req_id
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        assert db.execute("SELECT channel, external_id, chat_id FROM accounts").fetchall() == [
            ("wecom", WECOM_WORKER, WECOM_WORKER)]
        assert db.execute("SELECT uses_left FROM invites WHERE code = ?", (code,)).fetchone()[0] == 0


def test_wecom_rejected_secret_stops_with_one_line_and_never_prints_it(wecom, tmp_path):
    wrong = "wrong-secret-abcdef123456"
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=REPO, env=wecom_env(wecom, tmp_path, wrong),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.strip().splitlines()[-1] == \
        "configuration error: WECOM_BOT_ID / WECOM_BOT_SECRET: rejected by WeCom"
    assert wrong not in done.stderr + done.stdout and wrong[-8:] not in done.stderr + done.stdout


def test_both_channels_in_one_process_share_one_database(server, wecom, tmp_path):
    """Telegram and WeCom at once: one process, one database; a person on each."""
    env = bot_env(server, tmp_path)
    env.update({k: v for k, v in wecom_env(wecom, tmp_path).items() if k.startswith("WECOM_")})
    code = prepare(env)
    second = chore(env, "invite", "--org", "BHQ-2", "--role", "worker").stdout.splitlines()[0]
    api, fake = server.api, wecom.fake

    with BotProcess(api, env, tmp_path / "bot") as bot:
        bot.wait_until("the WeCom connection", lambda: fake.subscribed == 1)
        api.push_update(update_json(message=message_json(WORKER, f"/start {code}")))
        wecom.call(fake.text(WECOM_WORKER, second))
        bot.wait_until("the Telegram welcome", lambda: any("欢迎" in t for t in texts_to(api, WORKER)))
        assert fake.wait_for(lambda: any("第二网格" in t for t in fake.texts(WECOM_WORKER)), WAIT)
        log = bot.stop()

    assert "running on telegram, wecom" in log and SECRET not in log
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        assert sorted(db.execute("SELECT channel, external_id FROM accounts").fetchall()) == [
            ("telegram", str(WORKER)), ("wecom", WECOM_WORKER)]


# --- the network at start-up ------------------------------------------------------------------------

def closed_port() -> int:
    """A local port nothing listens on (yet): a connection to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def said(log: str, text: str) -> list[str]:
    """The warnings and errors of the log that mention `text`."""
    return [line for line in log.splitlines()
            if text in line and any(f" {level} " in line for level in ("WARNING", "ERROR", "CRITICAL"))]


def test_no_route_to_telegram_is_one_line_while_wecom_and_the_scheduler_run(wecom, tmp_path):
    """As in mainland China: the Bot API cannot be reached. One line says where and why, one
    says what to do; WeCom and the scheduler run meanwhile; the bot keeps trying, and takes
    Telegram up as soon as a Bot API answers there."""
    port = closed_port()
    address = f"http://127.0.0.1:{port}/bot"
    env = wecom_env(wecom, tmp_path)
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, BOT_API_BASE_URL=address)
    code = prepare(env, link=False)                       # no Telegram: the invite has no link
    fake = wecom.fake

    with BotProcess(fake, env, tmp_path / "bot") as bot:
        bot.wait_line("saying Telegram cannot be reached", lambda l: f"cannot reach {address}" in l)
        bot.wait_until("the WeCom connection", lambda: fake.subscribed == 1)
        wecom.call(fake.text(WECOM_WORKER, code))
        bot.wait_until("the WeCom welcome", lambda: any("欢迎" in t for t in fake.texts(WECOM_WORKER)))
        bot.wait_line("a scheduler round", lambda l: "scheduler round done" in l)
        bot.wait_line("a quiet retry", lambda l: f"{address} still unreachable" in l)
        with BotAPIServer(FakeBotAPI(), port) as server:  # a Bot API comes up where it keeps trying
            bot.wait_line("the Telegram connection", lambda l: "Telegram connected as @antifraud_test_bot" in l)
            server.api.push_update(update_json(message=message_json(WORKER, "/help")))
            assert server.api.wait_for(lambda: server.api.texts(WORKER), WAIT), bot.stderr()[-3000:]
            log = bot.stop()

    assert said(log, address) == [next(l for l in log.splitlines() if f"cannot reach {address}" in l)]
    assert f"cannot reach {address} (Connection refused)" in log
    assert len([line for line in log.splitlines() if "set BOT_API_BASE_URL" in line]) == 1   # the hint, once
    assert f"{address} reachable again" in log


def test_a_token_rejected_once_a_route_is_found_still_stops_with_one_line_and_exit_2(server, tmp_path):
    """No route at first (the bot keeps trying), then a Bot API answers there and rejects the
    token: the bot stops as it does when the token is rejected at once, never silently
    carrying on without Telegram."""
    port = closed_port()
    env = bot_env(server, tmp_path) | {"BOT_API_BASE_URL": f"http://127.0.0.1:{port}/bot"}
    with BotProcess(server.api, env, tmp_path / "bot") as bot:
        bot.wait_line("saying Telegram cannot be reached", lambda l: "cannot reach" in l)
        refusing = FakeBotAPI()
        refusing.reject_token = True
        with BotAPIServer(refusing, port):
            code = bot.proc.wait(timeout=WAIT)
        bot._reader.join(timeout=WAIT)
    log = bot.stderr()
    assert code == 2, log[-3000:]
    assert log.strip().splitlines()[-1] == "configuration error: TELEGRAM_BOT_TOKEN: rejected by the Bot API"
    assert "Traceback" not in log and TOKEN not in log


class Conflicted(FakeBotAPI):
    """Answers getUpdates with 409 Conflict while `conflicts` last, as Telegram does while
    another process long-polls the same bot."""

    def __init__(self, conflicts: int) -> None:
        super().__init__()
        self.conflicts = conflicts

    def handle(self, method, params, files=None):
        if method == "getUpdates" and self.conflicts > 0:
            self.conflicts -= 1
            return 409, {"ok": False, "error_code": 409, "description": "Conflict: terminated by other "
                         "getUpdates request; make sure that only one bot instance is running"}
        return super().handle(method, params, files)


def test_another_process_polling_the_bot_is_one_clear_line_and_polling_goes_on(tmp_path):
    with BotAPIServer(Conflicted(2)) as server:
        with BotProcess(server.api, bot_env(server, tmp_path), tmp_path / "bot") as bot:
            server.api.push_update(update_json(message=message_json(WORKER, "/help")))  # waits for it
            bot.wait_until("the answer to /help", lambda: server.api.texts(WORKER))
            bot.wait_line("polling again", lambda l: "polling again" in l)
            log = bot.stop()
    conflict = said(log, "Conflict")                       # warnings and errors: one, however many 409s
    assert len(conflict) == 1 and "another process is polling this bot" in conflict[0], conflict
    assert server.api.conflicts == 0


def test_no_route_to_wecom_is_one_line_while_telegram_runs(server, tmp_path):
    port = closed_port()
    url = f"ws://127.0.0.1:{port}"
    env = bot_env(server, tmp_path)
    env.update(WECOM_BOT_ID=BOT_ID, WECOM_BOT_SECRET=SECRET, WECOM_WS_URL=url)
    code = prepare(env)
    api = server.api

    with BotProcess(api, env, tmp_path / "bot") as bot:
        bot.wait_line("saying WeCom cannot be reached", lambda l: f"cannot reach {url}" in l)
        api.push_update(update_json(message=message_json(WORKER, f"/start {code}")))
        bot.wait_until("the Telegram welcome", lambda: any("欢迎" in t for t in texts_to(api, WORKER)))
        bot.wait_line("a scheduler round", lambda l: "scheduler round done" in l)
        bot.wait_line("a quiet retry", lambda l: f"{url} still unreachable" in l)
        with ThreadedWeCom(port) as wecom:                # WeCom comes back where it keeps trying
            bot.wait_line("the WeCom connection", lambda l: "WeCom connected" in l)
            assert wecom.fake.wait_for(lambda: wecom.fake.subscribed == 1, WAIT)
            log = bot.stop()

    assert said(log, url) == [next(l for l in log.splitlines() if f"cannot reach {url}" in l)]
    assert f"cannot reach {url} (Connection refused)" in log
    assert len([line for line in log.splitlines() if "WECOM_WS_URL sets another" in line]) == 1
    assert SECRET not in log


# --- kill -9 ------------------------------------------------------------------------------------------

def test_kill_9_right_after_telegram_is_told_loses_nothing(server, tmp_path):
    """Thirty people write at once; the bot is killed (SIGKILL) the moment it asks for the
    next offset, which tells Telegram to forget the batch: the batch is in the inbox by then,
    and the next run handles what was left and sends what was not sent, once each (a reply
    that went out just before the kill, unmarked, may go again: never none)."""
    api, env = server.api, bot_env(server, tmp_path)
    people = list(range(5001, 5031))
    with BotProcess(api, env, tmp_path / "first") as bot:
        bot.wait_line("the first poll", lambda l: "Telegram connected" in l)
        updates = [update_json(message=message_json(uid, "你好")) for uid in people]
        for update in updates:
            api.push_update(update)
        last = updates[-1]["update_id"]
        bot.wait_until("the batch confirmed", lambda: any(
            c.method == "getUpdates" and int(c.params.get("offset") or 0) > last for c in api.calls))
        bot.kill()
    told = {uid: len(api.texts(uid)) for uid in people}
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        kept = {r[0]: r[1] for r in db.execute("SELECT event_id, payload IS NOT NULL FROM inbox")}
    ids = {uid: str(u["update_id"]) for uid, u in zip(people, updates)}
    assert set(ids.values()) <= set(kept)                 # all recorded before Telegram was told
    unfinished = [uid for uid in people if kept[ids[uid]]]

    with BotProcess(api, env, tmp_path / "second") as bot:
        bot.wait_until("everyone answered", lambda: all(api.texts(uid) for uid in people))
        bot.stop()
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM inbox WHERE payload IS NOT NULL").fetchone()[0] == 0
    for uid in people:
        if uid not in unfinished:
            assert len(api.texts(uid)) == told[uid] == 1      # done before the kill: nothing again
        elif told[uid] == 0:
            assert len(api.texts(uid)) == 1                   # handled or answered by the next run, once
