"""Reads racing saves at the storage level: does a read ever see half of a save?

    python bench/read_race.py                    # 200 saves, 8 readers, 3 entries a save
    python bench/read_race.py --saves 500 --readers 16

Setup (untimed): a temp SQLite file through storage.Storage, the sample township from
tests/fixtures/orgs.csv and one worker. Then, at once: `--saves` saves, each one report of
three entries (a visit of 3 households, a poster, an APP install: EntryRepo.add, one
transaction, statements awaited one by one as the conversation core does), and `--readers`
tasks reading the area's totals (EntryRepo.totals, outside any transaction) in a loop until
the saves are done (counting those started while a save's transaction was open). A committed state has k saves whole: households 3k, posters k,
app_installs k. Any other view is half a save: a partial view. Counted: reads, partial views.

It uses only Storage.open, EntryRepo.add and EntryRepo.totals, so the same file runs
against an older tree (PYTHONPATH=that tree) for a before/after comparison.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.orgs_import import load  # noqa: E402
from storage import Storage  # noqa: E402
from storage.models import NewEntry  # noqa: E402

NOW = datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = NOW.date()
FIXTURES = ROOT / "tests" / "fixtures"


def report(user_id: int, org_id: int) -> list[NewEntry]:
    """One save: three entries, so a reader between them can see one or two of three."""
    return [NewEntry(user_id=user_id, org_id=org_id, kind=kind, measures=measures, happened_on=DAY,
                     source="quick")
            for kind, measures in (("visit", {"households": 3}), ("poster", {"posters": 1}),
                                   ("app", {"app_installs": 1}))]


def whole(totals: dict[str, int]) -> bool:
    k = totals.get("posters", 0)
    return totals.get("households", 0) == 3 * k and totals.get("app_installs", 0) == k


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="read-race-") as tmp:
        storage = await Storage.open(Path(tmp) / "bot.sqlite3")
        try:
            await storage.orgs.upsert_many(load(FIXTURES / "orgs.csv", await storage.orgs.parent_codes()))
            org = await storage.orgs.by_code("BHQ-1")
            async with storage.db.transaction() as conn:
                cur = await conn.execute("INSERT INTO users (name, org_id, role, created_at, updated_at) "
                                         "VALUES ('网格员', ?, 'worker', ?, ?)", (org.id, NOW.isoformat(), NOW.isoformat()))
                user_id = cur.lastrowid

            done = asyncio.Event()
            reads = partial = during = 0

            async def saver() -> None:
                for _ in range(args.saves):
                    await storage.entries.add(report(user_id, org.id), NOW)
                done.set()

            async def reader() -> None:
                nonlocal reads, partial, during
                while not done.is_set():
                    during += storage.db._lock.locked()  # a save's transaction is open as the read starts
                    totals = await storage.entries.totals([org.id], DAY, DAY)
                    reads += 1
                    partial += not whole(totals)

            t0 = time.perf_counter()
            await asyncio.gather(saver(), *(reader() for _ in range(args.readers)))
            took = time.perf_counter() - t0
            final = await storage.entries.totals([org.id], DAY, DAY)
            print(f"{args.saves} saves of 3 entries, {args.readers} readers of the totals, {took:.2f} s")
            print(f"reads               : {reads:,} ({during:,} started while a save was open)")
            print(f"partial views       : {partial:,} ({100 * partial / max(reads, 1):.1f} %)  (aim 0)")
            print(f"final totals        : {final}  ({'whole' if whole(final) else 'NOT WHOLE'})")
        finally:
            await storage.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--readers", type=int, default=8)
    asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
