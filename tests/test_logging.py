"""Guided flows, one-line reports, evidence, truthfulness flags, corrections."""
from __future__ import annotations

from datetime import date

from .conftest import OFFICE, STRANGER, WORKER, WORKER2
from .helpers import Harness, message_json, sticker_json, update_json


def photo_msg(uid: int, file_id: str, caption: str | None = None) -> dict:
    extra = {"photo": [{"file_id": file_id, "file_unique_id": file_id + "-u", "width": 90, "height": 90}]}
    if caption:
        extra["caption"] = caption
    return update_json(message=message_json(uid, None, **extra))


def location_msg(uid: int, lat: float = 29.5, lon: float = 107.4) -> dict:
    return update_json(message=message_json(uid, None, location={"latitude": lat, "longitude": lon}))


async def entries_of(bot, uid: int, since: date = date(2026, 1, 1)):
    user = await bot.storage.users.by_telegram_id(uid)
    return await bot.storage.entries.for_user(user.id, since)


async def test_guided_visit_saves_everything(bot):
    await bot.send(WORKER, "/visit")
    await bot.press_label(WORKER, "10")            # households
    await bot.send(WORKER, "二十")                  # people, a Chinese numeral
    await bot.press_label(WORKER, "没有")           # pledges
    await bot.send(WORKER, "８")                    # installs, full-width
    await bot.send(WORKER, "3组12号，3组14号\n3组16号")
    await bot.send(WORKER, "跳过")                  # place (optional)
    await bot.press_label(WORKER, "跳过")           # photo (optional)
    await bot.press_label(WORKER, "昨天")
    card = bot.last_text(WORKER)
    assert "入户 10户" in card and "宣传群众 20人" in card and "安装APP 8人" in card and "11月23日" in card
    assert await entries_of(bot, WORKER) == []     # nothing before 确认
    await bot.press_label(WORKER, "确认")
    [entry] = await entries_of(bot, WORKER)
    assert entry.kind == "visit" and entry.source == "flow"
    assert entry.measures == {"households": 10, "people": 20, "app_installs": 8}
    assert entry.happened_on == date(2026, 11, 23) and entry.households_listed == 3
    assert "已保存" in bot.last_text(WORKER)


async def test_poster_needs_place_and_photo(bot):
    bot.api.files["ph1"] = b"jpeg-bytes-1"
    await bot.send(WORKER, "/poster")
    await bot.press_label(WORKER, "3")             # posters
    for _ in range(3):
        await bot.press_label(WORKER, "没有")       # banners, slogans, boards
    assert "必填" in bot.last_text(WORKER)          # place required, no skip offered
    await bot.feed(photo_msg(WORKER, "ph1"))       # a photo where a place is asked
    assert "张贴在哪里" in bot.last_text(WORKER)
    await bot.feed(location_msg(WORKER))
    assert "照片" in bot.last_text(WORKER)
    await bot.send(WORKER, "没有照片")               # text where a photo is asked
    assert "照片" in bot.last_text(WORKER)
    await bot.feed(photo_msg(WORKER, "ph1"))
    await bot.press_label(WORKER, "今天")
    await bot.press_label(WORKER, "确认")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"posters": 3} and entry.lat == 29.5 and entry.evidence_count == 1
    row = await bot.storage.db.fetchone("SELECT sha256, path FROM evidence WHERE entry_id = ?", (entry.id,))
    import hashlib, pathlib
    assert row[0] == hashlib.sha256(b"jpeg-bytes-1").hexdigest()
    assert pathlib.Path(row[1]).read_bytes() == b"jpeg-bytes-1"


async def test_wrong_answers_reask_and_keep_the_flow(bot):
    await bot.send(WORKER, "/leaflet")
    await bot.send(WORKER, "很多")
    assert "填个数字就行" in bot.last_text(WORKER) and "宣传单多少份" in bot.last_text(WORKER)
    await bot.send(WORKER, "-3")
    assert "填个数字就行" in bot.last_text(WORKER)
    await bot.feed(sticker_json(WORKER))
    assert "宣传单多少份" in bot.last_text(WORKER)
    await bot.send(WORKER, "30份")
    assert "在哪里" in bot.last_text(WORKER)


