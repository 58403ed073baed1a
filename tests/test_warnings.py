"""Early warnings (预警劝阻), on the test clock through the text channel: import, dispatch,
outcomes, retries, escalation, reassignment, quiet hours, restart, retention, figures."""
from __future__ import annotations

import asyncio

import io
import json
import logging
from datetime import date, datetime, timedelta

import pytest

from bot import warnings as domain
from storage.outbox import body

from .conftest import CONTACT, OFFICE, STRANGER, TZ, WORKER, WORKER2

HEADER = "姓名,电话,网格,住址,身份证后四位,预警类型,预警时间"
ROWS = ["张三丰,13812341234,BHQ-1,百花桥村3组,123X,刷单,2026-11-24 09:30",
        "李四,13900001111,百花桥村第二网格,,,冒充客服,2026-11-24 09:40",
        "王五,13700002222,不存在村,,,贷款,2026-11-24 09:50"]


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


async def warnings_of(bot) -> list:
    return await bot.storage.warnings._select("1 = 1")


async def by_phone(bot, phone: str):
    [w] = await bot.storage.warnings._select("phone = ?", (phone,))
    return w


async def outbox_rows(bot, prefix: str = "warn") -> list[tuple]:
    rows = await bot.storage.db.fetchall("SELECT topic, recipient, status, urgent FROM outbox "
                                         "WHERE substr(topic, 1, ?) = ? ORDER BY id", (len(prefix), prefix))
    return [tuple(r) for r in rows]


async def imported(bot, *rows: str) -> None:
    await bot.document(OFFICE, "预警.csv", csv_file(*rows))
    await bot.tick()


# --- in ---------------------------------------------------------------------------------

async def test_an_office_file_is_imported_and_dispatched_at_once_to_the_grid_workers(bot):
    await bot.document(OFFICE, "预警.csv", csv_file(*ROWS))
    assert "已导入预警 3 条" in bot.last_text(OFFICE) and "对不上网格 1 条" in bot.last_text(OFFICE)
    ws = await warnings_of(bot)
    grid1, grid2 = await bot.storage.orgs.by_code("BHQ-1"), await bot.storage.orgs.by_code("BHQ-2")
    assert [(w.name, w.org_id, w.status) for w in ws] == [
        ("张三丰", grid1.id, "open"), ("李四", grid2.id, "open"), ("王五", None, "open")]
    assert ws[0].address == "百花桥村3组" and ws[0].id_last4 == "123X" and ws[0].kind == "刷单"
    assert ws[0].warned_at == datetime(2026, 11, 24, 9, 30, tzinfo=TZ)
    assert ws[0].due_at == bot.clock.now() + timedelta(hours=24)
    w1, w2 = await bot.user(WORKER), await bot.user(WORKER2)
    assert ws[0].assignees == [w1.id] and ws[1].assignees == [w2.id] and ws[2].dispatched_at is None
    # queued in the same event, urgent; the next tick sends it
    assert await outbox_rows(bot) == [(f"warn:{ws[0].id}:0:send", w1.address, "queued", 1),
                                      (f"warn:{ws[1].id}:0:send", w2.address, "queued", 1)]
    await bot.tick()
    card = bot.last_text(WORKER)
    assert "张三丰" in card and "13812341234" in card and "百花桥村3组" in card and "刷单" in card
    assert "李四" not in "".join(bot.texts(WORKER)) and "李四" in bot.last_text(WORKER2)
    assert {r[2] for r in await outbox_rows(bot)} == {"sent"}
    # the file itself is not kept: the inbox row of the event holds no payload once answered
    payloads = await bot.storage.db.fetchall("SELECT payload FROM inbox WHERE payload IS NOT NULL")
    assert payloads == []


async def test_a_file_being_read_holds_up_nobody(bot, monkeypatch):
    """Reading a big file takes seconds: it runs outside the event's transaction and off the
    event loop, so a worker saves a report meanwhile; then the rows are imported."""
    import threading

    reading, go_on, parse = threading.Event(), threading.Event(), domain.parse

    def slow_parse(*args):
        reading.set()
        assert go_on.wait(10), "the worker's save never got through while the file was read"
        return parse(*args)

    monkeypatch.setattr(domain, "parse", slow_parse)
    office = asyncio.create_task(bot.document(OFFICE, "预警.csv", csv_file(*ROWS)))
    assert await asyncio.to_thread(reading.wait, 10)
    await asyncio.wait_for(bot.send(WORKER, "入户15户"), 5)
    await asyncio.wait_for(bot.tap(WORKER, "保存"), 5)
    saved = await bot.storage.db.fetchall("SELECT measures FROM entries")
    go_on.set()
    await office
    assert [json.loads(r[0]) for r in saved] == [{"households": 15}]
    assert len(await warnings_of(bot)) == 3 and "已导入预警 3 条" in bot.last_text(OFFICE)


async def test_an_xlsx_file_is_read_by_its_header_names_in_any_order_with_村(bot):
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["预警时间", "预警类型", "村", "电话", "姓名"])
    sheet.append([datetime(2026, 11, 24, 8, 5), "投资理财", "JZS", "139 0000 3333", "赵六"])
    out = io.BytesIO()
    book.save(out)
    await bot.document(OFFICE, "warn.xlsx", out.getvalue())
    [w] = await warnings_of(bot)
    assert (w.name, w.phone, w.kind) == ("赵六", "13900003333", "投资理财")
    assert w.org_id == (await bot.storage.orgs.by_code("JZS")).id
    assert w.warned_at == datetime(2026, 11, 24, 8, 5, tzinfo=TZ)


