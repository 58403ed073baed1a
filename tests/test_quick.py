"""One-line reports: the card, saving it exactly once, changing a figure, photos, edits."""
from __future__ import annotations

import hashlib
import io
import json
import pathlib
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from .conftest import OFFICE, WORKER, WORKER2

SINCE = date(2026, 1, 1)


async def entries_of(bot, uid: int):
    return await bot.storage.entries.for_user((await bot.user(uid)).id, SINCE)


async def all_cards(bot, uid: int) -> int:
    """How many cards the person has, open or used."""
    row = await bot.storage.db.fetchone("SELECT COUNT(*) FROM cards WHERE user_id = ?", ((await bot.user(uid)).id,))
    return row[0]


async def waiting(bot, uid: int) -> list[dict]:
    """The bare photos kept on the person's conversation for their next report."""
    conv = await bot.storage.conversations.load((await bot.user(uid)).id)
    return [p["photo"] for p in (conv.photo or {}).get("waiting", [])]


async def cards_of(bot, uid: int) -> list[dict]:
    """The person's open cards, oldest first, with their data."""
    rows = await bot.storage.db.fetchall("SELECT token, data, source FROM cards WHERE user_id = ? AND used_at IS NULL "
                                         "ORDER BY rowid",
                                         ((await bot.user(uid)).id,))
    return [{"token": r["token"], "data": json.loads(r["data"]), "source": r["source"]} for r in rows]


# --- the card and saving it ---------------------------------------------------------------

async def test_one_line_report_card_then_save_once(bot):
    await bot.send(WORKER, "今天入户走访15户，发放宣传单30份，指导安装国家反诈中心APP 8人")
    card = bot.last_text(WORKER)
    assert "入户 15户" in card and "宣传单 30份" in card and "安装APP 8人" in card and "11月24日" in card
    [open_card] = await cards_of(bot, WORKER)
    assert await entries_of(bot, WORKER) == []            # nothing before 保存
    await bot.tap(WORKER, "保存")
    entries = await entries_of(bot, WORKER)
    assert {e.kind: e.measures for e in entries} == {
        "visit": {"households": 15, "app_installs": 8}, "leaflet": {"leaflets": 30}}
    assert all(e.source == "quick" for e in entries) and "已保存" in bot.last_text(WORKER)
    assert await cards_of(bot, WORKER) == []              # the card is used up
    # a second tap on the same card (a new event) saves nothing more and says why
    await bot.act(WORKER, f"quick:save:{open_card['token']}")
    assert "已处理过" in bot.last_text(WORKER)
    assert len(await entries_of(bot, WORKER)) == 2


@pytest.mark.parametrize(("typed", "day", "unread"), [
    ("昨天入户15户", date(2026, 11, 23), None),
    ("11月21日入户15户，海报3张", date(2026, 11, 21), None),
    ("22号入户15户", date(2026, 11, 22), None),
    ("入户15户 3组16号 4组2号", date(2026, 11, 24), None),     # house numbers: not a day
    ("入户15户 幸福路12号", date(2026, 11, 24), None),
    ("入户15户，李家湾20号、22号", date(2026, 11, 24), None),   # a list of doors, not a day
    ("入户15户 李家湾5号", date(2026, 11, 24), None),
    ("入户15户，22号", date(2026, 11, 22), None),
    ("28号入户15户", date(2026, 11, 24), "28号"),              # October's 28th: out of the week, shown
])
async def test_the_day_a_report_names_is_its_day(bot, typed, day, unread):
    """'昨天入户15户' is yesterday's work, never silently today's; a day out of the week is
    shown as not understood and the card stays on today (修改 changes it)."""
    await bot.send(WORKER, typed)
    [card] = await cards_of(bot, WORKER)
    assert card["data"]["day"] == day.isoformat()
    assert (f"没看懂：“{unread}”" in bot.last_text(WORKER)) if unread else "没看懂" not in bot.last_text(WORKER)
    await bot.tap(WORKER, "保存")
    assert {e.happened_on for e in await entries_of(bot, WORKER)} == {day}