async def test_day_never_future_nor_over_a_week(bot):
    await bot.send(WORKER, "/push")
    await bot.press_label(WORKER, "2")
    await bot.send(WORKER, "跳过")
    await bot.press_label(WORKER, "跳过")
    await bot.send(WORKER, "11-25")
    assert "7 天内" in bot.last_text(WORKER)
    await bot.send(WORKER, "11-10")
    assert "7 天内" in bot.last_text(WORKER)
    await bot.send(WORKER, "11月20日")
    assert "11月20日" in bot.last_text(WORKER)


async def test_cancel_saves_nothing(bot):
    await bot.send(WORKER, "/app")
    await bot.press_label(WORKER, "5")
    await bot.send(WORKER, "/cancel")
    assert "什么都没保存" in bot.last_text(WORKER)
    await bot.send(WORKER, "3")  # no longer in a flow: read as a one-line report with no figures
    assert await entries_of(bot, WORKER) == []


async def test_implausible_needs_second_confirmation_and_is_flagged(bot):
    await bot.send(WORKER, "/visit")
    await bot.send(WORKER, "300")
    for _ in range(3):
        await bot.press_label(WORKER, "没有")
    await bot.press_label(WORKER, "跳过")
    await bot.send(WORKER, "跳过")
    await bot.press_label(WORKER, "跳过")
    await bot.press_label(WORKER, "今天")
    await bot.press_label(WORKER, "确认")
    assert "确认无误吗" in bot.last_text(WORKER) and await entries_of(bot, WORKER) == []
    await bot.press_label(WORKER, "确认无误")
    [entry] = await entries_of(bot, WORKER)
    assert entry.flags == ["needs_review"]  # 300 is within BHQ's 470 registered households
    assert "平安办复核" in bot.last_text(WORKER)


async def test_one_line_report_card_then_save_once(bot):
    await bot.send(WORKER, "今天入户走访15户，发放宣传单30份，指导安装国家反诈中心APP 8人")
    card = bot.last_text(WORKER)
    assert "入户 15户" in card and "宣传单 30份" in card and "安装APP 8人" in card
    save_data = bot.api.last_markup(WORKER)[0][0]["callback_data"]
    await bot.press(WORKER, save_data)
    entries = await entries_of(bot, WORKER)
    assert {e.kind: e.measures for e in entries} == {
        "visit": {"households": 15, "app_installs": 8}, "leaflet": {"leaflets": 30}}
    assert all(e.source == "quick" for e in entries)
    # a second tap on the same card (a new update) saves nothing more
    await bot.press(WORKER, save_data)
    assert len(await entries_of(bot, WORKER)) == 2
    assert "已处理过" in bot.answers()[-1]["text"]


async def test_one_line_without_figures_gets_hint_and_menu(bot):
    await bot.send(WORKER, "今天没有开展活动")
    assert "没看到数字" in bot.last_text(WORKER)
    assert any("入户走访" in b["text"] for row in bot.api.last_markup(WORKER) for b in row)


async def test_captioned_photo_is_a_report_with_evidence(bot):
    bot.api.files["ph2"] = b"poster-photo"
    await bot.feed(photo_msg(WORKER, "ph2", caption="海报3 横幅1"))
    assert "照片：1 张" in bot.last_text(WORKER)
    await bot.press_label(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"posters": 3, "banners": 1} and entry.evidence_count == 1


