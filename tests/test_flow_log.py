"""The guided logging flow (handlers/log.py) through the text channel: /log, /visit, /poster, …"""
from __future__ import annotations

import dataclasses
import hashlib
import pathlib
import re
from datetime import date, timedelta

import pytest

from handlers.core import Event

from .conftest import CONTACT, STRANGER, WORKER

ROOT = pathlib.Path(__file__).parents[1]


async def entries_of(bot, uid: int = WORKER):
    user = await bot.user(uid)
    return await bot.storage.entries.for_user(user.id, date(2026, 1, 1))


async def conv_of(bot, uid: int = WORKER):
    user = await bot.user(uid)
    return await bot.storage.conversations.load(user.id)


async def menu_action(bot, label: str, uid: int = WORKER) -> str:
    """The action of the button labelled `label` shown last to uid (what a real tap would carry)."""
    conv = await conv_of(bot, uid)
    return next(a for lab, a, _ in conv.menu if label in lab)


def free_texts(bot) -> list[str]:
    """Catch what the core hands to one-line reports (quick.py, tested on its own)."""
    taken: list[str] = []

    async def free(turn):
        taken.append(turn.event.text)
        turn.end_flow()
    bot.core.routes = dataclasses.replace(bot.core.routes, free=free)
    return taken



async def to_card(bot, *answers: str, uid: int = WORKER) -> None:
    for answer in answers:
        await bot.send(uid, answer)


# --- the common visit ------------------------------------------------------------------------

async def test_visit_takes_five_exchanges(bot):
    await bot.send(WORKER, "/visit")
    assert "入户多少户" in bot.last_text(WORKER)
    sent = len(bot.texts(WORKER))
    await bot.tap(WORKER, "10")                      # households
    await bot.send(WORKER, "二十")                    # people, a Chinese numeral
    await bot.send(WORKER, "８")                      # installs, full-width
    await bot.tap(WORKER, "昨天")
    card = bot.last_text(WORKER)
    assert "入户 10户" in card and "宣传群众 20人" in card and "安装APP 8人" in card and "11月23日" in card
    assert await entries_of(bot) == []               # nothing before 确认
    await bot.tap(WORKER, "确认")
    assert len(bot.texts(WORKER)) - sent == 5        # one answer for each of the five exchanges
    [entry] = await entries_of(bot)
    assert entry.kind == "visit" and entry.source == "flow" and entry.flags == []
    assert entry.measures == {"households": 10, "people": 20, "app_installs": 8}
    assert entry.happened_on == date(2026, 11, 23) and entry.evidence_count == 0
    receipt = bot.last_text(WORKER)
    assert "已保存：入户走访 入户 10户，宣传群众 20人，安装APP 8人。" in receipt
    assert "撤销 入户走访" in receipt
    assert (await conv_of(bot)).flow is None          # the draft went with the save


async def test_log_menu_then_kind(bot):
    await bot.send(WORKER, "登记")
    assert "要登记哪项工作" in bot.last_text(WORKER)
    await bot.tap(WORKER, "发放宣传单")
    text = bot.last_text(WORKER)
    assert "宣传单多少份" in text and "50 / 100 / 200 / 500" in text    # the leaflet amounts
    await bot.tap(WORKER, "200")
    await bot.tap(WORKER, "今天")
    await bot.tap(WORKER, "确认")
    [entry] = await entries_of(bot)
    assert entry.kind == "leaflet" and entry.measures == {"leaflets": 200}
    assert "已保存：发放宣传单 200份。" in bot.last_text(WORKER)


