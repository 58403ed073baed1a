"""/report and /deadlines: the card, notes, photos, nil reports, late and replaced submissions,
and the server-side check that a period is open for the person who asks."""
from __future__ import annotations

from datetime import date

from storage.models import NewEntry

from .conftest import CONTACT, OFFICE, WORKER

CYB_CONTACT = 202


async def logged(bot, uid: int, kind: str, day: date, **measures: int) -> None:
    """An entry as the log flow would save it (the report reads what is stored)."""
    user = await bot.user(uid)
    await bot.storage.entries.add([NewEntry(user_id=user.id, org_id=user.org_id, kind=kind, measures=measures,
                                            happened_on=day, source="quick")], bot.clock.now())


async def card_action(bot, uid: int, label: str) -> str:
    """The action behind `label` on the card shown last (what a tap on it would send)."""
    conv = await bot.storage.conversations.load((await bot.user(uid)).id)
    [found] = [item[1] for item in conv.menu if label in item[0]]
    return found


async def submit(bot, uid: int, title_part: str) -> None:
    await bot.send(uid, "/report")
    await bot.tap(uid, title_part)
    await bot.tap(uid, "确认报送")


async def test_report_snapshot_replace_history_and_late(bot):
    await logged(bot, WORKER, "visit", date(2026, 11, 23), households=15)
    await logged(bot, WORKER, "poster", date(2026, 11, 23), posters=3)
    await bot.send(CONTACT, "/report")
    assert "要报送哪一项" in bot.last_text(CONTACT)
    await bot.tap(CONTACT, "11月25日")
    card = bot.last_text(CONTACT)
    assert "入户 15户次" in card and "海报 3张" in card
    await bot.tap(CONTACT, "添加说明")
    assert "请发送说明文字" in bot.last_text(CONTACT)
    await bot.send(CONTACT, "本月重点走访老年人")
    assert "说明：本月重点走访老年人" in bot.last_text(CONTACT)
    await bot.tap(CONTACT, "确认报送")
    assert "已报送" in bot.last_text(CONTACT)
    await submit(bot, CONTACT, "11月25日")                       # again before the deadline: replaces
    bhq = await bot.storage.orgs.by_code("BHQ")
    history = await bot.storage.submissions.history("monthly-25:2026-11", bhq.id)
    assert len(history) == 2 and history[0].replaced_by == history[1].id
    assert history[0].figures == {"households": 15, "posters": 3} and history[0].note == "本月重点走访老年人"
    assert history[1].note is None                               # a new card starts a new draft
    await bot.send(CONTACT, "报送")                              # the word works as the command
    await bot.tap(CONTACT, "11月20日")                           # past due, still owed
    assert "逾期" in bot.last_text(CONTACT)
    await bot.tap(CONTACT, "确认报送")
    assert "逾期" in bot.last_text(CONTACT)
    [late] = await bot.storage.submissions.current("monthly-20:2026-11")
    assert late.late and late.org_id == bhq.id
    await bot.send(CONTACT, "/deadlines")
    text = bot.last_text(CONTACT)
    assert "已报送（逾期）" in text and "已按时报送" in text and "还没报送" in text


async def test_nil_report_is_a_submission(bot):
    await bot.join(CYB_CONTACT, "CYB", "contact")
    await bot.send(CYB_CONTACT, "/report")
    await bot.tap(CYB_CONTACT, "11月25日")
    await bot.tap(CYB_CONTACT, "本期无活动")
    assert "原因" in bot.last_text(CYB_CONTACT)
    await bot.send(CYB_CONTACT, "村里在开展秋收")
    assert "本期无活动，原因：村里在开展秋收" in bot.last_text(CYB_CONTACT)
    await bot.tap(CYB_CONTACT, "确认报送")
    [sub] = await bot.storage.submissions.current("monthly-25:2026-11")
    assert sub.nil_reason == "村里在开展秋收" and not sub.late
    assert sub.org_id == (await bot.storage.orgs.by_code("CYB")).id


async def test_a_photo_in_the_note_step_is_kept_with_the_submission(bot):
    await bot.send(CONTACT, "/report")
    await bot.tap(CONTACT, "11月25日")
    await bot.tap(CONTACT, "添加说明")
    await bot.photo(CONTACT, b"\xff\xd8 a poster on the wall", caption="村口张贴")
    card = bot.last_text(CONTACT)
    assert "佐证材料：1 份" in card and "说明：村口张贴" in card
    await bot.tap(CONTACT, "确认报送")
    [sub] = await bot.storage.submissions.current("monthly-25:2026-11")
    assert sub.evidence_count == 1 and sub.note == "村口张贴"
    rows = await bot.storage.db.fetchall("SELECT sha256, path FROM evidence WHERE submission_id = ?", (sub.id,))
    assert len(rows) == 1 and rows[0]["sha256"] and rows[0]["path"].endswith(".jpg")


async def test_cancel_saves_nothing_and_the_old_card_is_gone(bot):
    await bot.send(CONTACT, "/report")
    await bot.tap(CONTACT, "11月25日")
    ok = await card_action(bot, CONTACT, "确认报送")
    await bot.tap(CONTACT, "取消")
    assert "已取消" in bot.last_text(CONTACT)
    await bot.act(CONTACT, ok)                                   # the old card's 确认报送
    assert "已失效" in bot.last_text(CONTACT)
    assert await bot.storage.submissions.current("monthly-25:2026-11") == []
    assert (await bot.storage.conversations.load((await bot.user(CONTACT)).id)).flow is None


