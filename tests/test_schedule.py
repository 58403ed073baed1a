"""Deadlines, submissions, reminders (exactly once, never at night, across restarts), backups."""
from __future__ import annotations

import sqlite3
from datetime import datetime

from handlers.sender import TelegramSender
from schedules import run_due
from schedules.backup import run_backup
from schedules.reminders import run_reminders

from .conftest import CONTACT, OFFICE, TZ, WORKER
from .helpers import Harness

CONTACTS = {201: "BHQ", 202: "CYB", 203: "WLSC", 204: "JZS"}


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def remind(h) -> dict:
    return dict(await run_reminders(h.svc, TelegramSender(h.app.bot, h.storage, h.clock)))


def reminded(h, uid: int) -> list[str]:
    return [x for x in h.api.texts(uid) if x.startswith("⏰")]


async def setup(h) -> None:
    await h.import_orgs()
    await h.join(WORKER, "BHQ-1", "worker")
    for uid, code in CONTACTS.items():
        await h.join(uid, code, "contact")
    await h.join(OFFICE, "WLS", "office")
    await h.send(OFFICE, "/bind_office", chat_id=-500, chat_type="group")
    h.api.calls.clear()


async def submit(h, uid: int, title_part: str | None = None) -> None:
    await h.send(uid, "/report")
    if title_part:
        await h.press_label(uid, title_part)
    await h.press_label(uid, "确认报送")


async def test_reminder_goes_once_to_those_who_owe(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 26, 9, 0, 30)) as h:
        await setup(h)
        counts = await remind(h)
        assert counts == {"sent": 4}
        [text] = reminded(h, CONTACT)
        assert "宣传及APP安装情况报送" in text and "11月28日前" in text and "11月1日—28日" in text
        assert "APP安装 0/" in text                       # progress toward the target in force
        assert h.api.last_markup(CONTACT)[0][0]["callback_data"] == "v1:report:pick:monthly-28:2026-11"
        assert reminded(h, WORKER) == []                  # contact deadlines are not the workers'
        assert await remind(h) == {}                      # the same slot again: nothing
        await h.press_label(CONTACT, "立即报送")           # opens that very report
        assert h.last_text(CONTACT).startswith("【宣传及APP安装情况报送】统计11月1日—11月28日")


async def test_submitted_area_gets_nothing_and_restart_repeats_nothing(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 26, 9, 1)) as h:
        await setup(h)
        await submit(h, CONTACT, "11月28日")
        assert "已报送" in h.last_text(CONTACT)
        assert (await remind(h))["sent"] == 3
        assert reminded(h, CONTACT) == []
    async with Harness(tmp_path, at(2026, 11, 26, 9, 30)) as h:   # restarted
        assert await remind(h) == {}
        h.clock.set(at(2026, 11, 28, 9, 0))
        assert (await remind(h))["sent"] == 3                      # the next slot, once


async def test_never_at_night_and_missed_slots_go_out_once(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.join(205, "JBZ", "contact")
        h.clock.set(at(2026, 11, 27, 22, 0))                # quiet hours
        assert await remind(h) == {}
        h.clock.set(at(2026, 11, 28, 16, 0))                # down since the 24th: 3 slots passed
        await remind(h)
        assert len(reminded(h, CONTACT)) == 1               # one reminder, not three
        h.clock.set(at(2026, 11, 29, 9, 0))                 # the 28th has passed: dropped
        await remind(h)
        assert len(reminded(h, CONTACT)) == 1


async def test_last_reminder_escalates_to_contact_and_office(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 28, 15, 0)) as h:
        await setup(h)
        await submit(h, 202, "11月28日")                      # CYB submits; others do not
        await remind(h)
        assert any("用户101" in x and "还没完成" in x for x in h.api.texts(CONTACT))
        [office] = h.api.texts(-500)
        assert "百花桥村" in office and "茶园坝社区" not in office
        await remind(h)
        assert len(h.api.texts(-500)) == 1                    # escalation also once


async def test_blocked_and_rate_limited_recipients_do_not_stop_the_rest(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 26, 9, 0)) as h:
        await setup(h)
        h.api.forbidden.add(202)
        h.api.retry_after[203] = 1
        counts = await remind(h)
        assert counts == {"sent": 3, "blocked": 1}
        assert len(reminded(h, 203)) == 1
        assert (await h.storage.users.by_telegram_id(202)).blocked_at is not None
        h.clock.set(at(2026, 11, 28, 9, 0))
        await remind(h)
        tried = [c for c in h.api.calls if c.method == "sendMessage" and c.params["chat_id"] == 202]
        assert len(tried) == 1 and not tried[0].ok               # never tried again after blocking


class Killed(Exception):
    pass


