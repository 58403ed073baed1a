"""Early warnings at county scale: import 10,000 warnings from one file and dispatch them.

    python bench/warnings_dispatch.py                      # 10,000 warnings at the configured 25 msg/s
    python bench/warnings_dispatch.py --rate 200           # a faster channel
    python bench/warnings_dispatch.py --warnings 2000 --townships 5

Setup (untimed): the real Telegram channel (channels.telegram.build_application) with a
RecordingRequest over the in-process FakeBotAPI of tests/botapi.py, a temp SQLite file, a
generated county: --townships townships × 12 villages × 4 grids, one worker per grid
(a users row and its Telegram account, inserted with executemany), except every 10th grid,
which has none (its village contact gets the warning). The warnings file is a CSV of
--warnings rows spread over the grids by name or code, 1 % naming no known area (kept as
unassigned, not dispatched), 1 % repeating an earlier row (one warning).

Timed, on the test clock at 02:00 (quiet hours: warnings go out anyway):
  read   bot.warnings.parse of the file's bytes (every row checked)
  store  bot.warnings.import_rows (stored, BATCH rows per transaction)
  queue  schedules.warnings.dispatch_due (each warning's message queued, urgent, in the outbox)
  send   schedules.outbox.drain through TelegramSender at Settings(rate_limit_per_second=--rate)
"time to last dispatch" is from the start of `read` to the fake API's last accepted
sendMessage. Checked: every assigned warning's card reached each of its assignees (lost must
be 0), none twice, and a second tick sends nothing. Then one tick's warning step (what is
due, who joined since) with all of them open is timed. No timing asserts.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import warnings as domain  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from channels.telegram import build_application  # noqa: E402
from schedules.outbox import drain  # noqa: E402
from schedules.warnings import dispatch_due, run_warnings  # noqa: E402
from tests.botapi import FakeBotAPI, RecordingRequest  # noqa: E402
from tests.tg import Harness  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2026, 11, 25, 2, 0, tzinfo=TZ)
FIRST_TG = 20_000_000
KINDS = ("刷单", "冒充客服", "投资理财", "冒充公检法", "贷款")


class StampingAPI(FakeBotAPI):
    def __init__(self) -> None:
        super().__init__()
        self.stamps: list[float] = []

    def handle(self, method, params, files=None):
        if method == "sendMessage":
            self.stamps.append(time.perf_counter())
        return super().handle(method, params, files)


class BenchHarness(Harness):
    def __init__(self, tmp_path: Path, now: datetime, api: FakeBotAPI, **overrides) -> None:
        self.api, self.clock = api, FakeClock(now)
        self.settings = Settings(_env_file=None, database_path=tmp_path / "bot.sqlite3",
                                 telegram_bot_token="123:TEST", **overrides)
        self.app = build_application(self.settings, RecordingRequest(self.api))


def county(townships: int) -> list[dict]:
    """A county office (the root, the office the file is for) over its townships, villages, grids."""
    rows = [{"code": "CTY", "name": "县反诈中心", "kind": "township", "parent": None, "households": 0, "population": 0}]
    for t in range(townships):
        rows.append({"code": f"T{t}", "name": f"第{t}乡", "kind": "township", "parent": "CTY",
                     "households": 5000, "population": 15000})
        for v in range(12):
            rows.append({"code": f"T{t}V{v}", "name": f"第{t}乡{v}村", "kind": "village", "parent": f"T{t}",
                         "households": 400, "population": 1200})
            for g in range(4):
                rows.append({"code": f"T{t}V{v}G{g}", "name": f"第{t}乡{v}村第{g}网格", "kind": "grid",
                             "parent": f"T{t}V{v}", "households": 100, "population": 300})
    return rows


async def add_people(h, grids, villages) -> dict[int, int]:
    """A worker per grid (none in every 10th), a contact per village; user id → chat id."""
    stamp = h.clock.now().isoformat()
    people = [(g.id, "worker") for n, g in enumerate(grids) if n % 10 != 9] + [(v.id, "contact") for v in villages]
    async with h.storage.db.transaction() as conn:
        (last,) = await (await conn.execute("SELECT COALESCE(MAX(id), 0) FROM users")).fetchone()
        ids = list(range(last + 1, last + 1 + len(people)))
        await conn.executemany("INSERT INTO users (id, name, org_id, role, created_at, updated_at) VALUES (?,?,?,?,?,?)",
                               [(uid, f"人{uid}", org, role, stamp, stamp) for uid, (org, role) in zip(ids, people)])
        await conn.executemany("INSERT INTO accounts (channel, external_id, user_id, chat_id, seen_at) VALUES (?,?,?,?,?)",
                               [("telegram", str(FIRST_TG + uid), uid, str(FIRST_TG + uid), stamp) for uid in ids])
    return {uid: FIRST_TG + uid for uid in ids}


def warnings_csv(n: int, grids) -> bytes:
    lines = ["姓名,电话,网格,住址,预警类型,预警时间"]
    for i in range(n):
        if i % 100 == 99:                     # 1 %: the same warning again
            lines.append(lines[-1])
            continue
        area = "某不存在村" if i % 100 == 98 else (grids[i % len(grids)].code if i % 2 else grids[i % len(grids)].name)
        when = NIGHT - timedelta(minutes=i % 600)
        lines.append(f"群众{i},1{3 + i % 6}{i:09d},{area},某组{i % 50}号,{KINDS[i % 5]},{when:%Y-%m-%d %H:%M}")
    return ("\n".join(lines) + "\n").encode()


async def run(args: argparse.Namespace) -> None:
    api = StampingAPI()
    with tempfile.TemporaryDirectory(prefix="warnbench-") as tmp:
        async with BenchHarness(Path(tmp), NIGHT, api, rate_limit_per_second=args.rate) as h:
            await h.storage.orgs.upsert_many(county(args.townships))
            orgs = await h.storage.orgs.all()
            grids = [o for o in orgs if o.kind == "grid"]
            chats = await add_people(h, grids, [o for o in orgs if o.kind == "village"])
            office = await h.storage.orgs.by_code("CTY")
            data = warnings_csv(args.warnings, grids)
            api.calls.clear()
            print(f"setup: {len(grids):,} grids, {len(chats):,} people on Telegram, a {len(data) / 1e6:.1f} MB file of "
                  f"{args.warnings:,} rows; rate_limit_per_second={args.rate:g}; clock {NIGHT} (quiet hours)")

            t0 = time.perf_counter()
            rows = domain.parse("预警.csv", data, TZ)
            t_read = time.perf_counter()
            added, known, unassigned, _old = await domain.import_rows(h.storage, rows, office, None, h.clock.now(),
                                                                h.settings.warning_window_hours)
            t_store = time.perf_counter()
            queued = await dispatch_due(h.svc)
            t_queue = time.perf_counter()
            counts = await drain(h.svc, h.senders())
            t_send = time.perf_counter()
            again = await dispatch_due(h.svc), await drain(h.svc, h.senders())
            t_tick = time.perf_counter()
            await run_warnings(h.svc)     # a tick's warning step with all of them open
            t_tick = time.perf_counter() - t_tick

            # --- what happened ------------------------------------------------------------------
            sent = Counter((int(c.params["chat_id"]), c.params["text"].split("预警 #", 1)[1].split("（", 1)[0])
                           for c in api.calls if c.method == "sendMessage" and c.ok and "预警 #" in c.params["text"])
            ws = await h.storage.warnings._select("1 = 1", (), 1_000_000)
            expected = {(chats[u], str(w.id)) for w in ws for u in w.assignees}
            lost = expected - set(sent)
            twice = [k for k, n in sent.items() if n > 1]
            print(f"\nread {t_read - t0:.2f} s ({len(rows):,} rows) · store {t_store - t_read:.2f} s "
                  f"({added:,} added, {known:,} already known, {unassigned:,} unassigned) · "
                  f"queue {t_queue - t_store:.2f} s ({queued:,} warnings) · send {t_send - t_queue:.2f} s {dict(counts)}")
            last = (api.stamps[-1] - t0) if api.stamps else float("nan")
            print(f"time to last dispatch: {last:.1f} s for {len(expected):,} messages "
                  f"({len(expected) / (t_send - t_queue):.1f} msg/s while sending, configured {args.rate:g}/s)")
            print(f"lost: {len(lost)} · sent twice: {len(twice)} · a second round sent {again[1].get('sent', 0)} · "
                  f"unassigned kept for the office: {sum(1 for w in ws if w.org_id is None)}")
            print(f"a tick's warning step with {len(ws):,} open: {t_tick * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warnings", type=int, default=10_000)
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--rate", type=float, default=Settings(_env_file=None).rate_limit_per_second)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
