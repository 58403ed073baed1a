"""County-scale benchmark: a year of work logs, then time the monthly summary, export and chart.

    python bench/county_scale.py                 # 1,000,000 entries (about a minute to generate)
    python bench/county_scale.py --entries 50000 # quick run
    python bench/county_scale.py --db /tmp/county.sqlite3 --keep   # reuse the generated file
    python bench/county_scale.py --compare-with cef844c  # also time that commit's bot/export.py, same data

The county: 20 townships × 15 villages/communities × 4 grids, 2,000 grid workers, one
contact per village, one office per township; entries spread over 2026, seeded and
reproducible. Rows go in with ``executemany`` on the stdlib ``sqlite3`` module into a
schema made by the real migrations. Aims: summary < 1 s, export < 5 s, peak RSS < 300 MB.

``--compare-with REV`` loads bot/export.py as it was at git revision REV (e.g. the openpyxl
writer) and times its export of the same summaries after the current one, in the same process:
the RSS printed after the current export is its own peak (the older one runs later).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage import Storage  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2026
TOWNSHIPS, VILLAGES, GRIDS, WORKERS = 20, 15, 4, 2000
# Shares of the entries; with 1M entries a year, visits of 1–4 households keep coverage near 100 %.
KIND_WEIGHTS = {"visit": 10, "poster": 14, "app": 12, "leaflet": 16, "lecture": 4, "push": 34, "broadcast": 10}
DEADLINES = ("monthly-5", "monthly-13", "monthly-20", "monthly-25", "monthly-28")
_SYL = "东南西北上下前后大小新老金银石茶花桥山河湖溪林竹松柏桃李杨柳龙凤云龙安平和兴福寿长乐"


def _name(rng: random.Random, taken: set[str], suffix: str) -> str:
    while True:
        name = rng.choice(_SYL) + rng.choice(_SYL) + suffix
        if name not in taken:
            taken.add(name)
            return name


def _measures(rng: random.Random, kind: str) -> dict[str, int]:
    if kind == "visit":
        hh = rng.randint(1, 4)
        m = {"households": hh, "people": hh * rng.randint(1, 3)}
        if rng.random() < 0.4:
            m["pledges"] = rng.randint(0, hh)
        if rng.random() < 0.5:
            m["app_installs"] = rng.randint(0, hh * 2)
        return m
    if kind == "poster":
        m = {"posters": rng.randint(1, 10)}
        for key, p in (("banners", 0.3), ("slogans", 0.2), ("boards", 0.1)):
            if rng.random() < p:
                m[key] = rng.randint(1, 3)
        return m
    if kind == "app":
        return {"app_installs": rng.randint(1, 5)}
    if kind == "leaflet":
        return {"leaflets": rng.randint(10, 200)}
    if kind == "lecture":
        return {"lectures": 1, "attendees": rng.randint(15, 200)}
    if kind == "push":
        return {"group_pushes": rng.randint(1, 3)}
    return {"broadcasts": rng.randint(1, 3)}


def generate(path: Path, entries: int, seed: int) -> dict:
    """Build the county in `path`; returns ids the timings need."""
    asyncio.run(_migrate(path))
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    stamp = datetime(YEAR, 1, 1, 8, tzinfo=TZ).isoformat()
    orgs, grids, villages, townships = [], [], [], []
    names: set[str] = set()
    next_id = 1
    for t in range(1, TOWNSHIPS + 1):
        t_id, next_id = next_id, next_id + 1
        t_name = _name(rng, names, "镇")
        vill_rows, t_hh, t_pop = [], 0, 0
        for v in range(1, VILLAGES + 1):
            v_id, next_id = next_id, next_id + 1
            kind = "community" if v <= 3 else "village"
            hh = rng.randint(250, 900)
            pop = int(hh * rng.uniform(2.6, 3.3))
            t_hh, t_pop = t_hh + hh, t_pop + pop
            v_name = _name(rng, names, "社区" if kind == "community" else "村")
            vill_rows.append((v_id, f"T{t:02d}V{v:02d}", v_name, kind, t_id, hh, pop))
            villages.append((v_id, t_id, hh))
            for g in range(1, GRIDS + 1):
                g_id, next_id = next_id, next_id + 1
                vill_rows.append((g_id, f"T{t:02d}V{v:02d}G{g}", f"{v_name}第{g}网格",
                                  "grid", v_id, hh // GRIDS, pop // GRIDS))
                grids.append((g_id, v_id))
        orgs.append((t_id, f"T{t:02d}", t_name, "township", None, t_hh, t_pop))
        orgs.extend(vill_rows)
        townships.append(t_id)
    conn.executemany("INSERT INTO orgs (id, code, name, kind, parent_id, households, population) "
                     "VALUES (?,?,?,?,?,?,?)", orgs)

    users, tg = [], 10_000
    workers: list[tuple[int, int]] = []  # (user id, grid id)
    uid = 1
    for i in range(WORKERS):
        grid_id = grids[i][0] if i < len(grids) else rng.choice(grids)[0]
        users.append((uid, f"网格员{uid:04d}", grid_id, "worker", stamp, stamp))
        workers.append((uid, grid_id))
        uid += 1
    contacts: dict[int, int] = {}
    for v_id, _, _ in villages:
        users.append((uid, f"联络员{uid:04d}", v_id, "contact", stamp, stamp))
        contacts[v_id], uid = uid, uid + 1
    for t_id in townships:
        users.append((uid, f"平安办{uid:04d}", t_id, "office", stamp, stamp))
        uid += 1
    conn.executemany("INSERT INTO users (id, name, org_id, role, created_at, updated_at) "
                     "VALUES (?,?,?,?,?,?)", users)
    # Everyone on Telegram, their private chat the same id (as Telegram has it).
    conn.executemany("INSERT INTO accounts (channel, external_id, user_id, chat_id, seen_at) "
                     "VALUES ('telegram', ?, ?, ?, ?)",
                     [(str(tg + u[0]), u[0], str(tg + u[0]), stamp) for u in users])

    grid_village = dict(grids)
    village_hh = {v: hh for v, _, hh in villages}
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    start = date(YEAR, 1, 1)
    days = (date(YEAR, 12, 31) - start).days + 1
    batch_e, batch_v, batch_h = [], [], []
    ev_id = 1

    def flush() -> None:
        conn.executemany(
            "INSERT INTO entries (id, user_id, org_id, kind, measures, happened_on, recorded_at, lat, lon, "
            "address, source, flags, undone_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", batch_e)
        conn.executemany("INSERT INTO evidence (id, entry_id, file_id, file_unique_id, sha256, created_at) "
                         "VALUES (?,?,?,?,?,?)", batch_v)
        conn.executemany("INSERT INTO entry_households (entry_id, org_id, household) VALUES (?,?,?)", batch_h)
        batch_e.clear(), batch_v.clear(), batch_h.clear()

    for entry_id in range(1, entries + 1):
        user_id, grid_id = rng.choice(workers)
        kind = rng.choices(kinds, weights)[0]
        measures = _measures(rng, kind)
        day = start + timedelta(days=rng.randrange(days))
        recorded = datetime(day.year, day.month, day.day, rng.randint(8, 20), rng.randint(0, 59), tzinfo=TZ)
        lat = lon = address = None
        if kind == "poster" or rng.random() < 0.2:
            roll = rng.random()
            if roll < 0.8:
                lat, lon = round(28.0 + rng.random(), 6), round(108.0 + rng.random(), 6)
            elif roll < 0.9:
                address = f"{rng.randint(1, 9)}组主路口"
        roll = rng.random()
        flags = "needs_review" if roll < 0.02 else "duplicate_evidence" if roll < 0.03 else ""
        undone = (recorded + timedelta(minutes=5)).isoformat() if rng.random() < 0.01 else None
        batch_e.append((entry_id, user_id, grid_id, kind, json.dumps(measures), day.isoformat(),
                        recorded.isoformat(), lat, lon, address, "quick" if rng.random() < 0.6 else "flow",
                        flags, undone))
        p_photo = {"visit": 0.5, "poster": 0.9, "lecture": 0.95}.get(kind, 0.15)
        if rng.random() < p_photo:
            for _ in range(rng.randint(1, 3)):
                token = f"{ev_id:x}{rng.getrandbits(32):08x}"
                batch_v.append((ev_id, entry_id, "F" + token, "U" + token, None, recorded.isoformat()))
                ev_id += 1
        if kind == "visit" and rng.random() < 0.7:  # most visits list house numbers
            size = village_hh[grid_village[grid_id]]
            for i in rng.sample(range(size), min(measures["households"], size)):
                batch_h.append((entry_id, grid_id, f"{i // 40 + 1}组{i % 40 + 1}号"))
        if len(batch_e) >= 20_000:
            flush()
    flush()

    subs, sub_id = [], 1
    for month in range(1, 13):
        for deadline in DEADLINES:
            day = 5 if deadline == "monthly-5" else int(deadline.split("-")[1])
            due_at = datetime(YEAR, month, day, tzinfo=TZ) + timedelta(days=1)
            for v_id, _, _ in villages:
                if rng.random() < 0.15:
                    continue  # missing
                late = rng.random() < 0.1
                at = due_at + (timedelta(hours=rng.randint(1, 48)) if late else -timedelta(hours=rng.randint(1, 72)))
                subs.append((sub_id, deadline, f"{deadline}:{YEAR}-{month:02d}", v_id, contacts[v_id],
                             at.isoformat(), int(late), "{}"))
                sub_id += 1
    conn.executemany("INSERT INTO submissions (id, deadline_id, period_key, org_id, user_id, submitted_at, late, "
                     "figures) VALUES (?,?,?,?,?,?,?,?)", subs)
    conn.execute("COMMIT")
    conn.close()
    return {"townships": townships}


async def _migrate(path: Path) -> None:
    storage = await Storage.open(path)
    await storage.close()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def export_at(rev: str):
    """bot/export.py as it was at git revision `rev`, loaded as a module of the bot package."""
    import importlib.util
    import subprocess

    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(["git", "show", f"{rev}:bot/export.py"], cwd=root, check=True,
                            capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("bot._export_" + rev.replace("-", "_"), loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "bot"
    exec(compile(source, f"{rev}:bot/export.py", "exec"), module.__dict__)
    return module


def _ledger_read(storage, summary) -> tuple[int, float]:
    """Rows and seconds to read the ledger alone (the part of an export that is not writing)."""
    from storage.reports import ReportRepo

    t0 = time.perf_counter()
    n = sum(1 for _ in ReportRepo(storage.db).ledger_rows(summary.org_ids, summary.start, summary.end))
    return n, time.perf_counter() - t0


async def timings(path: Path, township_id: int, out_dir: Path, compare: str | None = None) -> None:
    from bot.export import export_progress, render_chart
    from bot.summary import build_summary, render_text
    from bot.targets import DEFAULT_TARGETS, load_targets

    targets = load_targets(DEFAULT_TARGETS)
    storage = await Storage.open(path)
    cases = (
        # the 5 December report covers November (whole month: read from the monthly totals)
        ("monthly-5", date(YEAR, 11, 1), date(YEAR, 11, 30), date(YEAR, 12, 5), datetime(YEAR, 12, 6, tzinfo=TZ)),
        # the 20 November progress table covers 1-20 November (a partial month: raw entries)
        ("monthly-20", date(YEAR, 11, 1), date(YEAR, 11, 20), date(YEAR, 11, 20), datetime(YEAR, 11, 21, tzinfo=TZ)),
    )
    try:
        for deadline, start, end, on, due_at in cases:
            key = f"{deadline}:{due_at - timedelta(days=1):%Y-%m}"
            for label, root in (("township", township_id), ("county", None)):
                for run in ("cold", "warm"):
                    t0 = time.perf_counter()
                    summary = await build_summary(storage, root, start, end, on, targets, key, due_at)
                    t1 = time.perf_counter()
                    messages = render_text(summary, "zh")
                    t2 = time.perf_counter()
                    print(f"summary {key:19s} {label:8s} {run}: build {t1 - t0:6.3f} s + text {t2 - t1:6.3f} s"
                          f" = {t2 - t0:6.3f} s  ({len(summary.rows)} rows, {len(messages)} message(s))")
                t0, c0 = time.perf_counter(), time.process_time()
                xlsx = out_dir / f"progress-{deadline}-{label}.xlsx"
                rows = await export_progress(storage, summary, xlsx)
                t1, cpu = time.perf_counter(), time.process_time() - c0
                png = out_dir / f"chart-{deadline}-{label}.png"
                render_chart(summary, png)
                t2 = time.perf_counter()
                print(f"export  {key:19s} {label:8s}: xlsx {t1 - t0:6.3f} s, cpu {cpu:6.3f} s ({rows} ledger rows, "
                      f"{xlsx.stat().st_size / 1e6:.1f} MB)  chart {t2 - t1:6.3f} s ({png.stat().st_size / 1e3:.0f} kB)")
        print(f"peak RSS: {rss_mb():.0f} MB (current export)")
        if compare:
            old = export_at(compare)
            for deadline, start, end, on, due_at in cases:
                key = f"{deadline}:{due_at - timedelta(days=1):%Y-%m}"
                summary = await build_summary(storage, None, start, end, on, targets, key, due_at)
                rows, read = _ledger_read(storage, summary)
                t0, c0 = time.perf_counter(), time.process_time()
                xlsx = out_dir / f"progress-{deadline}-county-{compare}.xlsx"
                await old.export_progress(storage, summary, xlsx)
                took, cpu = time.perf_counter() - t0, time.process_time() - c0
                print(f"export  {key:19s} county  : xlsx {took:6.3f} s, cpu {cpu:6.3f} s at {compare} ({rows} ledger rows, "
                      f"{xlsx.stat().st_size / 1e6:.1f} MB; reading the ledger alone {read:.3f} s)")
            print(f"peak RSS: {rss_mb():.0f} MB (after {compare} too)")
    finally:
        await storage.close()


def county_parser(doc: str) -> argparse.ArgumentParser:
    """The arguments of every bench on this county: its size, seed, and a file to keep."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--db", type=Path, help="database file (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep and reuse --db if it exists")
    return parser


