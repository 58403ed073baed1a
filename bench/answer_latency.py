"""Answers while a reminder round runs: do the people who just wrote wait for the bulk?

    python bench/answer_latency.py                    # 200 workers, a round of 1,000, both limiters
    python bench/answer_latency.py --limiter pace     # only the bot's own (answers first)
    python bench/answer_latency.py --workers 200 --recipients 2000 --think 4 12

Setup (untimed): the real Telegram Application (channels.telegram.build_application) over a
RecordingRequest to the in-process fake Bot API of tests/botapi.py, each request taking
--rtt seconds (a network's round trip); Settings.rate_limit_per_second --rate (25, the
default); a temp SQLite file with the sample township (tests/fixtures/orgs.csv), --workers
grid workers and --recipients village contacts with Telegram accounts. The fake clock stands
at 2026-11-26 09:00:30, when the default calendar's reminder is due and every contact owes.

Each worker logs --reports one-line reports as a phone would: waits a random --think
seconds (uniform between the two), sends the text (the core answers with the card), waits
again, taps 保存 (the card becomes the receipt). An update's answer latency is the time from
handing it to the Application (``process_update``, as polling does) until its answer has
gone out to the fake API. The workers all start at once.

Phases, in one process, each on fresh workers: 'alone' (the workers only: the baseline) and
'round' (the same, while ``run_reminders`` + ``schedules.outbox.drain`` send the reminder
round through the same bot, started with the workers). Limiters: 'pace' is the bot's
(channels/telegram/pace.py: answers first, bulk leaves a reserve); 'ptb' is PTB's
AIORateLimiter with the same overall rate (what the bot used before: one queue for both).

Printed per phase: answer latency p50 / p95 / max, the round's duration, reminders
delivered and lost (owing contacts with no reminder delivered), sent twice. No asserts on time.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Update  # noqa: E402
from telegram.ext import AIORateLimiter  # noqa: E402

import channels.telegram as tg_channel  # noqa: E402
from bench.log_throughput import report_texts, tap_update, text_update  # noqa: E402
from bench.reminder_fanout import SLOT, FanoutHarness, add_contacts, add_people  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from schedules.outbox import drain  # noqa: E402
from schedules.reminders import run_reminders  # noqa: E402
from tests.botapi import FakeBotAPI, RecordingRequest  # noqa: E402

FIRST_WORKER_CHAT = 20_000_000


class SlowRequest(RecordingRequest):
    """The fake Bot API, each call `rtt` seconds away."""

    def __init__(self, api: FakeBotAPI, rtt: float) -> None:
        super().__init__(api)
        self.rtt = rtt

    async def do_request(self, *args, **kwargs):
        await asyncio.sleep(self.rtt)
        return await super().do_request(*args, **kwargs)


class OneQueue(AIORateLimiter):
    """PTB's AIORateLimiter (the bot's limiter before answers went first); it reads
    rate_limit_args as a retry count, so the outbox's BULK mark is dropped."""

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        return await super().process_request(callback, args, kwargs, endpoint, data, None)


PACE = tg_channel.Pace


def limiter(kind: str):
    if kind == "ptb":
        return lambda rate: OneQueue(overall_max_rate=rate, overall_time_period=1, max_retries=3)
    return PACE


class Harness(FanoutHarness):
    """tests.tg.Harness over a SlowRequest."""

    def __init__(self, tmp_path: Path, api: FakeBotAPI, rtt: float, **overrides) -> None:
        self.api, self.clock = api, FakeClock(SLOT)
        self.settings = Settings(_env_file=None, database_path=tmp_path / "bot.sqlite3",
                                 telegram_bot_token="123:TEST", **overrides)
        self.app = tg_channel.build_application(self.settings, SlowRequest(api, rtt))


async def add_workers(h, n: int, first_chat: int) -> list[int]:
    """N grid workers on Telegram (chat id = Telegram id, from first_chat); their chat ids."""
    return list((await add_people(h, n, "worker", chat=lambda i: first_chat + i)).values())


def save_button(api: FakeBotAPI, chat: int) -> str:
    """The 保存 data of the last card sent to the chat."""
    for call in reversed(api.calls):
        if call.method == "sendMessage" and call.ok and int(call.params["chat_id"]) == chat:
            markup = call.params.get("reply_markup")
            markup = json.loads(markup) if isinstance(markup, str) else (markup or {})
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if button["callback_data"].startswith("v1:quick:save:"):
                        return button["callback_data"]
    raise AssertionError(f"no card for {chat}")