@pytest.mark.parametrize("rows, header, where", [
    ([ROWS[0], "李四,1390000,BHQ-2,,,刷单,2026-11-24 09:40"], HEADER, "第 3 行"),
    ([ROWS[0], ROWS[1], "王五,13700002222,BHQ-1,,,贷款,2026/13/40 9:50"], HEADER, "第 4 行"),
    ([ROWS[0]], "姓名,电话,网格,预警类型", "第 1 行"),
    ([ROWS[0], ",13700002222,BHQ-1,,,贷款,2026-11-24 09:50"], HEADER, "第 3 行"),
])
async def test_a_bad_file_is_rejected_whole_with_the_row_and_reason(bot, rows, header, where):
    await bot.document(OFFICE, "预警.csv", csv_file(*rows, header=header))
    assert "没有导入" in bot.last_text(OFFICE) and where in bot.last_text(OFFICE)
    assert await warnings_of(bot) == []
    await bot.tick()
    assert await outbox_rows(bot) == []


async def test_the_same_warning_imported_twice_is_one_warning(bot):
    await bot.document(OFFICE, "预警.csv", csv_file(ROWS[0], ROWS[0]))
    await bot.document(OFFICE, "预警2.csv", csv_file(ROWS[0], ROWS[1]))
    assert "已导入预警 1 条（重复未导入 1 条" in bot.last_text(OFFICE)
    assert [w.phone for w in await warnings_of(bot)] == ["13812341234", "13900001111"]
    await bot.tick()
    assert sum("张三丰" in x for x in bot.texts(WORKER)) == 1


async def test_only_the_office_may_import_and_a_file_too_big_is_said(bot):
    await bot.document(WORKER, "预警.csv", csv_file(*ROWS))
    assert bot.last_text(WORKER) == "只有办公室可以导入预警。"
    await bot.document(OFFICE, "big.csv", None)
    assert "文件太大" in bot.last_text(OFFICE)
    assert await warnings_of(bot) == []


async def test_warn_guided_entry_saves_and_dispatches_one_warning(bot):
    await bot.send(OFFICE, "/warn")
    for answer in ("孙七", "138-0000-4444", "花果山"):
        await bot.send(OFFICE, answer)
    assert "找不到“花果山”" in bot.last_text(OFFICE)
    await bot.send(OFFICE, "bhq-2")
    await bot.tap(OFFICE, "冒充公检法")
    await bot.tap(OFFICE, "跳过")
    assert "已导入预警 1 条" in bot.last_text(OFFICE)
    [w] = await warnings_of(bot)
    assert (w.name, w.phone, w.kind, w.address) == ("孙七", "13800004444", "冒充公检法", None)
    assert w.warned_at == bot.clock.now() and w.org_id == (await bot.storage.orgs.by_code("BHQ-2")).id
    await bot.tick()
    assert "孙七" in bot.last_text(WORKER2)


async def test_warn_on_one_line_and_only_for_the_office(bot):
    await bot.send(OFFICE, "/warn 周八 13811112222 BHQ-1 贷款 百花桥村5组")
    [w] = await warnings_of(bot)
    assert (w.name, w.address) == ("周八", "百花桥村5组")
    await bot.send(WORKER, "/warn 周九 13811113333 BHQ-1 贷款")
    assert len(await warnings_of(bot)) == 1


# --- outcomes ---------------------------------------------------------------------------

async def test_met_records_who_and_when_then_takes_a_note_and_a_photo(bot):
    await imported(bot, ROWS[0])
    await bot.tap(WORKER, "已见面劝阻")
    w = await by_phone(bot, "13812341234")
    worker = await bot.user(WORKER)
    assert (w.status, w.outcome, w.outcome_by, w.outcome_at, w.first_contact_at) == (
        "closed", "met", worker.id, bot.clock.now(), bot.clock.now())
    assert "已记录" in bot.last_text(WORKER) and "13812341234" not in bot.last_text(WORKER)
    await bot.send(WORKER, "老人已明白，不再转账")
    await bot.photo(WORKER, b"jpeg")
    w = await by_phone(bot, "13812341234")
    assert w.note == "老人已明白，不再转账"
    await bot.act(WORKER, f"warn:met:{w.id}:0")   # a second tap changes nothing
    assert "已有结果" in bot.last_text(WORKER)
    assert (await by_phone(bot, "13812341234")).outcome_at == w.outcome_at


async def test_phone_outcome_and_a_photo_as_the_detail_kept_as_an_evidence_file_until_the_purge(bot):
    from pathlib import Path

    from schedules.tidy import sweep
    await imported(bot, ROWS[0])
    await bot.tap(WORKER, "已电话劝阻")
    await bot.photo(WORKER, b"jpeg", ref="shot")
    w = await by_phone(bot, "13812341234")
    photo = json.loads(w.photo_ref)
    assert (w.outcome, photo["file_unique_id"]) == ("phone", "shot-u")
    assert Path(photo["path"]).read_bytes() == b"jpeg"      # the bytes, not only the channel's reference
    bot.clock.advance(timedelta(days=30))
    await sweep(bot.svc, force=True)
    assert Path(photo["path"]).exists()                     # a warning still refers to it
    bot.clock.advance(timedelta(days=61))
    await bot.tick()                                        # retention: the reference is erased…
    assert (await bot.storage.warnings.get(w.id)).photo_ref is None
    await sweep(bot.svc, force=True)
    assert not Path(photo["path"]).exists()                 # …and the file goes with it


