"""What issue 11's submission status adds to a summary at county scale: marking submissions
the entries moved away from (`obligations.mark_submissions`) and the per-deadline tally
(`obligations.tally`), on the county of bench/county_scale.py.

    python bench/submission_status.py --entries 200000
    python bench/submission_status.py --db /tmp/county.sqlite3 --keep   # reuse a generated file

Prints seconds per step, township and county; the summary itself is timed by county_scale.py.
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.county_scale import TZ, YEAR, county, county_parser  # noqa: E402
from storage import Storage  # noqa: E402


async def timings(path: Path) -> None:
    from bot import obligations
    from bot.config import Settings
    from bot.deadlines import occurrences
    from bot.summary import build_summary
    from bot.targets import DEFAULT_TARGETS, load_targets

    storage = await Storage.open(path)
    settings = Settings(_env_file=None, database_path=path)
    services = SimpleNamespace(settings=settings, storage=storage, extra={})
    targets = load_targets(DEFAULT_TARGETS)
    start, end, now = date(YEAR, 11, 1), date(YEAR, 11, 30), datetime(YEAR, 11, 29, 10, tzinfo=TZ)
    [occ] = [o for o in occurrences(obligations.calendar_of(services), start, end, TZ)
             if o.spec_id == "monthly-25"]
    township = (await storage.db.fetchone("SELECT id FROM orgs WHERE kind = 'township' ORDER BY id LIMIT 1"))[0]
    try:
        # /summary of the month, and the 25th's own summary at its close (its rows are reused)
        for dates, first, last in (("month", start, end), ("25th", occ.period_start, occ.period_end)):
            for label, root in (("township", township), ("county", None)):
                summary = await build_summary(storage, root, first, last, now.date(), targets, occ.period_key,
                                              occ.due_at)
                t0 = time.perf_counter()
                await obligations.mark_submissions(storage, summary, occ)
                t1 = time.perf_counter()
                await obligations.tally(services, summary, now)
                t2 = time.perf_counter()
                print(f"{dates:5s} {label:8s} {len(summary.rows):4d} rows: mark_submissions {t1 - t0:6.3f} s, "
                      f"tally of {len(summary.deadlines)} deadlines {t2 - t1:6.3f} s")
    finally:
        await storage.close()


def main(argv: list[str] | None = None) -> None:
    args = county_parser(__doc__).parse_args(argv)
    tmp = tempfile.TemporaryDirectory(prefix="county-")
    path = args.db or Path(tmp.name) / "county.sqlite3"
    try:
        county(args, path)
        asyncio.run(timings(path))
    finally:
        if not args.keep:
            tmp.cleanup()


if __name__ == "__main__":
    main()