async def test_same_photo_twice_is_flagged(bot):
    bot.api.files["ph3"] = b"same-bytes"
    bot.api.files["ph4"] = b"same-bytes"   # another upload of the same picture
    await bot.feed(photo_msg(WORKER, "ph3", caption="海报2"))
    await bot.press_label(WORKER, "保存")
    await bot.feed(photo_msg(WORKER2, "ph4", caption="海报2"))
    await bot.press_label(WORKER2, "保存")
    assert "照片重复使用" in bot.last_text(WORKER2)
    [first] = await entries_of(bot, WORKER)
    [second] = await entries_of(bot, WORKER2)
    assert first.flags == [] and second.flags == ["duplicate_evidence"]


async def test_large_one_line_needs_confirmation(bot):
    await bot.send(WORKER, "发放宣传单900份")
    await bot.press_label(WORKER, "保存")
    assert "确认无误吗" in bot.last_text(WORKER) and await entries_of(bot, WORKER) == []
    await bot.press_label(WORKER, "确认无误")
    [entry] = await entries_of(bot, WORKER)
    assert entry.flags == ["needs_review"]


async def test_households_beyond_registered_are_flagged(bot):
    # BHQ (百花桥村) has 470 registered households
    for n in (200, 200):
        await bot.send(WORKER, f"入户{n}户")
        await bot.press_label(WORKER, "保存")
    await bot.send(WORKER2, "入户100户")
    await bot.press_label(WORKER2, "保存")
    [entry] = await entries_of(bot, WORKER2)
    assert entry.flags == ["over_registered"]


