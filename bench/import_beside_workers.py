"""An org import beside people logging: is anything lost, does anyone see "database is locked"?

    python bench/import_beside_workers.py                    # 30,000 rows beside 200 workers
    python bench/import_beside_workers.py --rows 100000 --workers 200

Setup: the real Telegram Application over the in-process fake Bot API (as
bench/answer_latency.py, rate limit out of the way: the database is what is measured), on a
SQLite file with the sample township and --workers grid workers. Then, at once:

- `python -m bot import-orgs FILE` as its own process on the same file (the operator's
  view: another process, as on a server), FILE the --rows-row tree of bench/org_import.py;
- every worker logs one-line reports (text, then 保存 on the card), a random --think
  seconds before each update, until the import has finished (and at least once).

Checked: every 保存 tapped became its entries in the database (lost = expected entries not
saved), no answer was the generic error (出了点问题) or an expired card, and no log line of
the bot or the importer says "database is locked". Printed with the import's time and exit
status and the answers' p50 / p95 / max. No asserts on time.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Update  # noqa: E402

from bench.answer_latency import FIRST_WORKER_CHAT, Harness, add_workers, ms, save_button  # noqa: E402
from bench.log_throughput import report_texts, tap_update, text_update  # noqa: E402
from bench.org_import import big_tree  # noqa: E402
from bot.i18n import t  # noqa: E402
from bot.kinds import split_by_kind  # noqa: E402
from bot.quickparse import parse_quick_report  # noqa: E402
from tests.botapi import FakeBotAPI  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


class Locked(logging.Handler):
    """Counts the bot's log records that mention a locked database, and its errors."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.locked = self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage() + (logging.Formatter().formatException(record.exc_info)
                                      if record.exc_info else "")
        self.locked += "locked" in text
        self.errors += record.levelno >= logging.ERROR


async def run(args) -> None:
    watch = Locked()
    logging.getLogger().addHandler(watch)
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="import-beside-") as tmp:
        folder = Path(tmp)
        async with Harness(folder, FakeBotAPI(), 0.0, rate_limit_per_second=1e6) as h:
            await h.import_orgs()
            chats = await add_workers(h, args.workers, FIRST_WORKER_CHAT)
            texts = report_texts(h.settings)
            csv = folder / "tree.csv"
            csv.write_text(big_tree(args.rows), encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if k != "DATABASE_PATH"} | {
                "DATABASE_PATH": str(h.settings.database_path), "PYTHONPATH": str(REPO)}
            rng = random.Random(args.seed)
            latencies: list[float] = []
            saves: list[str] = []              # the text of each report whose 保存 was tapped
            began = time.perf_counter()
            importer = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "import-orgs", str(csv), cwd=folder, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            finished = asyncio.Event()

            async def wait_import() -> tuple[int, str, str, float]:
                out, err = await importer.communicate()
                finished.set()
                return importer.returncode, out.decode(), err.decode(), time.perf_counter() - began

            async def feed(update: dict) -> None:
                start = time.perf_counter()
                await h.app.process_update(Update.de_json(update, h.app.bot))
                latencies.append(time.perf_counter() - start)

            async def worker(chat: int, r: random.Random) -> None:
                n = 0
                while n == 0 or not finished.is_set():
                    text = texts[(chat + n) % len(texts)]
                    await asyncio.sleep(r.uniform(*args.think))
                    await feed(text_update(chat, text))
                    await asyncio.sleep(r.uniform(*args.think))
                    await feed(tap_update(chat, save_button(h.api, chat), 1))
                    saves.append(text)
                    n += 1

            waited = asyncio.create_task(wait_import())
            await asyncio.gather(*(worker(c, random.Random(rng.random())) for c in chats))
            code, out, err, took = await waited

            expected = sum(len(split_by_kind(parse_quick_report(text))) for text in saves)
            (saved,) = await h.storage.db.fetchone("SELECT COUNT(*) FROM entries WHERE source = 'quick'")
            (orgs,) = await h.storage.db.fetchone("SELECT COUNT(*) FROM orgs")
            said = h.api.texts()
            failed = sum(t("zh", "error-generic") in s for s in said)
            expired = sum(t("zh", "quick-expired") in s or t("zh", "log-gone") in s for s in said)
            importer_locked = sum("locked" in line for line in err.splitlines())
            print(f"import of {args.rows:,} rows beside {args.workers} workers (think "
                  f"{args.think[0]:g}-{args.think[1]:g} s): {took:.1f} s, exit {code}, {orgs:,} orgs now; "
                  f"{(out.strip() or err.strip()).splitlines()[-1][:100] if (out or err).strip() else ''}")
            print(f"answers       : {len(latencies):,}, p50 {ms(latencies, 50):.0f} ms, p95 {ms(latencies, 95):.0f} ms, "
                  f"max {1000 * max(latencies):.0f} ms")
            print(f"saves tapped  : {len(saves):,} reports, {expected:,} entries expected, {saved:,} saved: "
                  f"lost {expected - saved}")
            print(f"error answers : {failed} '出了点问题', {expired} 'card already handled or expired'")
            print(f"locked        : {watch.locked} bot log lines, {importer_locked} importer lines "
                  f"mention 'database is locked'; {watch.errors} bot ERROR lines")
    logging.getLogger().removeHandler(watch)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--think", type=float, nargs=2, default=[0.5, 2.0])
    parser.add_argument("--seed", type=int, default=20261201)
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