async def test_defrauded_asks_for_an_optional_amount(bot):
    await imported(bot, ROWS[0], ROWS[1])
    await bot.tap(WORKER, "已被骗")
    assert "金额" in bot.last_text(WORKER)
    await bot.send(WORKER, "1.2万")
    await bot.tap(WORKER, "跳过")
    w = await by_phone(bot, "13812341234")
    assert (w.outcome, w.amount, w.note) == ("defrauded", 12000, None)
    await bot.tap(WORKER2, "已被骗")
    await bot.tap(WORKER2, "跳过")
    assert (await by_phone(bot, "13900001111")).amount is None


async def test_unreachable_asks_again_in_two_hours_and_after_three_tries_counts_as_unreachable(bot):
    await imported(bot, ROWS[0])
    w = await by_phone(bot, "13812341234")
    for n in (1, 2):
        await bot.act(WORKER, f"warn:nr:{w.id}:0")
        got = await by_phone(bot, "13812341234")
        assert (got.status, got.tries, got.retry_at) == ("open", n, bot.clock.now() + timedelta(hours=2))
        bot.clock.advance(timedelta(hours=1, minutes=59))
        await bot.tick()
        assert "再次提醒" not in bot.last_text(WORKER)
        bot.clock.advance(timedelta(minutes=1))
        await bot.tick()
        assert f"第 {n} 次" in bot.last_text(WORKER) and "张三丰" in bot.last_text(WORKER)
        await bot.tick()
        assert sum("再次提醒" in x for x in bot.texts(WORKER)) == n   # once per try
    await bot.tap(WORKER, "联系不上")
    got = await by_phone(bot, "13812341234")
    assert (got.status, got.outcome, got.tries, got.first_contact_at) == ("closed", "unreachable", 3, None)


async def test_not_in_my_grid_returns_it_and_the_office_reassigns_it(bot):
    await imported(bot, ROWS[0])
    w = await by_phone(bot, "13812341234")
    await bot.tap(WORKER, "不在本网格")
    got = await by_phone(bot, "13812341234")
    assert (got.status, got.assignees) == ("returned", [])
    await bot.tick()
    assert "退回" in bot.last_text(OFFICE) and "张*" in bot.last_text(OFFICE)
    assert "13812341234" not in bot.last_text(OFFICE)        # a notice, masked; /warnings shows it
    await bot.send(OFFICE, "/warnings")
    view = bot.last_text(OFFICE)
    assert "待改派（1）" in view and "张三丰 13812341234" in view
    await bot.act(OFFICE, f"warn:re:{w.id}")
    await bot.tap(OFFICE, "百花桥村第二网格")
    got = await by_phone(bot, "13812341234")
    worker2 = await bot.user(WORKER2)
    assert (got.status, got.round, got.org_id, got.assignees) == (
        "open", 1, (await bot.storage.orgs.by_code("BHQ-2")).id, [worker2.id])
    await bot.tick()
    assert "张三丰" in bot.last_text(WORKER2)
    await bot.act(WORKER, f"warn:met:{w.id}:0")              # the old card: no longer theirs
    assert (await by_phone(bot, "13812341234")).status == "open"
    await bot.tap(WORKER2, "已见面劝阻")
    assert (await by_phone(bot, "13812341234")).outcome_by == worker2.id


async def test_an_unassigned_row_is_moved_by_typing_and_shown_to_the_office(bot):
    await imported(bot, ROWS[2])
    w = await by_phone(bot, "13700002222")
    await bot.send(OFFICE, "/warnings")
    assert "待改派（1）" in bot.last_text(OFFICE) and "不存在村" in bot.last_text(OFFICE)
    await bot.send(OFFICE, f"/warnings {w.id} BHQ-1")
    assert "已改派到 百花桥村第一网格" in bot.last_text(OFFICE)
    await bot.tick()
    assert "王五" in bot.last_text(WORKER)


async def test_follow_up_on_a_closed_warning_and_the_workers_own_list(bot):
    await imported(bot, ROWS[0])
    w = await by_phone(bot, "13812341234")
    await bot.act(WORKER, f"warn:fu:{w.id}")
    assert (await by_phone(bot, "13812341234")).follow_up_at is None   # still open: no follow-up
    await bot.act(WORKER, f"warn:met:{w.id}:0")
    await bot.tap(WORKER, "跳过")
    bot.clock.advance(timedelta(days=3))
    await bot.send(WORKER, "/warnings")
    assert "已处置" in bot.last_text(WORKER)
    await bot.tap(WORKER, f"回访 #{w.id}")
    got = await by_phone(bot, "13812341234")
    assert (got.follow_up_at, got.follow_up_by) == (bot.clock.now(), (await bot.user(WORKER)).id)


async def test_buttons_are_checked_on_the_server(bot, caplog):
    await imported(bot, ROWS[0])
    w = await by_phone(bot, "13812341234")
    await bot.act(WORKER2, f"warn:met:{w.id}:0")            # another grid's worker
    await bot.act(STRANGER, f"warn:met:{w.id}:0")
    for forged in ("warn:met:99999:0", "warn:met:x:0", f"warn:met:{w.id}:7", "warn:to:1:1", f"warn:re:{w.id}"):
        await bot.act(WORKER, forged)
    assert (await by_phone(bot, "13812341234")).status == "open"
    contact = await bot.user(CONTACT)                      # the village's contact may act on it
    await bot.act(CONTACT, f"warn:phone:{w.id}:0")
    assert (await by_phone(bot, "13812341234")).outcome_by == contact.id
    assert "出了点问题" not in "".join(bot.texts(WORKER) + bot.texts(WORKER2))


# --- escalation and quiet hours ---------------------------------------------------------

