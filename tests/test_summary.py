"""Office summaries, targets, the progress table and the chart, on a real SQLite store."""
from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from bot.export import (
    _chart_rc, _columns, chart_figure, cjk_font, export_progress, measure_header, measures_text, render_chart, split_constants,
    write_progress_xlsx,
)
from bot.kinds import MEASURES
from bot.i18n import t
from bot.orgs_import import load
from bot.summary import Row, Summary, build_summary, quota_units, render_blocks, render_text, split_messages
from bot.targets import (
    DEFAULT_TARGETS, TargetError, expected_rate, load_targets, on_pace, period_quota,
)
from storage import Storage
from storage.models import NewEntry, NewPhoto
from storage.reports import LedgerRow, ReportRepo, split_months

TZ = ZoneInfo("Asia/Shanghai")
FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
NOV = (date(2026, 11, 1), date(2026, 11, 30))
KEY, DUE_AT = "monthly-5:2026-12", datetime(2026, 12, 6, tzinfo=TZ)
_photos = itertools.count(1)


def photo() -> NewPhoto:
    n = next(_photos)
    return NewPhoto(file_id=f"F{n}", file_unique_id=f"U{n}", sha256=f"{n:064x}")


class World:
    """The sample township with people and a November of work."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.org: dict[str, int] = {}
        self.user: dict[str, int] = {}
        self.entry: dict[str, int] = {}

    async def person(self, tg: int, name: str, code: str, role: str) -> None:
        inv = await self.storage.users.create_invite(self.org[code], role, 1, 7, NOW)
        user = await self.storage.users.join(inv.code, "text", str(tg), str(tg), name, NOW)
        self.user[name] = user.id

    async def log(self, label: str, who: str, code: str, kind: str, day: date, **kw) -> int:
        photos = [photo() for _ in range(kw.pop("photos", 0))]
        new = NewEntry(user_id=self.user[who], org_id=self.org[code], kind=kind, happened_on=day,
                       source="flow", photos=photos, **kw)
        (entry_id,) = await self.storage.entries.add([new], NOW)
        self.entry[label] = entry_id
        return entry_id

    async def submit(self, who: str, code: str, at: datetime, late: bool, replaced_by: int | None = None) -> int:
        async with self.storage.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO submissions (deadline_id, period_key, org_id, user_id, submitted_at, late, figures, "
                "replaced_by) VALUES (?,?,?,?,?,?,?,?)",
                ("monthly-5", KEY, self.org[code], self.user[who], at.isoformat(), int(late), "{}", replaced_by))
            return cur.lastrowid


@pytest.fixture
async def world(tmp_path):
    storage = await Storage.open(tmp_path / "summary.sqlite3")
    await storage.orgs.upsert_many(load(FIXTURES / "orgs.csv", await storage.orgs.parent_codes()))
    w = World(storage)
    w.org = {o.code: o.id for o in await storage.orgs.all()}
    for tg, name, code, role in ((1, "王网格", "BHQ-1", "worker"), (2, "李网格", "BHQ-2", "worker"),
                                 (3, "赵网格", "CYB-1", "worker"), (11, "百花桥联络员", "BHQ", "contact"),
                                 (12, "茶园坝联络员", "CYB", "contact"), (13, "金子山联络员", "JZS", "contact"),
                                 (21, "平安办", "WLS", "office")):
        await w.person(tg, name, code, role)
    d = lambda day: date(2026, 11, day)  # noqa: E731
    # --- 百花桥村 (470 households, 1,420 people), November
    await w.log("visit1", "王网格", "BHQ-1", "visit", d(3), measures={"households": 10, "people": 25, "app_installs": 4},
                households=["3组12号", "3组 13号"], photos=1)
    await w.log("visit2", "李网格", "BHQ-2", "visit", d(5), measures={"households": 5, "people": 12},
                households=["3组12号"])  # the same door again: one household
    await w.log("poster_ok", "王网格", "BHQ-1", "poster", d(6), measures={"posters": 3, "banners": 1},
                lat=28.1, lon=108.2, photos=1)
    await w.log("poster_nophoto", "王网格", "BHQ-1", "poster", d(7), measures={"posters": 2}, address="村委会门口")
    await w.log("poster_noplace", "李网格", "BHQ-2", "poster", d(8), measures={"slogans": 2}, photos=1)
    await w.log("app", "王网格", "BHQ-1", "app", d(10), measures={"app_installs": 20})
    undone = await w.log("undone", "王网格", "BHQ-1", "visit", d(12), measures={"households": 7},
                         households=["5组1号"], photos=1)
    await w.storage.entries.undo(undone, w.user["王网格"], NOW)
    await w.log("leaflet", "李网格", "BHQ-2", "leaflet", d(15), measures={"leaflets": 30}, flags=["needs_review"])
    await w.log("push", "王网格", "BHQ-1", "push", d(16), measures={"group_pushes": 3})
    await w.log("lecture", "王网格", "BHQ-1", "lecture", d(20), measures={"lectures": 1, "attendees": 60}, photos=2)
    # earlier this year (coverage and installs count the year), later, and last year
    await w.log("march", "王网格", "BHQ-1", "visit", date(2026, 3, 10), measures={"households": 100, "app_installs": 50})
    await w.log("october", "王网格", "BHQ-1", "visit", date(2026, 10, 5), measures={"households": 1},
                households=["3组12号"])
    await w.log("december", "王网格", "BHQ-1", "visit", date(2026, 12, 1), measures={"households": 9})
    await w.log("last_year", "王网格", "BHQ-1", "visit", date(2025, 11, 10), measures={"households": 40})
    # --- 茶园坝社区 (820 households, 2,410 people)
    await w.log("cyb", "赵网格", "CYB-1", "visit", d(2), measures={"households": 20, "app_installs": 5})
    # --- the office's own event, logged on the township itself
    await w.log("township", "平安办", "WLS", "lecture", d(18), measures={"lectures": 1, "attendees": 100}, photos=1)
    # --- submissions for the 5 December report
    replaced = await w.submit("百花桥联络员", "BHQ", datetime(2026, 12, 2, 10, tzinfo=TZ), late=False)
    newer = await w.submit("百花桥联络员", "BHQ", datetime(2026, 12, 4, 16, tzinfo=TZ), late=False)
    await storage.db.conn.execute("UPDATE submissions SET replaced_by = ? WHERE id = ?", (newer, replaced))
    await w.submit("茶园坝联络员", "CYB", datetime(2026, 12, 7, 9, tzinfo=TZ), late=True)
    yield w
    await storage.close()


async def summarise(w: World, on: date = date(2026, 12, 8), **kw):
    args = dict(root_org_id=w.org["WLS"], start=NOV[0], end=NOV[1], on=on, targets=load_targets(),
                period_key=KEY, due_at=DUE_AT) | kw
    return await build_summary(w.storage, **args)


def row(summary: Summary, name: str) -> Row:
    return next(r for r in summary.rows if r.name == name)


# --------------------------------------------------------------------- targets


def test_target_in_force_on_several_dates():
    targets = load_targets(DEFAULT_TARGETS)
    path = ["WLS", "BHQ"]
    cov = targets.in_force("coverage", path, date(2026, 6, 29))
    assert (cov.value, cov.due) == (0.5, date(2026, 6, 30))
    assert targets.in_force("coverage", path, date(2026, 6, 30)).value == 0.5  # due day itself
    cov = targets.in_force("coverage", path, date(2026, 7, 15))
    assert (cov.value, cov.due, cov.previous_due) == (1.0, date(2026, 12, 31), date(2026, 6, 30))
    inst = targets.in_force("install_rate", path, date(2026, 7, 15))
    assert (inst.value, inst.due) == (0.3, date(2026, 7, 31))
    inst = targets.in_force("install_rate", path, date(2026, 10, 1))  # after the last: the last
    assert (inst.value, inst.due) == (1.0, date(2026, 9, 30))
    assert targets.in_force("install_rate", path, date(2026, 8, 1)).value == 0.6
    assert targets.in_force("lectures_per_month", path, date(2026, 3, 1)).value == 2
    assert targets.in_force("pushes_per_week", path, date(2026, 3, 1)).value == 2
    assert targets.in_force("nothing", path, date(2026, 3, 1)) is None


def test_org_override_is_inherited_by_the_nearest_descendants(tmp_path):
    path = tmp_path / "targets.toml"
    path.write_text(DEFAULT_TARGETS.read_text("utf-8") + '\n[[target]]\nmeasure = "install_rate"\nvalue = 0.9\n'
                    'due = "12-31"\norg = "BHQ"\n', "utf-8")
    targets = load_targets(path)
    grid = targets.in_force("install_rate", ["WLS", "BHQ", "BHQ-1"], date(2026, 7, 15))
    assert (grid.value, grid.due, grid.org) == (0.9, date(2026, 12, 31), "BHQ")
    other = targets.in_force("install_rate", ["WLS", "CYB"], date(2026, 7, 15))
    assert (other.value, other.org) == (0.3, None)
    # the override replaces only its measure: BHQ's coverage still follows the defaults
    assert targets.in_force("coverage", ["WLS", "BHQ"], date(2026, 7, 15)).value == 1.0


@pytest.mark.parametrize("body, reason", [
    ('[[target]]\nmeasure = "coverage"\nvalue = 0.5\n', "needs a due day"),
    ('[[target]]\nmeasure = "coverage"\nvalue = 50\ndue = "06-30"\n', "fraction in (0, 1]"),
    ('[[target]]\nmeasure = "coverage"\nvalue = 0.5\ndue = "6/30"\n', "month-day like"),
    ('[[target]]\nmeasure = "coverage"\nvalue = 0.5\ndue = "02-30"\n', "month-day like"),
    ('[[target]]\nmeasure = "visits"\nvalue = 0.5\ndue = "06-30"\n', "measure must be"),
    ('[[target]]\nmeasure = "pushes_per_week"\nvalue = 2\ndue = "06-30"\n', "remove 'due'"),
    ('[[target]]\nmeasure = "coverage"\nvalue = 0.5\ndue = "06-30"\ncolour = "red"\n', "unknown key 'colour'"),
])
def test_malformed_targets_name_file_entry_and_reason(tmp_path, body, reason):
    path = tmp_path / "bad.toml"
    good = '[[target]]\nmeasure = "lectures_per_month"\nvalue = 2\n\n'
    path.write_text(good + body, "utf-8")
    with pytest.raises(TargetError) as err:
        load_targets(path)
    assert str(path) in str(err.value) and "entry 2" in str(err.value) and reason in str(err.value)


def test_duplicate_and_unreadable_targets(tmp_path):
    path = tmp_path / "dup.toml"
    path.write_text('[[target]]\nmeasure = "coverage"\nvalue = 0.5\ndue = "06-30"\n' * 2, "utf-8")
    with pytest.raises(TargetError, match="entry 2: duplicate target"):
        load_targets(path)
    with pytest.raises(TargetError, match="cannot read"):
        load_targets(tmp_path / "missing.toml")
    path.write_text("[[target]\n", "utf-8")
    with pytest.raises(TargetError, match="invalid TOML"):
        load_targets(path)


def test_pace_runs_from_the_previous_milestone():
    targets = load_targets()
    first = targets.in_force("install_rate", [], date(2026, 7, 1))  # 30 % by 31 July, first of the year
    assert expected_rate(first, date(2026, 1, 1)) == 0
    assert expected_rate(first, date(2026, 7, 31)) == pytest.approx(0.3)
    assert expected_rate(first, date(2026, 4, 16)) == pytest.approx(0.3 * 105 / 211)
    second = targets.in_force("install_rate", [], date(2026, 8, 15))  # 60 % by 31 August, after 30 % on 31 July
    assert expected_rate(second, date(2026, 8, 15)) == pytest.approx(0.3 + 0.3 * 15 / 31)
    assert on_pace(0.45, second, date(2026, 8, 15)) and not on_pace(0.44, second, date(2026, 8, 15))
    last = targets.in_force("install_rate", [], date(2026, 10, 1))
    assert expected_rate(last, date(2026, 10, 1)) == 1.0  # past its due day: the whole target
    # a campaign starting later paces its first target from that day
    assert expected_rate(first, date(2026, 7, 1), year_start=date(2026, 7, 1)) == 0
    pushes = targets.in_force("pushes_per_week", [], date(2026, 11, 1))
    assert period_quota(pushes, date(2026, 11, 1), date(2026, 11, 14)) == pytest.approx(4)
    lectures = targets.in_force("lectures_per_month", [], date(2026, 11, 1))
    assert period_quota(lectures, date(2026, 11, 1), date(2026, 11, 30)) == pytest.approx(2)
    assert period_quota(lectures, date(2026, 11, 16), date(2026, 12, 31)) == pytest.approx(3)


# --------------------------------------------------------------------- figures


async def test_area_figures_are_exact(world):
    s = await summarise(world)
    bhq = row(s, "百花桥村")
    assert bhq.m("households") == 15 and bhq.m("people") == 37  # the undone visit of 7 does not count
    assert bhq.households_listed == 3 and bhq.households_unique == 2  # 3组12号 twice, 3组13号
    assert bhq.m("app_installs") == 24
    assert (bhq.m("posters"), bhq.m("banners"), bhq.m("slogans")) == (5, 1, 2)
    assert bhq.placed == {"posters": 3, "banners": 1, "slogans": 0, "boards": 0}  # photo AND place only
    assert (bhq.poster_entries, bhq.poster_entries_placed) == (3, 1)
    assert bhq.m("leaflets") == 30 and bhq.m("group_pushes") == 3
    assert (bhq.m("lectures"), bhq.m("attendees")) == (1, 60)
    assert bhq.flagged == 1 and bhq.evidence == 5 and bhq.entries == 9
    # coverage counts the year: 2 distinct doors + (116 logged - 4 with a house number) = 114
    assert bhq.coverage.reached == 114 and bhq.coverage.base == 470
    assert bhq.coverage.rate == pytest.approx(114 / 470)
    assert bhq.install.reached == 74 and bhq.install.rate == pytest.approx(74 / 1420)
    cyb = row(s, "茶园坝社区")
    assert cyb.m("households") == 20 and cyb.coverage.rate == pytest.approx(20 / 820)
    assert row(s, "金子山村").entries == 0 and row(s, "金子山村").coverage.rate == 0


async def test_totals_on_top_add_up_including_the_township_itself(world):
    s = await summarise(world)
    assert [r.name for r in s.rows] == ["武陵山乡", "茶园坝社区", "武陵山村", "百花桥村", "金子山村",
                                        "角帮寨村", "石夹沟村", "乐道村"]
    own = s.rows[0]
    assert own.kind == "direct" and own.m("lectures") == 1 and own.households_registered == 0
    assert own.coverage.rate is None and own.coverage.target is None  # nothing to judge
    total = s.totals
    assert total.kind == "total" and total.name == "武陵山乡"
    assert total.m("households") == 35 and total.m("lectures") == 2 and total.m("attendees") == 160
    assert total.evidence == 6 and total.flagged == 1 and total.entries == 11
    assert total.households_registered == 3290 and total.population == 9870
    assert total.coverage.reached == 134 and total.coverage.rate == pytest.approx(134 / 3290)
    assert total.install.reached == 79 and total.install.rate == pytest.approx(79 / 9870)
    for key in ("households", "app_installs", "posters", "leaflets", "lectures", "group_pushes"):
        assert total.m(key) == sum(r.m(key) for r in s.rows)
    assert total.lectures_quota == pytest.approx(2) and total.lectures_ok  # 2 events a month per township


async def test_targets_and_pace_in_the_summary(world):
    s = await summarise(world)  # on 8 December about November: judged as of 30 November
    assert s.as_of == date(2026, 11, 30)
    cov = row(s, "百花桥村").coverage
    assert (cov.target, cov.due) == (1.0, date(2026, 12, 31))
    assert cov.expected == pytest.approx(0.5 + 0.5 * 153 / 184) and cov.on_pace is False
    inst = row(s, "百花桥村").install
    assert (inst.target, inst.due, inst.expected, inst.on_pace) == (1.0, date(2026, 9, 30), 1.0, False)
    bhq = row(s, "百花桥村")
    assert bhq.pushes_quota == pytest.approx(2 * 30 / 7) and bhq.pushes_ok is False
    june = await summarise(world, start=date(2026, 6, 1), end=date(2026, 6, 30), on=date(2026, 6, 20))
    cov = row(june, "百花桥村").coverage
    assert (june.as_of, cov.target, cov.due) == (date(2026, 6, 20), 0.5, date(2026, 6, 30))
    assert cov.reached == 100 and cov.on_pace is False  # 100/470 = 21 % < 50 % × 170/180


async def test_submission_statuses(world):
    s = await summarise(world)
    assert row(s, "百花桥村").submission.status == "on_time"
    assert row(s, "百花桥村").submission.submitter == "百花桥联络员"
    assert row(s, "百花桥村").submission.submitted_at == datetime(2026, 12, 4, 16, tzinfo=TZ)  # the live one
    assert row(s, "茶园坝社区").submission.status == "late"
    jzs = row(s, "金子山村").submission
    assert jzs.status == "missing" and jzs.contacts == ["金子山联络员"]
    assert row(s, "乐道村").submission.status == "missing" and row(s, "乐道村").submission.contacts == []
    assert s.rows[0].submission is None  # the township's own row submits nothing
    assert s.submitted == {"on_time": 1, "late": 1, "missing": 5, "pending": 0}
    early = await summarise(world, on=date(2026, 12, 3))
    assert row(early, "金子山村").submission.status == "pending"
    assert early.submitted == {"on_time": 1, "late": 1, "missing": 0, "pending": 5}
    # a submission after the deadline is late even if the row says otherwise
    await world.submit("金子山联络员", "JZS", datetime(2026, 12, 6, 0, 30, tzinfo=TZ), late=False)
    assert row(await summarise(world), "金子山村").submission.status == "late"
    none = await summarise(world, period_key=None, due_at=None)
    assert all(r.submission is None for r in none.rows) and none.submitted == {}


async def test_grid_root_is_its_own_row(world):
    grid = await summarise(world, root_org_id=world.org["BHQ-2"])
    assert [(r.name, r.kind) for r in grid.rows] == [("百花桥村第二网格", "area")]
    assert grid.totals.m("households") == 5 and grid.totals.households_registered == 230


async def test_village_root_and_all_orgs(world):
    village = await summarise(world, root_org_id=world.org["BHQ"])
    assert [r.name for r in village.rows] == ["百花桥村"] and village.totals.m("households") == 15
    assert village.townships == []
    everything = await summarise(world, root_org_id=None)
    assert everything.root_name is None and everything.totals.m("households") == 35


async def test_totals_tables_match_the_raw_entries_through_edits(world):
    """The trigger-kept monthly totals give exactly what summing the entries gives."""
    w, repo = world, ReportRepo(world.storage.db)
    await w.storage.entries.edit(w.entry["visit2"], {"households": 6, "people": 12}, date(2026, 10, 31),
                                 w.user["李网格"], NOW)  # moved to another month
    await w.storage.entries.edit(w.entry["leaflet"], {"leaflets": 30}, date(2026, 11, 15), w.user["李网格"], NOW,
                                 flags=[])
    await w.storage.db.conn.execute("UPDATE entries SET undone_at = NULL WHERE id = ?", (w.entry["undone"],))
    await w.storage.db.conn.execute(  # a photo added later makes the address-only poster count as placed
        "INSERT INTO evidence (entry_id, file_id, file_unique_id, created_at) VALUES (?, 'late', 'late', ?)",
        (w.entry["poster_nophoto"], NOW.isoformat()))
    await w.storage.entries.undo(w.entry["cyb"], w.user["赵网格"], NOW)
    groups = {org_id: org_id for org_id in w.org.values()}
    for start, end in ((date(2026, 1, 1), date(2026, 12, 31)), NOV, (date(2026, 10, 15), date(2026, 11, 20)),
                       (date(2026, 10, 1), date(2026, 11, 30)), (date(2025, 1, 1), date(2026, 11, 3))):
        assert await repo.figures(groups, start, end) == await repo.figures(groups, start, end, use_totals=False)
        for since in (None, date(2025, 12, 20), date(2026, 1, 1), date(2026, 10, 6)):
            assert (await repo.unique_households(groups, start, end, since=since)
                    == await repo.unique_households(groups, start, end, since=since, use_totals=False))
    s = await summarise(world)
    bhq = row(s, "百花桥村")
    assert bhq.m("households") == 10 + 7 and bhq.households_unique == 3  # visit2 left, the undo was taken back
    assert bhq.placed["posters"] == 5 and bhq.poster_entries_placed == 2 and bhq.flagged == 0
    assert row(s, "茶园坝社区").m("households") == 0
    # rows nobody should touch by hand, touched anyway: the totals still follow
    conn = w.storage.db.conn
    await conn.execute("DELETE FROM evidence WHERE entry_id = ?", (w.entry["poster_ok"],))
    await conn.execute("UPDATE evidence SET entry_id = ? WHERE entry_id = ?",
                       (w.entry["poster_noplace"], w.entry["lecture"]))
    await conn.execute("DELETE FROM entry_households WHERE entry_id = ? AND household = '3组13号'",
                       (w.entry["visit1"],))
    await conn.execute("UPDATE entry_households SET household = '9组9号' WHERE entry_id = ?", (w.entry["october"],))
    await conn.execute("UPDATE entries SET address = '村口', lat = NULL WHERE id = ?", (w.entry["poster_noplace"],))
    for start, end in ((date(2026, 1, 1), date(2026, 12, 31)), NOV, (date(2026, 10, 15), date(2026, 11, 20))):
        assert await repo.figures(groups, start, end) == await repo.figures(groups, start, end, use_totals=False)
        for since in (None, date(2025, 12, 20), date(2026, 1, 1), date(2026, 10, 6)):
            assert (await repo.unique_households(groups, start, end, since=since)
                    == await repo.unique_households(groups, start, end, since=since, use_totals=False))
    bhq = row(await summarise(world), "百花桥村")
    assert bhq.placed == {"posters": 2, "banners": 0, "slogans": 2, "boards": 0} and bhq.evidence == 6


def test_split_months():
    assert split_months(*NOV) == (("2026-11", "2026-11"), [])
    assert split_months(date(2026, 11, 1), date(2026, 11, 20)) == (None, [(date(2026, 11, 1), date(2026, 11, 20))])
    assert split_months(date(2026, 1, 1), date(2026, 11, 20)) == (
        ("2026-01", "2026-10"), [(date(2026, 11, 1), date(2026, 11, 20))])
    assert split_months(date(2026, 10, 6), date(2026, 12, 5)) == (
        ("2026-11", "2026-11"), [(date(2026, 10, 6), date(2026, 10, 31)), (date(2026, 12, 1), date(2026, 12, 5))])
    assert split_months(date(2026, 10, 15), date(2026, 11, 10)) == (
        None, [(date(2026, 10, 15), date(2026, 11, 10))])


# ------------------------------------------------------------------------ text


async def test_text_has_totals_first_then_one_block_per_area(world):
    s = await summarise(world)
    (text,) = render_text(s, "zh")
    lines = text.split("\n")
    assert lines[0].startswith("📊 武陵山乡")
    # households said one way: visits (户次) with how many carry a house number, then the year's unique count
    assert lines[3].startswith(f"【合计】入户 35 户次（其中 {s.totals.households_listed} 户登记了门牌）")
    assert s.totals.households_listed == 3 and "不重复 " not in text
    assert "入户率 4.1%（今年不重复入户 134/3,290 户" in text
    bhq = next(r for r in s.rows if r.name == "百花桥村")
    assert f"▪ 百花桥村：入户 {bhq.m('households')} 户次 · 今年不重复入户 {bhq.coverage.reached} 户，" in text
    assert "❌未报（金子山联络员）" in text and "⏰逾期（茶园坝联络员）" in text and "✅按时（百花桥联络员）" in text
    assert "武陵山乡（本级）" in text
    assert text.index("【合计】") < text.index("▪ 茶园坝社区") < text.index("▪ 百花桥村")
    en = render_text(s, "en")[0]
    assert "[Total] door-to-door: 35 visits (3 of them with a house number)" in en and "missing (金子山联络员)" in en


def _synthetic(n: int) -> Summary:
    rows = [Row(kind="area", org_id=i, name=f"第{i}号很长很长的村民委员会名称社区", township="某镇",
                measures={"households": i, "posters": i % 7}, households_registered=500, population=1500)
            for i in range(n)]
    total = Row(kind="total", name="某镇")
    return Summary(root_name="某镇", start=NOV[0], end=NOV[1], as_of=NOV[1], year_start=date(2026, 1, 1),
                   rows=rows, townships=[], totals=total)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_long_summary_splits_at_line_boundaries(lang):
    messages = render_text(_synthetic(400), lang)
    assert len(messages) > 5
    assert all(len(m.encode("utf-16-le")) // 2 <= 4096 for m in messages)
    whole = [line for block in render_blocks(_synthetic(400), lang) for line in block]
    assert [line for m in messages for line in m.split("\n")] == whole  # no line cut, none lost
    # an area's two lines stay together
    for m in messages:
        assert not m.split("\n")[0].startswith(("　", "  ")), "a message starts with an area's second line"


def test_split_counts_utf16_and_only_cuts_a_line_longer_than_a_message():
    blocks = [["😀" * 10], ["a" * 15], ["b" * 30]]
    assert split_messages(blocks, limit=25) == ["😀" * 10, "a" * 15, "b" * 25, "b" * 5]


# ------------------------------------------------------------------ spreadsheet


def _table(ws) -> tuple[int, list[str]]:
    """(header row number, headers) of the progress sheet: the row after the title block."""
    header = next(r for r in range(1, 8) if ws.cell(row=r, column=1).value == "村（社区）")
    return header, [c.value for c in ws[header]]


async def test_progress_table_reads_back(world, tmp_path):
    s = await summarise(world)
    path = tmp_path / "progress.xlsx"
    written = await export_progress(world.storage, s.model_copy(update={"period_title": "每月5日月报"}), path)
    assert written == 11  # live November entries, the township's own included
    wb = load_workbook(path)
    assert wb.sheetnames == ["进展情况表", "台账明细"]
    ws = wb["进展情况表"]
    header, headers = _table(ws)
    assert header == 4 and ws.freeze_panes == "B5"
    # the title: merged across the table, bold; the area, the deadline's title and the period
    assert "武陵山乡" in ws["A1"].value and "每月5日月报" in ws["A1"].value and ws["A1"].font.b
    assert "2026-11-01" in ws["A2"].value and "2026-11-30" in ws["A2"].value
    assert f"A1:{get_column_letter(len(headers))}1" in {str(m) for m in ws.merged_cells.ranges}
    # targets, time limits and pace, the same on every row, are said once above the table
    block = ws["A3"].value
    for said in ("入户率目标：100%", "入户目标时限：2026-12-31", "推送应达（次）：", "宣讲活动应达：2 场"):
        assert said in block, said
    for moved in ("入户率目标", "入户目标时限", "入户率应达进度", "推送应达（次）"):
        assert moved not in headers, moved
    # printing: landscape A4, one page wide, the header row on every page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # absent means 1
    assert ws.print_title_rows == "$4:$4"
    for h in ("村（社区）", "实有户数", "入户（户次）", "其中登记门牌（户）", "今年不重复入户（户）", "入户率", "安装率",
              "海报（张）", "有照片和位置（张/条/块）", "宣讲活动（场）", "群推送（次）", "报送情况", "佐证照片（张）",
              "报送说明（亮点）"):
        assert h in headers, h
    for measure in MEASURES:                       # one column per measure of bot/kinds.py
        assert measure_header("zh", measure) in headers, measure
    col = {h: i for i, h in enumerate(headers)}
    data = [[c.value for c in r] for r in ws.iter_rows(min_row=header + 1, max_row=header + len(s.rows))]
    totals = [c.value for c in ws[header + 1 + len(s.rows)]]
    assert totals[0] == "合计"
    for h in ("实有户数", "入户（户次）", "其中登记门牌（户）", "今年不重复入户（户）", "海报（张）", "佐证照片（张）",
              *(measure_header("zh", m) for m in MEASURES)):
        assert totals[col[h]] == sum(r[col[h]] or 0 for r in data), h
    bhq = next(r for r in data if r[col["村（社区）"]] == "百花桥村")
    assert bhq[col["入户（户次）"]] == 15 and bhq[col["其中登记门牌（户）"]] == 3
    # said one way: visits, of which with a house number, the year's unique households; no fourth number
    assert not any("不重复门牌" in h or "累计入户" in h for h in headers)
    assert bhq[col["入户率"]] == pytest.approx(114 / 470)
    summed = next(r for r in s.rows if r.name == "百花桥村")
    assert summed.install.rate is not None and summed.install.rate != summed.coverage.rate
    assert bhq[col["安装率"]] == pytest.approx(summed.install.rate)
    assert bhq[col["累计安装（人）"]] == summed.install.reached
    assert bhq[col["报送情况"]] == "按时" and bhq[col["报送人／联络员"]] == "百花桥联络员"
    assert bhq[col["报送时间"]] == datetime(2026, 12, 4, 16, 0)
    assert next(r for r in data if r[col["村（社区）"]] == "金子山村")[col["报送人／联络员"]] == "金子山联络员"
    bhq_row = header + 1 + data.index(bhq)
    assert ws.cell(row=bhq_row, column=col["入户率"] + 1).number_format == "0.0%"
    assert totals[col["入户率"]] == pytest.approx(134 / 3290)
    assert "按时 1" in totals[col["报送情况"]] and "未报送 5" in totals[col["报送情况"]]

    ledger = wb["台账明细"]
    assert ledger.freeze_panes == "A2" and ledger.print_title_rows == "$1:$1"
    assert ledger.page_setup.orientation == "landscape" and ledger.auto_filter.ref == f"A1:{get_column_letter(ledger.max_column)}12"
    rows = [[c.value for c in r] for r in ledger.iter_rows(min_row=2)]
    assert len(rows) == 11
    head = [c.value for c in ledger[1]]
    first = dict(zip(head, rows[0]))
    assert first["日期"] == datetime(2026, 11, 2) and first["工作类别"] == "入户走访"
    assert first["填报人"] == "赵网格" and first["入户（户次）"] == 20 and first["本期安装APP（人）"] == 5
    assert first["海报（张）"] is None  # blank, not 0: filters show what an entry holds
    by_id = {r[0]: dict(zip(head, r)) for r in rows}
    poster = by_id[world.entry["poster_ok"]]
    assert poster["位置"] == "28.100000, 108.200000" and poster["佐证照片（张）"] == 1
    assert (poster["海报（张）"], poster["横幅（条）"]) == (3, 1)
    assert by_id[world.entry["poster_nophoto"]]["位置"] == "村委会门口"  # an address rather than coordinates
    assert by_id[world.entry["leaflet"]]["标记"] == "待复核"
    assert by_id[world.entry["visit1"]]["其中登记门牌（户）"] == 2
    assert world.entry["undone"] not in by_id and world.entry["december"] not in by_id
    assert sum(r["海报（张）"] or 0 for r in by_id.values()) == totals[col["海报（张）"]]


async def test_report_notes_show_in_the_table_and_the_summary(world, tmp_path):
    await world.storage.db.conn.execute(
        "UPDATE submissions SET note = ? WHERE org_id = ? AND replaced_by IS NULL",
        ("=亮点：组织老年人反诈讲座", world.org["BHQ"]))
    s = await summarise(world)
    assert row(s, "百花桥村").submission.note == "=亮点：组织老年人反诈讲座"
    assert "说明：=亮点：组织老年人反诈讲座" in "\n".join(render_text(s, "zh"))
    write_progress_xlsx(s, iter(()), tmp_path / "notes.xlsx")
    ws = load_workbook(tmp_path / "notes.xlsx")["进展情况表"]
    header, headers = _table(ws)
    bhq = next(r for r in ws.iter_rows(min_row=header + 1, values_only=True) if r[0] == "百花桥村")
    assert bhq[headers.index("报送说明（亮点）")] == "'=亮点：组织老年人反诈讲座"  # text, never a formula


def test_columns_that_differ_between_rows_stay_columns():
    s = _synthetic(3)
    s.rows[0].coverage = s.rows[0].coverage.model_copy(update={"target": 0.5})
    s.rows[1].coverage = s.rows[1].coverage.model_copy(update={"target": 1.0})
    kept, said = split_constants(_columns(s, "zh", TZ), s.rows, "zh")
    heads = [c.head for c in kept]
    assert "入户率目标" in heads and not any("入户率目标" in x for x in said)
    assert "入户目标时限" not in heads  # no row has one: no empty column


def test_pace_counts_whole_events():
    assert [quota_units(q) for q in (None, 0.1, 1.0, 1.0000000001, 2.3)] == [None, 1, 1, 1, 3]
    s = _synthetic(2)
    s.totals.lectures_quota, s.totals.lectures_ok = 0.1, False
    assert "（应达 1 场" in "\n".join(render_text(s, "zh"))


def test_ledger_rows_read_back_exactly(tmp_path):
    """The ledger's rows are written as XML by hand: escaping, spaces, dates, order and size."""
    rows = [LedgerRow(7, "2026-11-03", "2026-11-03T01:05:09+00:00", " 王<b>&amp; ", "=村\x01\r\n组", "poster",
                      {"banners": 2, "posters": 3, "zz_new": 4}, 28.5, 108.25, None, 2, 0, ["needs_review"], "flow"),
            LedgerRow(8, "2026-11-04", "2026-11-04T09:00:00", "李", "村", "made_up", {"households": 1},
                      None, None, "  3组 ", 0, 1, [], "quick")]
    s = _synthetic(1)
    s.totals.measures = {"zz_new": 4, "aa_new": 0}
    assert write_progress_xlsx(s, iter(rows), tmp_path / "l.xlsx") == 2
    ledger = load_workbook(tmp_path / "l.xlsx")["台账明细"]
    head = [c.value for c in ledger[1]]
    assert head[-6:-4] == ["zz_new", "aa_new"] and ledger.max_row == 3
    first, second = (dict(zip(head, [c.value for c in r])) for r in ledger.iter_rows(min_row=2))
    assert first["编号"] == 7 and first["日期"] == datetime(2026, 11, 3)
    assert first["登记时间"] == datetime(2026, 11, 3, 9, 5)        # local time, to the minute
    assert first["填报人"] == " 王<b>&amp; " and first["所属网格／村（社区）"] == "'=村\n组"
    assert (first["海报（张）"], first["横幅（条）"], first["zz_new"]) == (3, 2, 4)
    assert first["位置"] == "28.500000, 108.250000" and first["标记"] == "待复核" and first["佐证照片（张）"] == 2
    assert second["工作类别"] == "made_up" and second["位置"] == "3组" and second["其中登记门牌（户）"] == 1
    assert second["登记时间"] == datetime(2026, 11, 4, 9, 0) and second["海报（张）"] is None
    assert load_workbook(tmp_path / "l.xlsx", read_only=True)["台账明细"].max_row == 3  # the dimension says so