async def test_typed_save_word_saves_the_card(bot):
    await bot.send(WORKER, "海报3张")
    await bot.send(WORKER, "保存")                          # typed, not tapped
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"posters": 3}
    await bot.send(WORKER, "入户5户")
    await bot.send(WORKER, "确认")
    assert sorted(e.kind for e in await entries_of(bot, WORKER)) == ["poster", "visit"]
    await bot.send(WORKER, "保存")                          # typed again: nothing left to save
    assert "已处理过" in bot.last_text(WORKER) and len(await entries_of(bot, WORKER)) == 2


async def test_typed_save_with_no_matching_button_saves_the_newest_open_card(bot):
    await bot.send(WORKER, "海报3张")
    await bot.send(WORKER, "入户5户")
    await bot.send(WORKER, "/log")                         # other buttons now: 保存 matches none of them
    await bot.send(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"households": 5}             # the newest card
    [left] = await cards_of(bot, WORKER)
    assert left["data"]["figures"] == {"posters": 3}
    await bot.send(WORKER, "确认")                          # the receipt's 撤销 does not match either
    assert sorted(e.kind for e in await entries_of(bot, WORKER)) == ["poster", "visit"]
    await bot.send(WORKER, "保存")                          # none open: only now "handled or expired"
    assert "已处理过或已过期" in bot.last_text(WORKER) and len(await entries_of(bot, WORKER)) == 2


async def test_typed_save_with_no_matching_button_asks_about_a_large_figure(bot):
    await bot.send(WORKER, "入户300户")
    await bot.send(WORKER, "/log")
    await bot.send(WORKER, "保存")
    assert "确认无误吗" in bot.last_text(WORKER) and await entries_of(bot, WORKER) == []
    await bot.send(WORKER, "确认")                          # the yes to 确认无误
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"households": 300} and entry.flags == ["needs_review"]


async def test_typed_cancel_with_no_matching_button_drops_the_newest_open_card(bot):
    await bot.send(WORKER, "/lang en")
    await bot.send(WORKER, "海报3张")
    await bot.send(WORKER, "入户5户")
    await bot.send(WORKER, "/log")
    await bot.send(WORKER, "cancel")
    assert "Nothing was saved" in bot.last_text(WORKER)
    [left] = await cards_of(bot, WORKER)
    assert left["data"]["figures"] == {"posters": 3}
    await bot.send(WORKER, "save")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"posters": 3}


async def test_a_redelivered_save_saves_once(bot):
    await bot.send(WORKER, "海报3张")
    [card] = await cards_of(bot, WORKER)
    tap = f"quick:save:{card['token']}"
    await bot.chan.event(str(WORKER), action=tap, event_id="tap-1")
    assert await bot.chan.event(str(WORKER), action=tap, event_id="tap-1") == []   # the same event again
    await bot.chan.event(str(WORKER), action=tap, event_id="tap-2")              # a double tap
    assert "已处理过" in bot.last_text(WORKER)
    assert len(await entries_of(bot, WORKER)) == 1


async def test_a_failed_save_keeps_the_card(bot, monkeypatch):
    await bot.send(WORKER, "海报3张")

    async def broken(*args, **kw):
        raise RuntimeError("disk full")

    with monkeypatch.context() as m:
        m.setattr(bot.storage.entries, "add", broken)
        await bot.tap(WORKER, "保存")
    assert "出了点问题" in bot.last_text(WORKER)
    assert len(await cards_of(bot, WORKER)) == 1         # dropped only with a real save
    await bot.send(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"posters": 3} and await cards_of(bot, WORKER) == []


async def test_one_line_without_figures_gets_hint_and_menu(bot):
    await bot.send(WORKER, "今天没有开展活动")
    assert "没看到数字" in bot.last_text(WORKER) and "入户走访" in bot.last_text(WORKER)
    assert await cards_of(bot, WORKER) == []


async def test_card_says_what_it_could_not_read(bot):
    await bot.send(WORKER, "今天走访了十五户 发传单30分")
    card = bot.last_text(WORKER)
    assert "入户 15户" in card and "没看懂：“发传单30分”" in card
    await bot.send(WORKER, "发传单30分")
    assert "没看懂：“发传单30分”" in bot.last_text(WORKER) and "没看到数字" in bot.last_text(WORKER)