async def test_half_the_window_reminds_the_worker_and_its_end_lists_it_to_the_contact_and_office(bot):
    await imported(bot, ROWS[0], ROWS[1])
    await bot.tap(WORKER2, "已电话劝阻")
    bot.clock.advance(timedelta(hours=11, minutes=59))
    await bot.tick()
    assert not any("预警提醒" in x for x in bot.texts(WORKER))
    bot.clock.advance(timedelta(minutes=1))
    await bot.tick()
    await bot.tick()
    assert sum("预警提醒" in x for x in bot.texts(WORKER)) == 1
    assert not any("预警提醒" in x for x in bot.texts(WORKER2))   # recorded: no reminder
    bot.clock.advance(timedelta(hours=12))
    await bot.tick()
    await bot.tick()
    for who in (CONTACT, OFFICE):
        late = [x for x in bot.texts(who) if "预警超时" in x]
        assert len(late) == 1 and "张* 138****1234" in late[0] and "张三丰" not in late[0]
        assert "李" not in late[0]
    w = await by_phone(bot, "13812341234")
    assert w.half_at is not None and w.overdue_at == bot.clock.now()


async def test_the_window_takes_decimal_hours(tmp_path):
    from .helpers import Harness
    async with Harness(tmp_path, datetime(2026, 11, 24, 10, 0, tzinfo=TZ), warning_window_hours=1.5) as h:
        await h.import_orgs()
        await h.join(WORKER, "BHQ-1", "worker")
        await h.join(OFFICE, "WLS", "office")
        await imported(h, ROWS[0])
        h.clock.advance(timedelta(minutes=45))
        await h.tick()
        assert "预警提醒" in h.last_text(WORKER)
        h.clock.advance(timedelta(minutes=45))
        await h.tick()
        assert "1.5 小时内没有处置结果" in h.last_text(OFFICE)


async def test_a_warning_at_two_in_the_night_goes_out_at_two_while_other_messages_wait(bot):
    bot.clock.set(datetime(2026, 11, 25, 2, 0, tzinfo=TZ))
    worker = await bot.user(WORKER)
    await bot.storage.outbox.enqueue("test:night", {worker.address: body("普通提醒")}, bot.clock.now())
    await bot.document(OFFICE, "预警.csv", csv_file(ROWS[0]))
    await bot.tick()
    assert "张三丰" in bot.last_text(WORKER)
    assert [s.text for s in bot.chan.said if s.chat == str(WORKER) and s.proactive] == [bot.last_text(WORKER)]
    assert await bot.storage.outbox.statuses("test:night") == {worker.address: "queued"}
    bot.clock.set(datetime(2026, 11, 25, 8, 0, tzinfo=TZ))
    await bot.tick()
    assert bot.last_text(WORKER) == "普通提醒"


# --- restart ----------------------------------------------------------------------------

async def test_a_restart_in_the_middle_sends_nothing_twice_and_loses_nothing(bot):
    await bot.document(OFFICE, "预警.csv", csv_file(*ROWS[:2]))
    await bot.restart()                      # queued, not yet sent
    await bot.tick()
    await bot.restart()
    await bot.tick()
    assert sum("张三丰" in x for x in bot.texts(WORKER)) == 1
    assert sum("李四" in x for x in bot.texts(WORKER2)) == 1
    w = await by_phone(bot, "13812341234")
    await bot.act(WORKER, f"warn:nr:{w.id}:0")
    bot.clock.advance(timedelta(hours=2))
    await bot.restart()
    await bot.tick()
    await bot.restart()
    await bot.tick()
    assert sum("再次提醒" in x for x in bot.texts(WORKER)) == 1
    bot.clock.advance(timedelta(hours=10))   # half the window
    await bot.tick()
    await bot.restart()
    await bot.tick()
    assert sum("预警提醒" in x for x in bot.texts(WORKER2)) == 1


async def test_a_claim_in_flight_at_a_crash_is_sent_again(bot):
    await bot.document(OFFICE, "预警.csv", csv_file(ROWS[0]))
    await bot.storage.db.write("UPDATE outbox SET status = 'sending' WHERE substr(topic, 1, 5) = 'warn:'")
    await bot.restart()
    await bot.tick()
    assert sum("张三丰" in x for x in bot.texts(WORKER)) == 1
    assert {r[2] for r in await outbox_rows(bot)} == {"sent"}


# --- retention, privacy, figures --------------------------------------------------------

async def test_personal_fields_are_erased_after_retention_and_the_counts_stay(bot):
    await imported(bot, ROWS[0], ROWS[1])
    await bot.tap(WORKER, "已见面劝阻")
    await bot.send(WORKER, "劝住了")
    bot.clock.advance(timedelta(days=90))
    await bot.tick()
    assert (await by_phone(bot, "13812341234")).purged_at is None     # 90 days, not yet more
    bot.clock.advance(timedelta(minutes=1))
    await bot.tick()
    [closed] = await bot.storage.warnings._select("outcome = 'met'")
    assert (closed.name, closed.phone, closed.address, closed.id_last4, closed.note) == (None,) * 5
    assert closed.purged_at == bot.clock.now() and closed.kind == "刷单"
    assert (await by_phone(bot, "13900001111")).name == "李四"     # still open: kept
    bodies = await bot.storage.db.fetchall("SELECT body FROM outbox WHERE topic LIKE ?", (f"warn:{closed.id}:%",))
    assert bodies and all(b[0] == "{}" for b in bodies)
    fig = await domain.figures(bot.storage, None, date(2026, 11, 1), date(2026, 11, 30))
    assert (fig["received"], fig["dissuaded"], fig["reached"]) == (2, 1, 1)
    await bot.act(WORKER, f"warn:fu:{closed.id}")             # nothing left to act on
    assert (await bot.storage.warnings.get(closed.id)).follow_up_at is None


