"""Per-day totals (migration 10): the trigger-kept tables against a recount from the raw rows,
on random work with undo, restore, edit, photos and house numbers changed, and entries deleted;
the back-fill of an older database; and a partial-month summary that never reads the entries."""
from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.orgs_import import load
from bot.summary import build_summary
from bot.targets import load_targets
from storage import Storage
from storage.models import NewEntry, NewPhoto
from storage.reports import ReportRepo

TZ = ZoneInfo("Asia/Shanghai")
FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 12, 10, 9, 0, tzinfo=TZ)
FIRST = date(2026, 10, 20)   # the random work falls between these days: three partial months
DAYS = 60
KINDS = {"visit": ("households", "people", "app_installs"), "poster": ("posters", "banners"),
         "app": ("app_installs",), "leaflet": ("leaflets",)}


def recount(path: Path) -> tuple[Counter, Counter, Counter, Counter]:
    """(day totals, day listings, month totals, month listings) summed in Python from the raw rows:
    the plain meaning of each key (storage/reports.py), independent of the SQL that keeps them."""
    conn = sqlite3.connect(path)
    try:
        photos = Counter(e for (e,) in conn.execute("SELECT entry_id FROM evidence WHERE entry_id IS NOT NULL"))
        listed: dict[int, list[tuple[int, str]]] = {}
        for entry_id, org_id, household in conn.execute("SELECT entry_id, org_id, household FROM entry_households"):
            listed.setdefault(entry_id, []).append((org_id, household))
        day, day_hh, month, month_hh = Counter(), Counter(), Counter(), Counter()
        for (entry_id, org_id, kind, measures, happened, lat, lon, address, flags) in conn.execute(
                "SELECT id, org_id, kind, measures, happened_on, lat, lon, address, flags FROM entries "
                "WHERE undone_at IS NULL"):
            placed = kind == "poster" and photos[entry_id] > 0 and (
                (lat is not None and lon is not None) or (address or "").strip() != "")
            keys = Counter(json.loads(measures))
            keys.update({f"placed:{k}": v for k, v in json.loads(measures).items() if placed})
            keys.update({"#entries": 1, "#flagged": flags != "", "#evidence": photos[entry_id],
                         "#listed": len(listed.get(entry_id, [])), "#poster_entries": kind == "poster",
                         "#poster_placed": placed})
            for key, value in keys.items():
                day[(org_id, happened, key)] += int(value)
                month[(org_id, happened[:7], key)] += int(value)
            for org, household in listed.get(entry_id, []):
                day_hh[(org, happened, household)] += 1
                month_hh[(org, happened[:7], household)] += 1
        return tuple(+c for c in (day, day_hh, month, month_hh))  # + drops the zeros
    finally:
        conn.close()


def stored(path: Path) -> tuple[Counter, Counter, Counter, Counter]:
    conn = sqlite3.connect(path)
    try:
        return tuple(+Counter({row[:3]: row[3] for row in conn.execute(f"SELECT * FROM {table}")})
                     for table in ("report_day_totals", "household_day", "report_totals", "household_month"))
    finally:
        conn.close()


