"""One-line report throughput: the full log path against a bare echo bot, in one run.

    python bench/log_throughput.py                    # 300 reports x 3 rounds, limiter not binding
    python bench/log_throughput.py --reports 1000 --workers 20
    python bench/log_throughput.py --rate 25          # production's default limit: all throttled
    python bench/log_throughput.py --profile          # always trace SQLite hops + cProfile afterwards

Full path: the real Application from bot.app.build_application (tests.helpers.Harness:
RecordingRequest + FakeBotAPI in-process, a real SQLite file in a temp dir, FakeClock).
Each report is a text update -> the bot's card -> a press on 保存 -> rows in SQLite,
every update through ``Application.process_update``. Reports rotate over the parseable,
in-bounds texts of tests/fixtures/quick_reports.jsonl and over --workers registered workers.

Bare echo: ``Application.builder()`` with the SAME options as build_application (token,
the same AIORateLimiter(overall_max_rate=R, overall_time_period=1, max_retries=3), a
RecordingRequest over its own FakeBotAPI for request and get_updates_request), minus the
storage options (post_init/post_shutdown, and the SqlitePersistence when build_application
sets one) and the handlers: one MessageHandler that replies with the text. Same texts, same user ids, as many text updates as there are reports.

API floor (extra, for the diagnosis): the same builder, with two handlers that make exactly
the full path's Telegram calls per report (card with 3 buttons; answerCallbackQuery,
editMessageReplyMarkup, "已保存" with an undo button) and nothing else: what PTB and the
fake API cost for one report's conversation, whatever the bot does.

Rate limiter: every app goes through AIORateLimiter with overall_max_rate = --rate. The
default (1e9) keeps the limiter's code in the path but never makes it wait, so the figures
compare the work done per update. At production's 25 msg/s everything is throttled and the
ratio only counts rate-limited calls (full path: card + editMessageReplyMarkup + "已保存" =
3 per report, answerCallbackQuery has no chat_id; echo: 1), i.e. at most about 1/3.

Each app is warmed up (--warmup, untimed); then --rounds rounds, interleaved echo / floor /
full, and medians. Timing covers building the update dicts, Update.de_json and
process_update (what polling would do), not setup. No timing asserts; each round checks that
every report was saved exactly once. Below 40 % (or with --profile) one more round runs with
every aiosqlite round trip timed per caller, and one under cProfile.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update  # noqa: E402
from telegram.ext import AIORateLimiter, Application, CallbackQueryHandler, MessageHandler, filters  # noqa: E402

from bot import logbook  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.kinds import split_by_kind  # noqa: E402
from bot.quickparse import parse_quick_report  # noqa: E402
from tests.botapi import FakeBotAPI, RecordingRequest  # noqa: E402
from tests.helpers import FIXTURES, Harness  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
GRIDS = ["CYB-1", "CYB-2", "BHQ-1", "BHQ-2"]
FIRST_UID = 5000


def report_texts(settings: Settings) -> list[str]:
    """Fixture texts that parse to figures and need no second confirmation."""
    out = []
    for line in (FIXTURES / "quick_reports.jsonl").read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        figures = parse_quick_report(text)
        if figures and not logbook.over_bounds(figures, settings):
            out.append(text)
    return out


# --- drivers -------------------------------------------------------------------------------

class Driver:
    """Feeds an Application exactly as tests.helpers.Harness does (the same update builders)."""

    feed, send, press = Harness.feed, Harness.send, Harness.press

    def __init__(self, app: Application, api: FakeBotAPI) -> None:
        self.app, self.api = app, api


async def one_report(h, uid: int, text: str) -> None:
    """Text update -> card -> press the first button (保存) of the card."""
    await h.send(uid, text)
    markup = h.api.last_markup(uid)
    save = markup[0][0]["callback_data"]
    assert save.startswith(("v1:quick:save:", "floor:save:")), (text, markup)
    await h.press(uid, save)


async def timed_reports(h, uids: list[int], texts: list[str], n: int, offset: int = 0) -> float:
    t0 = time.perf_counter()
    for i in range(offset, offset + n):
        await one_report(h, uids[i % len(uids)], texts[i % len(texts)])
    return time.perf_counter() - t0


async def timed_echo(d: Driver, uids: list[int], texts: list[str], n: int, offset: int = 0) -> float:
    t0 = time.perf_counter()
    for i in range(offset, offset + n):
        await d.send(uids[i % len(uids)], texts[i % len(texts)])
    return time.perf_counter() - t0


def base_builder(rate: float, api: FakeBotAPI):
    """build_application's builder options, minus the storage ones (post_init/post_shutdown,
    persistence)."""
    request = RecordingRequest(api)
    return (Application.builder().token("123:TEST")
            .rate_limiter(AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=3))
            .request(request).get_updates_request(request))


# --- the bare echo bot ----------------------------------------------------------------------

async def echo(update: Update, context) -> None:
    await update.message.reply_text(update.message.text)


def build_echo(rate: float) -> Driver:
    api = FakeBotAPI()
    app = base_builder(rate, api).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return Driver(app, api)


# --- the "API floor": the full path's Telegram calls, nothing else ---------------------------

async def floor_text(update: Update, context) -> None:
    await update.message.reply_text("📝 收到一条记录：\n· 入户走访：入户 15户\n保存吗？", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"floor:{act}:1") for label, act in
          (("✅ 保存", "save"), ("✏️ 修改", "edit"), ("❌ 取消", "cancel"))]]))


async def floor_button(update: Update, context) -> None:
    query = update.callback_query
    await query.answer()
    await query.edit_message_reply_markup(None)
    await update.effective_chat.send_message("✅ 已保存 #1\n继续发下一条吧。", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("撤销 #1", callback_data="floor:undo:1")]]))


def build_floor(rate: float) -> Driver:
    api = FakeBotAPI()
    app = base_builder(rate, api).build()
    app.add_handler(CallbackQueryHandler(floor_button, pattern=r"^floor:"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, floor_text))
    return Driver(app, api)


# --- where the time goes -------------------------------------------------------------------

REPO = str(Path(__file__).resolve().parents[1])


class DBTrace:
    """Bench-only instrumentation: wraps aiosqlite.Connection._execute (every statement,
    fetch, cursor close, BEGIN/COMMIT is one hop to aiosqlite's worker thread) and records,
    per calling repository function, the hops, their wall time as seen by the awaiting
    coroutine, and the time the sqlite3 call itself took in the worker thread."""

    def __init__(self) -> None:
        self.hops: dict[str, int] = defaultdict(int)
        self.wall: dict[str, float] = defaultdict(float)
        self.work: dict[str, float] = defaultdict(float)
        self._orig = None

    @staticmethod
    def caller() -> str:
        repo_fn = handler = common = None
        frame = sys._getframe(2)
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(REPO) and not name.endswith("storage/db.py"):
                rel = str(Path(name).relative_to(REPO))
                label = f"{rel}:{frame.f_code.co_name}"
                if repo_fn is None and rel.startswith("storage/"):
                    repo_fn = label
                if rel.startswith(("handlers/", "bot/")) and rel != "handlers/common.py":
                    handler = handler or label
                if rel == "handlers/common.py":
                    common = common or label
            frame = frame.f_back
        return f"{handler or common or '?'} -> {repo_fn or '?'}"

    def install(self) -> None:
        import aiosqlite

        orig = self._orig = aiosqlite.Connection._execute
        trace = self

        async def _execute(conn, fn, *args, **kwargs):
            key = trace.caller()

            def timed(*a, **k):
                t = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    trace.work[key] += time.perf_counter() - t

            t0 = time.perf_counter()
            try:
                return await orig(conn, timed, *args, **kwargs)
            finally:
                trace.wall[key] += time.perf_counter() - t0
                trace.hops[key] += 1

        aiosqlite.Connection._execute = _execute

    def uninstall(self) -> None:
        import aiosqlite

        aiosqlite.Connection._execute = self._orig

    def report(self, n: int, elapsed: float) -> None:
        hops, wall, work = sum(self.hops.values()), sum(self.wall.values()), sum(self.work.values())
        print(f"\n--- SQLite round trips (aiosqlite worker-thread hops), {n} reports, {elapsed:.3f} s ---")
        print(f"{hops / n:.1f} hops/report; awaited {1000 * wall / n:.2f} ms/report = "
              f"{100 * wall / elapsed:.1f} % of the run; of which sqlite3 itself {1000 * work / n:.2f} ms/report "
              f"({100 * work / elapsed:.1f} %); per hop {1e6 * wall / hops:.0f} us awaited, "
              f"{1e6 * work / hops:.0f} us executing")
        print(f"  {'hops/rep':>8} {'ms/rep':>7} {'% run':>6} {'sqlite ms':>9}  caller (handler -> repository)")
        for key in sorted(self.wall, key=lambda k: -self.wall[k]):
            print(f"  {self.hops[key] / n:8.2f} {1000 * self.wall[key] / n:7.3f} "
                  f"{100 * self.wall[key] / elapsed:6.1f} {1000 * self.work[key] / n:9.3f}  {key}")


async def calibrate(h: Harness, reps: int = 2000) -> None:
    """Untraced cost of the storage layer's building blocks on this machine."""
    db = h.storage.db
    sql, params = "SELECT 1 FROM processed_updates WHERE update_id = ?", (-1,)
    t0 = time.perf_counter()
    for _ in range(reps):
        await db.fetchone(sql, params)
    fetchone = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    for _ in range(reps):
        await db.conn.execute_fetchall(sql, params)
    one_hop = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    for i in range(reps // 4):
        await h.storage.ledger.mark_update_done(-1, NOW)
    txn = (time.perf_counter() - t0) / (reps // 4)
    print(f"\nstorage building blocks, untraced: Database.fetchone (execute+fetchone+close = 3 hops) "
          f"{1e6 * fetchone:.0f} us; the same query as aiosqlite execute_fetchall (1 hop) {1e6 * one_hop:.0f} us; "
          f"a one-statement transaction (BEGIN IMMEDIATE, INSERT OR IGNORE, COMMIT = 3 hops) {1e6 * txn:.0f} us")


# --- profile report -------------------------------------------------------------------------

def report_profile(prof: cProfile.Profile, top: int) -> None:
    stats = pstats.Stats(prof)
    total = stats.total_tt
    print(f"\n--- cProfile of the full path (main thread; total {total:.2f} s) ---")
    by_area: dict[str, float] = defaultdict(float)
    for (filename, _, func), (_, _, tt, _, _) in stats.stats.items():
        if filename.startswith(REPO):
            area = "project: " + str(Path(filename).relative_to(REPO))
        elif "site-packages/telegram/" in filename:
            area = "telegram (PTB)"
        elif "site-packages/aiosqlite" in filename:
            area = "aiosqlite (main-thread side)"
        elif "site-packages/fluent" in filename or "babel" in filename:
            area = "fluent/babel (i18n)"
        elif "/asyncio/" in filename:
            area = "asyncio"
        elif filename == "~" and "epoll" in func:
            area = "epoll wait: loop idle, waiting for aiosqlite's thread (and its wake-up)"
        elif filename == "~" and "put_nowait" in func:
            area = "SimpleQueue.put_nowait: handing a statement to aiosqlite's thread (GIL hand-off)"
        elif filename == "~":
            area = "other builtins"
        else:
            area = "other: " + ("/".join(Path(filename).parts[-2:]) if "/" in filename else filename)
        by_area[area] += tt
    print("own time by area:")
    for area, tt in sorted(by_area.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {tt:7.3f} s {100 * tt / total:5.1f} %  {area}")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    print("\ntop functions by own time:")
    print("\n".join(out.getvalue().splitlines()[6:]))
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(REPO + r"/(?!tests|bench)", top)
    print("project functions by cumulative time (coroutines: calls count resumptions, times are main-thread "
          "CPU while running, not time suspended in awaits):")
    print("\n".join(out.getvalue().splitlines()[6:]))


# --- main -----------------------------------------------------------------------------------

def median(xs: list[float]) -> float:
    return statistics.median(xs)


async def quick_entries(h: Harness) -> int:
    (count,) = await h.storage.db.fetchone("SELECT COUNT(*) FROM entries WHERE source = 'quick'")
    return count


async def run(args: argparse.Namespace) -> None:
    settings = Settings(_env_file=None, telegram_bot_token="123:TEST")
    texts = report_texts(settings)
    n, uids = args.reports, [FIRST_UID + i for i in range(args.workers)]
    print(f"{n} reports x {args.rounds} rounds over {args.workers} workers, {len(texts)} distinct texts; "
          f"warm-up {args.warmup} per app (untimed); AIORateLimiter(overall_max_rate={args.rate:g}, "
          f"overall_time_period=1, max_retries=3) in every app")
    echo_d, floor_d = build_echo(args.rate), build_floor(args.rate)
    problems = []
    with tempfile.TemporaryDirectory(prefix="logbench-") as tmp:
        async with Harness(Path(tmp), NOW, rate_limit_per_second=args.rate) as h:
            await echo_d.app.initialize()
            await floor_d.app.initialize()
            try:
                await h.import_orgs()
                for i, uid in enumerate(uids):
                    await h.join(uid, GRIDS[i % len(GRIDS)], "worker")
                await timed_echo(echo_d, uids, texts, args.warmup)
                await timed_reports(floor_d, uids, texts, args.warmup)
                await timed_reports(h, uids, texts, args.warmup)
                offset = args.warmup
                echo_t, floor_t, full_t = [], [], []
                for r in range(args.rounds):
                    sent_before = len(echo_d.api.sent())
                    echo_t.append(await timed_echo(echo_d, uids, texts, n, offset))
                    if len(echo_d.api.sent()) - sent_before != n:
                        problems.append(f"round {r + 1}: echo answered {len(echo_d.api.sent()) - sent_before}/{n}")
                    floor_t.append(await timed_reports(floor_d, uids, texts, n, offset))
                    entries_before, calls_before = await quick_entries(h), len(h.api.calls)
                    full_t.append(await timed_reports(h, uids, texts, n, offset))
                    expected = sum(len(split_by_kind(parse_quick_report(texts[i % len(texts)])))
                                   for i in range(offset, offset + n))
                    got = await quick_entries(h) - entries_before
                    saved = sum(1 for c in h.api.calls[calls_before:]
                                if c.method == "sendMessage" and "已保存" in c.params.get("text", ""))
                    if got != expected or saved != n:
                        problems.append(f"round {r + 1}: {got}/{expected} entries, {saved}/{n} '已保存'")
                    offset += n
                    print(f"round {r + 1}: echo {n / echo_t[-1]:7.0f} updates/s | API floor {n / floor_t[-1]:6.0f} "
                          f"reports/s | full path {n / full_t[-1]:5.0f} reports/s ({2 * n / full_t[-1]:5.0f} "
                          f"updates/s) | ratio {100 * echo_t[-1] / full_t[-1]:4.1f} % "
                          f"({200 * echo_t[-1] / full_t[-1]:4.1f} % per update); saved {got} entries")
                calls = defaultdict(int)
                for c in h.api.calls[calls_before:]:
                    calls[c.method] += 1

                e, f, fl = median(echo_t), median(full_t), median(floor_t)
                echo_rate, report_rate = n / e, n / f
                print(f"\nmedians of {args.rounds} rounds ({n} each):")
                print(f"  bare echo : {echo_rate:8.1f} updates/s  ({1000 * e / n:.3f} ms/update)")
                print(f"  full path : {report_rate:8.1f} reports/s  ({1000 * f / n:.3f} ms/report)  = "
                      f"{2 * report_rate:8.1f} updates/s ({1000 * f / n / 2:.3f} ms/update)")
                print(f"  ratio     : full reports/s / echo updates/s = {100 * report_rate / echo_rate:.1f} %  "
                      f"(aim >= 40 %);  full updates/s / echo updates/s = {200 * report_rate / echo_rate:.1f} %")
                print(f"  API floor : {n / fl:8.1f} reports/s  ({1000 * fl / n:.3f} ms/report): the same Telegram "
                      f"calls per report as the full path ({dict(calls)}) with no storage, parsing or i18n; "
                      f"its ratio to echo = {100 * e / fl:.1f} %")
                print(f"  => per report: PTB + fake API floor {1000 * fl / n:.3f} ms, the bot's own work "
                      f"{1000 * (f - fl) / n:.3f} ms ({100 * (f - fl) / f:.0f} % of the full path)")
                for p in problems:
                    print("WARNING:", p)

                if args.profile or (report_rate / echo_rate < 0.40 and not args.no_auto_profile):
                    trace = DBTrace()
                    trace.install()
                    try:
                        elapsed = await timed_reports(h, uids, texts, n, offset)
                    finally:
                        trace.uninstall()
                    offset += n
                    trace.report(n, elapsed)
                    await calibrate(h)
                    prof = cProfile.Profile()
                    prof.enable()
                    elapsed = await timed_reports(h, uids, texts, n, offset)
                    prof.disable()
                    print(f"(profiled round: {n / elapsed:.1f} reports/s under cProfile)")
                    report_profile(prof, args.top)
            finally:
                await echo_d.app.shutdown()
                await floor_d.app.shutdown()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per app, interleaved; medians")
    parser.add_argument("--workers", type=int, default=12, help="registered workers the reports rotate over")
    parser.add_argument("--warmup", type=int, default=20, help="untimed updates/reports before each timed run")
    parser.add_argument("--rate", type=float, default=1e9,
                        help="overall_max_rate of the AIORateLimiter in both apps (default: not binding)")
    parser.add_argument("--profile", action="store_true",
                        help="always trace SQLite round trips and cProfile the full path afterwards")
    parser.add_argument("--no-auto-profile", action="store_true",
                        help="do not trace/profile when the ratio is below 40 %%")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
