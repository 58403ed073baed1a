"""Submissions match what was submitted: entries after a submission show as a change (to the
contact, with 重新报送, and to the office); a nil report over figures asks once and is flagged;
deadlines are named by their title wherever a person reads them; /missing, /deadlines and
/report agree on what is overdue; an office chat's first summary is the next one due."""
from __future__ import annotations

import io
import re
from datetime import date, datetime

from .conftest import CONTACT, OFFICE, TZ, WORKER
from .helpers import Harness
from .test_report import logged

CYB_CONTACT = 202
GROUP = -500
NOV25 = "monthly-25:2026-11"
RAW_KEY = re.compile(r"monthly-\d+|\w+:20\d\d-\d\d")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def submit_25th(bot, uid: int = CONTACT) -> None:
    await bot.act(uid, f"report:pick:{NOV25}")
    await bot.tap(uid, "确认报送")


async def test_entries_after_a_submission_show_as_a_change_until_resubmitted(bot):
    await logged(bot, WORKER, "visit", date(2026, 11, 23), households=15)
    await submit_25th(bot)
    await bot.send(CONTACT, "/deadlines")
    assert "报送后" not in bot.last_text(CONTACT)                   # matches what was submitted
    await logged(bot, WORKER, "visit", date(2026, 11, 24), households=22)
    await logged(bot, WORKER, "poster", date(2026, 11, 24), posters=6)
    await bot.send(CONTACT, "/deadlines")
    text = bot.last_text(CONTACT)
    assert "11月25日 当月防范工作报送 · ⚠️ 报送后又登记了 入户 22户，海报 6张" in text
    await bot.send(OFFICE, "/summary 2026-11")                        # the office sees it too
    office = "\n".join(bot.texts(OFFICE))
    assert "百花桥村" in office and "⚠️报送后有变动：又登记了 入户 22户，海报 6张" in office
    # each deadline of the month by its title, with how its areas stand
    assert "· 当月防范工作报送（11月25日截止）：按时 1（其中 1 个报送后有变动） · 未报送（未到截止） 6" in office
    assert "· 月度进展情况表及佐证材料（11月20日截止）：未报送 7" in office
    await bot.tap(CONTACT, "重新报送")
    assert "⚠️ 报送后又登记了 入户 22户" in bot.last_text(CONTACT)   # the card says why
    await bot.tap(CONTACT, "确认报送")
    [sub] = await bot.storage.submissions.current(NOV25)
    assert sub.figures == {"households": 37, "posters": 6} and not sub.late
    await bot.send(CONTACT, "/deadlines")
    assert "报送后" not in bot.last_text(CONTACT)


async def test_an_undone_entry_is_a_change_and_a_late_one_reopens_the_period(bot):
    await logged(bot, WORKER, "visit", date(2026, 11, 23), households=15)
    await submit_25th(bot)
    bot.clock.set(at(2026, 11, 27, 10))                               # past the 25th
    entry = (await bot.storage.db.fetchone("SELECT id FROM entries"))[0]
    await bot.storage.entries.undo(entry, (await bot.user(WORKER)).id, bot.clock.now())
    await bot.send(CONTACT, "/report")
    assert "【当月防范工作报送】报送后撤销了 入户 15户" in bot.last_text(CONTACT)
    await bot.tap(CONTACT, "11月25日截止，重新报送")
    await bot.tap(CONTACT, "确认报送")
    history = await bot.storage.submissions.history(NOV25, (await bot.storage.orgs.by_code("BHQ")).id)
    assert [s.figures for s in history] == [{"households": 15}, {}]
    assert history[1].late and history[0].replaced_by == history[1].id
    await bot.act(CONTACT, f"report:pick:{NOV25}")                    # settled again: closed
    assert "已失效" in bot.last_text(CONTACT)


async def test_no_activity_over_figures_asks_once_and_is_flagged(bot):
    await logged(bot, WORKER, "poster", date(2026, 11, 23), posters=6)
    await bot.act(CONTACT, f"report:pick:{NOV25}")
    await bot.tap(CONTACT, "本期无活动")
    assert bot.last_text(CONTACT).startswith("本期已有：海报 6张。仍报无活动？")
    await bot.tap(CONTACT, "返回")                                     # back to the card, nothing set
    assert "本期无活动，原因" not in bot.last_text(CONTACT)
    await bot.tap(CONTACT, "本期无活动")
    await bot.tap(CONTACT, "仍报无活动")
    assert "请简单写一下原因" in bot.last_text(CONTACT)
    await bot.send(CONTACT, "海报是上月贴的")
    await bot.tap(CONTACT, "本期无活动")                               # asked once: straight to the reason
    assert "请简单写一下原因" in bot.last_text(CONTACT)
    await bot.send(CONTACT, "海报是上月贴的，本月没活动")
    await bot.tap(CONTACT, "确认报送")
    [sub] = await bot.storage.submissions.current(NOV25)
    assert sub.nil_reason == "海报是上月贴的，本月没活动" and sub.figures == {"posters": 6}
    await bot.send(OFFICE, "/summary 2026-11")
    assert "⚠️报无活动，但本期有登记" in "\n".join(bot.texts(OFFICE))


