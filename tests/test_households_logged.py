"""EntryRepo.households_logged: whole months from report_totals, the rest from report_day_totals;
house numbers typed in one message, one household each."""
from __future__ import annotations

import inspect
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.logbook import split_houses
from bot.orgs_import import load
from storage import Storage
from storage.models import NewEntry

from .conftest import WORKER

TZ = ZoneInfo("Asia/Shanghai")
FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 5, 20, 9, 0, tzinfo=TZ)
TODAY = NOW.date()
JAN1 = date(2026, 1, 1)
AREA = ("BHQ", "BHQ-1", "BHQ-2")  # the village and its grids: what add_truth_flags passes


class Log:
    """The sample township, one worker, and the entries logged (ids kept for brute force)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.org: dict[str, int] = {}
        self.user = 0
        self.ids: list[int] = []

    async def add_user(self) -> None:
        # Only a row for entries.user_id to point at. Plain SQL, so that the test does not
        # depend on how people join (the users table gains channels in migration 6).
        cols = {r[1] for r in await self.storage.db.fetchall("PRAGMA table_info(users)")}
        extra = {"telegram_id": 1} if "telegram_id" in cols else {}
        values = {"name": "王网格", "org_id": self.org["BHQ-1"], "role": "worker",
                  "created_at": NOW.isoformat(), "updated_at": NOW.isoformat()} | extra
        async with self.storage.db.transaction() as conn:
            cur = await conn.execute(f"INSERT INTO users ({', '.join(values)}) VALUES "
                                     f"({', '.join('?' * len(values))})", tuple(values.values()))
            self.user = cur.lastrowid

    async def log(self, code: str, day: date, households: int | None = None, **measures: int) -> int:
        if households is not None:
            measures["households"] = households
        new = NewEntry(user_id=self.user, org_id=self.org[code], kind="visit", happened_on=day,
                       source="flow", measures=measures)
        # entries.add drops its update_id argument with the channel-neutral core; pass it if still there
        extra = (None,) if "update_id" in inspect.signature(self.storage.entries.add).parameters else ()
        (entry_id,) = await self.storage.entries.add([new], NOW, *extra)
        self.ids.append(entry_id)
        return entry_id

    async def brute_force(self, codes: tuple[str, ...], since: date) -> int:
        """The plain definition, in Python over every entry read back: live, in these orgs, from `since`."""
        orgs = {self.org[c] for c in codes}
        total = 0
        for entry_id in self.ids:
            e = await self.storage.entries.get(entry_id)
            if e.undone_at is None and e.org_id in orgs and e.happened_on >= since:
                total += e.measures.get("households", 0)
        return total

    async def logged(self, codes: tuple[str, ...], since: date = JAN1, today: date = TODAY) -> int:
        return await self.storage.entries.households_logged([self.org[c] for c in codes], since, today)


@pytest.fixture
async def log(tmp_path):
    storage = await Storage.open(tmp_path / "households.sqlite3")
    await storage.orgs.upsert_many(load(FIXTURES / "orgs.csv", await storage.orgs.parent_codes()))
    w = Log(storage)
    w.org = {o.code: o.id for o in await storage.orgs.all()}
    await w.add_user()
    undo = lambda entry_id: storage.entries.undo(entry_id, w.user, NOW)  # noqa: E731
    edit = lambda entry_id, h, day: storage.entries.edit(entry_id, {"households": h}, day, w.user, NOW)  # noqa: E731

    await w.log("BHQ-1", date(2025, 12, 31), 40)           # last year: never counts
    await w.log("BHQ-1", date(2026, 1, 1), 10)             # January: 13
    await w.log("BHQ-2", date(2026, 1, 31), 3)
    await w.log("BHQ", date(2026, 2, 14), 7, people=20)    # February: 7 + 8 moved in below = 15
    await undo(await w.log("BHQ-1", date(2026, 3, 10), 5))  # March: 12 (the 5 undone)
    restored = await w.log("BHQ-1", date(2026, 3, 11), 12)
    await undo(restored)
    assert await storage.entries.restore(restored)
    await w.log("BHQ-1", date(2026, 3, 12), 0, people=3)   # a zero figure (no report_totals row)
    moved_in = await w.log("BHQ-2", date(2026, 4, 30), 2)   # April: 0 (moved to May below)
    await edit(moved_in, 6, date(2026, 5, 3))
    await w.log("BHQ-1", date(2026, 5, 1), 4)              # May (today's month): 4 + 6 + 11 = 21
    await undo(await w.log("BHQ-1", date(2026, 5, 2), 9))
    await edit(await w.log("BHQ-2", date(2026, 5, 19), 1), 11, date(2026, 5, 19))
    moved_out = await w.log("BHQ-1", date(2026, 5, 10), 30)
    await edit(moved_out, 8, date(2026, 2, 10))            # back to February, 30 -> 8
    await w.log("BHQ-1", TODAY, posters=2)                 # no households measure at all
    await w.log("CYB-1", date(2026, 2, 3), 100)            # another village: never counts for BHQ
    await w.log("CYB-1", date(2026, 5, 4), 50)
    yield w
    await storage.close()


async def totals_rows(w: Log, month: str) -> int:
    ids = json.dumps([w.org[c] for c in AREA])
    row = await w.storage.db.fetchone(
        "SELECT COUNT(*) FROM report_totals WHERE key = 'households' AND month = ? "
        "AND org_id IN (SELECT value FROM json_each(?))", (month, ids))
    return row[0]


async def drop_totals(w: Log, month: str) -> None:
    """Take a month's households totals of the area away by hand (to see who reads them)."""
    async with w.storage.db.transaction() as conn:
        await conn.execute("DELETE FROM report_totals WHERE key = 'households' AND month = ? "
                           "AND org_id IN (SELECT value FROM json_each(?))",
                           (month, json.dumps([w.org[c] for c in AREA])))