async def test_names_and_phones_never_reach_the_logs(bot, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="aiosqlite")   # as bot/cli.py sets it: SQL parameters
    await imported(bot, *ROWS)
    await bot.tap(WORKER, "不在本网格")
    await bot.tap(WORKER2, "联系不上")
    bot.clock.advance(timedelta(hours=24))
    await bot.tick()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("张三丰", "李四", "王五", "13812341234", "13900001111", "1234"):
        assert secret not in logged


async def test_figures_count_outcomes_and_the_logged_dissuasions(bot):
    await imported(bot, *ROWS)
    bot.clock.advance(timedelta(minutes=30))
    await bot.tap(WORKER, "已见面劝阻")
    w2 = await by_phone(bot, "13900001111")
    for _ in range(3):
        await bot.act(WORKER2, f"warn:nr:{w2.id}:0")
    worker = await bot.user(WORKER)
    await bot.storage.db.write(
        "INSERT INTO entries (user_id, org_id, kind, measures, happened_on, recorded_at, source, flags) "
        "VALUES (?, ?, 'dissuade', ?, '2026-11-24', ?, 'quick', '')",
        (worker.id, worker.org_id, json.dumps({"dissuasions": 2, "follow_ups": 3}), bot.clock.now().isoformat()))
    fig = await domain.figures(bot.storage, (await bot.storage.orgs.by_code("WLS")).id,
                               date(2026, 11, 1), date(2026, 11, 30))
    assert fig == {"received": 3, "reached": 1, "dissuaded": 1, "unreachable": 1, "defrauded": 0,
                   "followed_up": 0, "median_minutes": 30, "dissuasions": 2, "follow_ups": 3}
    bhq2 = await domain.figures(bot.storage, (await bot.storage.orgs.by_code("BHQ-2")).id,
                                date(2026, 11, 1), date(2026, 11, 30))
    assert (bhq2["received"], bhq2["unreachable"], bhq2["dissuasions"]) == (1, 1, 0)
    wls = (await bot.storage.orgs.by_code("WLS")).id               # received on the 24th: that day only
    day = date(2026, 11, 24)
    assert [(await domain.figures(bot.storage, wls, d, d))["received"] for d in (day - timedelta(days=1), day,
                                                                                 day + timedelta(days=1))] == [0, 3, 0]
    await bot.send(OFFICE, "/summary 2026-11")
    said = "\n".join(bot.texts(OFFICE)[-3:])
    assert "预警 3 条：按时联系 1，劝阻 1，联系不上 1" in said and "30 分钟" in said and "登记劝阻 2 人" in said
    assert "张三丰" not in said and "138" not in said


async def test_the_monday_digest_carries_the_warning_counts(bot):
    await bot.storage.users.bind_office_chat((await bot.storage.orgs.by_code("WLS")).id, "text", "-500",
                                             (await bot.user(OFFICE)).id, bot.clock.now())
    await imported(bot, ROWS[0])
    await bot.tap(WORKER, "已电话劝阻")
    bot.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=TZ))     # Monday after the digest time
    await bot.tick()
    digest = [x for x in bot.texts("-500") if "预警 1 条" in x]
    assert digest and "劝阻 1" in digest[0] and "张" not in digest[0].split("预警 1 条")[1].split("\n")[0]


# --- the command line and Telegram --------------------------------------------------------

def test_import_warnings_from_the_command_line(tmp_path, monkeypatch, capsys):
    from .test_cli import ORGS_CSV, Cli
    cli = Cli(tmp_path, monkeypatch, capsys)
    assert cli("import-orgs", str(ORGS_CSV))[0] == 0
    good = tmp_path / "预警.csv"
    good.write_bytes(csv_file(*ROWS))
    code, out, err = cli("import-warnings", str(good))
    assert code == 0 and "3 warnings added" in out and "1 with no known area" in out
    code, out, _ = cli("import-warnings", str(good), "--office", "WLS")
    assert code == 0 and "0 warnings added, 3 already known" in out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file(ROWS[0], "李四,123,BHQ-2,,,刷单,2026-11-24 09:40"))
    code, out, err = cli("import-warnings", str(bad))
    assert code == 1 and "row 3" in err and "phone" in err and "123" not in err.split("row 3")[1]
    import sqlite3
    with sqlite3.connect(cli.db) as db:
        assert db.execute("SELECT COUNT(*) FROM warnings").fetchone()[0] == 3
        assert db.execute("SELECT COUNT(*) FROM outbox WHERE urgent = 1 AND status = 'queued'").fetchone()[0] == 0


async def test_on_telegram_a_warning_is_dispatched_and_its_outcome_tapped(tmp_path):
    from schedules import run_due

    from .tg import Harness as TgHarness
    async with TgHarness(tmp_path, datetime(2026, 11, 24, 10, 0, tzinfo=TZ)) as tg:
        await tg.import_orgs()
        await tg.join(WORKER, "BHQ-1", "worker")
        await tg.join(OFFICE, "WLS", "office")
        await tg.send(OFFICE, "/warn 张三丰 13812341234 BHQ-1 刷单")
        await run_due(tg.svc, tg.senders())
        assert "张三丰" in tg.last_text(WORKER) and "13812341234" in tg.last_text(WORKER)
        await tg.press_label(WORKER, "已见面劝阻")
        [w] = await tg.storage.warnings._select("1 = 1")
        assert (w.status, w.outcome, w.outcome_by) == ("closed", "met", (await tg.user(WORKER)).id)
        assert "已记录" in tg.last_text(WORKER)