class CrashingSender(TelegramSender):
    """Dies after `n` messages, like a process killed in the middle of a round."""

    def __init__(self, h, n: int) -> None:
        super().__init__(h.app.bot, h.storage, h.clock)
        self.left = n

    async def send(self, *args, **kwargs) -> str:
        if self.left == 0:
            raise Killed
        self.left -= 1
        return await super().send(*args, **kwargs)


async def test_restart_in_the_middle_of_a_round(tmp_path):
    from schedules.reminders import CONCURRENCY
    everyone = list(CONTACTS) + list(range(1000, 1030))
    async with Harness(tmp_path, at(2026, 11, 26, 9, 0)) as h:
        await setup(h)
        for i, uid in enumerate(everyone[len(CONTACTS):]):
            await h.join(uid, ["SJG", "LD", "JBZ"][i % 3], "contact")
        try:
            await run_reminders(h.svc, CrashingSender(h, 10))
        except Killed:
            pass
        first = {uid for uid in everyone if reminded(h, uid)}
        assert 0 < len(first) <= 10
    async with Harness(tmp_path, at(2026, 11, 26, 9, 2)) as h2:   # restarted
        await remind(h2)
        second = {uid for uid in everyone if reminded(h2, uid)}
        lost = await h2.storage.ledger.pending()
        assert second and not (first & second)                   # nobody twice
        assert len(first) + len(second) + len(lost) == len(everyone)
        assert len(lost) <= CONCURRENCY                           # only those in flight may be lost


async def test_year_end_previous_month_report(tmp_path):
    async with Harness(tmp_path, at(2027, 1, 3, 9, 0)) as h:
        await setup(h)
        await remind(h)
        [text] = reminded(h, CONTACT)
        assert "上月宣传工作报送" in text and "12月1日—31日" in text and "1月5日前" in text