async def test_more_adds_pledges_houses_place_and_photo(bot):
    await bot.send(WORKER, "/visit")
    await to_card(bot, "3", "10", "没有", "今天")
    await bot.tap(WORKER, "更多")
    assert "承诺书" in bot.last_text(WORKER) and "门牌号" in bot.last_text(WORKER)
    await bot.tap(WORKER, "承诺书")
    await bot.send(WORKER, "5")
    assert "承诺书 5份" in bot.last_text(WORKER) and "请核对" in bot.last_text(WORKER)
    await bot.tap(WORKER, "更多")
    await bot.tap(WORKER, "门牌号")
    await bot.send(WORKER, "3组12号，3组14号\n3组16号")
    assert "门牌：3 户" in bot.last_text(WORKER)
    await bot.tap(WORKER, "更多")
    await bot.tap(WORKER, "位置")
    assert "在哪里" in bot.last_text(WORKER)
    sent = len(bot.texts(WORKER))
    await bot.send(WORKER, "百花桥村3组")
    assert len(bot.texts(WORKER)) == sent + 1 and "收到" not in bot.last_text(WORKER)
    assert "地点：百花桥村3组" in bot.last_text(WORKER)
    await bot.tap(WORKER, "更多")
    await bot.tap(WORKER, "照片")
    await bot.photo(WORKER, b"visit-photo")
    assert "照片：1 张" in bot.last_text(WORKER)
    await bot.tap(WORKER, "确认")
    [entry] = await entries_of(bot)
    assert entry.measures == {"households": 3, "people": 10, "pledges": 5}
    assert entry.households_listed == 3 and entry.address == "百花桥村3组" and entry.evidence_count == 1


async def test_more_house_numbers_than_households_raise_the_count(bot):
    await bot.send(WORKER, "/visit")
    await to_card(bot, "1", "没有", "没有", "今天")
    await bot.tap(WORKER, "更多")
    await bot.tap(WORKER, "门牌号")
    await bot.send(WORKER, "1号，2号，3号，3号")           # 3 distinct doors
    assert "入户数按 3 户记" in bot.last_text(WORKER) and "入户 3户" in bot.last_text(WORKER)
    await bot.tap(WORKER, "确认")
    [entry] = await entries_of(bot)
    assert entry.measures == {"households": 3} and entry.households_listed == 3


# --- what people type -----------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    ("今天", date(2026, 11, 24)), ("昨天", date(2026, 11, 23)), ("前天", date(2026, 11, 22)),
    ("11-20", date(2026, 11, 20)), ("11月20日", date(2026, 11, 20)), ("20号", date(2026, 11, 20)),
    ("11-17", date(2026, 11, 17)),
])
async def test_typed_days_within_the_week(bot, typed, expected):
    await bot.send(WORKER, "/push")
    await bot.send(WORKER, "2")
    await bot.send(WORKER, typed)
    assert "请核对" in bot.last_text(WORKER)
    await bot.tap(WORKER, "确认")
    [entry] = await entries_of(bot)
    assert entry.happened_on == expected


@pytest.mark.parametrize("typed", [str(10 ** 30), "1" * 5000, "²", "１２３４５６７８", "4611686018427387904"])
async def test_absurd_numbers_are_refused_with_the_question_again(bot, typed):
    await bot.send(WORKER, "/leaflet")                  # 50 / 100 / 200 / 500: no button is typed here
    await bot.send(WORKER, typed)
    text = bot.last_text(WORKER)
    assert "填个数字就行" in text and "宣传单多少份" in text
    d = (await conv_of(bot)).data
    assert d["step"] == "number" and d["pending"] == ["leaflets"] and d["measures"] == {}
    await bot.send(WORKER, "/cancel")
    assert await entries_of(bot) == []


@pytest.mark.parametrize("typed", ["11-25", "11-16", "11月10日", "明天", "32号"])
async def test_days_outside_the_week_are_refused_with_an_example(bot, typed):
    await bot.send(WORKER, "/push")
    await bot.send(WORKER, "2")
    await bot.send(WORKER, typed)
    text = bot.last_text(WORKER)
    assert "7 天内" in text and "11月17日 到 11月24日" in text
    assert "如 11月22日" in text and "1 今天 / 2 昨天 / 3 前天" in text   # the choices, same message
    assert (await conv_of(bot)).data["step"] == "day"
    await bot.tap(WORKER, "前天")
    await bot.tap(WORKER, "确认")
    [entry] = await entries_of(bot)
    assert entry.happened_on == date(2026, 11, 22)


