"""Found by walking the merged bot as a grid worker and a village contact would meet it:
a warning card that arrives in the middle of /log, and /report next to /deadlines."""
from __future__ import annotations

import re
from datetime import date

from .conftest import CONTACT, OFFICE, WORKER
from .test_warnings import ROWS, by_phone, imported


async def in_log_when_a_warning_comes(bot) -> None:
    await bot.send(WORKER, "/log")
    await bot.tap(WORKER, "入户走访")
    await bot.send(WORKER, "12")                      # households; now asked for people reached
    await imported(bot, ROWS[0])                      # the warning card arrives meanwhile
    assert "紧急预警" in bot.last_text(WORKER)


async def finish_log(bot) -> None:
    await bot.send(WORKER, "3")                       # people: the /log step, not the warning's note
    await bot.send(WORKER, "1")                       # APP installs
    await bot.tap(WORKER, "今天")
    await bot.tap(WORKER, "确认")
    user = await bot.user(WORKER)
    [entry] = await bot.storage.entries.for_user(user.id, date(2026, 1, 1))
    assert entry.measures == {"households": 12, "people": 3, "app_installs": 1}


async def test_an_outcome_tapped_in_the_middle_of_log_keeps_the_log_going(bot):
    await in_log_when_a_warning_comes(bot)
    w = await by_phone(bot, "13812341234")
    await bot.act(WORKER, f"warn:phone:{w.id}:{w.round}")
    assert "接着做" in bot.last_text(WORKER)
    await finish_log(bot)
    w = await by_phone(bot, "13812341234")
    assert (w.status, w.outcome, w.note) == ("closed", "phone", None)


async def test_an_outcome_typed_in_the_middle_of_log_is_the_cards_and_the_log_goes_on(bot):
    await in_log_when_a_warning_comes(bot)
    await bot.send(WORKER, "已电话劝阻")
    w = await by_phone(bot, "13812341234")
    assert (w.status, w.outcome) == ("closed", "phone")
    await finish_log(bot)


async def test_undo_of_an_outcome_in_the_middle_of_log_keeps_the_log(bot):
    await in_log_when_a_warning_comes(bot)
    w = await by_phone(bot, "13812341234")
    await bot.act(WORKER, f"warn:met:{w.id}:{w.round}")
    await bot.act(WORKER, f"warn:undo:{w.id}")
    assert (await by_phone(bot, "13812341234")).status == "open"
    await finish_log(bot)



async def test_report_offers_every_overdue_period_deadlines_lists(bot):
    await bot.send(CONTACT, "/deadlines")                # 24 Nov: three coming, five overdue
    listed = re.findall(r"(\d+月\d+日) .+ · ❗ 已逾期", bot.last_text(CONTACT))
    await bot.send(CONTACT, "/report")
    offered = re.findall(r"\d+ .+?（(\d+月\d+日)截止，已逾期）", bot.last_text(CONTACT))
    assert len(listed) == 5 and sorted(offered) == sorted(listed)


async def test_two_kinds_saved_at_once_read_the_english_way(bot):
    await bot.send(WORKER, "/lang en")
    await bot.send(WORKER, "入户15户，海报3张")
    await bot.tap(WORKER, "Save")
    said = bot.last_text(WORKER)
    assert "households 15; posters and banners posters 3" in said
    assert not set("；，。：") & set(said), said


async def test_help_is_short_and_names_log_for_every_kind(bot):
    await bot.send(WORKER, "/help")
    said = bot.last_text(WORKER)
    assert "/log" in said and "/warnings" in said and "/visit" not in said and "/poster" not in said
    assert len(said.splitlines()) <= 16, said
    await bot.send(WORKER, "/visit")                     # a kind's own command still works
    assert "入户多少户" in bot.last_text(WORKER)


async def test_an_english_summary_writes_every_day_one_way(bot):
    await bot.send(OFFICE, "/lang en")
    await bot.send(OFFICE, "/summary")
    said = bot.last_text(OFFICE)
    assert "due 2026-11-20" in said and "by 2026-12-31" in said
    assert not re.search(r"\b(20/11|31/12|30/9)\b", said), said