class Work:
    """Random work in the sample township, and random changes to it."""

    def __init__(self, storage: Storage, rng: random.Random) -> None:
        self.storage, self.rng = storage, rng
        self.ids: list[int] = []
        self.photos = 0

    async def setup(self) -> None:
        await self.storage.orgs.upsert_many(load(FIXTURES / "orgs.csv", await self.storage.orgs.parent_codes()))
        self.orgs = [o.id for o in await self.storage.orgs.all()]
        async with self.storage.db.transaction() as conn:
            cur = await conn.execute("INSERT INTO users (name, org_id, role, created_at, updated_at) "
                                     "VALUES ('王网格', ?, 'worker', ?, ?)", (self.orgs[0], NOW.isoformat(), NOW.isoformat()))
            self.user = cur.lastrowid

    def day(self) -> date:
        return FIRST + timedelta(days=self.rng.randrange(DAYS))

    def photo(self) -> NewPhoto:
        self.photos += 1
        return NewPhoto(file_id=f"F{self.photos}", file_unique_id=f"U{self.photos}")

    async def log(self, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            kind = rng.choice(list(KINDS))
            measures = {m: rng.randint(0, 9) for m in KINDS[kind] if rng.random() < 0.8} or {KINDS[kind][0]: 1}
            place = rng.choice([{}, {"lat": 28.1, "lon": 108.2}, {"address": "村口"}, {"address": "  "}])
            new = NewEntry(user_id=self.user, org_id=rng.choice(self.orgs), kind=kind, measures=measures,
                           happened_on=self.day(), source="quick", flags=["needs_review"] if rng.random() < 0.2 else [],
                           households=[f"{rng.randint(1, 3)}组{rng.randint(1, 6)}号" for _ in range(rng.randint(0, 3))],
                           photos=[self.photo() for _ in range(rng.choice([0, 0, 1, 2]))], **place)
            self.ids += await self.storage.entries.add([new], NOW)

    async def change(self, n: int) -> None:
        rng, entries, conn = self.rng, self.storage.entries, self.storage.db.conn
        for _ in range(n):
            entry_id = rng.choice(self.ids)
            what = rng.randrange(9)
            if what == 0:
                await entries.undo(entry_id, self.user, NOW)
            elif what == 1:
                await entries.restore(entry_id)
            elif what == 2:
                entry = await entries.get(entry_id)
                measures = {k: rng.randint(0, 12) for k in KINDS[entry.kind]}
                await entries.edit(entry_id, measures, self.day(), self.user, NOW,
                                   flags=rng.choice([None, [], ["needs_review"]]))
            elif what == 3:
                await conn.execute("INSERT INTO evidence (entry_id, file_id, file_unique_id, created_at) "
                                   "VALUES (?, 'x', 'x', ?)", (entry_id, NOW.isoformat()))
            elif what == 4:
                await conn.execute("DELETE FROM evidence WHERE id = (SELECT MIN(id) FROM evidence WHERE entry_id = ?)",
                                   (entry_id,))
            elif what == 5:
                await conn.execute("UPDATE evidence SET entry_id = ? WHERE id = (SELECT MAX(id) FROM evidence "
                                   "WHERE entry_id = ?)", (rng.choice(self.ids), entry_id))
            elif what == 6:
                await conn.execute("UPDATE entry_households SET household = ? WHERE rowid = (SELECT MIN(rowid) "
                                   "FROM entry_households WHERE entry_id = ?)", (f"9组{rng.randint(1, 3)}号", entry_id))
            elif what == 7:
                await conn.execute("UPDATE entries SET address = ?, lat = NULL WHERE id = ?",
                                   (rng.choice([None, "桥头"]), entry_id))
            else:  # deleted outright, its rows first (as foreign keys require)
                for table in ("evidence", "entry_households", "entry_versions"):
                    await conn.execute(f"DELETE FROM {table} WHERE entry_id = ?", (entry_id,))
                await conn.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
                self.ids.remove(entry_id)
        await conn.commit()


@pytest.fixture
async def work(tmp_path):
    storage = await Storage.open(tmp_path / "days.sqlite3")
    w = Work(storage, random.Random(20261201))
    await w.setup()
    yield w
    await storage.close()


async def test_day_and_month_totals_equal_a_recount_through_random_changes(work):
    path = work.storage.db.path
    for _ in range(4):
        await work.log(60)
        await work.change(60)
        day, day_hh, month, month_hh = recount(path)
        assert day and day_hh  # the random work did reach every table
        assert stored(path) == (day, day_hh, month, month_hh)


async def test_the_totals_path_equals_the_raw_one_on_random_ranges(work):
    repo, rng = ReportRepo(work.storage.db), random.Random(7)
    groups = {org: rng.choice(work.orgs[:4]) for org in work.orgs}  # orgs rolled up into a few groups
    for _ in range(3):
        await work.log(50)
        await work.change(50)
        for _ in range(12):
            start = FIRST + timedelta(days=rng.randrange(-5, DAYS))
            end = start + timedelta(days=rng.randrange(0, 50))
            since = start - timedelta(days=rng.randrange(0, 40))
            assert await repo.figures(groups, start, end) == await repo.figures(groups, start, end, use_totals=False)
            keys = ("households", "app_installs", "#listed")
            assert (await repo.figures(groups, start, end, keys=keys)
                    == await repo.figures(groups, start, end, keys=keys, use_totals=False))
            assert (await repo.unique_households(groups, start, end, since=since)
                    == await repo.unique_households(groups, start, end, since=since, use_totals=False))
            orgs = rng.sample(work.orgs, 3)
            raw = (await repo.figures({o: 0 for o in orgs}, start, end, use_totals=False)).get(0, {})
            assert await work.storage.entries.totals(orgs, start, end) == {
                k: v for k, v in raw.items() if not k.startswith(("#", "placed:"))}
            assert await work.storage.entries.evidence_count(orgs, start, end) == raw.get("#evidence", 0)
            assert await work.storage.entries.households_logged(orgs, start, end) == (
                await repo.figures({o: 0 for o in orgs}, start, date(9999, 12, 31), use_totals=False)
            ).get(0, {}).get("households", 0)


async def test_migration_10_backfills_work_logged_before_it(tmp_path):
    """A database whose work was logged before the day totals existed: once the step has run,
    the day tables hold exactly what a recount gives, and go on following changes."""
    from storage.migrations import _DAY_TOTALS
    path = tmp_path / "older.sqlite3"
    storage = await Storage.open(path)
    w = Work(storage, random.Random(11))
    await w.setup()
    await w.log(80)
    await w.change(40)
    expected = recount(path)
    await storage.close()
    with sqlite3.connect(path) as conn:  # as if the step had never run: its tables, triggers, columns gone
        triggers = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                               "AND (name LIKE 'report_day_%' OR name = 'report_entry_delete')")]
        conn.executescript("".join(f"DROP TRIGGER {n};" for n in triggers) + """
            DROP TABLE report_day_totals; DROP TABLE household_day;
            ALTER TABLE orgs DROP COLUMN app_installed; ALTER TABLE orgs DROP COLUMN app_installed_on;""")
        assert len(triggers) == 10
        conn.executescript(f"BEGIN;\n{_DAY_TOTALS}\nCOMMIT;")  # the step itself, on the work as it stands
    assert stored(path) == expected  # back-filled from the entries
    storage = w.storage = await Storage.open(path)
    try:
        await w.log(20)
        await w.change(20)
        assert stored(path) == recount(path)  # and kept from then on
    finally:
        await storage.close()


async def test_a_partial_month_summary_never_reads_the_entries(work):
    await work.log(60)
    statements: list[str] = []
    reader = work.storage.db.reader
    await reader.set_trace_callback(statements.append)
    try:
        for start, end in ((date(2026, 11, 1), date(2026, 11, 20)), (date(2026, 10, 25), date(2026, 12, 3))):
            summary = await build_summary(work.storage, None, start, end, end, load_targets())
    finally:
        await reader.set_trace_callback(None)
    assert summary.totals.entries > 0
    assert statements and not [s for s in statements if "entries e" in s or "FROM entries" in s]
    assert any("report_day_totals" in s for s in statements) and any("household_day" in s for s in statements)