@pytest.mark.parametrize("people, installs, expected", [
    ("八个人", "无", {"people": 8}),
    ("约10人", "没有", {"people": 10}),
    ("没有", "0", {}),
    ("跳过", "跳过", {}),
])
async def test_number_words(bot, people, installs, expected):
    await bot.send(WORKER, "/visit")
    await bot.send(WORKER, "入户5户")
    await bot.send(WORKER, people)
    assert "安装APP多少人" in bot.last_text(WORKER)
    await bot.send(WORKER, installs)
    await bot.tap(WORKER, "今天")
    await bot.tap(WORKER, "确认")
    [entry] = await entries_of(bot)
    assert entry.measures == {"households": 5, **expected}


async def test_optional_steps_offer_skip_and_required_ones_refuse_it(bot):
    await bot.send(WORKER, "/visit")
    assert "跳过" not in bot.last_text(WORKER)           # households are required
    await bot.send(WORKER, "跳过")
    assert "必填，不能跳过" in bot.last_text(WORKER) and "入户多少户" in bot.last_text(WORKER)
    await bot.send(WORKER, "没有")
    assert "填个数字就行" in bot.last_text(WORKER)
    await bot.send(WORKER, "4")
    assert "没有 / 跳过" in bot.last_text(WORKER)          # people: optional
    await bot.send(WORKER, "skip")
    assert "安装APP多少人" in bot.last_text(WORKER)
    assert (await conv_of(bot)).data["measures"] == {"households": 4}


async def test_wrong_answers_reask_and_keep_the_flow(bot):
    await bot.send(WORKER, "/leaflet")
    sent = len(bot.texts(WORKER))
    await bot.send(WORKER, "很多")
    assert len(bot.texts(WORKER)) == sent + 1        # one message: why, and the question again
    assert "填个数字就行" in bot.last_text(WORKER) and "宣传单多少份" in bot.last_text(WORKER)
    await bot.send(WORKER, "-3")
    assert "填个数字就行" in bot.last_text(WORKER)
    await bot.send(WORKER, "100001")                   # above any honest figure
    assert "填个数字就行" in bot.last_text(WORKER)
    await bot.location(WORKER)                          # a place is kept, the question stands
    assert "位置已存下" in bot.last_text(WORKER) and "宣传单多少份" in bot.last_text(WORKER)
    await bot.send(WORKER, "30份")
    assert "哪天做的" in bot.last_text(WORKER)
    await bot.send(WORKER, "保存")                      # not a choice here: the day is asked again
    assert "这一步要的不是这个" in bot.last_text(WORKER) or "7 天内" in bot.last_text(WORKER)
    await bot.tap(WORKER, "今天")
    await bot.send(WORKER, "保存")                      # typed: the card's 确认
    [entry] = await entries_of(bot)
    assert entry.measures == {"leaflets": 30} and entry.lat == 29.5


@pytest.mark.parametrize("word", ["确认", "保存", "确定"])
async def test_typed_word_confirms_the_card(bot, word):
    await bot.send(WORKER, "/app")
    await to_card(bot, "5", "今天")
    await bot.send(WORKER, word)
    [entry] = await entries_of(bot)
    assert entry.kind == "app" and entry.measures == {"app_installs": 5}
    assert "已保存：反诈APP安装 5人。" in bot.last_text(WORKER)


# --- kinds with required or no evidence -------------------------------------------------------

async def test_poster_needs_place_and_photo(bot):
    await bot.send(WORKER, "/poster")
    await bot.tap(WORKER, "3")                          # posters
    await bot.tap(WORKER, "没有")                        # banners
    assert "必填" in bot.last_text(WORKER) and "跳过" not in bot.last_text(WORKER)
    await bot.send(WORKER, "跳过")
    assert "不能跳过" in bot.last_text(WORKER) and "张贴在哪里" in bot.last_text(WORKER)
    await bot.location(WORKER)
    assert "照片" in bot.last_text(WORKER) and "收到" not in bot.last_text(WORKER)
    await bot.send(WORKER, "没有照片")                   # text where a photo is asked
    assert "这一步要的不是这个" in bot.last_text(WORKER) and "/cancel" in bot.last_text(WORKER)
    await bot.photo(WORKER, b"jpeg-bytes-1")
    assert "哪天做的" in bot.last_text(WORKER)
    await bot.tap(WORKER, "今天")
    await bot.tap(WORKER, "确认")
    [entry] = await entries_of(bot)
    assert entry.measures == {"posters": 3} and entry.lat == 29.5 and entry.evidence_count == 1
    row = await bot.storage.db.fetchone("SELECT sha256, path FROM evidence WHERE entry_id = ?", (entry.id,))
    assert row[0] == hashlib.sha256(b"jpeg-bytes-1").hexdigest()
    assert pathlib.Path(row[1]).read_bytes() == b"jpeg-bytes-1"


