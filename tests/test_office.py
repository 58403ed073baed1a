"""Office views: automatic summaries (once, late rather than never), /summary, /export,
/missing with 提醒他们 (queued: at once by day, for the morning at night; once an hour per area)."""
from __future__ import annotations

import pytest

import io
from datetime import datetime

from schedules.summaries import run_summaries

from .conftest import CONTACT, OFFICE, TZ, WORKER
from .helpers import Harness
from .test_report import logged

GROUP = -500
CYB_CONTACT = 202


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def setup(h) -> None:
    """The township, a worker who logged work, two contacts, the office and its group chat."""
    await h.import_orgs()
    await h.join(WORKER, "BHQ-1", "worker")
    await h.join(CONTACT, "BHQ", "contact")
    await h.join(CYB_CONTACT, "CYB", "contact")
    await h.join(OFFICE, "WLS", "office")
    await h.send(OFFICE, "/bind_office", chat=GROUP, group=True)
    await logged(h, WORKER, "visit", h.clock.now().date().replace(day=2), households=15)
    await logged(h, WORKER, "app", h.clock.now().date().replace(day=2), app_installs=8)


async def summaries(h) -> int:
    """One scheduler tick; then how many summaries the office group has had in all."""
    await h.tick()
    row = await h.storage.db.fetchone(
        "SELECT COUNT(*) FROM outbox WHERE recipient = ? AND status = 'sent' "
        "AND (topic LIKE 'summary:%' OR topic LIKE 'weekly:%')", (f"c:text:{GROUP}",))
    return row[0]


def nudged(h, uid: int) -> list[str]:
    return [x for x in h.texts(uid) if x.startswith("🔔 平安办提醒")]


async def nudges(h) -> list[tuple[str, str, str]]:
    """(recipient, status, not_before) of every queued or sent nudge."""
    rows = await h.storage.db.fetchall(
        "SELECT recipient, status, not_before FROM outbox WHERE topic LIKE 'nudge:%' ORDER BY id")
    return [tuple(r) for r in rows]


async def test_deadline_day_summary_once_at_close(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 25, 17, 0)) as h:   # Wednesday
        await setup(h)
        # bound just now: no catch-up of the 20th's summary or of last week's digest
        assert await summaries(h) == 0
        h.clock.set(at(2026, 11, 25, 17, 29))
        assert await summaries(h) == 0                               # not before 17:30
        h.clock.set(at(2026, 11, 25, 17, 31))
        assert await summaries(h) == 1                               # the first: the next one due
        text = "\n".join(h.texts(GROUP))
        assert "百花桥村" in text and "当月防范工作报送" in text
        assert await summaries(h) == 1                               # exactly once
        h.clock.set(at(2026, 11, 30, 8, 31))                         # Monday: the 28th's (late) and the digest
        assert await summaries(h) == 3
        assert any(x.startswith("📅 上周") for x in h.texts(GROUP))