def test_a_new_measure_gets_its_own_columns(tmp_path, monkeypatch):
    import bot.export as export
    monkeypatch.setattr(export, "MEASURES", (*MEASURES, "hotline_calls"))
    assert measure_header("zh", "hotline_calls") == "hotline_calls"        # no wording yet: its key
    s = _synthetic(2)
    write_progress_xlsx(s, iter([LedgerRow(1, "2026-11-03", "2026-11-03T09:00:00+08:00", "王", "村", "hotline_calls",
                                           {"hotline_calls": 4}, None, None, None, 0, 0, [], "quick")]), tmp_path / "new.xlsx")
    wb = load_workbook(tmp_path / "new.xlsx")
    ledger = wb["台账明细"]
    head = [c.value for c in ledger[1]]
    assert dict(zip(head, [c.value for c in ledger[2]]))["hotline_calls"] == 4
    assert "hotline_calls" in _table(wb["进展情况表"])[1]


def test_measures_text_in_both_languages():
    assert measures_text("zh", {"leaflets": 30, "households": 15}) == "入户15户，宣传单30份"
    assert measures_text("en", {"group_pushes": 2}) == "2 pushes"
    assert measures_text("zh", {"new_thing": 3}) == "new_thing 3"


def test_write_accepts_any_iterable_and_many_rows(tmp_path):
    s = _synthetic(300)
    assert write_progress_xlsx(s, iter(()), tmp_path / "empty.xlsx") == 0
    ws = load_workbook(tmp_path / "empty.xlsx")["进展情况表"]
    assert ws.max_row >= 302