async def test_poster_photo_sent_early_is_kept(bot):
    await bot.send(WORKER, "/poster")
    await to_card(bot, "2", "1")
    await bot.photo(WORKER, b"early")                    # where the place is asked
    assert "照片已存下" in bot.last_text(WORKER) and "张贴在哪里" in bot.last_text(WORKER)
    await bot.send(WORKER, "村委会门口")
    assert "哪天做的" in bot.last_text(WORKER)          # the photo is not asked for again
    await bot.tap(WORKER, "今天")
    await bot.tap(WORKER, "确认")
    [entry] = await entries_of(bot)
    assert entry.measures == {"posters": 2, "banners": 1} and entry.evidence_count == 1
    assert entry.address == "村委会门口"


async def test_poster_without_the_usual_asks_the_others(bot):
    await bot.send(WORKER, "/poster")
    await to_card(bot, "没有", "没有")
    assert "标语多少条" in bot.last_text(WORKER)
    await to_card(bot, "没有", "没有")                   # not one figure: start the figures again
    assert "至少要填一项" in bot.last_text(WORKER) and "海报多少张" in bot.last_text(WORKER)
    await to_card(bot, "没有", "没有", "2", "没有")
    assert "张贴在哪里" in bot.last_text(WORKER)
    assert (await conv_of(bot)).data["measures"] == {"slogans": 2}


async def test_lecture_requires_a_photo_place_is_optional(bot):
    await bot.send(WORKER, "/lecture")
    await bot.send(WORKER, "1场")
    await bot.send(WORKER, "三十来人")                 # rough, as people say it
    assert "拍一张现场照片" in bot.last_text(WORKER)      # no place question
    sent = len(bot.texts(WORKER))
    await bot.send(WORKER, "现在拍不了")                # text where a required photo is asked
    assert len(bot.texts(WORKER)) == sent + 1
    assert "这一步要的不是这个" in bot.last_text(WORKER) and "/cancel" in bot.last_text(WORKER)
    await bot.photo(WORKER, b"lecture")
    await bot.tap(WORKER, "今天")
    await bot.tap(WORKER, "更多")
    assert "位置" in bot.last_text(WORKER) and "照片" not in bot.last_text(WORKER).split("\n")[-1]
    await bot.tap(WORKER, "返回")
    await bot.tap(WORKER, "确认")
    [entry] = await entries_of(bot)
    assert entry.measures == {"lectures": 1, "attendees": 30} and entry.evidence_count == 1


@pytest.mark.parametrize("kind, saved", [
    ("broadcast", "已保存：广播 2次。"), ("push", "已保存：群推送 2次。"),
])
async def test_online_kinds_never_ask_place_or_photo(bot, kind, saved):
    await bot.send(WORKER, f"/{kind}")
    await bot.send(WORKER, "2")
    assert "哪天做的" in bot.last_text(WORKER)
    await bot.tap(WORKER, "今天")
    card = bot.last_text(WORKER)
    assert "更多" not in card and "位置" not in card and "照片" not in card
    await bot.photo(WORKER, b"screenshot")
    assert "这一步要的不是这个" in bot.last_text(WORKER)
    await bot.tap(WORKER, "确认")
    receipt = bot.last_text(WORKER)
    assert saved in receipt and "广播 广播" not in receipt
    [entry] = await entries_of(bot)
    assert entry.evidence_count == 0 and entry.lat is None