async def test_report_snapshot_replace_history_and_late(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(WORKER, "入户15户，海报3张")
        await h.press_label(WORKER, "保存")
        await h.send(CONTACT, "/report")
        assert "要报送哪一项" in h.last_text(CONTACT)
        await h.press_label(CONTACT, "11月25日")
        card = h.last_text(CONTACT)
        assert "入户 15户" in card and "海报 3张" in card
        await h.press_label(CONTACT, "添加说明")
        await h.send(CONTACT, "本月重点走访老年人")
        assert "说明：本月重点走访老年人" in h.last_text(CONTACT)
        await h.press_label(CONTACT, "确认报送")
        await submit(h, CONTACT, "11月25日")                 # again before the deadline: replaces
        bhq = await h.storage.orgs.by_code("BHQ")
        history = await h.storage.submissions.history("monthly-25:2026-11", bhq.id)
        assert len(history) == 2 and history[0].replaced_by == history[1].id
        assert history[0].figures == {"households": 15, "posters": 3} and history[0].note == "本月重点走访老年人"
        await h.send(CONTACT, "/report")
        await h.press_label(CONTACT, "11月20日")              # past due, still owed
        assert "逾期" in h.last_text(CONTACT)
        await h.press_label(CONTACT, "确认报送")
        assert "逾期" in h.last_text(CONTACT)
        [late] = await h.storage.submissions.current("monthly-20:2026-11")
        assert late.late
        await h.send(CONTACT, "/deadlines")
        text = h.last_text(CONTACT)
        assert "已报送（逾期）" in text and "已按时报送" in text and "还没报送" in text


async def test_nil_report_is_a_submission(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(202, "/report")
        await h.press_label(202, "11月25日")
        await h.press_label(202, "本期无活动")
        await h.send(202, "村里在开展秋收")
        await h.press_label(202, "确认报送")
        [sub] = await h.storage.submissions.current("monthly-25:2026-11")
        assert sub.nil_reason == "村里在开展秋收" and not sub.late


async def test_workers_cannot_submit_contact_deadlines(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(WORKER, "/report")
        assert "联络员负责" in h.last_text(WORKER)
        await h.press(WORKER, "v1:report:pick:monthly-25:2026-11")   # forged
        assert "已失效" in h.last_text(WORKER)
        assert await h.storage.submissions.current("monthly-25:2026-11") == []


async def test_nightly_backup_opens_and_holds_every_entry(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 2, 29), backup_keep=2) as h:
        await setup(h)
        await h.send(WORKER, "入户15户，海报3张")
        await h.press_label(WORKER, "保存")
        assert await run_backup(h.svc) is None              # before 02:30
        h.clock.set(at(2026, 11, 24, 2, 31))
        first = await run_backup(h.svc)
        assert first is not None and await run_backup(h.svc) is None   # once a day
        with sqlite3.connect(first) as copy:
            assert copy.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 2
        for day in (25, 26):
            h.clock.set(at(2026, 11, day, 3, 0))
            await run_due(h.svc, TelegramSender(h.app.bot, h.storage, h.clock))
        kept = sorted((tmp_path / "backups").glob("*.sqlite3"))
        assert [p.name[4:12] for p in kept] == ["20261125", "20261126"]


async def test_backup_command_while_the_bot_runs(tmp_path, monkeypatch):
    from bot.cli import main
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(WORKER, "入户15户")
        await h.press_label(WORKER, "保存")
        monkeypatch.setenv("DATABASE_PATH", str(h.settings.database_path))
        import asyncio
        code = await asyncio.to_thread(main, ["backup", "--out", str(tmp_path / "copy.sqlite3")])
        assert code == 0
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT measures FROM entries").fetchall() == [('{"households": 15}',)]


async def test_job_queue_tick_runs_what_is_due_and_is_registered(tmp_path):
    from types import SimpleNamespace
    from bot.app import TICK_SECONDS, tick
    async with Harness(tmp_path, at(2026, 11, 26, 9, 0, 30)) as h:
        await setup(h)
        [job] = h.app.job_queue.jobs()
        assert job.name == "tick" and job.job.trigger.interval.total_seconds() == TICK_SECONDS
        assert job.job.misfire_grace_time == TICK_SECONDS
        await tick(SimpleNamespace(application=h.app))
        assert len(reminded(h, CONTACT)) == 1
        await tick(SimpleNamespace(application=h.app))
        assert len(reminded(h, CONTACT)) == 1


CALENDAR = """
[[deadline]]
id = "eom"
day = -1
title = "月末报送"
covers = "month_to_date"
who = "contact"
remind = ["-1d 09:00", "0d 15:00"]

[[deadline]]
id = "d31"
day = 31
title = "三十一日报送"
covers = "month_to_date"
who = "contact"
remind = ["0d 10:00"]

[[deadline]]
id = "m5"
day = 5
title = "上月报送"
covers = "previous_month"
who = "contact"
remind = ["-1d 20:30", "0d 22:00"]

[[deadline]]
id = "w"
day = -1
title = "网格员月报"
covers = "month_to_date"
who = "worker"
remind = ["0d 11:00"]
"""


async def test_walk_through_months_who_is_reminded_when(tmp_path):
    """Tick every 30 minutes across a year end, February and a 30-day month, restarting once."""
    from datetime import timedelta
    calendar = tmp_path / "deadlines.toml"
    calendar.write_text(CALENDAR, encoding="utf-8")
    windows = [(at(2026, 12, 28), at(2027, 1, 7)), (at(2027, 2, 25), at(2027, 3, 7)),
               (at(2027, 4, 27), at(2027, 5, 2))]
    seen: list[tuple[str, int, str, str]] = []

    async def walk(h, start, end):
        h.clock.set(start)
        while h.clock.now() < end:
            before = len(h.api.calls)
            await remind(h)
            for call in h.api.calls[before:]:
                if call.ok and call.method == "sendMessage" and call.params["text"].startswith("⏰"):
                    title = call.params["text"].split("【")[1].split("】")[0]
                    seen.append((f"{h.clock.now():%m-%d %H:%M}", call.params["chat_id"], title, call.params["text"]))
            h.clock.advance(timedelta(minutes=30))

    async with Harness(tmp_path, windows[0][0], deadlines_file=calendar) as h:
        await setup(h)
        for uid in list(CONTACTS)[1:]:
            await h.storage.users.set_active(uid, False, h.clock.now())   # one contact is enough here
        await walk(h, *windows[0])
        await walk(h, windows[1][0], at(2027, 2, 28, 10, 30))
    async with Harness(tmp_path, at(2027, 2, 28, 10, 30), deadlines_file=calendar) as h:   # restart
        await walk(h, at(2027, 2, 28, 10, 30), windows[1][1])
        await walk(h, *windows[2])
    C, W = CONTACT, WORKER
    assert [x[:3] for x in seen] == [
        ("12-30 09:00", C, "月末报送"), ("12-31 10:00", C, "三十一日报送"), ("12-31 11:00", W, "网格员月报"),
        ("12-31 15:00", C, "月末报送"), ("01-04 20:30", C, "上月报送"),   # its 22:00 slot would move past the deadline
        ("02-27 09:00", C, "月末报送"), ("02-28 10:00", C, "三十一日报送"), ("02-28 11:00", W, "网格员月报"),
        ("02-28 15:00", C, "月末报送"), ("03-04 20:30", C, "上月报送"),
        ("04-29 09:00", C, "月末报送"), ("04-30 10:00", C, "三十一日报送"), ("04-30 11:00", W, "网格员月报"),
        ("04-30 15:00", C, "月末报送"),
    ]
    year_end = next(x[3] for x in seen if x[0] == "01-04 20:30")
    assert "12月1日—31日" in year_end and "1月5日前" in year_end
