"""APP installs as a running total: the org file's app_installed column, the count carried
across years, targets with a full date, and the report card and summary showing it."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.orgs_import import ImportError_, load
from bot.progress import install_line
from bot.summary import build_summary, render_text
from bot.targets import TargetError, load_targets, parse_targets
from storage import Storage
from storage.models import NewEntry

from .conftest import CONTACT, WORKER
from .test_cli import ORGS_CSV, cli  # noqa: F401  (the fixture)

TZ = ZoneInfo("Asia/Shanghai")
IMPORTED = date(2026, 11, 10)


def org_file(tmp_path: Path, counts: dict[str, str], name: str = "orgs.csv") -> Path:
    """The sample tree with an app_installed column (blank where not given)."""
    lines = ORGS_CSV.read_text("utf-8-sig").splitlines()
    out = [lines[0] + ",app_installed"] + [f"{line},{counts.get(line.split(',')[0], '')}" for line in lines[1:]]
    path = tmp_path / name
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


async def stored(storage: Storage, code: str) -> tuple:
    row = await storage.db.fetchone("SELECT app_installed, app_installed_on FROM orgs WHERE code = ?", (code,))
    return tuple(row)


# --- the org file ---------------------------------------------------------------------------

def test_the_column_is_optional_and_read_when_given(tmp_path):
    plain = load(ORGS_CSV, {})
    assert all(r["app_installed"] is None for r in plain)
    rows = {r["code"]: r for r in load(org_file(tmp_path, {"BHQ": '"1,200"', "CYB": "0"}), {})}
    assert rows["BHQ"]["app_installed"] == 1200 and rows["CYB"]["app_installed"] == 0
    assert rows["JZS"]["app_installed"] is None  # blank: not given


@pytest.mark.parametrize("value, reason", [
    ("abc", "row 5: app_installed must be a whole number"),
    ("-3", "row 5: app_installed must be a whole number"),
    ("12.5", "row 5: app_installed must be a whole number"),
    ("1421", "row 5: app_installed (1421) is more than the population (1420)"),
])
def test_a_bad_count_rejects_the_file_with_row_and_reason(tmp_path, value, reason):
    with pytest.raises(ImportError_, match=reason.replace("(", r"\(").replace(")", r"\)")):
        load(org_file(tmp_path, {"BHQ": value}), {})


async def test_import_keeps_the_count_with_its_day_and_a_later_file_without_it_keeps_it(tmp_path):
    storage = await Storage.open(tmp_path / "orgs.sqlite3")
    try:
        await storage.orgs.upsert_many(load(org_file(tmp_path, {"BHQ": "300"}), {}), today=IMPORTED)
        assert await stored(storage, "BHQ") == (300, "2026-11-10")
        assert await stored(storage, "CYB") == (None, None)
        await storage.orgs.upsert_many(load(ORGS_CSV, await storage.orgs.parent_codes()))  # no column
        assert await stored(storage, "BHQ") == (300, "2026-11-10")
        await storage.orgs.upsert_many(load(org_file(tmp_path, {"BHQ": "", "CYB": "40"}),
                                            await storage.orgs.parent_codes()), today=date(2026, 12, 1))
        assert await stored(storage, "BHQ") == (300, "2026-11-10")  # blank: kept
        assert await stored(storage, "CYB") == (40, "2026-12-01")
        await storage.orgs.upsert_many(load(org_file(tmp_path, {"BHQ": "350"}), await storage.orgs.parent_codes()),
                                       today=date(2026, 12, 2))
        assert await stored(storage, "BHQ") == (350, "2026-12-02")
        org = await storage.orgs.by_code("BHQ")
        assert (org.app_installed, org.app_installed_on) == (350, date(2026, 12, 2))
        with pytest.raises(ValueError):  # a count without the day it is as of
            await storage.orgs.upsert_many(load(org_file(tmp_path, {"BHQ": "1"}), await storage.orgs.parent_codes()))
    finally:
        await storage.close()


def test_import_orgs_command_stores_todays_date(cli, tmp_path):  # noqa: F811
    code, out, err = cli("import-orgs", str(org_file(tmp_path, {"BHQ": "300"})))
    assert code == 0, err
    [(count, day)] = cli.sql("SELECT app_installed, app_installed_on FROM orgs WHERE code = 'BHQ'")
    assert count == 300 and day == datetime.now(TZ).date().isoformat()
    code, out, err = cli("import-orgs", str(org_file(tmp_path, {"BHQ": "x"}, "bad.csv")))
    assert code == 1 and "row 5: app_installed must be a whole number" in err


# --- the running total ----------------------------------------------------------------------

@pytest.fixture
async def town(tmp_path):
    storage = await Storage.open(tmp_path / "installs.sqlite3")
    await storage.orgs.upsert_many(load(org_file(tmp_path, {"BHQ": "300"}), {}), today=IMPORTED)
    org = {o.code: o.id for o in await storage.orgs.all()}
    async with storage.db.transaction() as conn:
        cur = await conn.execute("INSERT INTO users (name, org_id, role, created_at, updated_at) "
                                 "VALUES ('王网格', ?, 'worker', '2026-01-01', '2026-01-01')", (org["BHQ-1"],))
        user = cur.lastrowid

    async def installs(code: str, day: date, n: int) -> int:
        new = NewEntry(user_id=user, org_id=org[code], kind="app", measures={"app_installs": n},
                       happened_on=day, source="quick")
        (entry_id,) = await storage.entries.add([new], datetime(2026, 12, 1, tzinfo=TZ))
        return entry_id

    await installs("BHQ-1", date(2025, 12, 20), 7)    # last year: in BHQ's imported 300 already
    await installs("BHQ-1", date(2026, 11, 3), 5)     # before the import day: in the 300 too
    await installs("BHQ-1", date(2026, 11, 10), 4)    # the import day on: added
    await installs("BHQ-2", date(2026, 11, 20), 6)
    undone = await installs("BHQ-2", date(2026, 11, 21), 50)
    await storage.entries.undo(undone, user, datetime(2026, 12, 1, tzinfo=TZ))
    await installs("CYB-1", date(2025, 6, 1), 30)     # no count imported: every install ever logged
    await installs("CYB-1", date(2026, 11, 5), 2)
    yield storage, org, installs
    await storage.close()


def area(summary, name: str):
    return next(r for r in summary.rows if r.name == name)


async def test_rate_is_the_imported_count_plus_installs_since_carried_into_next_year(town):
    storage, org, installs = town
    targets = load_targets()
    s = await build_summary(storage, org["WLS"], date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 5), targets)
    bhq, cyb = area(s, "百花桥村"), area(s, "茶园坝社区")
    assert bhq.m("app_installs") == 5 + 4 + 6          # the period's own figure is unchanged
    assert (bhq.install.reached, bhq.install.base) == (300 + 4 + 6, 1420)
    assert bhq.install.rate == pytest.approx(310 / 1420)
    assert cyb.install.reached == 30 + 2               # last year's too: never reset in January
    assert s.totals.install.reached == 310 + 32
    # January: nothing logged yet this year, the total stays
    await installs("BHQ-2", date(2027, 1, 4), 1)
    jan = await build_summary(storage, org["WLS"], date(2027, 1, 1), date(2027, 1, 10), date(2027, 1, 10), targets)
    assert area(jan, "百花桥村").install.reached == 311 and area(jan, "茶园坝社区").install.reached == 32
    # a period ending before the import day: the count less what was logged after that period
    octo = await build_summary(storage, org["WLS"], date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 5), targets)
    assert area(octo, "百花桥村").install.reached == 300 - 5
    # a partial month (from the day totals) agrees with the whole-month figure
    part = await build_summary(storage, org["WLS"], date(2026, 11, 1), date(2026, 11, 20), date(2026, 11, 20), targets)
    assert area(part, "百花桥村").install.reached == 310


async def test_the_summary_text_shows_the_running_total_and_rate(town):
    storage, org, _ = town
    s = await build_summary(storage, org["WLS"], date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 5), load_targets())
    text = "\n".join(render_text(s, "zh"))
    assert "反诈APP 本期安装 17 人，累计 342/9,870 人，安装率 3.5%" in text
    assert "安装率 21.8%（累计 310 人）" in text  # 百花桥村's row
    assert "今年累计" not in text.split("反诈APP")[1].split("\n")[0]
    assert "Anti-fraud APP: 17 installs this period, 342/9,870 people in all" in "\n".join(render_text(s, "en"))


async def test_install_line_is_the_summary_figure(town):
    storage, org, _ = town
    bhq = await storage.orgs.by_code("BHQ")
    assert await install_line(storage, bhq, date(2026, 11, 30), "zh") == "反诈APP 累计安装 310/1420 人，安装率 21.8%"
    cyb = await storage.orgs.by_code("CYB")
    assert await install_line(storage, cyb, date(2026, 11, 30), "zh") == "反诈APP 累计安装 32/2410 人，安装率 1.3%"


async def test_the_contact_report_card_shows_the_running_total(bot, tmp_path):
    await bot.storage.orgs.upsert_many(load(org_file(tmp_path, {"BHQ": "100"}), await bot.storage.orgs.parent_codes()),
                                       today=date(2026, 11, 1))
    worker = await bot.user(WORKER)
    await bot.storage.entries.add([NewEntry(user_id=worker.id, org_id=worker.org_id, kind="app",
                                            measures={"app_installs": 8}, happened_on=date(2026, 11, 23),
                                            source="quick")], bot.clock.now())
    await bot.send(CONTACT, "/report")
    await bot.tap(CONTACT, "11月28日")  # 宣传及APP安装情况报送
    assert "反诈APP 累计安装 108/1420 人，安装率 7.6%" in bot.last_text(CONTACT)
    await bot.send(WORKER, "/report")  # a worker's own card has no area total
    assert "累计安装" not in "\n".join(bot.texts(WORKER)[-2:])


# --- targets with a full date ---------------------------------------------------------------

def test_targets_may_name_a_full_date():
    targets = parse_targets({"target": [
        {"measure": "install_rate", "value": 0.6, "due": "2026-12-31"},
        {"measure": "install_rate", "value": 0.9, "due": "2027-06-30"},
        {"measure": "coverage", "value": 1.0, "due": "12-31"},
    ]})
    now = targets.in_force("install_rate", [], date(2026, 11, 20))
    assert (now.value, now.due, now.previous_due) == (0.6, date(2026, 12, 31), None)
    later = targets.in_force("install_rate", [], date(2027, 1, 5))
    assert (later.value, later.due, later.previous_due, later.previous_value) == (
        0.9, date(2027, 6, 30), date(2026, 12, 31), 0.6)
    after = targets.in_force("install_rate", [], date(2028, 3, 1))  # after the last: the last stays
    assert (after.value, after.due) == (0.9, date(2027, 6, 30))
    assert targets.in_force("coverage", [], date(2027, 3, 1)).due == date(2027, 12, 31)  # recurring as before


@pytest.mark.parametrize("due", ["2026-02-30", "2026-13-01", "26-12-31", "2026/12/31"])
def test_a_bad_full_date_is_refused(due):
    with pytest.raises(TargetError, match="month-day like"):
        parse_targets({"target": [{"measure": "install_rate", "value": 0.5, "due": due}]})