async def test_duplicate_photo_is_warned_and_flagged(bot):
    for uid_photo in ("a", "b"):
        await bot.send(WORKER, "/lecture")
        await to_card(bot, "1", "没有")
        await bot.photo(WORKER, b"same-bytes", ref=f"ph-{uid_photo}")
        await bot.tap(WORKER, "今天")
        await bot.tap(WORKER, "确认")
    assert "照片重复使用" in bot.last_text(WORKER)
    second, first = await entries_of(bot)
    assert first.flags == [] and second.flags == ["duplicate_evidence"]


# --- the card: 修改, bounds, once ----------------------------------------------------------------

async def test_edit_changes_one_figure_and_keeps_the_rest(bot):
    await bot.send(WORKER, "/lecture")
    await to_card(bot, "1", "30")
    await bot.photo(WORKER, b"lecture-edit")
    await bot.tap(WORKER, "今天")
    sent = len(bot.texts(WORKER))
    await bot.tap(WORKER, "修改")
    assert "参加人数" in bot.last_text(WORKER) and "日期" in bot.last_text(WORKER)
    await bot.tap(WORKER, "参加人数")
    await bot.send(WORKER, "45")
    card = bot.last_text(WORKER)
    assert len(bot.texts(WORKER)) == sent + 3             # picker, question, card: no photo asked
    assert "参加人数 45人" in card and "照片：1 张" in card
    await bot.tap(WORKER, "修改")
    await bot.tap(WORKER, "日期")
    await bot.tap(WORKER, "昨天")
    assert "11月23日" in bot.last_text(WORKER)
    await bot.tap(WORKER, "确认")
    [entry] = await entries_of(bot)
    assert entry.measures == {"lectures": 1, "attendees": 45} and entry.evidence_count == 1
    assert entry.happened_on == date(2026, 11, 23)


async def test_edit_refuses_zero_for_a_required_figure(bot):
    await bot.send(WORKER, "/visit")
    await to_card(bot, "6", "没有", "没有", "今天")
    await bot.tap(WORKER, "修改")
    await bot.tap(WORKER, "入户")
    await bot.send(WORKER, "0")
    assert "填个数字就行" in bot.last_text(WORKER)
    await bot.send(WORKER, "7")
    assert "入户 7户" in bot.last_text(WORKER) and "请核对" in bot.last_text(WORKER)


async def test_implausible_needs_second_confirmation_and_is_flagged(bot):
    await bot.send(WORKER, "/visit")
    await to_card(bot, "300", "没有", "没有", "今天")
    await bot.tap(WORKER, "确认")
    assert "确认无误吗" in bot.last_text(WORKER) and await entries_of(bot) == []
    await bot.send(WORKER, "好")                        # anything but the second confirmation
    assert "确认无误吗" in bot.last_text(WORKER) and await entries_of(bot) == []
    await bot.tap(WORKER, "确认无误")
    [entry] = await entries_of(bot)
    assert entry.flags == ["needs_review"]  # 300 is within BHQ's 470 registered households
    assert "平安办复核" in bot.last_text(WORKER)


async def test_a_card_saves_once(bot):
    await bot.send(WORKER, "/app")
    await to_card(bot, "5", "今天")
    ok = await menu_action(bot, "确认")
    tap = Event(channel="text", event_id="tap-1", sender=str(WORKER), chat=str(WORKER), action=ok)
    [receipt] = await bot.redeliver(tap)
    assert "已保存" in receipt.text and receipt.replace is True   # the card becomes the receipt
    assert await bot.redeliver(tap) == []                           # the same tap delivered again
    await bot.act(WORKER, ok)                                       # the old card tapped again
    assert "已处理过或已过期" in bot.last_text(WORKER)
    assert len(await entries_of(bot)) == 1


