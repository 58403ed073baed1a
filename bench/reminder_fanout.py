"""Reminder fan-out at county scale: one reminder round to N owing contacts, through the outbox.

    python bench/reminder_fanout.py                        # 10,000 recipients at 200 msg/s
    python bench/reminder_fanout.py --recipients 2000 --rate 50
    python bench/reminder_fanout.py --retry-every 0 --forbidden-share 0   # a clean API
    python bench/reminder_fanout.py --trace                # time the outbox/sender steps too
    python bench/reminder_fanout.py --channel wecom        # 2,000 recipients on WeCom (see below)
    python bench/reminder_fanout.py --kills 20             # 1,000 recipients, SIGKILL 20 times (see below)

Setup (untimed): the real Telegram channel from channels.telegram.build_application with a
RecordingRequest over a FakeBotAPI (in-process), a temp SQLite file, the sample township from
tests/fixtures/orgs.csv, and N contacts (users rows plus their Telegram accounts) inserted
with executemany inside storage.db.transaction(), spread over the township's
villages/communities. The fake clock
stands at 2026-11-26 09:00:30 Asia/Shanghai, when the default calendar's monthly-28
"-2d 09:00" reminder is due (not the last round, so no escalation) and nobody has submitted:
every contact owes. Settings(rate_limit_per_second=--rate) configures channels/telegram's
AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=3).

The fake API answers every --retry-every'th sendMessage with 429 retry_after=1 (the least
Telegram asks for) and 403 Forbidden for a seeded random --forbidden-share of the contacts.

Timed: ``run_reminders(svc)`` (preparation: who owes, their progress lines, queued in the
outbox) and then ``drain(svc, {"telegram": TelegramSender})`` (the fan-out), as one scheduler tick does.
Then the checks: the outbox statuses against the fake API's successful sendMessage calls
per chat: lost = owing recipients neither delivered nor recorded blocked; sent twice =
chats with more than one successful reminder. Then a second round a minute later, which
must send nothing. No timing asserts.

WeCom (--channel wecom, 2,000 recipients by default): the real WeCom channel
(channels.wecom.WeComChannel, the real SDK) holds its long connection to the fake WeCom server
of tests/wecom.py on 127.0.0.1, in the same process; the N contacts have WeCom accounts and
have all written to the bot (the fake delivers to them). Timed the same way. Checked: every
owing contact got the reminder (its markdown part and its card) exactly once (lost must be
0), the outbox agrees, and no conversation got more than 30 messages in any 60 seconds
(WeCom's silent limit), counted on the fake's arrival times.

Kills (--kills N, 1,000 recipients by default): the same Telegram round, each run in a child
process (this file with --kill-child) on one SQLite file set up by the parent. The child's
fake Bot API appends each accepted sendMessage's chat id to a log file as it accepts it (an
os.write: a SIGKILL loses none of it), so the log is what Telegram delivered. The parent
waits until the log has grown by a random number of messages (spread so that the N kills
fall inside the round) and then a random 0-100 ms, sends SIGKILL, reads the outbox's unsettled claims ('sending': in
flight at the kill, and which of them the log shows had gone out), and starts a new child,
which opens the database as `python -m bot` does (bot/app.py queues those claims again),
runs the reminder tick and drains. After the N kills, one last child finishes. Checked on
the log: lost = owing recipients never delivered and not blocking the bot (must be 0); sent
twice = recipients delivered more than once (at most the claims in flight at the kills,
exactly those of them that had gone out).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import FakeClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from channels.telegram import build_application  # noqa: E402
from schedules import outbox as outbox_module  # noqa: E402
from schedules.outbox import CONCURRENCY, drain  # noqa: E402
from schedules.reminders import run_reminders  # noqa: E402
from storage.models import AREA_KINDS  # noqa: E402
from tests.botapi import FakeBotAPI, RecordingRequest  # noqa: E402
from tests.tg import Harness  # noqa: E402
from tests.wecom import Harness as WeComHarness  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
SLOT = datetime(2026, 11, 26, 9, 0, 30, tzinfo=TZ)
FIRST_TG = 10_000_000


class FlakyBotAPI(FakeBotAPI):
    """The fake Bot API, answering 429 (retry_after=1) to every `retry_every`th sendMessage,
    and stamping each sendMessage with the time it arrived."""

    def __init__(self, retry_every: int) -> None:
        super().__init__()
        self.retry_every = retry_every
        self.send_calls = 0
        self.retry_answers = 0
        self.stamps: list[float] = []

    def handle(self, method, params, files=None):
        if method == "sendMessage":
            self.send_calls += 1
            self.stamps.append(time.perf_counter())
            chat = int(params["chat_id"])
            if self.retry_every and self.send_calls % self.retry_every == 0 and chat not in self.forbidden:
                self.retry_after[chat] = self.retry_after.get(chat, 0) + 1  # base class answers the 429
                self.retry_answers += 1
        return super().handle(method, params, files)


class FanoutHarness(Harness):
    """tests.tg.Harness with a FlakyBotAPI behind the RecordingRequest."""

    def __init__(self, tmp_path: Path, now: datetime, api: FakeBotAPI, **overrides) -> None:
        self.api = api
        self.clock = FakeClock(now)
        self.settings = Settings(_env_file=None, database_path=tmp_path / "bot.sqlite3",
                                 telegram_bot_token="123:TEST", **overrides)
        self.app = build_application(self.settings, RecordingRequest(self.api))


async def add_people(h, n: int, role: str = "contact", channel: str = "telegram",
                     chat=lambda i: FIRST_TG + i) -> dict[int, object]:
    """N people of a role (contacts in the areas, workers in the grids), each with an account
    on the channel; returns their chat id by user id."""
    kinds, name = (("grid",), "网格员{:04d}") if role == "worker" else (AREA_KINDS, "联络员{:05d}")
    places = [o for o in await h.storage.orgs.all() if o.kind in kinds]
    stamp = h.clock.now().isoformat()
    async with h.storage.db.transaction() as conn:
        (last,) = await (await conn.execute("SELECT COALESCE(MAX(id), 0) FROM users")).fetchone()
        ids = range(last + 1, last + 1 + n)
        await conn.executemany("INSERT INTO users (id, name, org_id, role, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, ?, ?)",
                               [(uid, name.format(i), places[i % len(places)].id, role, stamp, stamp)
                                for i, uid in enumerate(ids)])
        await conn.executemany("INSERT INTO accounts (channel, external_id, user_id, chat_id, seen_at) "
                               "VALUES (?, ?, ?, ?, ?)",
                               [(channel, str(chat(i)), uid, str(chat(i)), stamp) for i, uid in enumerate(ids)])
    return {uid: chat(i) for i, uid in enumerate(ids)}


async def add_contacts(h, n: int, channel: str = "telegram", chat=lambda i: FIRST_TG + i) -> dict[int, object]:
    """N contacts with an account on the channel; returns their chat id by user id."""
    return await add_people(h, n, "contact", channel, chat)


class StepTrace:
    """Bench-only: wall time the fan-out's coroutines spend awaiting each step (summed over
    the CONCURRENCY workers, so it can exceed the run's wall time), by wrapping the methods
    on the live objects (no production code changed)."""

    def __init__(self) -> None:
        self.time: dict[str, float] = defaultdict(float)
        self.calls: Counter = Counter()

    def wrap(self, obj: object, name: str, label: str) -> None:
        orig = getattr(obj, name)

        async def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return await orig(*args, **kwargs)
            finally:
                self.time[label] += time.perf_counter() - t0
                self.calls[label] += 1

        setattr(obj, name, timed)

    def report(self, elapsed: float) -> None:
        print(f"\nawaited per step, summed over the {CONCURRENCY} fan-out workers "
              f"({CONCURRENCY} x {elapsed:.1f} s = {CONCURRENCY * elapsed:.1f} worker-seconds):")
        for label, total in sorted(self.time.items(), key=lambda kv: -kv[1]):
            print(f"  {label:42s} {self.calls[label]:6d} calls {total:8.2f} s "
                  f"({1000 * total / max(self.calls[label], 1):6.2f} ms each, "
                  f"{100 * total / (CONCURRENCY * elapsed):5.1f} % of worker time)")


async def run(args: argparse.Namespace) -> None:
    api = FlakyBotAPI(args.retry_every)
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        async with FanoutHarness(Path(tmp), SLOT, api, rate_limit_per_second=args.rate) as h:
            t0 = time.perf_counter()
            await h.import_orgs()
            chats = await add_contacts(h, args.recipients)        # user id -> Telegram chat id
            recipients = list(chats.values())
            rng = random.Random(args.seed)
            api.forbidden.update(rng.sample(recipients, round(args.forbidden_share * len(recipients))))
            api.calls.clear()
            print(f"setup: {len(recipients):,} contacts in {time.perf_counter() - t0:.1f} s; "
                  f"{len(api.forbidden):,} of them have blocked the bot; 429 every {args.retry_every or '-'}th "
                  f"sendMessage; rate_limit_per_second={args.rate:g}; CONCURRENCY={CONCURRENCY}; clock {SLOT}")

            out = h.senders()
            trace = None
            if args.trace:
                trace = StepTrace()
                trace.wrap(h.storage.outbox, "claim", "outbox.claim (BEGIN IMMEDIATE…COMMIT)")
                trace.wrap(h.storage.outbox, "settle", "outbox.settle (BEGIN IMMEDIATE…COMMIT)")
                trace.wrap(outbox_module, "where", "outbox.where (the person's accounts)")
                trace.wrap(outbox_module, "offer", "outbox.offer (typed-choice menu saved)")
                trace.wrap(h.storage.users, "mark_blocked", "users.mark_blocked (on 403)")
                trace.wrap(out["telegram"], "send", "sender.send (rate limiter + request)")

            t0 = time.perf_counter()
            queued = await run_reminders(h.svc)
            prepared = time.perf_counter() - t0
            counts = await drain(h.svc, out)
            elapsed = time.perf_counter() - t0

            # --- what happened -----------------------------------------------------------------
            ok = Counter(int(c.params["chat_id"]) for c in api.calls if c.method == "sendMessage" and c.ok)
            reminders_ok = sum(1 for c in api.calls if c.method == "sendMessage" and c.ok
                               and c.params["text"].startswith("⏰"))
            requests = sum(1 for c in api.calls if c.method == "sendMessage")
            rows = await h.storage.db.fetchall("SELECT recipient, status FROM outbox WHERE topic LIKE 'remind:%'")
            outbox = {chats[int(r[0][1:])]: r[1] for r in rows}      # by chat id
            statuses = Counter(outbox.values())
            blocked_accounts = (await h.storage.db.fetchone(
                "SELECT COUNT(*) FROM accounts WHERE blocked_at IS NOT NULL"))[0]
            delivered = sum(ok.values())
            lost = [r for r in recipients if ok[r] == 0 and outbox.get(r) != "blocked"]
            twice = [c for c, k in ok.items() if k > 1]
            sent_not_recorded = [c for c in ok if outbox.get(c) != "sent"]
            recorded_not_sent = [r for r, s in outbox.items() if s == "sent" and ok[r] == 0]

            stamps = api.stamps
            first_at = stamps[0] - t0 if stamps else float("nan")
            window = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
            gaps = sorted((b - a for a, b in zip(stamps, stamps[1:])), reverse=True)
            stalls = [g for g in gaps if g >= 0.5]
            resumes = [b for a, b in zip(stamps, stamps[1:]) if b - a >= 0.5]  # first request after a stall

            def within(start: float, span: float = 0.25) -> int:
                return sum(1 for x in stamps if start <= x < start + span)
            burst = int(args.rate)  # aiolimiter's bucket starts empty: the first `rate` go at once
            steady = ((len(stamps) - burst) / (stamps[-1] - stamps[burst])
                      if len(stamps) > burst + 1 and stamps[-1] > stamps[burst] else float("nan"))

            print(f"\nrun_reminders + drain: {elapsed:.2f} s ({prepared:.2f} s to queue {queued:,}), "
                  f"drain returned {dict(counts)}")
            print(f"recipients          : {len(recipients):,} owing")
            print(f"messages/s achieved : {delivered / elapsed:7.1f} delivered/s = "
                  f"{100 * delivered / elapsed / args.rate:5.1f} % of the configured {args.rate:g}/s "
                  f"(aim >= 90 %)")
            print(f"                      {requests / elapsed:7.1f} sendMessage requests/s (incl. 403/429) = "
                  f"{100 * requests / elapsed / args.rate:5.1f} %")
            print(f"                      first request {first_at:.2f} s after the start (preparation); "
                  f"requests over the send window of {window:.2f} s: {requests / window:.1f}/s; after the "
                  f"limiter's initial burst of {burst}: "
                  + (f"{steady:.1f}/s" if steady == steady else "n/a (fewer requests than the burst)"))
            if stamps:
                print(f"                      bursts: {within(stamps[0])} requests in the first 0.25 s; in the "
                      f"0.25 s after each stall: {', '.join(str(within(r)) for r in resumes) or '-'}")
            print(f"                      {len(stalls)} stalls >= 0.5 s between requests, "
                  f"{sum(stalls):.2f} s in all (largest gaps: {', '.join(f'{g:.2f}' for g in gaps[:6])} s); "
                  f"{api.retry_answers} answered 429")
            print(f"sent                : {delivered:,} reminders delivered ({reminders_ok:,} '⏰' reminder texts); "
                  f"outbox 'sent' {statuses.get('sent', 0):,}")
            print(f"skipped (blocked)   : {statuses.get('blocked', 0):,} in the outbox; accounts.blocked_at set for "
                  f"{blocked_accounts:,}; fake API forbidden {len(api.forbidden):,}")
            print(f"lost                : {len(lost)}  (outbox statuses: {dict(statuses)}; "
                  f"not in the outbox: {len(recipients) - len(outbox)})")
            print(f"sent twice          : {len(twice)}")
            if sent_not_recorded or recorded_not_sent:
                print(f"INCONSISTENT        : delivered but outbox not 'sent' {len(sent_not_recorded)}; "
                      f"outbox 'sent' but not delivered {len(recorded_not_sent)}")
            if trace:
                trace.report(elapsed)

            # --- the same slot again -------------------------------------------------------------
            h.clock.advance(timedelta(minutes=1))
            before = sum(1 for c in api.calls if c.method == "sendMessage" and c.ok)
            t0 = time.perf_counter()
            again = await run_reminders(h.svc), dict(await drain(h.svc, out))
            took = time.perf_counter() - t0
            more = sum(1 for c in api.calls if c.method == "sendMessage" and c.ok) - before
            print(f"\nsecond round (clock +1 min): {more} more sent (must be 0), "
                  f"queued {again[0]}, drain returned {again[1]}, {took:.2f} s")


async def run_wecom(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="fanout-wecom-") as tmp:
        async with WeComHarness(Path(tmp), SLOT) as h:
            t0 = time.perf_counter()
            await h.import_orgs()
            chats = await add_contacts(h, args.recipients, "wecom", lambda i: f"contact{i:05d}")
            h.fake.talked.update(chats.values())                 # they have all written to the bot
            print(f"setup: {len(chats):,} contacts on WeCom in {time.perf_counter() - t0:.1f} s; "
                  f"CONCURRENCY={CONCURRENCY}; clock {SLOT}")

            t0 = time.perf_counter()
            queued = await run_reminders(h.svc)
            prepared = time.perf_counter() - t0
            counts = await drain(h.svc, {"wecom": h.channel.sender})
            elapsed = time.perf_counter() - t0

            sent = [g for g in h.fake.got if g.cmd == "aibot_send_msg" and g.errcode == 0]
            per_chat: dict[str, list] = defaultdict(list)
            for g in sent:
                per_chat[g.body["chatid"]].append(g)
            reminded = Counter(chat for chat, got in per_chat.items()
                               if any(g.body.get("msgtype") == "markdown" and g.body["markdown"]["content"].startswith("⏰")
                                      for g in got))
            rows = await h.storage.db.fetchall("SELECT recipient, status FROM outbox WHERE topic LIKE 'remind:%'")
            statuses = Counter(r[1] for r in rows)
            lost = [c for c in chats.values() if reminded[c] == 0]
            twice = [c for c, got in per_chat.items()
                     if sum(g.body.get("msgtype") == "template_card" for g in got) > 1]
            busiest = max((most_in(sorted(g.at for g in got), 60.0) for got in per_chat.values()), default=0)

            print(f"\nrun_reminders + drain: {elapsed:.2f} s ({prepared:.2f} s to queue {queued:,}), "
                  f"drain returned {dict(counts)}")
            print(f"recipients          : {len(chats):,} owing")
            print(f"delivered           : {len(reminded):,} reminders ({len(sent):,} WeCom messages: each "
                  f"reminder is its text and a card with 立即报送), "
                  f"{len(sent) / (elapsed - prepared):.0f} messages/s; outbox 'sent' {statuses.get('sent', 0):,}")
            print(f"lost                : {len(lost)}  (outbox statuses: {dict(statuses)})")
            print(f"sent twice          : {len(twice)}")
            print(f"per conversation    : at most {busiest} messages in any 60 s "
                  f"({'within' if busiest <= 30 else 'OVER'} WeCom's 30 a minute)")

            h.clock.advance(timedelta(minutes=1))
            before = len(h.fake.got)
            again = await run_reminders(h.svc), dict(await drain(h.svc, {"wecom": h.channel.sender}))
            print(f"\nsecond round (clock +1 min): {len(h.fake.got) - before} more sent (must be 0), "
                  f"queued {again[0]}, drain returned {again[1]}")


class LoggingBotAPI(FlakyBotAPI):
    """FlakyBotAPI that appends each delivered sendMessage's chat id to a file at once."""

    def __init__(self, retry_every: int, log_path: Path) -> None:
        super().__init__(retry_every)
        self.fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def handle(self, method, params, files=None):
        status, answer = super().handle(method, params, files)
        if method == "sendMessage" and status == 200:
            os.write(self.fd, f"{params['chat_id']}\n".encode())  # one write: in the kernel before we return
        return status, answer