async def test_mine_undo_restore_and_edit_keeps_history(bot):
    await bot.send(WORKER, "入户12户")
    await bot.press_label(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    await bot.send(WORKER, "/mine")
    assert "1. 11月24日 今天 入户走访 入户 12户" in bot.last_text(WORKER)
    await bot.press_label(WORKER, "撤销 1")
    assert await entries_of(bot, WORKER) == []
    await bot.press_label(WORKER, "恢复")
    assert len(await entries_of(bot, WORKER)) == 1
    await bot.send(WORKER, "/mine")
    await bot.press_label(WORKER, "修改 1")
    await bot.send(WORKER, "十")
    assert "已修改" in bot.last_text(WORKER)
    [edited] = await entries_of(bot, WORKER)
    assert edited.measures == {"households": 10} and edited.version == 2
    [old] = await bot.storage.entries.versions(entry.id)
    assert old["measures"] == {"households": 12}


async def test_only_author_or_office_may_change(bot):
    await bot.send(WORKER, "入户12户")
    await bot.press_label(WORKER, "保存")
    [entry] = await entries_of(bot, WORKER)
    await bot.press(WORKER2, f"v1:mine:undo:{entry.id}")      # forged by another worker
    assert bot.answers()[-1].get("show_alert")
    assert len(await entries_of(bot, WORKER)) == 1
    await bot.press(OFFICE, f"v1:mine:undo:{entry.id}")       # the office above may
    assert await entries_of(bot, WORKER) == []


async def test_restart_mid_flow_resumes_and_saves_once(tmp_path):
    from .conftest import TZ
    from datetime import datetime
    now = datetime(2026, 11, 24, 10, tzinfo=TZ)
    async with Harness(tmp_path, now) as h:
        await h.import_orgs()
        await h.join(WORKER, "BHQ-1", "worker")
        await h.send(WORKER, "/visit")
        await h.press_label(WORKER, "5")
        assert "宣传群众多少人" in h.last_text(WORKER)
    async with Harness(tmp_path, now) as h2:   # the bot restarted in the middle of the flow
        assert await entries_of(h2, WORKER) == []               # nothing half-saved
        await h2.send(WORKER, "20")                               # the flow goes on where it stood
        assert "承诺书多少份" in h2.last_text(WORKER)
        for label in ("没有", "没有", "跳过"):
            await h2.press_label(WORKER, label)
        await h2.send(WORKER, "跳过")
        await h2.press_label(WORKER, "跳过")
        await h2.press_label(WORKER, "今天")
        await h2.press_label(WORKER, "确认")
        [entry] = await entries_of(h2, WORKER)
        assert entry.measures == {"households": 5, "people": 20}


async def test_button_of_a_lost_draft_says_start_again(bot):
    await bot.send(WORKER, "/visit")
    buttons = bot.api.last_markup(WORKER)
    await bot.send(WORKER, "/cancel")
    await bot.press(WORKER, buttons[0][0]["callback_data"])
    assert "失效" in bot.answers()[-1]["text"]
    assert await entries_of(bot, WORKER) == []


async def test_stats_shows_mine_area_and_progress_to_target(bot):
    await bot.send(WORKER, "入户15户，装APP 8人")
    await bot.press_label(WORKER, "保存")
    await bot.send(WORKER2, "入户5户")
    await bot.press_label(WORKER2, "保存")
    await bot.send(WORKER, "/stats")
    text = bot.last_text(WORKER)
    assert "我本月：入户 15户，安装APP 8人" in text
    assert "百花桥村本月：入户 20户，安装APP 8人" in text
    # 2026-11-24: coverage target 100 % by 12-31 of 470 households; installs 100 % of 1420 (last, 09-30)
    assert "入户 20/470，还差 450" in text and "APP安装 8/1420，还差 1412（9月30日的目标已过）" in text


async def test_forged_flow_buttons_change_nothing(bot):
    await bot.send(WORKER, "/visit")
    for data in ("v1:log:n", "v1:log:n:-5", "v1:log:n:abc", "v1:log:n:99999", "v1:log:kind",
                 "v1:log:kind:nuke", "v1:log:day:-30", "v1:log:day:9"):
        await bot.press(WORKER, data)
        assert "失效" in bot.answers()[-1]["text"], data
    await bot.press(WORKER, "v1:log:n:7")
    await bot.press(STRANGER, "v1:log:kind:visit")
    assert "还没有登记" in bot.last_text(STRANGER)
    user = await bot.storage.users.by_telegram_id(WORKER)
    assert await bot.storage.entries.for_user(user.id, date(2026, 1, 1)) == []
    assert "宣传群众多少人" in bot.last_text(WORKER)   # the real flow went on


async def test_card_says_what_it_could_not_read(bot):
    await bot.send(WORKER, "今天走访了十五户 发传单30分")
    card = bot.last_text(WORKER)
    assert "入户 15户" in card and "没看懂：“发传单30分”" in card
    await bot.send(WORKER, "发传单30分")
    assert "没看懂：“发传单30分”" in bot.last_text(WORKER) and "没看到数字" in bot.last_text(WORKER)


async def test_rough_numbers_and_one_message_per_slip(bot):
    await bot.send(WORKER, "/lecture")
    await bot.send(WORKER, "1场")
    await bot.send(WORKER, "三十来人")                 # rough, as people say it
    assert "在哪里" in bot.last_text(WORKER)
    await bot.send(WORKER, "跳过")                     # place
    sent = len(bot.api.texts(WORKER))
    await bot.send(WORKER, "现在拍不了")                # text where a required photo is asked
    assert len(bot.api.texts(WORKER)) == sent + 1     # one message: why, and the question again
    assert "这一步要的不是这个" in bot.last_text(WORKER) and "/cancel" in bot.last_text(WORKER)


# --- regressions from the security review ------------------------------------------------


async def test_absurd_figures_are_refused_everywhere(bot):
    import pytest
    from pydantic import ValidationError
    from storage.models import NewEntry
    await bot.send(WORKER, "/visit")
    for typed in ("4611686018427387904", "1" * 5000, str(10 ** 30)):
        await bot.send(WORKER, typed)
        assert "填个数字就行" in bot.last_text(WORKER)
    await bot.send(WORKER, "/cancel")
    await bot.send(WORKER, "入户4611686018427387904户")
    assert "没看懂" in bot.last_text(WORKER)
    await bot.send(WORKER, "入户9999999999999999999999万户")
    assert "没看懂" in bot.last_text(WORKER)
    with pytest.raises(ValidationError):
        NewEntry(user_id=1, org_id=1, kind="visit", measures={"households": 100_001},
                 happened_on=date(2026, 11, 24), source="quick")
    await bot.send(WORKER, "/stats")                         # sums still work
    assert "我本月" in bot.last_text(WORKER)


async def test_cancel_clears_a_pending_edit(bot):
    await bot.send(WORKER, "海报3张")
    await bot.press_label(WORKER, "保存")
    await bot.send(WORKER, "/mine")
    await bot.press_label(WORKER, "修改 1")
    await bot.send(WORKER, "/cancel")
    await bot.send(WORKER, "入户20户，海报7张")                   # a new report, not an edit
    await bot.press_label(WORKER, "保存")
    entries = await entries_of(bot, WORKER)
    assert sorted(e.measures["posters"] for e in entries if e.kind == "poster") == [3, 7]
    assert any(e.measures.get("households") == 20 for e in entries)


async def test_a_forgotten_edit_expires(bot):
    from datetime import timedelta
    await bot.send(WORKER, "海报3张")
    await bot.press_label(WORKER, "保存")
    await bot.send(WORKER, "/mine")
    await bot.press_label(WORKER, "修改 1")
    bot.clock.advance(timedelta(minutes=11))
    await bot.send(WORKER, "海报7张")
    assert "我读到的是" in bot.last_text(WORKER)              # read as a report again


async def test_editing_an_undone_entry_says_so(bot):
    await bot.send(WORKER, "海报3张")
    await bot.press_label(WORKER, "保存")
    await bot.send(WORKER, "/mine")
    await bot.press_label(WORKER, "修改 1")
    [entry] = await entries_of(bot, WORKER)
    await bot.press(OFFICE, f"v1:mine:undo:{entry.id}")
    await bot.send(WORKER, "5")
    assert "已撤销或已不存在" in bot.last_text(WORKER)


async def test_abandoned_flow_does_not_swallow_later_text(bot):
    from datetime import timedelta
    await bot.send(WORKER, "/poster")
    await bot.press_label(WORKER, "3")
    for _ in range(3):
        await bot.press_label(WORKER, "没有")
    assert "张贴在哪里" in bot.last_text(WORKER)               # left standing at the place question
    bot.clock.advance(timedelta(hours=3))
    await bot.send(WORKER, "入户15户")
    assert "我读到的是" in bot.last_text(WORKER)              # a report, not a poster address


async def test_starting_another_flow_ends_the_first(tmp_path):
    from datetime import datetime
    from .conftest import CONTACT, TZ
    async with Harness(tmp_path, datetime(2026, 11, 24, 10, tzinfo=TZ)) as h:
        await h.import_orgs()
        await h.join(CONTACT, "BHQ", "contact")
        await h.send(CONTACT, "/poster")
        await h.press_label(CONTACT, "3")
        for _ in range(3):
            await h.press_label(CONTACT, "没有")
        await h.send(CONTACT, "/report")
        await h.press_label(CONTACT, "11月25日")
        await h.press_label(CONTACT, "添加说明")
        await h.send(CONTACT, "重点走访了老人")
        assert "说明：重点走访了老人" in h.last_text(CONTACT)   # the note went to the report
        await h.press_label(CONTACT, "确认报送")
        [sub] = await h.storage.submissions.current("monthly-25:2026-11")
        assert sub.note == "重点走访了老人"


async def test_more_house_numbers_than_households_raise_the_count(bot):
    await bot.send(WORKER, "/visit")
    await bot.press_label(WORKER, "1")
    for _ in range(3):
        await bot.press_label(WORKER, "没有")
    await bot.send(WORKER, "1号，2号，3号，3号")           # 3 distinct doors
    assert "入户数按 3 户记" in bot.last_text(WORKER)
    await bot.send(WORKER, "跳过")
    await bot.press_label(WORKER, "跳过")
    await bot.press_label(WORKER, "今天")
    assert "入户 3户" in bot.last_text(WORKER)
    await bot.press_label(WORKER, "确认")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"households": 3} and entry.households_listed == 3