async def test_cancel_saves_nothing(bot):
    await bot.send(WORKER, "/app")
    await bot.send(WORKER, "5")
    day = await menu_action(bot, "今天")
    await bot.send(WORKER, "/cancel")
    assert "什么都没保存" in bot.last_text(WORKER) and (await conv_of(bot)).flow is None
    await bot.act(WORKER, day)                          # a button of the cancelled draft
    assert "已处理过或已过期" in bot.last_text(WORKER)
    await bot.send(WORKER, "/visit")
    await bot.send(WORKER, "取消")                      # the word, typed at any step
    assert "什么都没保存" in bot.last_text(WORKER)
    assert await entries_of(bot) == []


async def test_a_new_draft_ignores_the_old_card(bot):
    await bot.send(WORKER, "/app")
    await to_card(bot, "5", "今天")
    ok = await menu_action(bot, "确认")
    await bot.send(WORKER, "/leaflet")
    await bot.act(WORKER, ok)
    assert "已处理过或已过期" in bot.last_text(WORKER) and await entries_of(bot) == []
    await bot.send(WORKER, "40")                        # the leaflet draft goes on
    assert "哪天做的" in bot.last_text(WORKER)


async def test_forged_flow_buttons_change_nothing(bot):
    await bot.send(WORKER, "/visit")
    real = await menu_action(bot, "10")
    draft = real.split(":")[2]
    for data in ("log:n", "log:n:-5", "log:n:abc", f"log:n:{draft}:abc", f"log:n:{draft}:100001",
                 "log:kind", "log:kind:nuke", f"log:day:{draft}:9", f"log:fig:{draft}:nuke", "log:ok:x:y",
                 "log:nuke:1", "log:ok"):
        await bot.act(WORKER, data)
        assert "失效" in bot.last_text(WORKER), data
    await bot.act(WORKER, f"log:ok:{draft}")              # the card was never shown: the question again
    assert "入户多少户" in bot.last_text(WORKER)
    await bot.act(WORKER, f"log:n:{draft}:7")
    await bot.act(STRANGER, "log:kind:visit")
    assert "还没有登记" in bot.last_text(STRANGER)
    assert await entries_of(bot) == []
    assert (await conv_of(bot)).data["measures"] == {"households": 7}
    assert "宣传群众多少人" in bot.last_text(WORKER)     # the real flow went on


# --- time and restarts --------------------------------------------------------------------------

async def test_restart_mid_flow_resumes_and_saves_once(bot):
    await bot.send(WORKER, "/visit")
    await bot.tap(WORKER, "5")
    assert "宣传群众多少人" in bot.last_text(WORKER)
    await bot.restart()                                   # a crash or an upgrade in the middle
    assert await entries_of(bot) == []                    # nothing half-saved
    await bot.send(WORKER, "20")                          # the flow goes on where it stood
    assert "安装APP多少人" in bot.last_text(WORKER)
    await bot.tap(WORKER, "没有")
    await bot.tap(WORKER, "今天")
    await bot.restart()
    await bot.tap(WORKER, "确认")                         # the typed choice survives too
    [entry] = await entries_of(bot)
    assert entry.measures == {"households": 5, "people": 20}


async def test_abandoned_flow_does_not_swallow_later_text(bot):
    taken = free_texts(bot)
    await bot.send(WORKER, "/poster")
    await to_card(bot, "3", "没有")
    assert "张贴在哪里" in bot.last_text(WORKER)          # left standing at the place question
    bot.clock.advance(timedelta(hours=3))
    await bot.send(WORKER, "入户15户")
    assert taken == ["入户15户"]                          # a one-line report, not a poster address
    assert (await conv_of(bot)).flow is None and await entries_of(bot) == []


async def test_starting_another_flow_ends_the_first(bot):
    await bot.send(CONTACT, "/poster")
    await to_card(bot, "3", "没有", uid=CONTACT)
    assert "张贴在哪里" in bot.last_text(CONTACT)          # the poster draft waits for its place
    await bot.send(CONTACT, "/report")
    conv = await conv_of(bot, CONTACT)
    assert conv.flow != "log" and "kind" not in conv.data  # the poster draft is gone
    await bot.tap(CONTACT, "11月25日")
    await bot.tap(CONTACT, "添加说明")
    await bot.send(CONTACT, "重点走访了老人")
    assert "说明：重点走访了老人" in bot.last_text(CONTACT)   # the note went to the report, not the poster
    await bot.tap(CONTACT, "确认报送")
    [sub] = await bot.storage.submissions.current("monthly-25:2026-11")
    assert sub.note == "重点走访了老人"
    assert (await conv_of(bot, CONTACT)).flow is None and await entries_of(bot, CONTACT) == []