async def test_one_warning_is_one_warning_in_english(bot):
    await imported(bot, ROWS[0])
    await bot.send(OFFICE, "/lang en")
    await bot.send(OFFICE, "/warnings")
    assert bot.last_text(OFFICE).startswith("1 open warning:")


async def test_a_warning_card_sent_later_speaks_the_workers_language(bot):
    await bot.send(WORKER, "/lang en")
    await imported(bot, ROWS[0])
    card = bot.last_text(WORKER)
    assert "You can reply: Met, dissuaded" in card and "可回复" not in card



async def conv_flow(bot, uid=WORKER):
    return (await bot.storage.conversations.load((await bot.user(uid)).id)).flow


async def test_the_new_number_typed_right_after_change_goes_to_the_cards_one_figure(bot):
    await bot.send(WORKER, "短信200条")
    await bot.tap(WORKER, "修改")
    await bot.send(WORKER, "300")                     # not first tapping 短信 200条: still meant for it
    assert "短信 300条" in bot.last_text(WORKER)
    await bot.tap(WORKER, "保存")
    user = await bot.user(WORKER)
    [entry] = await bot.storage.entries.for_user(user.id, date(2026, 1, 1))
    assert entry.measures == {"sms": 300}


async def test_a_bare_number_with_two_figures_asks_which_again_and_keeps_the_card(bot):
    await bot.send(WORKER, "入户15户，海报3张")
    await bot.tap(WORKER, "修改")
    await bot.send(WORKER, "300")
    assert "改哪一项" in bot.last_text(WORKER) and await conv_flow(bot) == "quick"
    await bot.tap(WORKER, "海报")
    await bot.send(WORKER, "4")
    assert "海报 4张" in bot.last_text(WORKER) and "入户 15户" in bot.last_text(WORKER)


async def test_a_contact_in_the_middle_of_report_records_an_outcome_and_still_submits_by_word(bot):
    await bot.send(WORKER, "入户15户")
    await bot.tap(WORKER, "保存")
    await bot.act(CONTACT, "report:pick:monthly-25:2026-11")
    await imported(bot, ROWS[0].replace("BHQ-1", "BHQ"))        # a village's warning: the contact's
    await bot.send(CONTACT, "已电话劝阻")
    assert "接着做" in bot.last_text(CONTACT) and "回复 1" not in bot.last_text(CONTACT)
    await bot.send(CONTACT, "确认报送")                           # the report card's word still works
    [sub] = await bot.storage.submissions.current("monthly-25:2026-11")
    assert sub.figures == {"households": 15}
    assert (await by_phone(bot, "13812341234")).outcome == "phone"


async def test_a_report_typed_at_the_day_question_is_not_called_a_day_out_of_the_week(bot):
    await bot.send(WORKER, "/log")
    await bot.tap(WORKER, "短信提醒")
    await bot.send(WORKER, "200")
    await bot.send(WORKER, "短信200条")
    said = bot.last_text(WORKER)
    assert "没看懂“短信200条”是哪天" in said and "只能记最近" not in said
    await bot.send(WORKER, "11月1日")                     # a real day, out of the week: said so
    assert "只能记最近 7 天内的" in bot.last_text(WORKER)


async def live_entries(bot, uid=WORKER):
    return await bot.storage.entries.for_user((await bot.user(uid)).id, date(2026, 1, 1))


async def test_undo_typed_after_saving_undoes_the_one_entry_or_lists_them(bot):
    await bot.send(WORKER, "短信200条")
    await bot.tap(WORKER, "保存")
    await bot.send(WORKER, "撤销")                      # the message said: 记错了可点下面的撤销
    assert await live_entries(bot) == [] and "已撤销" in bot.last_text(WORKER)
    await bot.send(WORKER, "入户15户，海报3张")
    await bot.tap(WORKER, "保存")
    await bot.send(WORKER, "撤销")                      # two just saved: which one? the list, nothing undone
    assert len(await live_entries(bot)) == 2 and "点编号可撤销或修改" in bot.last_text(WORKER)