async def test_people_read_deadline_titles_never_period_keys(bot):
    from openpyxl import load_workbook
    await submit_25th(bot)
    await logged(bot, WORKER, "visit", date(2026, 11, 24), households=3)
    await bot.send(OFFICE, "/summary 2026-11")
    await bot.send(OFFICE, "/missing")
    await bot.send(CONTACT, "/deadlines")
    await bot.send(CONTACT, "/report")
    await bot.send(OFFICE, "/export 2026-11")
    [(_, data)] = bot.documents(OFFICE)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "当月防范工作报送（11月25日截止）" in cells[0]               # the table's caption
    assert any("按时·报送后有变动" == c for c in cells)                # the area's status, marked
    # the status column is one deadline's: under the table, each deadline of the month by its title
    assert "· 月度进展情况表及佐证材料（11月20日截止）：未报送 7" in cells
    assert any(c.startswith("· 当月防范工作报送（11月25日截止）：按时 1") for c in cells)
    read = bot.texts(OFFICE) + bot.texts(CONTACT) + cells
    assert [x for x in read if RAW_KEY.search(x)] == []


async def test_missing_lists_every_deadline_of_the_last_30_days_still_missed(bot):
    await bot.join(CYB_CONTACT, "CYB", "contact")
    for key in ("monthly-5:2026-11", "monthly-13:2026-11", "monthly-20:2026-11", NOV25, "monthly-28:2026-11"):
        await bot.act(CYB_CONTACT, f"report:pick:{key}")                # CYB has sent everything
        await bot.tap(CYB_CONTACT, "确认报送")
    await bot.act(CONTACT, "report:pick:monthly-13:2026-11")             # BHQ the 13th only, late
    await bot.tap(CONTACT, "确认报送")
    bot.clock.set(at(2026, 11, 30, 10))                                   # month end: next is 5 Dec
    await bot.send(CONTACT, "/missing")
    text = bot.last_text(CONTACT)
    assert "【上月宣传工作报送】12月5日截止，还有 1 个村（社区）没报送" in text
    overdue = text.split("已逾期仍未报送：")[1]
    assert re.findall(r"【(.+?)】(\d+月\d+日)截止", overdue) == [
        ("宣传及APP安装情况报送", "11月28日"), ("当月防范工作报送", "11月25日"),
        ("月度进展情况表及佐证材料", "11月20日"), ("上月宣传工作报送", "11月5日")]
    await bot.send(OFFICE, "/missing")
    assert "茶园坝社区" not in bot.last_text(OFFICE).split("已逾期仍未报送：")[1]


async def test_deadlines_and_report_agree_on_overdue_periods(bot):
    bot.clock.set(at(2026, 11, 30, 10))
    await bot.send(CONTACT, "/deadlines")
    listed = re.findall(r"(\d+月\d+日) .+ · ❗ 已逾期", bot.last_text(CONTACT))
    await bot.send(CONTACT, "/report")
    offered = re.findall(r"\d+ .+?（(\d+月\d+日)截止，已逾期）", bot.last_text(CONTACT))
    assert listed == ["11月5日", "11月13日", "11月20日", "11月25日", "11月28日"]
    assert sorted(offered) == sorted(listed)


async def test_a_new_office_chat_gets_the_next_summary_first(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 19, 10)) as h:
        await h.import_orgs()
        await h.join(OFFICE, "WLS", "office")
        await h.join(CONTACT, "BHQ", "contact")
        await h.send(OFFICE, "/bind_office", chat=GROUP, group=True)
        h.clock.set(at(2026, 11, 20, 17, 31))
        await h.tick()
        await h.join(303, "CYB", "office")                               # another office binds later
        await h.send(303, "/bind_office", chat=-600, group=True)
        h.clock.set(at(2026, 11, 24, 10))                                # past Monday's digest time
        await h.tick()
        sent = await h.storage.db.fetchall("SELECT recipient, topic FROM outbox WHERE status = 'sent' "
                                           "AND (topic LIKE 'summary:%' OR topic LIKE 'weekly:%') ORDER BY id")
        # the first chat: the 20th's and the week's; the second, bound after the 20th's close,
        # only the week's (which closed after it was bound)
        assert [tuple(r) for r in sent] == [(f"c:text:{GROUP}", "summary:monthly-20:2026-11"),
                                            (f"c:text:{GROUP}", "weekly:2026-11-16"),
                                            ("c:text:-600", "weekly:2026-11-16")]


async def test_a_change_in_english_reads_the_english_way(bot):
    await submit_25th(bot)
    await logged(bot, WORKER, "poster", date(2026, 11, 24), posters=6)
    await bot.send(CONTACT, "/lang en")
    await bot.send(CONTACT, "/report")
    text = bot.last_text(CONTACT)
    assert "当月防范工作报送: since submitted: logged posters 6 more" in text
    assert not set("【】：，（）") & set(text), text
    await bot.tap(CONTACT, "submit again")
    await bot.tap(CONTACT, "Submit")
    [sub] = await bot.storage.submissions.current(NOV25)
    assert sub.figures == {"posters": 6}