async def test_card_shows_totals_breakdowns_and_ranges_and_saves_only_what_was_done(bot):
    """Issue 11: a 累计 figure and a 其中 breakdown are shown as not added; a range is marked."""
    await bot.send(WORKER, "新装反诈APP8人，累计安装126人，入户15户 其中3组8户 5组7户，劝阻五六个人")
    card = bot.last_text(WORKER)
    assert "安装APP 8人" in card and "入户 15户" in card and "劝阻 5人" in card
    assert "不重复计入：“累计安装126人”“其中3组8户”“5组7户”" in card
    assert "约数按较小的数记：劝阻 5人" in card and "没看懂" not in card
    await bot.tap(WORKER, "保存")
    entries = await entries_of(bot, WORKER)
    assert {e.kind: e.measures for e in entries} == {
        "visit": {"households": 15, "app_installs": 8}, "dissuade": {"dissuasions": 5}}


async def test_a_number_changed_on_the_card_is_no_longer_approximate(bot):
    await bot.send(WORKER, "入户七八户")
    assert "约数按较小的数记：入户 7户" in bot.last_text(WORKER)
    await bot.tap(WORKER, "修改")
    await bot.tap(WORKER, "入户 7户")
    await bot.send(WORKER, "8")
    assert "入户 8户" in bot.last_text(WORKER) and "约数" not in bot.last_text(WORKER)
    [card] = await cards_of(bot, WORKER)
    assert card["data"]["approx"] == [] and card["data"]["figures"] == {"households": 8}


async def test_new_kinds_are_saved_apart_and_dissuasion_is_never_people(bot):
    await bot.send(WORKER, "宣传群众30人，电话劝阻2人，回访受害人1人，群发短信200条，收回回执40份")
    await bot.tap(WORKER, "保存")
    entries = await entries_of(bot, WORKER)
    assert {e.kind: e.measures for e in entries} == {
        "visit": {"people": 30}, "sms": {"sms": 200}, "receipt": {"receipts": 40},
        "dissuade": {"dissuasions": 2, "follow_ups": 1}}
    assert "已保存" in bot.last_text(WORKER) and "短信提醒 200条" in bot.last_text(WORKER)
    await bot.send(OFFICE, "/summary")                   # the office sees them, on a line of their own
    summary = "\n".join(bot.texts(OFFICE))
    assert "回执 40 份 · 短信 200 条" in summary and "宣传 30 人" in summary
    assert any(line.startswith("　宣传品") and "短信 200 条" in line for line in summary.splitlines())  # the village's too
    await bot.send(OFFICE, "/export")                    # the table reads kinds generically: the new ones too
    [(name, data)] = bot.documents(OFFICE)
    book = load_workbook(io.BytesIO(data))
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert name.endswith(".xlsx") and any("200" in c for c in cells)   # the 200 text messages are in it
    await bot.send(WORKER, "/sms")                       # each kind has its command, as the first seven
    assert "短信多少条" in bot.last_text(WORKER)