async def test_equals_brute_force_over_the_entries(log):
    assert await log.brute_force(AREA, JAN1) == 13 + 15 + 12 + 21  # the comments above, by hand
    for codes in (AREA, ("BHQ-1",), ("BHQ-2",), ("CYB-1",), AREA + ("CYB-1",)):
        for since in (JAN1, date(2026, 1, 31), date(2026, 2, 12), date(2026, 4, 1),
                      date(2026, 5, 1), date(2026, 5, 3), TODAY, date(2025, 12, 1)):
            assert await log.logged(codes, since) == await log.brute_force(codes, since), (codes, since)
    assert await log.storage.entries.households_logged([], JAN1, TODAY) == 0  # no orgs: nothing


async def test_on_the_first_and_last_day_of_a_month(log):
    for today in (date(2026, 5, 1), date(2026, 5, 31)):  # today's month is read raw even when complete
        assert await log.logged(AREA, JAN1, today) == await log.brute_force(AREA, JAN1)
    assert await log.logged(AREA, JAN1, date(2026, 1, 15)) == await log.brute_force(AREA, JAN1)


async def test_whole_months_come_from_report_totals_and_the_head_of_a_month_from_day_totals(log):
    expected = await log.logged(AREA)
    assert expected == await log.brute_force(AREA, JAN1)
    # Whole months are read from the monthly totals only: removing February's removes its 15.
    assert await totals_rows(log, "2026-02") > 0
    await drop_totals(log, "2026-02")
    assert await log.logged(AREA) == expected - 15
    # A `since` inside February reads that month's tail from the day totals: removing the
    # 14th's (7) removes them from that count, and the March-on months still come whole.
    since = date(2026, 2, 12)
    assert await log.logged(AREA, since) == await log.brute_force(AREA, since) == 7 + 12 + 21
    async with log.storage.db.transaction() as conn:
        await conn.execute("DELETE FROM report_day_totals WHERE key = 'households' AND day = '2026-02-14'")
    assert await log.logged(AREA, since) == 12 + 21


async def test_totals_only_never_the_entries(log):
    statements: list[str] = []
    await log.storage.db.reader.set_trace_callback(statements.append)
    try:
        await log.logged(AREA, date(2026, 2, 12))
    finally:
        await log.storage.db.reader.set_trace_callback(None)
    sqls = [s for s in statements if "households" in s]
    assert sqls and not any("FROM entries" in s or "JOIN entries" in s for s in sqls)
    assert any("report_day_totals" in s and "'2026-02-12' AND '2026-02-28'" in s for s in sqls)
    assert any("report_totals" in s and "'2026-03' AND '9999-12'" in s for s in sqls)
    for sql in sqls:
        plan = [r[3] for r in await log.storage.db.fetchall("EXPLAIN QUERY PLAN " + sql)]
        assert any(p.startswith("SEARCH r USING PRIMARY KEY (org_id=?") for p in plan), plan
        assert not any(p.startswith(("SCAN r", "SCAN report_", "SCAN entries")) for p in plan), plan


# --- house numbers typed in one message (issue 11: households said one way) ------------------


@pytest.mark.parametrize(("typed", "houses"), [
    ("3组16号 4组2号", ["3组16号", "4组2号"]),                        # a space between two doors
    ("3组16号、4组2号；5组1号", ["3组16号", "4组2号", "5组1号"]),
    ("3组16号,4组2号，5组1号\n6组3号", ["3组16号", "4组2号", "5组1号", "6组3号"]),
    ("3组 16号 3组 18号", ["3组16号", "3组18号"]),                    # "3组 16号" is one door
    ("幸福路 12号　幸福路14号", ["幸福路12号", "幸福路14号"]),          # a full-width space too
    ("王大爷家 李奶奶家", ["王大爷家", "李奶奶家"]),
    ("3组16号 3组16号、3组16号", ["3组16号"]),                        # each door once
    ("  ，；", []),
])
def test_house_numbers_split_on_spaces_and_every_separator(typed, houses):
    assert split_houses(typed) == houses


async def test_two_doors_typed_with_a_space_are_two_households(bot):
    await bot.send(WORKER, "/visit")
    for answer in ("2", "没有", "没有", "今天"):
        await bot.send(WORKER, answer)
    await bot.tap(WORKER, "更多")
    await bot.tap(WORKER, "门牌号")
    await bot.send(WORKER, "3组16号 4组2号")
    assert "门牌：2 户（3组16号、4组2号）" in bot.last_text(WORKER)
    await bot.tap(WORKER, "确认")
    [entry] = await bot.storage.entries.for_user((await bot.user(WORKER)).id, date(2026, 1, 1))
    assert entry.measures == {"households": 2} and entry.households_listed == 2
