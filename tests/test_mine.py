"""/mine (look back, undo, restore, change one's own entries) and /stats."""
from __future__ import annotations

from datetime import date, timedelta

from storage.models import NewEntry

from .conftest import CONTACT, OFFICE, WORKER, WORKER2

SINCE = date(2026, 1, 1)


async def entries_of(bot, uid: int):
    return await bot.storage.entries.for_user((await bot.user(uid)).id, SINCE)


async def report(bot, uid: int, text: str) -> None:
    await bot.send(uid, text)
    await bot.tap(uid, "保存")


async def open_first(bot, uid: int) -> None:
    await bot.send(uid, "/mine")
    await bot.tap(uid, "1.")


async def test_mine_undo_restore_and_edit_keeps_history(bot):
    await report(bot, WORKER, "入户12户")
    [entry] = await entries_of(bot, WORKER)
    await bot.send(WORKER, "/mine")
    assert "1. 11月24日 今天 入户走访 入户 12户" in bot.last_text(WORKER)
    await bot.tap(WORKER, "1.")
    assert "撤销还是修改" in bot.last_text(WORKER)
    await bot.tap(WORKER, "撤销")
    assert "已撤销" in bot.last_text(WORKER) and await entries_of(bot, WORKER) == []
    await bot.tap(WORKER, "恢复")
    assert len(await entries_of(bot, WORKER)) == 1
    await open_first(bot, WORKER)
    await bot.tap(WORKER, "修改")
    await bot.send(WORKER, "十")
    assert "已修改" in bot.last_text(WORKER)
    [edited] = await entries_of(bot, WORKER)
    assert edited.measures == {"households": 10} and edited.version == 2
    [old] = await bot.storage.entries.versions(entry.id)
    assert old["measures"] == {"households": 12}


async def test_back_returns_to_the_list(bot):
    await report(bot, WORKER, "入户12户")
    await open_first(bot, WORKER)
    await bot.tap(WORKER, "返回")
    assert "1. 11月24日 今天 入户走访 入户 12户" in bot.last_text(WORKER)
    assert len(await entries_of(bot, WORKER)) == 1