# ------------------------------------------------------------------------ chart


async def test_chart_png_uses_the_bundled_cjk_font(world, tmp_path):
    s = await summarise(world)
    out = render_chart(s, tmp_path / "chart.png")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    font_path, family = cjk_font()
    assert "mplfonts" in font_path and font_path.endswith("NotoSansCJKsc-Regular.otf")
    assert family == "Noto Sans CJK SC"
    many = _synthetic(60)
    many.townships = [Row(kind="township", name=f"{i}镇") for i in range(3)]
    assert render_chart(many, tmp_path / "many.png").stat().st_size > 10_000


async def test_chart_marks_the_pace_for_the_day_and_the_total(world):
    from matplotlib import rc_context
    from matplotlib.collections import LineCollection, PathCollection

    s = await summarise(world, on=date(2026, 11, 30))
    with rc_context(_chart_rc()):
        ax = chart_figure(s).axes[0]
        labels = [x.get_text() for x in ax.get_xticklabels()]
    areas = [r for r in s.rows if r.kind == "area"]
    assert labels == [r.name for r in areas] + ["合计"]            # the township's total, last
    assert not [c for c in ax.collections if isinstance(c, LineCollection)]   # no flat target lines
    markers = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [m.get_label() for m in markers] == ["入户率应达进度", "安装率应达进度"]
    expected = [r.coverage.expected * 100 for r in [*areas, s.totals] if r.coverage.expected is not None]
    assert expected and sorted(y for _, y in markers[0].get_offsets()) == pytest.approx(sorted(expected))
    assert all(0 < y < 100 for y in expected)  # the pace for 30 November, not the 100 % year-end target
    bars = [p for p in ax.patches if p.get_height() > 0]
    assert {round(b.get_width(), 2) for b in bars} == {0.38}      # standing bars


