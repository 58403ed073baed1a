"""One-line report throughput and latency through Telegram, against a bare echo bot, in one run.

    python bench/log_throughput.py                       # an empty county, then 1,000,000 entries
    python bench/log_throughput.py --entries 100000      # quicker
    python bench/log_throughput.py --db /tmp/county.sqlite3 --keep   # reuse the generated county

Full path: the real Telegram Application (channels.telegram.build_application) over a
recording request and an in-process fake Bot API, on a county database made as
bench/county_scale.py makes it (20 townships, 2,000 grid workers). One report is two
updates: a text (the core reads it and answers with the card) and a tap on 保存 (the entry is
saved and the card becomes the receipt). Each update goes through ``process_update``, as
polling would hand it over.

Bare echo: ``Application.builder()`` with the same token, rate limiter and request, minus
storage and handlers: one MessageHandler that answers each text with the text.

For 1, 10 and 100 people at once (each sends its reports one after another, as a phone
would), it prints reports/s, updates/s, the ratio of full-path updates/s to echo updates/s,
p50/p95 latency per update, and SQLite round trips per report. Then it checks, in the
database, that every report became its entries. The rate limiter is in the path but set
high enough never to wait, so the figures compare the work done per update. Prints
figures; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter, Application, MessageHandler, filters  # noqa: E402

from bench.county_scale import generate  # noqa: E402
from bot import logbook  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.kinds import split_by_kind  # noqa: E402
from bot.quickparse import parse_quick_report  # noqa: E402
from bot.app import open_services  # noqa: E402
from channels.telegram import build_application, caps  # noqa: E402
from handlers import build_core  # noqa: E402
from tests.botapi import BOT_USER, FakeBotAPI, RecordingRequest  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)
FIRST_WORKER, TG_OFFSET = 1, 10_000          # bench/county_scale.py: worker ids and Telegram ids
RATE = 1e9
FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "quick_reports.jsonl"
_ids = itertools.count(1)


def report_texts(settings: Settings) -> list[str]:
    """Fixture texts that parse to figures and need no second confirmation."""
    out = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        figures = parse_quick_report(text)
        if figures and not logbook.over_bounds(figures, settings):
            out.append(text)
    return out


def text_update(uid: int, text: str) -> dict:
    n = next(_ids)
    return {"update_id": n, "message": {
        "message_id": n, "date": 1_790_000_000, "chat": {"id": uid, "type": "private"},
        "from": {"id": uid, "is_bot": False, "first_name": f"网格员{uid}", "language_code": "zh-hans"},
        "text": text}}


def tap_update(uid: int, data: str, message_id: int) -> dict:
    n = next(_ids)
    return {"update_id": n, "callback_query": {
        "id": str(n), "chat_instance": "ci", "data": data,
        "from": {"id": uid, "is_bot": False, "first_name": f"网格员{uid}"},
        "message": {"message_id": message_id, "date": 1_790_000_000, "chat": {"id": uid, "type": "private"},
                    "from": BOT_USER, "text": "…"}}}


class Timed:
    """Feeds updates to an Application and keeps each one's latency."""

    def __init__(self, app: Application, api: FakeBotAPI) -> None:
        self.app, self.api, self.latencies = app, api, []

    async def feed(self, update: dict) -> None:
        t0 = time.perf_counter()
        await self.app.process_update(Update.de_json(update, self.app.bot))
        self.latencies.append(time.perf_counter() - t0)

    def card(self, uid: int) -> tuple[str, int]:
        """The 保存 button of the last card sent to uid, and that message's id."""
        for call in reversed(self.api.calls):
            if call.method == "sendMessage" and int(call.params["chat_id"]) == uid:
                markup = call.params.get("reply_markup")
                markup = json.loads(markup) if isinstance(markup, str) else markup
                return markup["inline_keyboard"][0][0]["callback_data"], 1
        raise AssertionError(f"no card for {uid}")


async def full_person(d: Timed, uid: int, texts: list[str]) -> None:
    for text in texts:
        await d.feed(text_update(uid, text))
        data, message_id = d.card(uid)
        assert data.startswith("v1:quick:save:"), data
        await d.feed(tap_update(uid, data, message_id))


async def echo_person(d: Timed, uid: int, texts: list[str]) -> None:
    for text in texts:
        await d.feed(text_update(uid, text))


async def drive(d: Timed, person, people: int, texts: list[str], reports: int, first_uid: int) -> float:
    """`people` at once, `reports` in all; returns the wall time."""
    share = [texts[i % len(texts)] for i in range(reports)]
    d.latencies.clear()
    t0 = time.perf_counter()
    await asyncio.gather(*(person(d, first_uid + p, share[p::people]) for p in range(people)))
    return time.perf_counter() - t0