async def test_summary_after_downtime_goes_out_late(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        assert await summaries(h) == 0                               # nothing closed since binding
    async with Harness(tmp_path, at(2026, 11, 27, 9, 0)) as h2:    # down through the 25th's close
        assert await summaries(h2) == 1
        assert await summaries(h2) == 1
        assert "当月防范工作报送" in "\n".join(h2.texts(GROUP))


async def test_a_summary_that_fails_to_build_is_retried(tmp_path, monkeypatch):
    import bot.office as office
    real, calls = office.summary, {"n": 0}

    async def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database hiccup")
        return await real(*args, **kwargs)

    async with Harness(tmp_path, at(2026, 11, 25, 17, 31)) as h:
        await setup(h)
        monkeypatch.setattr(office, "summary", flaky)
        await h.tick()                                               # logged; the tick goes on
        rows = await h.storage.db.fetchall("SELECT status FROM outbox WHERE topic LIKE 'summary:%'")
        assert [r[0] for r in rows if r[0] != "sent"] == []          # nothing half-queued
        await run_summaries(h.svc)
        await h.tick()
        assert any("当月防范工作报送" in x for x in h.texts(GROUP))


async def test_summary_command_scopes(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(OFFICE, "/summary 2026-11")
        office_text = "\n".join(h.texts(OFFICE))
        assert "正在生成" in office_text and "茶园坝社区" in office_text and "百花桥村" in office_text
        assert "入户 15 户次（其中 0 户登记了门牌）" in office_text
        await h.send(CONTACT, "/summary")
        contact_text = "\n".join(h.texts(CONTACT))
        assert "百花桥村" in contact_text and "茶园坝社区" not in contact_text
        await h.send(OFFICE, "汇总", chat=GROUP, group=True)         # in the work group, as a word
        assert "茶园坝社区" in "\n".join(h.texts(GROUP))
        await h.send(WORKER, "/summary")
        assert "不能使用" in h.last_text(WORKER)
        for month in ("2026-13", "0000-01", "9999-12", "11/2026"):
            await h.send(OFFICE, f"/summary {month}")
            assert "用法" in h.last_text(OFFICE), month


async def test_a_redelivered_summary_is_answered_once(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        first = await h.chan.event(str(OFFICE), text="/summary", event_id="summary-1")
        again = await h.chan.event(str(OFFICE), text="/summary", event_id="summary-1")
        assert first and again == []
        row = await h.storage.db.fetchone("SELECT COUNT(*) FROM inbox WHERE event_id = 'summary-1'")
        assert row[0] == 1


async def test_export_sends_workbook_and_chart(tmp_path):
    from openpyxl import load_workbook
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(OFFICE, "/export 2026-11")
        [(name, data)] = h.documents(OFFICE)
        assert name == "进展情况表-2026-11.xlsx"
        assert any("进展情况表" in x for x in h.texts(OFFICE))          # the caption
        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        assert "百花桥村" in " ".join(str(row[0]) for row in sheet.iter_rows(values_only=True))
        [chart] = [s.photo for s in h.chan.said if s.chat == str(OFFICE) and s.photo]
        assert chart[:8] == b"\x89PNG\r\n\x1a\n"
        await h.send(OFFICE, "/export", chat=GROUP, group=True)      # in the group: to the group
        assert len(h.documents(GROUP)) == 1
        await h.send(CONTACT, "/export")
        assert "不能使用" in h.last_text(CONTACT) and h.documents(CONTACT) == []
        await h.send(OFFICE, "/export 2026-13")
        assert "用法" in h.last_text(OFFICE) and len(h.documents(OFFICE)) == 1


def test_cli_summary_and_export(tmp_path, monkeypatch, capsys):
    import asyncio
    from bot.cli import main
    from openpyxl import load_workbook

    async def prepare():
        async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
            await setup(h)
    asyncio.run(prepare())
    for name in ("TELEGRAM_BOT_TOKEN", "BOT_API_BASE_URL", "TARGETS_FILE", "DEADLINES_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    assert main(["summary", "--month", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert "武陵山乡 反诈宣传工作汇总" in out and "百花桥村" in out and "茶园坝社区" in out
    assert main(["export", "--month", "2026-11", "--out", "t.xlsx", "--chart", "c.png"]) == 0
    assert load_workbook(tmp_path / "t.xlsx").sheetnames[0] == "进展情况表"
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["summary", "--month", "2026-11", "--org", "NOPE"]) == 1
    try:
        main(["summary", "--month", "11/2026"])
    except SystemExit as stop:
        assert stop.code == 2
    else:
        raise AssertionError("a bad --month must stop with status 2")


async def test_missing_and_nudge_once_an_hour(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(CYB_CONTACT, "/report")
        await h.tap(CYB_CONTACT, "11月25日")
        await h.tap(CYB_CONTACT, "确认报送")
        await h.send(OFFICE, "/missing")
        text, overdue = h.last_text(OFFICE).split("已逾期仍未报送：")  # the open deadline first
        assert "【当月防范工作报送】11月25日截止" in text
        assert "百花桥村：用户201" in text and "茶园坝社区" not in text
        assert "【月度进展情况表及佐证材料】11月20日截止" in overdue and "茶园坝社区" in overdue
        assert "武陵山村：（还没有联络员" in text
        await h.tap(OFFICE, "提醒他们")
        assert "马上提醒：用户201、用户202" in h.last_text(OFFICE)       # queued, sent within a minute
        contact, cyb = (await h.user(CONTACT)).address, (await h.user(CYB_CONTACT)).address
        ten = at(2026, 11, 24, 10).isoformat()
        assert sorted(await nudges(h)) == sorted([(contact, "queued", ten), (cyb, "queued", ten)])
        assert nudged(h, CONTACT) == []                              # queued: the next tick sends it
        await h.tick()
        [message] = nudged(h, CONTACT)                               # one message for all it owes
        assert "【当月防范工作报送】11月25日截止" in message and "【月度进展情况表及佐证材料】11月20日截止" in message
        assert "立即报送" in message
        [message] = nudged(h, CYB_CONTACT)                           # CYB submitted the open one: the overdue only
        assert "【月度进展情况表及佐证材料】11月20日截止" in message and "11月25日" not in message
        await h.act(OFFICE, "missing:nudge")
        assert "刚提醒过，60 分钟后" in h.last_text(OFFICE)
        assert len(await nudges(h)) == 2
        h.clock.set(at(2026, 11, 24, 11, 1))
        await h.act(OFFICE, "missing:nudge")
        assert "马上提醒：用户201" in h.last_text(OFFICE)
        await h.tick()
        assert len(nudged(h, CONTACT)) == 2 and len(nudged(h, CYB_CONTACT)) == 2
        await h.act(WORKER, "missing:nudge")                         # forged by a worker
        assert "不能使用" in h.last_text(WORKER)
        await h.act(OFFICE, "missing:nudge:x")                       # garbled
        assert "失效" in h.last_text(OFFICE)
        assert len(await nudges(h)) == 4


async def test_nudge_is_per_area(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(CYB_CONTACT, "/missing")                        # a contact sees their own area only
        text = h.last_text(CYB_CONTACT)
        assert "茶园坝社区：用户202" in text and "百花桥村" not in text
        await h.tap(CYB_CONTACT, "提醒他们")
        assert h.last_text(CYB_CONTACT).startswith("马上提醒：用户202")
        await h.act(OFFICE, "missing:nudge")                         # the office is not held back by it
        assert "马上提醒：用户201、用户202" in h.last_text(OFFICE)
        await h.act(CYB_CONTACT, "missing:nudge")                    # but CYB's own hour holds
        assert "刚提醒过" in h.last_text(CYB_CONTACT)
        await h.tick()
        assert len(nudged(h, CONTACT)) == 1 and len(nudged(h, CYB_CONTACT)) == 2


async def test_a_nudge_at_night_waits_for_the_morning(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        contact = (await h.user(CONTACT)).address
        morning = at(2026, 11, 25, 8, 0).isoformat()
        h.clock.set(at(2026, 11, 24, 23, 30))
        await h.act(OFFICE, "missing:nudge")
        assert "已安排在明早 08:00 提醒：用户201" in h.last_text(OFFICE)
        await h.tick()
        assert nudged(h, CONTACT) == []                              # nobody is woken up
        h.clock.set(at(2026, 11, 25, 0, 30))                         # pressed again after midnight
        await h.act(OFFICE, "missing:nudge")
        assert "已安排在今早 08:00 提醒" in h.last_text(OFFICE)
        statuses = await nudges(h)
        assert (contact, "queued", morning) in statuses
        assert len([s for s in statuses if s[0] == contact]) == 1    # one message, however often pressed
        h.clock.set(at(2026, 11, 25, 8, 0, 30))
        await h.tick()
        assert len(nudged(h, CONTACT)) == 1
        h.clock.set(at(2026, 11, 25, 8, 10))                         # the morning's nudge counts for the hour
        await h.act(OFFICE, "missing:nudge")
        assert "刚提醒过，50 分钟后" in h.last_text(OFFICE)
        h.clock.set(at(2026, 11, 25, 9, 1))
        await h.act(OFFICE, "missing:nudge")
        assert "马上提醒" in h.last_text(OFFICE)


async def test_missing_in_english_has_no_chinese_punctuation(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.join(203, "BHQ", "contact")                           # two contacts owe in one area
        await h.send(OFFICE, "/lang en")
        await h.send(OFFICE, "/missing")
        text = h.last_text(OFFICE)
        assert "百花桥村: 用户201, 用户203" in text and "茶园坝社区: 用户202" in text
        assert "武陵山村: (no contact yet" in text
        assert not set("：、，。（）") & set(text), text
        await h.tap(OFFICE, "Remind them")
        assert h.last_text(OFFICE) == "Reminding now: 用户201, 用户202, 用户203."
        rows = await h.storage.db.fetchall("SELECT recipient FROM outbox WHERE topic LIKE 'nudge:%' ORDER BY id")
        assert len(rows) == 3                                         # queued for the next tick


ONE_DEADLINE = """
[[deadline]]
id = "once"
date = "2026-11-25"
title = "专项报送"
covers = "month_to_date"
who = "contact"
remind = ["0d 09:00"]
"""


async def test_missing_when_all_submitted_or_nothing_open(tmp_path):
    calendar = tmp_path / "deadlines.toml"
    calendar.write_text(ONE_DEADLINE, "utf-8")
    async with Harness(tmp_path, at(2026, 11, 24, 10), deadlines_file=calendar) as h:
        await setup(h)
        await h.send(CONTACT, "/missing")
        text = h.last_text(CONTACT)
        assert "【专项报送】11月25日截止" in text and "百花桥村：用户201" in text
        await h.send(CONTACT, "/report")
        await h.tap(CONTACT, "确认报送")                              # one period open: straight to its card
        await h.send(CONTACT, "未报")                                 # the word works as the command
        assert "【专项报送】都已报送" in h.last_text(CONTACT)
        h.clock.set(at(2026, 11, 26, 10))                             # past it: nothing open
        await h.send(OFFICE, "/missing")
        text = h.last_text(OFFICE)
        assert "目前没有进行中的报送" in text
        assert "【专项报送】11月25日截止，6 个没报：茶园坝社区、" in text   # still missed: listed, not forgotten
        await h.tap(OFFICE, "提醒他们")                               # and the overdue can be nudged
        assert "马上提醒：用户202" in h.last_text(OFFICE)
        assert [r for r, _, _ in await nudges(h)] == [(await h.user(CYB_CONTACT)).address]
        await h.tick()
        [message] = nudged(h, CYB_CONTACT)
        assert "【专项报送】11月25日截止" in message and "立即报送" in message


@pytest.mark.parametrize("typed", ["/export", "导出"])
async def test_export_says_working_before_the_long_work_starts(tmp_path, monkeypatch, typed):
    from bot import office
    seen: list[str] = []
    locked: list[bool] = []
    real = office.export_month

    async def watched(*args, **kw):
        seen.extend(h.texts(OFFICE))                         # what the office had by then
        locked.append(h.storage.db._lock.locked())           # nobody else's saves wait on it
        return await real(*args, **kw)

    monkeypatch.setattr(office, "export_month", watched)
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(OFFICE, typed)
    assert seen and "正在" in seen[-1]
    assert locked == [False]


async def test_the_nudge_hour_holds_when_the_open_deadline_is_settled_meanwhile(tmp_path):
    """The hour is counted under the open deadline whoever owes it: once the area has submitted
    it, a second press within the hour does not nudge its overdue ones again."""
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.act(CYB_CONTACT, "missing:nudge")                    # a contact nudges their own area
        assert h.last_text(CYB_CONTACT).startswith("马上提醒：用户202")
        await h.act(CYB_CONTACT, "report:pick:monthly-25:2026-11")   # then settles the open deadline
        await h.tap(CYB_CONTACT, "确认报送")
        h.clock.set(at(2026, 11, 24, 10, 30))
        await h.act(CYB_CONTACT, "missing:nudge")                    # the overdue ones are still owed
        assert "刚提醒过，30 分钟后" in h.last_text(CYB_CONTACT)
        assert len(await nudges(h)) == 1