async def test_a_wrong_outcome_tap_is_taken_back_and_chosen_again(bot):
    await imported(bot, ROWS[0])
    await bot.tap(WORKER, "已被骗")
    await bot.tap(WORKER, "改一下")
    w = await by_phone(bot, "13812341234")
    assert (w.status, w.outcome, w.outcome_by, w.first_contact_at) == ("open", None, None, None)
    assert "重新选择" in bot.last_text(WORKER) and "13812341234" in bot.last_text(WORKER)
    await bot.tap(WORKER, "已电话劝阻")
    assert (await by_phone(bot, "13812341234")).outcome == "phone"
    await bot.act(WORKER2, f"warn:undo:{w.id}")               # not theirs to take back
    bot.clock.advance(timedelta(hours=3))
    await bot.act(WORKER, f"warn:undo:{w.id}")                # too late
    assert (await by_phone(bot, "13812341234")).outcome == "phone"


async def test_a_grid_without_a_worker_goes_to_its_village_contact_else_the_office(bot):
    await bot.join(202, "CYB", "contact")
    await imported(bot, "甲,13811110001,CYB-1,,,刷单,2026-11-24 09:00", "乙,13811110002,LD,,,刷单,2026-11-24 09:00")
    contact = await bot.user(202)
    office = await bot.user(OFFICE)
    assert (await by_phone(bot, "13811110001")).assignees == [contact.id]
    assert (await by_phone(bot, "13811110002")).assignees == [office.id]   # 乐道村: nobody there
    assert any("甲" in x and "13811110001" in x for x in bot.texts(202))
    assert any("乙" in x and "13811110002" in x for x in bot.texts(OFFICE))


async def test_a_warning_goes_before_a_queued_round_of_reminders(bot):
    worker = await bot.user(WORKER)
    await bot.storage.outbox.enqueue("test:round", {worker.address: body("普通提醒")}, bot.clock.now())
    await bot.document(OFFICE, "预警.csv", csv_file(ROWS[0]))
    await bot.tick()
    proactive = [s.text for s in bot.chan.said if s.chat == str(WORKER) and s.proactive]
    assert "张三丰" in proactive[0] and proactive[1] == "普通提醒"


def test_a_warning_number_shows_without_grouping():
    from schedules.warnings import card_text
    from storage.warnings import Warning_
    w = Warning_(id=12345, office_id=1, org_id=2, kind="刷单", warned_at=datetime(2026, 11, 24, 2, 0, tzinfo=TZ),
                 received_at=datetime(2026, 11, 24, 2, 0, tzinfo=TZ), due_at=datetime(2026, 11, 25, 2, 0, tzinfo=TZ),
                 status="open")
    assert "预警 #12345（24 小时内处置）" in card_text("zh", w, "网格", 24)


async def test_a_big_file_is_dispatched_by_the_next_tick_in_batches(bot):
    rows = [f"群众{i},1390000{i:04d},{'BHQ-1' if i % 2 else 'BHQ-2'},,,刷单,2026-11-24 09:00" for i in range(600)]
    await bot.document(OFFICE, "预警.csv", csv_file(*rows))
    assert "已导入预警 600 条" in bot.last_text(OFFICE)
    assert await outbox_rows(bot) == []
    await bot.tick()
    sent = await outbox_rows(bot)
    assert len(sent) == 600 and {r[2] for r in sent} == {"sent"}
    assert sum("群众" in x for x in bot.texts(WORKER)) == 300


async def test_a_typed_outcome_word_goes_to_the_last_card_shown(bot):
    await imported(bot, ROWS[0])
    await imported(bot, "赵六,13900003333,BHQ-1,,,贷款,2026-11-24 09:45")
    assert "赵六" in bot.last_text(WORKER)                  # the newest card is the last one shown
    await bot.send(WORKER, "已见面劝阻")                     # typed, not tapped
    first, last = await by_phone(bot, "13812341234"), await by_phone(bot, "13900003333")
    assert (first.status, last.status, last.outcome) == ("open", "closed", "met")
    assert "赵*" in bot.last_text(WORKER)                   # the answer says whom it was recorded for


async def test_returned_and_unassigned_warnings_are_in_the_overdue_list_of_the_office(bot):
    await imported(bot, ROWS[0], ROWS[2])                    # 王五: no known area
    await bot.tap(WORKER, "不在本网格")                       # 张三丰: returned
    bot.clock.advance(timedelta(hours=24))
    await bot.tick()
    await bot.tick()
    [late] = [x for x in bot.texts(OFFICE) if "预警超时" in x]
    assert "以下 2 条" in late and "张* 138****1234" in late and "王* 137****2222" in late
    assert late.count("待改派") == 2 and "王五" not in late
    ws = await warnings_of(bot)
    assert all(w.overdue_at == bot.clock.now() for w in ws)
    assert not any("预警超时" in x for x in bot.texts(CONTACT))   # their area is not known: the office's
    bot.clock.advance(timedelta(hours=1))
    await bot.tick()
    assert sum("预警超时" in x for x in bot.texts(OFFICE)) == 1  # once