def echo_app() -> Timed:
    api = FakeBotAPI()
    request = RecordingRequest(api)
    app = (Application.builder().token("123:TEST")
           .rate_limiter(AIORateLimiter(overall_max_rate=RATE, overall_time_period=1, max_retries=3))
           .request(request).get_updates_request(request).build())

    async def echo(update: Update, context) -> None:
        await update.message.reply_text(update.message.text)

    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return Timed(app, api)


class Trips:
    """Counts round trips to aiosqlite's thread (each statement, BEGIN, COMMIT is one)."""

    def __init__(self) -> None:
        import aiosqlite
        self.count, self._cls = 0, aiosqlite.Connection
        self._orig = self._cls._execute

        async def counted(conn, fn, *a, **k):
            self.count += 1
            return await self._orig(conn, fn, *a, **k)

        self._cls._execute = counted

    def close(self) -> None:
        self._cls._execute = self._orig


async def entries_saved(app: Application) -> int:
    row = await app.bot_data["svc"].storage.db.fetchone("SELECT COUNT(*) FROM entries WHERE source = 'quick'")
    return int(row[0])


def pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100)[q - 1] * 1000 if len(xs) > 1 else xs[0] * 1000


async def measure(path: Path, label: str, args: argparse.Namespace) -> list[dict]:
    settings = Settings(_env_file=None, database_path=path, telegram_bot_token="123:TEST",
                        rate_limit_per_second=RATE)
    texts = report_texts(settings)
    api = FakeBotAPI()
    app = build_application(settings, RecordingRequest(api))
    full, echo = Timed(app, api), echo_app()
    svc = await open_services(settings, FakeClock(NOW))   # as bot/runner.py does
    core = build_core(svc)
    app.bot_data.update(svc=svc, core=core)
    await app.initialize()
    core.add_channel("telegram", caps(app))
    await echo.app.initialize()
    rows = []
    try:
        uid = TG_OFFSET + FIRST_WORKER
        await drive(full, full_person, 4, texts, args.warmup, uid)     # warm both, untimed
        await drive(echo, echo_person, 4, texts, args.warmup, uid)
        for people in args.people:
            uid += people  # fresh people each time: no one's earlier cards in the way
            before = await entries_saved(app)
            trips = Trips()
            try:
                full_s = await drive(full, full_person, people, texts, args.reports, uid)
            finally:
                trips.close()
            full_lat = list(full.latencies)
            echo_s = await drive(echo, echo_person, people, texts, args.reports, uid)
            expected = sum(len(split_by_kind(parse_quick_report(texts[i % len(texts)])))
                           for i in range(args.reports))
            saved = await entries_saved(app) - before
            rows.append({"db": label, "people": people, "reports/s": args.reports / full_s,
                         "updates/s": 2 * args.reports / full_s, "echo/s": args.reports / echo_s,
                         "p50": pct(full_lat, 50), "p95": pct(full_lat, 95),
                         "echo p50": pct(echo.latencies, 50), "echo p95": pct(echo.latencies, 95),
                         "trips": trips.count / args.reports, "saved": saved, "expected": expected})
            uid += people
    finally:
        await app.shutdown()
        await svc.storage.close()
        await echo.app.shutdown()
    return rows


def print_rows(rows: list[dict]) -> None:
    print(f"{'database':>12} {'people':>6} {'reports/s':>9} {'updates/s':>9} {'echo/s':>8} {'ratio':>6} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'echo p50':>8} {'echo p95':>8} {'trips':>6}  saved")
    for r in rows:
        ratio = 100 * r["updates/s"] / r["echo/s"]
        ok = "ok" if r["saved"] == r["expected"] else f"MISMATCH {r['saved']}/{r['expected']}"
        print(f"{r['db']:>12} {r['people']:>6} {r['reports/s']:9.0f} {r['updates/s']:9.0f} {r['echo/s']:8.0f} "
              f"{ratio:5.1f}% {r['p50']:7.2f} {r['p95']:7.2f} {r['echo p50']:8.2f} {r['echo p95']:8.2f} "
              f"{r['trips']:6.1f}  {ok} ({r['saved']} entries)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries in the populated county")
    parser.add_argument("--reports", type=int, default=400, help="reports per measurement")
    parser.add_argument("--people", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--db", type=Path, help="the populated county's file (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep and reuse --db if it exists")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="logbench-") as tmp:
        empty, full = Path(tmp) / "empty.sqlite3", args.db or Path(tmp) / "county.sqlite3"
        generate(empty, 0, seed=1)
        if not (args.keep and full.exists()):
            t0 = time.perf_counter()
            generate(full, args.entries, seed=20260101)
            print(f"generated a county of {args.entries:,} entries in {time.perf_counter() - t0:.0f} s")
        rows = asyncio.run(measure(empty, "empty", args))
        rows += asyncio.run(measure(full, f"{args.entries:,}", args))
    print(f"{args.reports} reports (2 updates each) per line; echo answers the same texts as text updates; "
          f"ratio = full-path updates/s ÷ echo updates/s; trips = SQLite round trips per report")
    print_rows(rows)


if __name__ == "__main__":
    main()