async def test_the_log_menu_ends_another_flow(bot):
    await bot.send(CONTACT, "/report")
    await bot.tap(CONTACT, "11月25日")
    await bot.tap(CONTACT, "添加说明")                    # the report now waits for a note
    await bot.send(CONTACT, "登记")
    await bot.tap(CONTACT, "发放宣传单")                  # the kind's number, not a note
    assert "宣传单多少份" in bot.last_text(CONTACT)
    conv = await conv_of(bot, CONTACT)
    assert conv.flow == "log" and conv.data["kind"] == "leaflet"
    await to_card(bot, "200", "今天", "确认", uid=CONTACT)
    [entry] = await entries_of(bot, CONTACT)
    assert entry.measures == {"leaflets": 200}
    assert await bot.storage.submissions.current("monthly-25:2026-11") == []


async def test_abandoned_card_cannot_be_confirmed(bot):
    await bot.send(WORKER, "/app")
    await to_card(bot, "5", "今天")
    ok = await menu_action(bot, "确认")
    bot.clock.advance(timedelta(hours=3))
    await bot.act(WORKER, ok)
    assert "已处理过或已过期" in bot.last_text(WORKER)
    assert await entries_of(bot) == [] and (await conv_of(bot)).flow is None


# --- English -------------------------------------------------------------------------------------

async def test_english_flow_has_one_date_format_and_english_quotes(bot):
    await bot.send(WORKER, "/lang en")
    await bot.send(WORKER, "/broadcast")
    await bot.send(WORKER, "2")
    assert "e.g. 2026-11-22" in bot.last_text(WORKER)
    await bot.send(WORKER, "11-10")
    assert "(2026-11-17 to 2026-11-24)" in bot.last_text(WORKER)
    await bot.send(WORKER, "yesterday")
    assert "2026-11-23" in bot.last_text(WORKER)
    await bot.tap(WORKER, "Confirm")
    assert "Saved: broadcast 2." in bot.last_text(WORKER)
    said = "\n".join(bot.texts(WORKER)[-5:])
    assert not any(ch in said for ch in "“”「」，。：")
    [entry] = await entries_of(bot)
    assert entry.measures == {"broadcasts": 2}


# --- the catalogues ------------------------------------------------------------------------------

def test_every_catalogue_key_is_defined_once_and_used():
    """A key defined twice hides one of them; a key no code asks for is dead text to translate.
    Keys built at run time (f"kind-{kind}") count as used when their pattern matches."""
    code = "".join(path.read_text("utf-8") for folder in ("bot", "handlers", "schedules", "channels", "storage")
                   for path in (ROOT / folder).rglob("*.py"))
    built = [re.compile(re.sub(r"\\\{[^}]*\\\}", "[a-z0-9_-]+", re.escape(f)))
             for f in re.findall(r"f[\"']([a-z0-9_-]+-\{[^}]*\}[a-z0-9_-]*)[\"']", code)]
    for lang in ("zh", "en"):
        catalogue = (ROOT / "bot" / "locale" / lang / "strings.ftl").read_text("utf-8")
        defined = re.findall(r"^([a-z][a-z0-9_-]*) =", catalogue, re.MULTILINE)
        assert sorted(k for k in set(defined) if defined.count(k) > 1) == [], lang
        unused = {k for k in defined if f'"{k}"' not in code and f"'{k}'" not in code
                  and not any(p.fullmatch(k) for p in built)}
        assert unused == set(), lang


async def test_a_look_alike_digit_presses_no_number_button(bot):
    await bot.send(WORKER, "/visit")
    await bot.send(WORKER, "²")
    assert "填个数字就行" in bot.last_text(WORKER) and (await conv_of(bot)).data["measures"] == {}