def blocked_chats(chats: list[int], args: argparse.Namespace) -> set[int]:
    """The seeded share of recipients that blocked the bot (the same in every child)."""
    return set(random.Random(args.seed).sample(sorted(chats), round(args.forbidden_share * len(chats))))


async def kill_child(args: argparse.Namespace) -> None:
    """One life of the bot in --kills mode: start on the database, run the tick, drain."""
    folder = Path(args.kill_child)
    api = LoggingBotAPI(args.retry_every, folder / "delivered.log")
    now = SLOT + timedelta(seconds=args.life)  # the same reminder slot, a little later each life
    async with FanoutHarness(folder, now, api, rate_limit_per_second=args.rate) as h:
        chats = [int(r[0]) for r in await h.storage.db.fetchall("SELECT chat_id FROM accounts")]
        api.forbidden.update(blocked_chats(chats, args))
        await run_reminders(h.svc)
        await drain(h.svc, h.senders())


def delivered(folder: Path) -> Counter:
    return Counter(int(line) for line in (folder / "delivered.log").read_text().split())


async def run_kills(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed + 1)
    with tempfile.TemporaryDirectory(prefix="fanout-kills-") as tmp:
        folder = Path(tmp)
        async with FanoutHarness(folder, SLOT, FlakyBotAPI(0)) as h:
            await h.import_orgs()
            chats = await add_contacts(h, args.recipients)        # user id -> Telegram chat id
        (folder / "delivered.log").touch()
        forbidden = blocked_chats(list(chats.values()), args)
        db = sqlite3.connect(folder / "bot.sqlite3")
        print(f"setup: {len(chats):,} contacts, {len(forbidden)} of them have blocked the bot; "
              f"rate_limit_per_second={args.rate:g}; CONCURRENCY={CONCURRENCY}; {args.kills} kills")

        def child(life: int) -> subprocess.Popen:
            return subprocess.Popen(
                [sys.executable, __file__, "--kill-child", tmp, "--life", str(life), "--rate", str(args.rate),
                 "--retry-every", str(args.retry_every), "--forbidden-share", str(args.forbidden_share),
                 "--seed", str(args.seed)], stderr=open(folder / f"life{life}.err", "w"))

        kills: list[tuple[int, int]] = []                          # (in flight, of which had gone out)
        t0 = time.perf_counter()
        for life in range(args.kills):
            proc = child(life)
            sent = sum(delivered(folder).values())
            owing = len(chats) - len(forbidden) - len(delivered(folder))
            target = sent + rng.randint(1, max(1, owing // (args.kills - life + 1)))  # never the round's end
            while proc.poll() is None and sum(delivered(folder).values()) < target:
                await asyncio.sleep(0.002)
            await asyncio.sleep(rng.uniform(0, 0.1))  # not always just after a delivery
            if proc.poll() is not None:
                print(f"life {life}: the round ended before the kill (exit {proc.returncode})")
                break
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            claims = [int(r[0]) for r in db.execute(
                "SELECT a.chat_id FROM outbox o JOIN accounts a ON 'u' || a.user_id = o.recipient "
                "WHERE o.status = 'sending'")]
            went = delivered(folder)
            kills.append((len(claims), sum(1 for c in claims if went[c])))
        proc = child(args.kills)                                    # the last life finishes the round
        proc.wait()
        took = time.perf_counter() - t0

        got = delivered(folder)
        statuses = Counter(s for (s,) in db.execute("SELECT status FROM outbox WHERE topic LIKE 'remind:%'"))
        blocked = {int(c) for (c,) in db.execute(
            "SELECT a.chat_id FROM outbox o JOIN accounts a ON 'u' || a.user_id = o.recipient "
            "WHERE o.status = 'blocked'")}
        resent = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND attempts > 1").fetchone()[0]
        db.close()
        # Lost: never delivered to someone who had not blocked the bot. (A 403 settled by a kill
        # before its 'blocked' was recorded comes back 'unreachable': the account is blocked.)
        lost = [c for c in chats.values() if got[c] == 0 and c not in forbidden]
        twice = [c for c, k in got.items() if k > 1]
        in_flight, gone = sum(k for k, _ in kills), sum(g for _, g in kills)
        warned = sum(1 for err in folder.glob("life*.err")
                     for line in err.read_text().splitlines() if "in flight" in line)

        print(f"\n{len(kills)} kills with SIGKILL during the round, then a last run: {took:.1f} s in all; "
              f"exit of the last run {proc.returncode}")
        print(f"in flight per kill  : {', '.join(str(k) for k, _ in kills)} "
              f"(sum {in_flight}; of those, {gone} had in fact gone out)")
        print(f"delivered           : {sum(got.values()):,} to {len(got):,} recipients; "
              f"outbox statuses {dict(statuses)}; blocked recorded {len(blocked)} of {len(forbidden)}")
        print(f"lost                : {len(lost)}  (must be 0)")
        print(f"sent twice          : {len(twice)}  (at most the {in_flight} in flight at the kills; "
              f"{gone} of them had gone out)")
        print(f"marked              : {resent} sent with attempts > 1 (sent again after a kill); "
              f"{warned} start-up warnings of messages in flight")


def most_in(times: list[float], span: float) -> int:
    """The most arrivals within any `span` seconds."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= span:
            start += 1
        most = max(most, end - start + 1)
    return most


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channel", choices=["telegram", "wecom"], default="telegram")
    parser.add_argument("--recipients", type=int, default=None,
                        help="owing contacts (default 10,000 on Telegram, 2,000 on WeCom)")
    parser.add_argument("--rate", type=float, default=200.0, help="Settings.rate_limit_per_second")
    parser.add_argument("--retry-every", type=int, default=2000,
                        help="answer every Kth sendMessage with 429 retry_after=1 (0: never)")
    parser.add_argument("--forbidden-share", type=float, default=0.01,
                        help="share of recipients that blocked the bot (403)")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--trace", action="store_true",
                        help="also time the fan-out's steps (outbox claim/settle, send, mark_blocked)")
    parser.add_argument("--kills", type=int, default=0,
                        help="run the round in child processes and SIGKILL it this many times")
    parser.add_argument("--kill-child", help=argparse.SUPPRESS)   # the folder of a --kills run
    parser.add_argument("--life", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.kill_child:
        logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
        asyncio.run(kill_child(args))
        return
    if args.recipients is None:
        args.recipients = 2_000 if args.channel == "wecom" else 1_000 if args.kills else 10_000
    asyncio.run(run_wecom(args) if args.channel == "wecom" else run_kills(args) if args.kills else run(args))


if __name__ == "__main__":
    main()