async def test_a_warning_sent_to_nobody_goes_out_when_someone_joins(tmp_path):
    from .helpers import Harness
    async with Harness(tmp_path, datetime(2026, 11, 24, 10, 0, tzinfo=TZ)) as h:
        await h.import_orgs()                               # the command line, before anyone joined
        rows = domain.parse("预警.csv", csv_file(ROWS[0]), TZ)
        await domain.import_rows(h.storage, rows, await h.storage.orgs.by_code("WLS"), None, h.clock.now(), 24, 90)
        await h.tick()
        [w] = await warnings_of(h)
        assert w.dispatched_at is not None and w.assignees == []
        await h.join(WORKER, "BHQ-1", "worker")
        h.clock.advance(timedelta(minutes=1))
        await h.tick()
        await h.tick()
        [w] = await warnings_of(h)
        assert w.assignees == [(await h.user(WORKER)).id]
        assert sum("张三丰" in x for x in h.texts(WORKER)) == 1
        await h.tap(WORKER, "已见面劝阻")
        assert (await warnings_of(h))[0].outcome == "met"


async def test_after_the_purge_the_same_warning_imported_again_is_not_a_new_one(bot):
    await imported(bot, ROWS[0])
    await bot.tap(WORKER, "已见面劝阻")
    bot.clock.advance(timedelta(days=91))
    await bot.tick()
    [w] = await warnings_of(bot)
    assert w.purged_at is not None and w.phone is None
    fresh = "赵六,13900003333,BHQ-1,,,贷款," + bot.clock.now().strftime("%Y-%m-%d %H:%M")
    await bot.document(OFFICE, "累计预警.csv", csv_file(ROWS[0], fresh))   # a running list, sent again
    assert "已导入预警 1 条" in bot.last_text(OFFICE) and "1 条预警时间已超过 90 天" in bot.last_text(OFFICE)
    assert [x.phone for x in await warnings_of(bot)] == [None, "13900003333"]
    await bot.tick()
    assert sum("张三丰" in x for x in bot.texts(WORKER)) == 1


async def test_logged_dissuasions_in_the_figures_are_those_of_the_period_not_of_its_months(bot):
    """A week's figures (the Monday digest's) count the dissuasions logged in that week only."""
    worker = await bot.user(WORKER)
    for day, n in (("2026-11-02", 4), ("2026-11-17", 2), ("2026-11-24", 1)):
        await bot.storage.db.write(
            "INSERT INTO entries (user_id, org_id, kind, measures, happened_on, recorded_at, source, flags) "
            "VALUES (?, ?, 'dissuade', ?, ?, ?, 'quick', '')",
            (worker.id, worker.org_id, json.dumps({"dissuasions": n}), day, bot.clock.now().isoformat()))
    week = await domain.figures(bot.storage, None, date(2026, 11, 16), date(2026, 11, 22))
    month = await domain.figures(bot.storage, None, date(2026, 11, 1), date(2026, 11, 30))
    assert (week["dissuasions"], month["dissuasions"]) == (2, 7)


async def test_dissuasions_typed_as_one_line_reports_are_their_own_kind_and_in_the_warning_figures(bot):
    from openpyxl import load_workbook
    await imported(bot, ROWS[0])
    await bot.tap(WORKER, "已见面劝阻")
    await bot.tap(WORKER, "跳过")
    for line in ("劝阻2人", "电话劝阻2人，见面劝阻1人", "回访受害人3人"):
        await bot.send(WORKER, line)                         # the real one-line reader
        await bot.tap(WORKER, "保存")
    entries = await bot.storage.db.fetchall("SELECT kind, measures FROM entries ORDER BY id")
    assert [(k, json.loads(m)) for k, m in entries] == [
        ("dissuade", {"dissuasions": 2}), ("dissuade", {"dissuasions": 3}), ("dissuade", {"follow_ups": 3})]
    totals = dict(await bot.storage.db.fetchall(
        "SELECT key, SUM(total) FROM report_totals WHERE key NOT LIKE '#%' GROUP BY key"))
    assert totals == {"dissuasions": 5, "follow_ups": 3}     # never people reached
    fig = await domain.figures(bot.storage, None, date(2026, 11, 1), date(2026, 11, 30))
    assert (fig["received"], fig["dissuaded"], fig["dissuasions"], fig["follow_ups"]) == (1, 1, 5, 3)
    await bot.send(OFFICE, "/summary 2026-11")
    said = "\n".join(bot.texts(OFFICE)[-3:])
    assert "预警 1 条：按时联系 1，劝阻 1" in said and "登记劝阻 5 人，回访 3 人" in said and "宣传 0 人" in said
    await bot.send(OFFICE, "/export 2026-11")
    [(_, data)] = bot.documents(OFFICE)
    cells = " ".join(str(c) for row in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)
                     for c in row if c is not None)
    assert "登记劝阻 5 人，回访 3 人" in cells and "张" not in cells.split("预警 1 条")[1][:80]


async def test_an_outcome_word_typed_while_a_note_is_asked_goes_to_the_newest_card_not_into_the_note(bot):
    await imported(bot, ROWS[0])
    await bot.tap(WORKER, "已见面劝阻")                       # asks for an optional note
    await imported(bot, "赵六,13900003333,BHQ-1,,,贷款,2026-11-24 09:45")
    assert "赵六" in bot.last_text(WORKER)
    await bot.send(WORKER, "已电话劝阻")                      # meant for the new card
    first, last = await by_phone(bot, "13812341234"), await by_phone(bot, "13900003333")
    assert first.note is None and (last.status, last.outcome) == ("closed", "phone")
    assert "赵*" in bot.last_text(WORKER)


