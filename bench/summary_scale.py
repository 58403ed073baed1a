"""Partial-month summary at county scale: per-day totals (migration 10) against the old raw scan.

    python bench/summary_scale.py                        # 1 M and 3 M entries (generation takes a while)
    python bench/summary_scale.py --sizes 50000          # quick run
    python bench/summary_scale.py --dir /tmp/sums --keep # reuse the generated files

The county is bench/county_scale.py's (its `generate`). A period that is not whole months
(1-20 November, and 15 October-20 November) used to sum its partial months from the raw
entries; it now reads them from report_day_totals / household_day. Both ways are timed in
the same process on the same file: "old" patches ReportRepo back to the raw scan for the
partial months (whole months still from report_totals, as before), and the two summaries
are checked to be identical. A kept file made before migration 10 is migrated first (the
back-fill is timed). Aim: the partial-month summary under 1 s at 3 M entries.
"""
from __future__ import annotations

import argparse
import calendar
import asyncio
import sqlite3
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.county_scale import YEAR, generate, rss_mb  # noqa: E402
from storage import Storage  # noqa: E402
from storage.reports import ReportRepo, split_months  # noqa: E402

CASES = (("1-20 Nov", date(YEAR, 11, 1), date(YEAR, 11, 20)), ("15 Oct-20 Nov", date(YEAR, 10, 15), date(YEAR, 11, 20)))


@contextmanager
def raw_partial_months():
    """ReportRepo as it was before migration 10: whole months from the monthly totals, the
    partial months summed from the raw entries (use_totals=False on those spans only)."""
    figures, listing = ReportRepo.figures, ReportRepo._listing_parts

    async def old_figures(self, groups, start, end, *, keys=None, use_totals=True):
        months, raw = split_months(start, end)
        spans = [(date.fromisoformat(months[0] + "-01"), _month_end(months[1]), True)] if months else []
        out: dict[int, dict[str, int]] = {}
        for first, last, totals in spans + [(a, b, False) for a, b in raw]:
            for grp, fig in (await figures(self, groups, first, last, keys=keys, use_totals=totals)).items():
                mine = out.setdefault(grp, {})
                for key, value in fig.items():
                    mine[key] = mine.get(key, 0) + value
        return out

    def old_listing(self, start, end, flag, use_totals):
        months, raw = split_months(start, end)
        parts, params = [], []
        if months:
            parts, params = listing(self, date.fromisoformat(months[0] + "-01"), _month_end(months[1]), flag, True)
        for first, last in raw:
            more, more_params = listing(self, first, last, flag, False)
            parts, params = parts + more, params + more_params
        return parts, params

    ReportRepo.figures, ReportRepo._listing_parts = old_figures, old_listing
    try:
        yield
    finally:
        ReportRepo.figures, ReportRepo._listing_parts = figures, listing


def _month_end(month: str) -> date:
    year, number = (int(p) for p in month.split("-"))
    return date(year, number, calendar.monthrange(year, number)[1])


async def timings(path: Path) -> None:
    from bot.summary import build_summary
    from bot.targets import DEFAULT_TARGETS, load_targets

    targets = load_targets(DEFAULT_TARGETS)
    t0 = time.perf_counter()
    storage = await Storage.open(path)  # applies migration 10 (its back-fill) to an older file
    print(f"  open (and migrate if needed): {time.perf_counter() - t0:.1f} s")
    try:
        (township,) = await storage.db.fetchone("SELECT id FROM orgs WHERE kind = 'township' ORDER BY id LIMIT 1")
        for label, start, end in CASES:
            for root_label, root in (("county", None), ("township", township)):
                found = {}
                for way in ("old", "new"):
                    with raw_partial_months() if way == "old" else _nothing():
                        times = []
                        for _ in range(3):  # the first is cold (pages not cached yet)
                            t0 = time.perf_counter()
                            found[way] = await build_summary(storage, root, start, end, end, targets)
                            times.append(time.perf_counter() - t0)
                    print(f"  summary {label:14s} {root_label:8s} {way}: cold {times[0]:6.3f} s, "
                          f"warm {min(times[1:]):6.3f} s  ({len(found[way].rows)} rows)")
                same = found["old"].model_dump() == found["new"].model_dump()
                print(f"  summary {label:14s} {root_label:8s} same figures both ways: {'yes' if same else 'NO'}")
    finally:
        await storage.close()


@contextmanager
def _nothing():
    yield


def sizes(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        counts = [conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("entries", "report_totals", "report_day_totals", "household_day")]
    finally:
        conn.close()
    return ("entries {:,}, report_totals {:,} rows, report_day_totals {:,} rows, household_day {:,} rows"
            .format(*counts))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 3_000_000])
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--dir", type=Path, help="where the databases go (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the files, and reuse any found")
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="summary-scale-")
    folder = args.dir or Path(tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for n in args.sizes:
            path = folder / f"county-{n}.sqlite3"
            print(f"{n:,} entries: {path}")
            if not (args.keep and path.exists()):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                t0 = time.perf_counter()
                generate(path, n, args.seed)
                print(f"  generated in {time.perf_counter() - t0:.1f} s")
            asyncio.run(timings(path))
            print(f"  {sizes(path)}; file {path.stat().st_size / 1e6:.0f} MB")
            if not args.keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"peak RSS: {rss_mb():.0f} MB")
    finally:
        if not args.keep:
            tmp.cleanup()


if __name__ == "__main__":
    main()