async def worker(h, chat: int, texts: list[str], args, rng: random.Random, latencies: list[float]) -> None:
    async def feed(update: dict) -> None:
        began = time.perf_counter()
        await h.app.process_update(Update.de_json(update, h.app.bot))
        latencies.append(time.perf_counter() - began)

    for text in texts:
        await asyncio.sleep(rng.uniform(*args.think))
        await feed(text_update(chat, text))
        await asyncio.sleep(rng.uniform(*args.think))
        await feed(tap_update(chat, save_button(h.api, chat), 1))


def ms(xs: list[float], q: int) -> float:
    return 1000 * (statistics.quantiles(xs, n=100)[q - 1] if len(xs) > 1 else xs[0])


async def phase(h, label: str, args, texts: list[str], first_chat: int, contacts: dict | None) -> None:
    chats = await add_workers(h, args.workers, first_chat)
    await asyncio.sleep(2.0)  # the rate limiter's bucket empties, as after any quiet moment (else a
    #                           phase started right after a rush has no burst: +0.8 s at p50)
    rng = random.Random(args.seed)
    latencies: list[float] = []
    round_task = None
    began = time.perf_counter()
    if contacts is not None:
        async def reminder_round() -> float:
            await run_reminders(h.svc)
            await drain(h.svc, h.senders())
            return time.perf_counter() - began
        round_task = asyncio.create_task(reminder_round())
    await asyncio.gather(*(worker(h, chat, [texts[(i + k) % len(texts)] for k in range(args.reports)],
                                  args, random.Random(rng.random()), latencies)
                           for i, chat in enumerate(chats)))
    workers_took = time.perf_counter() - began
    early = sum(1 for c in h.api.calls if c.method == "sendMessage" and c.ok and c.params["text"].startswith("⏰"))
    line = (f"{label:<14} {len(latencies):6d} answers  p50 {ms(latencies, 50):7.0f} ms  "
            f"p95 {ms(latencies, 95):7.0f} ms  max {1000 * max(latencies):7.0f} ms  (workers done in {workers_took:.0f} s)")
    saved = (await h.storage.db.fetchone(
        "SELECT COUNT(DISTINCT e.user_id) FROM entries e JOIN accounts a ON a.user_id = e.user_id "
        "WHERE a.channel = 'telegram' AND CAST(a.chat_id AS INTEGER) BETWEEN ? AND ?",
        (first_chat, first_chat + args.workers)))[0]
    line += f"; {saved}/{args.workers} workers' entries saved"
    if round_task is not None:
        took = await round_task
        got = Counter(int(c.params["chat_id"]) for c in h.api.calls
                      if c.method == "sendMessage" and c.ok and c.params["text"].startswith("⏰"))
        owed = list(contacts.values())
        lost = sum(1 for c in owed if got[c] == 0)
        twice = sum(1 for c in owed if got[c] > 1)
        line += (f"\n{'':<14} reminder round: {len(owed):,} owing, {sum(1 for c in owed if got[c]):,} delivered "
                 f"({early:,} while the workers logged), {lost} lost, {twice} sent twice; the round took {took:.0f} s")
    print(line, flush=True)


async def run(kind: str, args) -> None:
    tg_channel.Pace = limiter(kind)  # build_application's limiter, for this run
    with tempfile.TemporaryDirectory(prefix="answers-") as tmp:
        async with Harness(Path(tmp), FakeBotAPI(), args.rtt, rate_limit_per_second=args.rate) as h:
            await h.import_orgs()
            contacts = await add_contacts(h, args.recipients)
            texts = report_texts(h.settings)
            print(f"\nlimiter {kind}: rate {args.rate:g}/s, {args.workers} workers x {args.reports} reports "
                  f"(2 updates each), think {args.think[0]:g}-{args.think[1]:g} s, rtt {1000 * args.rtt:.0f} ms",
                  flush=True)
            await phase(h, "alone", args, texts, FIRST_WORKER_CHAT, None)
            await phase(h, "with a round", args, texts, FIRST_WORKER_CHAT + 100_000, contacts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limiter", choices=["pace", "ptb", "both"], default="both")
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--reports", type=int, default=3)
    parser.add_argument("--recipients", type=int, default=1_000)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--think", type=float, nargs=2, default=[5.0, 15.0],
                        help="seconds a worker takes before each update (uniform)")
    parser.add_argument("--rtt", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args(argv)
    for kind in (["ptb", "pace"] if args.limiter == "both" else [args.limiter]):
        asyncio.run(run(kind, args))


if __name__ == "__main__":
    main()