def county(args: argparse.Namespace, path: Path) -> None:
    """Generate the county at `path`, or, with --keep and a file there, bring it up to date."""
    if args.keep and path.exists():
        asyncio.run(_migrate(path))  # apply any newer migration to a kept file
        return
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    generate(path, args.entries, args.seed)
    print(f"generated {args.entries:,} entries in {time.perf_counter() - t0:.1f} s "
          f"({path.stat().st_size / 1e6:.0f} MB)  RSS so far {rss_mb():.0f} MB")


def main(argv: list[str] | None = None) -> None:
    parser = county_parser(__doc__)
    parser.add_argument("--out", type=Path, help="where to write the xlsx and png (default: temp dir)")
    parser.add_argument("--compare-with", metavar="REV", help="also time bot/export.py of this git revision")
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="county-")
    path = args.db or Path(tmp.name) / "county.sqlite3"
    out_dir = args.out or Path(tmp.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        county(args, path)
        conn = sqlite3.connect(path)
        (township_id,) = conn.execute("SELECT id FROM orgs WHERE kind = 'township' ORDER BY id LIMIT 1").fetchone()
        conn.close()
        print(f"cpus available: {len(os.sched_getaffinity(0))}")
        asyncio.run(timings(path, township_id, out_dir, args.compare_with))
    finally:
        if not args.keep:
            tmp.cleanup()


if __name__ == "__main__":
    main()