async def test_the_reminder_button_opens_that_very_report(bot):
    await bot.act(CONTACT, "report:pick:monthly-28:2026-11")    # 立即报送 on the reminder
    assert bot.last_text(CONTACT).startswith("【宣传及APP安装情况报送】统计11月1日—11月28日")
    await bot.tap(CONTACT, "确认报送")
    [sub] = await bot.storage.submissions.current("monthly-28:2026-11")
    assert sub.user_id == (await bot.user(CONTACT)).id


async def test_closed_forged_or_garbled_periods_open_nothing(bot):
    for period in ("monthly-28:2025-11",                        # long over
                   "monthly-28:2027-11",                        # not begun
                   "nothing-1:2026-11"):                        # no such deadline
        await bot.act(CONTACT, f"report:pick:{period}")
        assert "已失效" in bot.last_text(CONTACT), period
    await submit(bot, CONTACT, "11月28日")
    bot.clock.set(bot.clock.now().replace(day=29))              # submitted, then past the deadline
    await bot.act(CONTACT, "report:pick:monthly-28:2026-11")
    assert "已失效" in bot.last_text(CONTACT)
    for forged in ("report:pick", "report:ok", "report:ok:1", "report:ok:1:2", "report:zap", "report:note:x",
                   "report:cancel"):
        await bot.act(CONTACT, forged)
        assert "失效" in bot.last_text(CONTACT), forged
    assert len(await bot.storage.submissions.current("monthly-28:2026-11")) == 1


async def test_workers_cannot_submit_contact_deadlines(bot):
    await bot.send(WORKER, "/report")
    assert "联络员负责" in bot.last_text(WORKER)
    await bot.act(WORKER, "report:pick:monthly-25:2026-11")      # forged
    assert "已失效" in bot.last_text(WORKER)
    await bot.send(WORKER, "/deadlines")
    assert "不需您报送" in bot.last_text(WORKER) and "联络员负责" in bot.last_text(WORKER)
    await bot.send(OFFICE, "/report")
    assert "目前没有需要您报送的" in bot.last_text(OFFICE)
    assert await bot.storage.submissions.current("monthly-25:2026-11") == []


async def test_the_nil_step_waits_for_words(bot):
    await bot.send(CONTACT, "/report")
    await bot.tap(CONTACT, "11月25日")
    await bot.tap(CONTACT, "本期无活动")
    await bot.photo(CONTACT, b"\xff\xd8 not a reason")
    assert "请简单写一下原因" in bot.last_text(CONTACT)
    await bot.send(CONTACT, "村里在开展秋收")
    await bot.tap(CONTACT, "确认报送")
    [sub] = await bot.storage.submissions.current("monthly-25:2026-11")
    assert sub.nil_reason == "村里在开展秋收" and sub.evidence_count == 0


async def test_words_typed_at_the_card_are_a_report_of_their_own(bot):
    await bot.send(CONTACT, "/report")
    await bot.tap(CONTACT, "11月25日")
    await bot.send(CONTACT, "入户5户")                           # read as a one-line report, not a note
    assert "说明" not in bot.last_text(CONTACT)
    conv = await bot.storage.conversations.load((await bot.user(CONTACT)).id)
    assert conv.flow == "report" and conv.data["note"] is None
    await bot.act(CONTACT, f"report:ok:{conv.data['id']}")       # the report card still works
    [sub] = await bot.storage.submissions.current("monthly-25:2026-11")
    assert sub.note is None and sub.user_id == (await bot.user(CONTACT)).id


async def test_a_tap_on_an_earlier_card_changes_nothing(bot):
    """Card A (the 25th), then card B (the 28th, from the reminder): A's buttons are dead."""
    await bot.send(CONTACT, "/report")
    await bot.tap(CONTACT, "11月25日")
    a_ok, a_note, a_cancel = [await card_action(bot, CONTACT, w) for w in ("确认报送", "添加说明", "取消")]
    await bot.act(CONTACT, "report:pick:monthly-28:2026-11")    # 立即报送 on the reminder
    contact = await bot.user(CONTACT)
    b = (await bot.storage.conversations.load(contact.id)).data
    for stale in (a_ok, a_note, a_cancel):
        await bot.act(CONTACT, stale)
        assert "已失效" in bot.last_text(CONTACT), stale
    assert await bot.storage.submissions.current("monthly-25:2026-11") == []
    assert await bot.storage.submissions.current("monthly-28:2026-11") == []
    conv = await bot.storage.conversations.load(contact.id)
    assert conv.flow == "report" and conv.data == b                # B's draft is untouched
    await bot.act(CONTACT, await card_action(bot, CONTACT, "确认报送"))
    [sub] = await bot.storage.submissions.current("monthly-28:2026-11")
    assert sub.user_id == contact.id
    assert await bot.storage.submissions.current("monthly-25:2026-11") == []


async def test_typing_the_confirm_word_at_the_card_submits(bot):
    for word, period in (("确认", "monthly-25:2026-11"), ("提交", "monthly-28:2026-11")):
        await bot.act(CONTACT, f"report:pick:{period}")
        await bot.send(CONTACT, word)
        assert "已报送" in bot.last_text(CONTACT), word
        [sub] = await bot.storage.submissions.current(period)
        assert sub.user_id == (await bot.user(CONTACT)).id