async def test_a_site_card_hints_at_its_own_command(bot):
    await bot.send(WORKER, "更新宣传栏3处")
    card = bot.last_text(WORKER)
    assert "宣传阵地 3处" in card and "/site" in card and "/poster" not in card
    await bot.tap(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.kind == "site" and entry.measures == {"sites": 3}


async def test_only_a_running_total_saves_nothing_and_says_so(bot):
    await bot.send(WORKER, "累计安装126人")
    said = bot.last_text(WORKER)
    assert "不重复计入：“累计安装126人”" in said and "没看到数字" in said
    assert await cards_of(bot, WORKER) == []


async def test_absurd_figures_are_not_read(bot):
    for text in ("入户4611686018427387904户", "入户9999999999999999999999万户"):
        await bot.send(WORKER, text)
        assert "没看懂" in bot.last_text(WORKER)
    assert await cards_of(bot, WORKER) == []


async def test_large_one_line_needs_confirmation(bot):
    await bot.send(WORKER, "发放宣传单900份")
    await bot.tap(WORKER, "保存")
    assert "确认无误吗" in bot.last_text(WORKER) and await entries_of(bot, WORKER) == []
    await bot.tap(WORKER, "确认无误")
    [entry] = await entries_of(bot, WORKER)
    assert entry.flags == ["needs_review"]
    await bot.send(WORKER, "入户300户")
    await bot.send(WORKER, "保存")
    assert "确认无误吗" in bot.last_text(WORKER)
    await bot.send(WORKER, "确认")                          # typed: a yes to 确认无误吗
    assert [e.measures for e in await entries_of(bot, WORKER) if e.kind == "visit"] == [{"households": 300}]


async def test_households_beyond_registered_are_flagged(bot):
    # BHQ (百花桥村) has 470 registered households
    for n in (200, 200):
        await bot.send(WORKER, f"入户{n}户")
        await bot.tap(WORKER, "保存")
    await bot.send(WORKER2, "入户100户")
    await bot.tap(WORKER2, "保存")
    [entry] = await entries_of(bot, WORKER2)
    assert entry.flags == ["over_registered"]


async def test_cancel_drops_the_card(bot):
    await bot.send(WORKER, "海报3张")
    [card] = await cards_of(bot, WORKER)
    await bot.tap(WORKER, "取消")
    assert "什么都没保存" in bot.last_text(WORKER) and await cards_of(bot, WORKER) == []
    await bot.act(WORKER, f"quick:save:{card['token']}")
    assert await entries_of(bot, WORKER) == []


async def test_forged_card_buttons_save_nothing(bot):
    await bot.send(WORKER2, "海报3张")
    [theirs] = await cards_of(bot, WORKER2)
    await bot.send(WORKER, "入户5户")
    [mine] = await cards_of(bot, WORKER)
    for data in ("quick:save", "quick:save:zz", "quick:save:ABCDEF12", "quick:nuke:" + mine["token"],
                 f"quick:save:{theirs['token']}", f"quick:fig:{mine['token']}:lectures",
                 f"quick:day:{mine['token']}:9", f"quick:day:{mine['token']}"):
        await bot.act(WORKER, data)
        assert "失效" in bot.last_text(WORKER) or "已处理过" in bot.last_text(WORKER), data
    assert await entries_of(bot, WORKER) == [] and await entries_of(bot, WORKER2) == []
    assert len(await cards_of(bot, WORKER2)) == 1


# --- a card lives two hours; several may be open ------------------------------------------

async def test_eight_open_cards_all_save(bot):
    for n in range(1, 9):
        await bot.send(WORKER, f"海报{n}张")
    cards = await cards_of(bot, WORKER)
    assert len(cards) == 8
    for card in cards:
        await bot.act(WORKER, f"quick:save:{card['token']}")
    assert sorted(e.measures["posters"] for e in await entries_of(bot, WORKER)) == list(range(1, 9))


async def test_a_card_expires_after_two_hours(bot):
    await bot.send(WORKER, "海报3张")
    [old] = await cards_of(bot, WORKER)
    bot.clock.advance(timedelta(hours=1, minutes=59))
    await bot.send(WORKER, "入户5户")                      # a second card; the first still open
    assert len(await cards_of(bot, WORKER)) == 2
    bot.clock.advance(timedelta(minutes=2))
    await bot.act(WORKER, f"quick:save:{old['token']}")
    assert "已过期" in bot.last_text(WORKER) and await entries_of(bot, WORKER) == []
    bot.clock.advance(timedelta(hours=2))
    await bot.send(WORKER, "横幅1条")
    await bot.tick()                                       # the scheduler clears the expired ones
    [card] = await cards_of(bot, WORKER)
    assert card["data"]["figures"] == {"banners": 1}


# --- an edited message is read again ------------------------------------------------------

async def test_editing_the_message_replaces_its_card(bot):
    await bot.send(WORKER, "海报3张", message_ref="m1")
    await bot.edit(WORKER, "m1", "海报5张，横幅1条")
    assert "重新识别" in bot.last_text(WORKER) and "海报 5张" in bot.last_text(WORKER)
    [card] = await cards_of(bot, WORKER)
    assert card["data"]["figures"] == {"posters": 5, "banners": 1} and card["source"] == "text:m1"
    await bot.send(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"posters": 5, "banners": 1}


async def test_editing_a_message_without_a_card_is_a_new_report(bot):
    await bot.send(WORKER, "今天下雨", message_ref="m2")   # no figures, no card
    await bot.edit(WORKER, "m2", "入户6户")
    assert "我读到的是" in bot.last_text(WORKER) and "重新识别" not in bot.last_text(WORKER)
    await bot.edit(WORKER, "m-unknown", "海报2张")         # a message the bot never saw
    assert len(await cards_of(bot, WORKER)) == 2
    await bot.edit(WORKER, "m2", "今天下大雨")             # edited to no figures: its card is void
    assert "重新识别" in bot.last_text(WORKER) and "没看到数字" in bot.last_text(WORKER)
    [left] = await cards_of(bot, WORKER)
    assert left["data"]["figures"] == {"posters": 2}


async def test_editing_a_saved_report_makes_no_second_card(bot):
    await bot.send(WORKER, "入户15户", message_ref="m5")
    await bot.tap(WORKER, "保存")
    await bot.edit(WORKER, "m5", "入户16户")
    assert "这条已保存" in bot.last_text(WORKER) and "/mine" in bot.last_text(WORKER)
    assert await cards_of(bot, WORKER) == [] and await all_cards(bot, WORKER) == 1
    await bot.send(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"households": 15}
    await bot.send(WORKER, "/lang en")
    await bot.edit(WORKER, "m5", "入户17户")
    assert "already saved" in bot.last_text(WORKER) and await all_cards(bot, WORKER) == 1


async def test_editing_a_cancelled_report_reads_it_afresh(bot):
    await bot.send(WORKER, "海报3张", message_ref="m6")
    await bot.tap(WORKER, "取消")
    await bot.edit(WORKER, "m6", "海报4张")
    assert "已保存" not in bot.last_text(WORKER) and "海报 4张" in bot.last_text(WORKER)
    [card] = await cards_of(bot, WORKER)
    assert card["data"]["figures"] == {"posters": 4}


async def test_an_edit_is_never_read_as_a_typed_word(bot):
    await bot.send(WORKER, "海报3张", message_ref="m7")
    await bot.send(WORKER, "好的", message_ref="m8")
    await bot.edit(WORKER, "m8", "保存")                   # a correction, not a tap
    assert await entries_of(bot, WORKER) == [] and len(await cards_of(bot, WORKER)) == 1


# --- 修改 changes one figure or the day ---------------------------------------------------

async def test_change_one_figure_then_save(bot):
    await bot.send(WORKER, "入户15户，发放宣传单30份")
    await bot.tap(WORKER, "修改")
    picker = bot.last_text(WORKER)
    assert "入户 15户" in picker and "宣传单 30份" in picker and "日期 11月24日" in picker
    await bot.tap(WORKER, "宣传单")
    assert "宣传单现在是 30份" in bot.last_text(WORKER)
    await bot.send(WORKER, "很多")                         # not a number: asked again
    assert "填个数字就行" in bot.last_text(WORKER)
    await bot.send(WORKER, "二十五")
    assert "宣传单 25份" in bot.last_text(WORKER) and "入户 15户" in bot.last_text(WORKER)
    [card] = await cards_of(bot, WORKER)
    assert card["data"]["figures"] == {"households": 15, "leaflets": 25}
    await bot.tap(WORKER, "保存")
    assert {e.kind: e.measures for e in await entries_of(bot, WORKER)} == {
        "visit": {"households": 15}, "leaflet": {"leaflets": 25}}


async def test_change_the_day_of_a_card(bot):
    await bot.send(WORKER, "海报3张")
    await bot.tap(WORKER, "修改")
    await bot.tap(WORKER, "日期")
    await bot.tap(WORKER, "昨天")
    assert "11月23日" in bot.last_text(WORKER)
    await bot.tap(WORKER, "修改")
    await bot.tap(WORKER, "日期")
    await bot.send(WORKER, "11-10")                        # over a week back: asked again
    assert "7 天内" in bot.last_text(WORKER)
    await bot.send(WORKER, "11月22日")
    await bot.tap(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.happened_on == date(2026, 11, 22)


async def test_the_day_question_gives_an_example_inside_the_window(bot):
    bot.clock.advance(timedelta(days=8))                   # 12月2日: "11-20" would be refused
    await bot.send(WORKER, "海报3张")
    await bot.tap(WORKER, "修改")
    await bot.tap(WORKER, "日期")
    assert "如 11月30日" in bot.last_text(WORKER) and "11-20" not in bot.last_text(WORKER)
    await bot.send(WORKER, "11-20")
    refusal = bot.last_text(WORKER)
    assert "11月25日 到 12月2日" in refusal and "如 11月30日" in refusal and "1 今天" in refusal
    await bot.send(WORKER, "11-28")
    await bot.tap(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.happened_on == date(2026, 11, 28)


async def test_save_typed_while_a_figure_is_asked_saves_the_card(bot):
    await bot.send(WORKER, "海报3张")
    await bot.tap(WORKER, "修改")
    await bot.tap(WORKER, "海报")
    await bot.send(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"posters": 3} and await cards_of(bot, WORKER) == []


async def test_look_alike_digits_are_not_a_figure(bot):
    await bot.send(WORKER, "海报3张")
    await bot.tap(WORKER, "修改")
    await bot.tap(WORKER, "海报")
    await bot.send(WORKER, "²")
    assert "填个数字就行" in bot.last_text(WORKER)
    [card] = await cards_of(bot, WORKER)
    assert card["data"]["figures"] == {"posters": 3}


async def test_a_new_report_while_a_figure_is_asked_is_read_as_one(bot):
    await bot.send(WORKER, "海报3张")
    await bot.tap(WORKER, "修改")
    await bot.tap(WORKER, "海报")
    await bot.send(WORKER, "入户20户，横幅2条")
    assert "我读到的是" in bot.last_text(WORKER)
    cards = await cards_of(bot, WORKER)
    assert [c["data"]["figures"] for c in cards] == [{"posters": 3}, {"households": 20, "banners": 2}]


# --- photos -------------------------------------------------------------------------------

async def test_captioned_photo_is_a_report_with_evidence(bot):
    await bot.photo(WORKER, b"poster-photo", caption="海报3 横幅1")
    assert "照片：1 张" in bot.last_text(WORKER)
    await bot.tap(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"posters": 3, "banners": 1} and entry.evidence_count == 1
    row = await bot.storage.db.fetchone("SELECT sha256, path FROM evidence WHERE entry_id = ?", (entry.id,))
    assert row[0] == hashlib.sha256(b"poster-photo").hexdigest()
    assert pathlib.Path(row[1]).read_bytes() == b"poster-photo"


async def test_same_photo_twice_is_flagged(bot):
    await bot.photo(WORKER, b"same-bytes", caption="海报2")
    await bot.tap(WORKER, "保存")
    await bot.photo(WORKER2, b"same-bytes", caption="海报2")   # another upload of the same picture
    await bot.tap(WORKER2, "保存")
    assert "照片重复使用" in bot.last_text(WORKER2)
    [first] = await entries_of(bot, WORKER)
    [second] = await entries_of(bot, WORKER2)
    assert first.flags == [] and second.flags == ["duplicate_evidence"]


async def test_a_bare_photo_goes_with_the_next_report(bot):
    await bot.photo(WORKER, b"wall-photo")
    assert "照片已收到" in bot.last_text(WORKER) and "海报3张" in bot.last_text(WORKER)
    [kept] = await waiting(bot, WORKER)
    assert kept["sha256"] == hashlib.sha256(b"wall-photo").hexdigest()
    bot.clock.advance(timedelta(minutes=9))
    await bot.send(WORKER, "海报3张")
    assert "照片：1 张" in bot.last_text(WORKER)
    await bot.tap(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.evidence_count == 1
    assert await waiting(bot, WORKER) == []


async def test_a_bare_photo_waits_ten_minutes_only(bot):
    await bot.photo(WORKER, b"old-photo")
    bot.clock.advance(timedelta(minutes=11))
    await bot.send(WORKER, "海报3张")
    assert "照片：" not in bot.last_text(WORKER)
    await bot.tap(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.evidence_count == 0


async def test_bare_photos_all_go_with_the_next_report_nine_at_most(bot):
    await bot.photo(WORKER, b"old")
    bot.clock.advance(timedelta(minutes=6))
    for n in range(10):
        await bot.photo(WORKER, f"wall-{n}".encode())
    assert "最多 9 张" in bot.last_text(WORKER) and len(await waiting(bot, WORKER)) == 9
    bot.clock.advance(timedelta(minutes=5))                # "old" is 11 minutes old now
    await bot.send(WORKER, "海报9张")
    assert "照片：8 张" in bot.last_text(WORKER)
    await bot.tap(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.evidence_count == 8 and await waiting(bot, WORKER) == []
    rows = await bot.storage.db.fetchall("SELECT sha256 FROM evidence WHERE entry_id = ?", (entry.id,))
    assert {r[0] for r in rows} == {hashlib.sha256(f"wall-{n}".encode()).hexdigest() for n in range(8)}


async def test_a_bare_photo_just_after_a_card_joins_that_card(bot):
    await bot.send(WORKER, "入户5户")
    await bot.send(WORKER, "海报3张")
    bot.clock.advance(timedelta(minutes=5))
    await bot.photo(WORKER, b"wall")
    await bot.photo(WORKER, b"wall", ref="again")          # the same picture again: counted once
    text = bot.last_text(WORKER)
    assert "照片已加到" in text and "照片：1 张" in text and "海报 3张" in text
    visit, poster = await cards_of(bot, WORKER)
    assert len(poster["data"]["photos"]) == 1 and visit["data"]["photos"] == []
    assert await waiting(bot, WORKER) == []
    await bot.tap(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"posters": 3} and entry.evidence_count == 1
    bot.clock.advance(timedelta(minutes=6))                # the visit card was shown 11 minutes ago
    await bot.photo(WORKER, b"door")
    assert "照片已收到" in bot.last_text(WORKER) and len(await waiting(bot, WORKER)) == 1
    [visit] = await cards_of(bot, WORKER)
    assert visit["data"]["photos"] == []


async def test_a_photo_the_channel_could_not_fetch_keeps_its_references(bot):
    await bot.photo(WORKER, None, ref="nofetch")
    await bot.photo(WORKER, b"", ref="empty")              # fetched, but nothing came
    assert "照片已收到（共 2 张）" in bot.last_text(WORKER)
    await bot.photo(WORKER, None, caption="海报2张", ref="nofetch2")
    await bot.tap(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.evidence_count == 3
    rows = await bot.storage.db.fetchall("SELECT file_id, sha256, path FROM evidence WHERE entry_id = ?", (entry.id,))
    assert sorted(tuple(r) for r in rows) == [("empty", None, None), ("nofetch", None, None), ("nofetch2", None, None)]


async def test_a_location_outside_a_flow_gets_a_hint(bot):
    await bot.location(WORKER)
    assert "收到位置" in bot.last_text(WORKER) and "/log" in bot.last_text(WORKER)
    assert await cards_of(bot, WORKER) == []


async def test_typed_cancel_word_with_no_matching_button_drops_the_newest_open_card(bot):
    await bot.send(WORKER, "海报3张")
    await bot.send(WORKER, "入户5户")
    await bot.send(WORKER, "/log")
    await bot.send(WORKER, "取消")
    assert "什么都没保存" in bot.last_text(WORKER)
    [left] = await cards_of(bot, WORKER)
    assert left["data"]["figures"] == {"posters": 3}
    await bot.send(WORKER, "/cancel")
    await bot.send(WORKER, "/cancel")
    assert "现在没有进行中的操作" in bot.last_text(WORKER) and await cards_of(bot, WORKER) == []
    assert await entries_of(bot, WORKER) == []


async def test_an_edit_two_days_later_still_knows_the_card_was_saved(bot):
    await bot.send(WORKER, "入户15户", message_ref="m9")
    await bot.send(WORKER, "保存")
    bot.clock.advance(timedelta(hours=47))
    await bot.tick()                                        # tidying keeps used cards 48 hours
    await bot.edit(WORKER, "m9", "入户16户")
    assert "已保存" in bot.last_text(WORKER)
    assert [e.measures for e in await entries_of(bot, WORKER)] == [{"households": 15}]
    bot.clock.advance(timedelta(hours=2))
    await bot.tick()
    rows = await bot.storage.db.fetchall("SELECT token FROM cards")
    assert rows == []                                       # past the edit window: forgotten
