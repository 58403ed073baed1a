"""A bot to kill, for bench/kill_save.py and bench/kill_random.py: `python -m bot` as its own
process against the fake Bot API served over HTTP (tests/botapi.py), on one SQLite file
that outlives every process; and people who type and tap through that fake.

Everything waits on the fake's recorded calls (FakeBotAPI.wait_for) or on the database, with
timeouts; the bot's log goes to a file (its last lines are printed when something fails)."""
from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.botapi import BOT_USER, BotAPIServer, FakeBotAPI  # noqa: E402,F401
from tests.tg import message_json, update_json, user_json  # noqa: E402

TOKEN = "123456:BENCH-KILL"
FIXTURE = ROOT / "tests" / "fixtures" / "orgs.csv"
# What the bot says of a card or button already used or gone (bot/locale/zh/strings.ftl).
ALREADY = ("已处理过", "已结束或已失效", "按钮已失效")
_query_ids = itertools.count(1)
_message_ids = itertools.count(900_000)


class Bot:
    """`python -m bot` on `folder`/bot.sqlite3, polling `api` over HTTP."""

    def __init__(self, server: BotAPIServer, folder: Path) -> None:
        self.api, self.folder = server.api, folder
        self.db_path = folder / "bot.sqlite3"
        self.log = folder / "bot.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WECOM_", "BOT_API"))}
        self.env.update(TELEGRAM_BOT_TOKEN=TOKEN, BOT_API_BASE_URL=server.base_url, DATABASE_PATH=str(self.db_path),
                        LOG_LEVEL="INFO", PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
        self.proc: subprocess.Popen | None = None
        self.kills = 0

    def chore(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            raise SystemExit(f"bot {' '.join(args)}: exit {done.returncode}\n{done.stderr[-2000:]}")
        return done.stdout

    def start(self, timeout: float = 60.0) -> None:
        """Start it and wait until it polls (so it has resumed what the last run left)."""
        polls = self._polls()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=self.env,
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        if not self.api.wait_for(lambda: self._polls() > polls, timeout, abort=lambda: self.proc.poll() is not None):
            raise SystemExit(f"the bot did not start polling\n{self.tail()}")

    def _polls(self) -> int:
        return sum(1 for c in list(self.api.calls) if c.method == "getUpdates")

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.kills += 1

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        if self.proc.wait(timeout=60) != 0:
            raise SystemExit(f"the bot exited {self.proc.returncode}\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text("utf-8", errors="replace")[-3000:]

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """A read of the bot's database from outside (WAL: never blocks the bot)."""
        with sqlite3.connect(self.db_path, timeout=10) as db:
            return db.execute(sql, params).fetchall()

    def until_db(self, sql: str, params: tuple, predicate, timeout: float) -> bool:
        """Read the database again and again (no pause: the point is to catch the moment a
        row commits) until predicate(rows) holds; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with sqlite3.connect(self.db_path, timeout=10) as db:
            while time.monotonic() < deadline:
                if predicate(db.execute(sql, params).fetchall()):
                    return True
        return False


def setup(bot: Bot, roles: dict[str, tuple[str, int]]) -> dict[str, str]:
    """Load the sample township and make invites: {name: (org code, uses)} per role → codes."""
    bot.chore("import-orgs", str(FIXTURE))
    codes = {}
    for role, (org, uses) in roles.items():
        codes[role] = bot.chore("invite", "--org", org, "--role", role, "--uses", str(uses)).splitlines()[0]
    return codes


class Person:
    """Someone on Telegram: writes, taps, and waits for what the bot answers in their chat."""

    def __init__(self, api: FakeBotAPI, uid: int) -> None:
        self.api, self.uid = api, uid

    def mark(self) -> int:
        return len(self.api.calls)

    def send(self, text: str) -> int:
        update = update_json(message=message_json(self.uid, text))
        self.api.push_update(update)
        return update["update_id"]

    def tap(self, data: str) -> tuple[int, str]:
        """Tap a button carrying `data` (on a message of the bot's): (update id, query id)."""
        qid = f"q{next(_query_ids)}"
        update = update_json(callback_query={
            "id": qid, "from": user_json(self.uid), "chat_instance": "ci", "data": data,
            "message": {"message_id": next(_message_ids), "date": int(time.time()),
                        "chat": {"id": self.uid, "type": "private"}, "from": BOT_USER, "text": "…"}})
        self.api.push_update(update)
        return update["update_id"], qid

    def said(self, since: int) -> list:
        """Messages and edits to this chat since the mark."""
        return [c for c in list(self.api.calls)[since:] if c.ok and c.method in ("sendMessage", "editMessageText")
                and int(c.params.get("chat_id", 0)) == self.uid]

    def wait_said(self, since: int, predicate, timeout: float):
        """The first message or edit since the mark for which predicate(call) holds, or None."""
        found = []

        def check() -> bool:
            found[:] = [c for c in self.said(since) if predicate(c)]
            return bool(found)
        return found[0] if self.api.wait_for(check, timeout) else None

    def wait_answer(self, qid: str, since: int, timeout: float, expect=lambda text: True) -> str | None:
        """The answer to a tap: the pop-up's text ('' when the tap was answered without one),
        or, for a tap handled by the next run (whose query can no longer be answered), the
        text of the message it sent instead (one that `expect`s: not a reply to something
        else sent again); None when nothing came."""
        found: list[str] = []

        def check() -> bool:
            for c in list(self.api.calls)[since:]:
                if c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == qid:
                    found.append(c.params.get("text") or "")
                elif c.ok and c.method in ("sendMessage", "editMessageText") \
                        and int(c.params.get("chat_id", 0)) == self.uid and expect(c.params["text"]):
                    found.append(c.params["text"])
            return bool(found)
        return found[0] if self.api.wait_for(check, timeout) else None


def buttons(call) -> list[tuple[str, str]]:
    """(label, callback data) of a message's inline keyboard."""
    markup = call.params.get("reply_markup")
    markup = json.loads(markup) if isinstance(markup, str) else (markup or {})
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


def button(call, prefix: str) -> str | None:
    """The callback data of the message's first button whose data starts with `prefix`."""
    return next((data for _, data in buttons(call) if data.startswith(prefix)), None)


def already(text: str | None) -> bool:
    return bool(text) and any(word in text for word in ALREADY)