async def test_an_old_skip_button_of_a_warning_does_not_end_another_flow(bot):
    await imported(bot, ROWS[0])
    await bot.send(WORKER, "/poster")                        # logging, meanwhile
    conv = await bot.storage.conversations.load((await bot.user(WORKER)).id)
    assert conv.flow == "log"
    await bot.act(WORKER, "warn:skip")                       # 跳过 of an older warning message
    conv = await bot.storage.conversations.load((await bot.user(WORKER)).id)
    assert conv.flow == "log"


async def test_a_warning_entry_left_half_typed_does_not_keep_the_name_and_phone(bot):
    await bot.send(OFFICE, "/warn")
    await bot.send(OFFICE, "孙七")
    await bot.send(OFFICE, "13800004444")
    office = await bot.user(OFFICE)
    assert (await bot.storage.conversations.load(office.id)).data["cells"]["name"] == "孙七"
    bot.clock.advance(timedelta(hours=1))
    await bot.tick()
    assert (await bot.storage.conversations.load(office.id)).flow == "warn"   # still being typed
    bot.clock.advance(timedelta(hours=1, minutes=1))
    await bot.tick()                                                    # the flow is over: forgotten
    rows = await bot.storage.db.fetchall("SELECT flow, data FROM conversations WHERE user_id = ?", (office.id,))
    assert [tuple(r) for r in rows] == [(None, None)]


async def test_the_unassigned_count_is_of_the_rows_added(bot):
    await imported(bot, ROWS[2])                              # 王五: no known area
    await bot.document(OFFICE, "预警2.csv", csv_file(ROWS[2], ROWS[0]))
    assert "已导入预警 1 条（重复未导入 1 条，对不上网格 0 条）" in bot.last_text(OFFICE)


async def test_an_outcome_tapped_while_the_ticker_reads_what_is_due_stops_the_reminder(bot, monkeypatch):
    await imported(bot, ROWS[0])
    w = await by_phone(bot, "13812341234")
    await bot.act(WORKER, f"warn:nr:{w.id}:0")
    bot.clock.advance(timedelta(hours=2))
    repo, read = bot.storage.warnings, bot.storage.warnings.retries_due

    async def then_tapped(now):      # the worker's tap commits between the read and the queueing
        due = await read(now)
        await bot.act(WORKER, f"warn:met:{w.id}:0")
        return due
    monkeypatch.setattr(repo, "retries_due", then_tapped)
    await bot.tick()
    await bot.tick()
    assert not any("再次提醒" in x for x in bot.texts(WORKER))
    assert (await by_phone(bot, "13812341234")).outcome == "met"


async def test_an_open_warning_of_a_grid_without_a_worker_reaches_the_worker_who_joins_it(bot):
    await bot.join(202, "CYB", "contact")
    await imported(bot, "甲,13811110001,CYB-1,,,刷单,2026-11-24 09:00")
    contact = await bot.user(202)
    assert (await by_phone(bot, "13811110001")).assignees == [contact.id]
    await bot.join(103, "CYB-1", "worker")                   # the grid gets its worker
    await bot.tick()
    await bot.tick()
    worker = await bot.user(103)
    assert (await by_phone(bot, "13811110001")).assignees == [worker.id]
    assert sum("13811110001" in x for x in bot.texts(103)) == 1
    assert sum("13811110001" in x for x in bot.texts(202)) == 1    # the contact is not sent it again
    await bot.act(202, f"warn:phone:{(await by_phone(bot, '13811110001')).id}:0")   # and may still act
    assert (await by_phone(bot, "13811110001")).outcome_by == contact.id


async def test_a_forged_reassignment_to_an_org_that_is_no_grid_or_village_is_refused(bot):
    await imported(bot, ROWS[0])
    w = await by_phone(bot, "13812341234")
    township = await bot.storage.orgs.by_code("WLS")
    await bot.act(OFFICE, f"warn:to:{w.id}:{township.id}")
    got = await by_phone(bot, "13812341234")
    assert (got.org_id, got.round) == (w.org_id, 0)


async def test_on_telegram_the_office_sends_the_warnings_file(tmp_path):
    from schedules import run_due

    from .tg import Harness as TgHarness, message_json, update_json
    async with TgHarness(tmp_path, datetime(2026, 11, 24, 10, 0, tzinfo=TZ)) as tg:
        await tg.import_orgs()
        await tg.join(WORKER, "BHQ-1", "worker")
        await tg.join(OFFICE, "WLS", "office")
        tg.api.files["sheet"] = csv_file(ROWS[0])
        await tg.feed(update_json(message=message_json(OFFICE, None, document={
            "file_id": "sheet", "file_unique_id": "sheet-u", "file_name": "预警.csv", "file_size": 200})))
        assert "已导入预警 1 条" in tg.last_text(OFFICE)
        await run_due(tg.svc, tg.senders())
        assert "张三丰" in tg.last_text(WORKER)
        too_big = {"file_id": "huge", "file_unique_id": "huge-u", "file_name": "预警.xlsx", "file_size": 30 << 20}
        await tg.feed(update_json(message=message_json(OFFICE, None, document=too_big)))
        assert "文件太大" in tg.last_text(OFFICE)
        assert [w.phone for w in await tg.storage.warnings._select("1 = 1")] == ["13812341234"]


@pytest.mark.parametrize("typed, outcome, tries", [("见面劝阻", "met", 0), ("电话劝阻了", "phone", 0),
                                                   ("打不通", None, 1), ("被骗了", "defrauded", 0)])
async def test_a_card_answered_in_the_words_people_use(bot, typed, outcome, tries):
    await imported(bot, ROWS[0])
    await bot.send(WORKER, typed)
    w = await by_phone(bot, "13812341234")
    assert (w.outcome, w.tries) == (outcome, tries)