def test_chart_lies_down_past_fifteen_areas():
    from matplotlib import rc_context

    for n, horizontal in ((15, False), (16, True)):
        s = _synthetic(n)
        for r in s.rows:
            r.coverage = r.coverage.model_copy(update={"rate": 0.5, "expected": 0.6})
        with rc_context(_chart_rc()):
            ax = chart_figure(s).axes[0]
            names = [x.get_text() for x in (ax.get_yticklabels() if horizontal else ax.get_xticklabels())]
        assert names[-1 if not horizontal else 0] == ("合计" if not horizontal else "第0号很长很长的村民委员会名称社区")
        assert len([x for x in names if x]) == n + 1
        widths = {round(p.get_height() if horizontal else p.get_width(), 2) for p in ax.patches}
        assert widths == {0.38}, (n, widths)


def test_domain_modules_do_not_import_telegram():
    code = ("import sys, bot.summary, bot.export, bot.targets, storage.reports; "
            "bad = [m for m in sys.modules if m == 'telegram' or m.startswith('telegram.')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])


async def test_township_visits_earlier_in_the_year_still_count(world):
    """Coverage is for the year: a township's own January visits count in November too."""
    w = world
    await w.log("jan", "平安办", "WLS", "visit", date(2026, 1, 10), measures={"households": 100})
    targets = load_targets(DEFAULT_TARGETS)
    dec = (date(2026, 12, 1), date(2026, 12, 31))   # nothing logged on the township this month
    before = await build_summary(w.storage, w.org["WLS"], *dec, dec[1], targets)
    assert any(r.kind == "direct" for r in before.rows)
    assert before.totals.coverage.reached == sum(r.coverage.reached for r in before.rows)
    assert before.totals.coverage.reached >= 100


async def test_total_lecture_pace_ignores_townships_without_a_target(world):
    from bot.targets import parse_targets
    w = world
    await w.storage.orgs.upsert_many([
        {"code": "T2", "name": "二镇", "kind": "township", "parent": None, "households": 10, "population": 10},
        {"code": "T2V", "name": "二村", "kind": "village", "parent": "T2", "households": 10, "population": 10}])
    for n in range(3):
        await w.log(f"lec{n}", "平安办", "WLS", "lecture", date(2026, 11, 5), measures={"lectures": 1, "attendees": 10})
    only_wls = parse_targets({"target": [{"measure": "lectures_per_month", "value": 2, "org": "WLS"}]})
    result = await build_summary(w.storage, None, *NOV, NOV[1], only_wls)
    assert [t.lectures_ok for t in result.townships if t.name == "武陵山乡"] == [True]
    assert result.totals.lectures_ok is True
