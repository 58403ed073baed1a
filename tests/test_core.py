"""The conversation core's own rules: typed choices, stale buttons, odd input, groups, edits."""
from __future__ import annotations

from datetime import date, datetime

from .conftest import CONTACT, STRANGER, TZ, WORKER
from .helpers import Harness


async def entries_of(bot, uid: int):
    return await bot.storage.entries.for_user((await bot.user(uid)).id, date(2026, 1, 1))


async def test_a_second_stray_number_neither_saves_twice_nor_undoes(bot):
    await bot.send(WORKER, "入户5户")
    await bot.send(WORKER, "1")                      # 1 = 保存 on the card
    await bot.send(WORKER, "1")                      # the receipt's 撤销 is typed as a word only
    [entry] = await entries_of(bot, WORKER)
    assert entry.undone_at is None and entry.measures == {"households": 5}
    assert "可回复：撤销" in bot.texts(WORKER)[-2]


async def test_a_list_shown_during_a_flow_does_not_take_the_flows_answer(bot):
    await bot.send(WORKER, "/visit")
    await bot.send(WORKER, "很多")                    # (not a number: re-asked)
    await bot.send(WORKER, "/mine")                  # a list with numbered choices
    await bot.send(WORKER, "3")                      # meant for the flow: 3 households
    conv = await bot.storage.conversations.load((await bot.user(WORKER)).id)
    assert conv.flow == "log" and conv.data["measures"] == {"households": 3}


async def test_typed_words_outlive_replies_without_buttons(bot):
    await bot.send(WORKER, "海报3张")
    await bot.send(WORKER, "/stats")                 # says something, shows no buttons
    await bot.send(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"posters": 3}


async def test_cancel_typed_at_a_card_cancels_the_card_not_a_command(bot):
    await bot.send(WORKER, "海报3张")
    await bot.send(WORKER, "取消")
    assert "什么都没保存" in bot.last_text(WORKER)
    rows = await bot.storage.db.fetchall("SELECT used_at FROM cards")
    assert [r[0] is not None for r in rows] == [True]
    await bot.send(WORKER, "保存")                   # nothing is left to save
    assert await entries_of(bot, WORKER) == []


async def test_a_bare_slash_and_empty_events_are_answered_calmly(bot):
    for text in ("/", "/ ", " ", "/？？", "/" + "x" * 5000):
        await bot.send(WORKER, text)
        assert "出了点问题" not in bot.last_text(WORKER)
    await bot.chan.event(str(WORKER))               # nothing at all (a sticker, say)
    assert "出了点问题" not in bot.last_text(WORKER)


async def test_command_words_are_not_commands_in_groups(bot):
    for uid, text in ((STRANGER, "汇总 本月"), (WORKER, "未报 的有哪些"), (CONTACT, "汇总 一下"),
                      (STRANGER, "汇总"), (WORKER, "未报")):
        before = len(bot.texts(-100))
        await bot.send(uid, text, chat=-100, group=True)
        assert len(bot.texts(-100)) == before        # the bot keeps out of the group's talk
    await bot.send(CONTACT, "汇总", chat=-100, group=True)   # the word alone, from who may use it
    assert "百花桥村" in bot.last_text(-100)


async def test_an_edit_during_a_flow_leaves_the_draft_alone(bot):
    await bot.send(WORKER, "海报2张", message_ref="m1")   # a card
    await bot.send(WORKER, "/visit")
    await bot.edit(WORKER, "m1", "海报5张")               # corrected while a flow is open
    conv = await bot.storage.conversations.load((await bot.user(WORKER)).id)
    assert conv.flow == "log" and conv.data["measures"] == {}
    [card] = await bot.storage.db.fetchall("SELECT data FROM cards WHERE used_at IS NULL")
    assert '"posters": 5' in card[0]


async def test_the_outbox_waits_for_morning_and_for_a_channel(tmp_path):
    from storage.outbox import body
    async with Harness(tmp_path, datetime(2026, 11, 24, 22, 0, tzinfo=TZ)) as h:
        await h.import_orgs()
        await h.join(WORKER, "BHQ-1", "worker")
        user = await h.user(WORKER)
        await h.storage.outbox.enqueue("t:1", {user.address: body("夜里排的")}, h.clock.now())
        await h.tick()
        assert await h.storage.outbox.statuses("t:1") == {user.address: "queued"}   # not at night
        h.clock.set(datetime(2026, 11, 25, 8, 1, tzinfo=TZ))
        await h.tick()
        assert await h.storage.outbox.statuses("t:1") == {user.address: "sent"}
        assert h.last_text(WORKER) == "夜里排的"
        # someone only on a channel that is not running now is tried again later, not given up
        await h.storage.db.conn.execute("UPDATE accounts SET channel = 'wecom'")
        await h.storage.outbox.enqueue("t:2", {user.address: body("稍后")}, h.clock.now())
        await h.tick()
        assert await h.storage.outbox.statuses("t:2") == {user.address: "queued"}


def test_a_very_long_argument_is_said_whole_never_as_placeholder(caplog):
    from bot.i18n import t
    note = "很长的说明" * 1200                                 # 6,000 characters
    text = t("zh", "report-note", note=note)
    assert note in text and "{???}" not in text and not caplog.records


async def test_a_very_long_text_gets_a_calm_answer(bot):
    await bot.send(WORKER, "海报3张，" + "说明" * 5000)
    assert "{???}" not in bot.last_text(WORKER) and "出了点问题" not in bot.last_text(WORKER)