async def test_mine_pages_back_and_forth(bot):
    user = await bot.user(WORKER)
    today = date(2026, 11, 24)
    news = [NewEntry(user_id=user.id, org_id=user.org_id, kind="leaflet", measures={"leaflets": n},
                     happened_on=today - timedelta(days=n // 4), source="quick") for n in range(1, 11)]
    await bot.storage.entries.add(news, bot.clock.now())
    await bot.send(WORKER, "/mine")
    first = bot.last_text(WORKER)
    assert "今天 3 条，本月 10 条" in first and "第 1/2 页" in first
    assert "8. " in first and "9. " not in first and "更早" in first and "更新" not in first
    await bot.tap(WORKER, "更早")
    second = bot.last_text(WORKER)
    assert "第 2/2 页" in second and "2. " in second and "3. " not in second and "更新" in second
    await bot.tap(WORKER, "1.")                             # the 9th newest: day, then id, descending
    assert "11月22日 前天" in bot.last_text(WORKER) and "宣传单 9份" in bot.last_text(WORKER)
    await bot.tap(WORKER, "撤销")
    assert sorted(e.measures["leaflets"] for e in await entries_of(bot, WORKER)) == [*range(1, 9), 10]
    await bot.send(WORKER, "/mine")
    await bot.tap(WORKER, "更早")
    await bot.tap(WORKER, "更新")
    assert "第 1/2 页" in bot.last_text(WORKER)


async def test_only_author_or_office_above_may_change(bot):
    await report(bot, WORKER, "入户12户")
    [entry] = await entries_of(bot, WORKER)
    for uid in (WORKER2, CONTACT):                          # forged by another worker, a contact
        for verb in ("undo", "edit", "open", "redo"):
            await bot.act(uid, f"mine:{verb}:{entry.id}")
            assert "抱歉" in bot.last_text(uid), (uid, verb)
    await bot.send(WORKER2, "3")                            # no edit was started for WORKER2
    [same] = await entries_of(bot, WORKER)
    assert same.measures == {"households": 12} and same.version == 1
    await bot.act(OFFICE, f"mine:undo:{entry.id}")          # the office above may
    assert await entries_of(bot, WORKER) == []


async def undone_by(bot, entry_id: int):
    return (await bot.storage.db.fetchone("SELECT undone_by FROM entries WHERE id = ?", (entry_id,)))[0]


async def test_the_author_cannot_take_back_the_offices_undo(bot):
    await report(bot, WORKER, "入户12户")
    [entry] = await entries_of(bot, WORKER)
    office = await bot.user(OFFICE)
    await bot.act(OFFICE, f"mine:undo:{entry.id}")
    await bot.act(WORKER, f"mine:redo:{entry.id}")           # 恢复 from the worker's old receipt
    assert "平安办撤销的" in bot.last_text(WORKER)
    assert await entries_of(bot, WORKER) == [] and await undone_by(bot, entry.id) == office.id
    await bot.act(WORKER, f"mine:open:{entry.id}")           # an old list's line: no 恢复 offered
    assert "恢复" not in bot.last_text(WORKER)
    await bot.act(OFFICE, f"mine:redo:{entry.id}")           # the office may take its own undo back
    assert len(await entries_of(bot, WORKER)) == 1 and await undone_by(bot, entry.id) is None
    await bot.act(WORKER, f"mine:undo:{entry.id}")           # the author's own undo: theirs to take back,
    await bot.act(OFFICE, f"mine:redo:{entry.id}")           # and the office above's too
    assert len(await entries_of(bot, WORKER)) == 1


async def test_forged_mine_buttons_change_nothing(bot):
    await report(bot, WORKER, "入户12户")
    for data in ("mine:undo", "mine:undo:abc", "mine:undo:-1", "mine:undo:99999", "mine:nuke:1",
                 "mine:page", "mine:page:x", "mine:page:99999"):
        await bot.act(WORKER, data)
        assert "失效" in bot.last_text(WORKER), data
    assert len(await entries_of(bot, WORKER)) == 1


async def test_mine_with_nothing_says_how_to_log(bot):
    await bot.send(WORKER, "/mine")
    assert "本月还没有记录" in bot.last_text(WORKER)


# --- 修改: the new figures ---------------------------------------------------------------

async def test_edit_reads_named_measures_first(bot):
    await report(bot, WORKER, "海报3张")
    await open_first(bot, WORKER)
    await bot.tap(WORKER, "修改")
    await bot.send(WORKER, "横幅2条")                        # not posters=2
    [poster] = await entries_of(bot, WORKER)
    assert poster.measures == {"posters": 3, "banners": 2}


async def test_edit_refuses_another_kinds_measure(bot):
    await report(bot, WORKER, "入户12户")
    await open_first(bot, WORKER)
    await bot.tap(WORKER, "修改")
    await bot.send(WORKER, "海报3张")                        # never households
    assert "没有海报" in bot.last_text(WORKER)
    [visit] = await entries_of(bot, WORKER)
    assert visit.measures == {"households": 12} and visit.version == 1
    await bot.send(WORKER, "15")                            # still editing: a bare number
    [visit] = await entries_of(bot, WORKER)
    assert visit.measures == {"households": 15}


async def test_edit_too_large_is_flagged(bot):
    await report(bot, WORKER, "发放宣传单30份")
    await open_first(bot, WORKER)
    await bot.tap(WORKER, "修改")
    await bot.send(WORKER, "900")
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"leaflets": 900} and entry.flags == ["needs_review"]


async def test_cancel_clears_a_pending_edit(bot):
    await report(bot, WORKER, "海报3张")
    await open_first(bot, WORKER)
    await bot.tap(WORKER, "修改")
    await bot.send(WORKER, "/cancel")
    await report(bot, WORKER, "入户20户，海报7张")            # a new report, not an edit
    entries = await entries_of(bot, WORKER)
    assert sorted(e.measures["posters"] for e in entries if e.kind == "poster") == [3, 7]
    assert any(e.measures.get("households") == 20 for e in entries)


async def test_a_forgotten_edit_expires(bot):
    await report(bot, WORKER, "海报3张")
    await open_first(bot, WORKER)
    await bot.tap(WORKER, "修改")
    bot.clock.advance(timedelta(minutes=11))
    await bot.send(WORKER, "海报7张")
    assert "我读到的是" in bot.last_text(WORKER)              # read as a report again
    [entry] = await entries_of(bot, WORKER)
    assert entry.measures == {"posters": 3}


async def test_editing_an_undone_entry_says_so(bot):
    await report(bot, WORKER, "海报3张")
    await open_first(bot, WORKER)
    await bot.tap(WORKER, "修改")
    [entry] = await entries_of(bot, WORKER)
    await bot.act(OFFICE, f"mine:undo:{entry.id}")
    await bot.send(WORKER, "5")
    assert "已撤销或已不存在" in bot.last_text(WORKER)
    [row] = await bot.storage.db.fetchall("SELECT measures FROM entries WHERE id = ?", (entry.id,))
    assert row[0] == '{"posters": 3}'


# --- /stats -------------------------------------------------------------------------------

async def test_stats_shows_mine_area_and_progress_to_target(bot):
    await report(bot, WORKER, "入户15户，装APP 8人")
    await report(bot, WORKER2, "入户5户")
    await bot.send(WORKER, "/stats")
    text = bot.last_text(WORKER)
    assert "我本月：入户 15户次，安装APP 8人" in text      # sums of entries: visits (户次), as in the summary
    assert "百花桥村本月：入户 20户次，安装APP 8人" in text
    # 2026-11-24: coverage target 100 % by 12-31 of 470 households; installs 100 % of 1420 (last, 09-30)
    assert "今年不重复入户 20/470 户，还差 450" in text and "APP安装 8/1420，还差 1412（9月30日的目标已过）" in text
