"""Reminders (exactly once, never at night, across restarts), escalation, the outbox, backups.

Everything runs through `bot.tick()` (schedules.run_due with the text channel as the only
sender). Submissions are stored directly: the report flow has its own tests (test_report.py)."""
from __future__ import annotations

import logging
import sqlite3
from collections import Counter
from datetime import datetime, timedelta

from schedules.backup import run_backup
from schedules.outbox import CONCURRENCY, deliver
from schedules.reminders import run_reminders
from storage.models import NewEntry

from .conftest import CONTACT, OFFICE, TZ, WORKER
from .helpers import Harness

CONTACTS = {201: "BHQ", 202: "CYB", 203: "WLSC", 204: "JZS"}
OFFICE_CHAT = "-100"
NOV28 = "monthly-28:2026-11"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def reminded(h, uid: int | str) -> list[str]:
    return [x for x in h.texts(uid) if x.startswith("⏰")]


async def setup(h) -> None:
    """The township, a worker, four contacts and the township office with its group chat."""
    await h.import_orgs()
    await h.join(WORKER, "BHQ-1", "worker")
    for uid, code in CONTACTS.items():
        await h.join(uid, code, "contact")
    await h.join(OFFICE, "WLS", "office")
    office, township = await h.user(OFFICE), await h.storage.orgs.by_code("WLS")
    await h.storage.users.bind_office_chat(township.id, "text", OFFICE_CHAT, office.id, h.clock.now())


async def address(h, uid: int) -> str:
    return (await h.user(uid)).address


async def outbox(h, prefix: str = "") -> dict[tuple[str, str], tuple[str, int]]:
    """(topic, recipient) -> (status, attempts) of the outbox rows whose topic starts with prefix."""
    rows = await h.storage.db.fetchall(
        "SELECT topic, recipient, status, attempts FROM outbox WHERE substr(topic, 1, ?) = ?",
        (len(prefix), prefix))
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


async def submit(h, uid: int, period_key: str = NOV28) -> None:
    """The person's area submits (straight into storage)."""
    user = await h.user(uid)
    await h.storage.submissions.submit(deadline_id=period_key.split(":")[0], period_key=period_key,
                                       org_id=user.org_id, user_id=user.id, now=h.clock.now(), late=False,
                                       figures={}, evidence_count=0)


async def test_reminder_goes_once_to_those_who_owe(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 26, 9, 0, 30)) as h:
        await setup(h)
        done = await h.tick()
        assert done["reminders"] == 4 and done["sent"]["sent"] >= 4
        topic = f"remind:{NOV28}:-2d 09:00"
        assert await outbox(h, "remind:") == {(topic, await address(h, uid)): ("sent", 1) for uid in CONTACTS}
        [text] = reminded(h, CONTACT)
        assert "宣传及APP安装情况报送" in text and "11月28日前" in text and "11月1日—28日" in text
        assert "APP安装 0/" in text                        # progress toward the target in force
        assert text.endswith("可回复：立即报送")             # no buttons here, and never a number: a word
        [[body]] = await h.storage.db.fetchall("SELECT body FROM outbox WHERE recipient = ?",
                                               (await address(h, CONTACT),))
        assert '[["立即报送", "report:pick:monthly-28:2026-11"]]' in body
        assert reminded(h, WORKER) == []                   # contact deadlines are not the workers'

        said = len(h.chan.said)
        assert (await h.tick())["reminders"] == 0          # the same slot again: nothing
        assert len(h.chan.said) == said and len(await outbox(h, "remind:")) == 4

        await h.tap(CONTACT, "立即报送")                    # typing the word opens that very report
        assert h.last_text(CONTACT).startswith("【宣传及APP安装情况报送】统计11月1日—11月28日")
        conv = await h.storage.conversations.load((await h.user(CONTACT)).id)
        assert (conv.flow, conv.data["period_key"]) == ("report", NOV28)


async def test_submitted_area_gets_nothing_and_restart_repeats_nothing(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 26, 9, 1)) as h:
        await setup(h)
        await submit(h, CONTACT)
        assert (await h.tick())["reminders"] == 3
        assert reminded(h, CONTACT) == []
        assert await address(h, CONTACT) not in {r for _, r in await outbox(h, "remind:")}
        h.clock.set(at(2026, 11, 26, 9, 30))
        await h.restart()
        assert (await h.tick())["reminders"] == 0
        assert sum(len(reminded(h, uid)) for uid in CONTACTS) == 3
        h.clock.set(at(2026, 11, 28, 9, 0))
        assert (await h.tick())["reminders"] == 3           # the next slot, once
        assert Counter(t for t, _ in await outbox(h, "remind:")) == {
            f"remind:{NOV28}:-2d 09:00": 3, f"remind:{NOV28}:0d 09:00": 3}
        assert reminded(h, CONTACT) == []


async def test_never_at_night_and_missed_slots_go_out_once(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.join(205, "JBZ", "contact")
        h.clock.set(at(2026, 11, 27, 22, 0))                # quiet hours: nothing is even queued
        await h.tick()
        assert await outbox(h) == {}
        h.clock.set(at(2026, 11, 28, 16, 0))                # down since the 24th: 3 slots passed
        await h.tick()
        assert len(reminded(h, CONTACT)) == 1 and len(reminded(h, 205)) == 1   # one reminder, not three
        assert {t for t, _ in await outbox(h, f"remind:{NOV28}")} == {f"remind:{NOV28}:0d 15:00"}
        h.clock.set(at(2026, 11, 29, 9, 0))                 # the 28th has passed: dropped
        await h.tick()
        assert len(reminded(h, CONTACT)) == 1
        assert len(await outbox(h, "remind:")) == 5


async def test_last_reminder_escalates_to_contact_and_office(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 28, 15, 0)) as h:
        await setup(h)
        await submit(h, 202)                                 # CYB submits; others do not
        await h.tick()
        [escalation] = [x for x in h.texts(CONTACT) if "还没完成" in x]
        assert "用户101" in escalation
        [office] = [x for x in h.texts(OFFICE_CHAT) if x.startswith("【")]
        assert "百花桥村" in office and "茶园坝社区" not in office
        # Only the contact whose area has a worker who logged nothing, and the office chat.
        assert await outbox(h, "escalate:") == {
            (f"escalate:{NOV28}", await address(h, CONTACT)): ("sent", 1),
            (f"escalate:{NOV28}", f"c:text:{OFFICE_CHAT}"): ("sent", 1)}
        h.clock.advance(timedelta(minutes=5))
        await h.tick()
        assert len([x for x in h.texts(OFFICE_CHAT) if x.startswith("【")]) == 1   # escalation also once


async def test_escalation_in_english_lists_names_the_english_way(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 28, 15, 0)) as h:
        await setup(h)
        await h.join(105, "BHQ-2", "worker")                # two workers of BHQ logged nothing
        await h.send(CONTACT, "/lang en")
        await h.tick()
        [escalation] = [x for x in h.texts(CONTACT) if "have not finished" in x]
        assert "用户101, 用户105" in escalation and not set("：、，。") & set(escalation)
        [office] = [x for x in h.texts(OFFICE_CHAT) if x.startswith("【")]
        assert "百花桥村、" in office                           # the office chat reads Chinese


LONG_ID = """
[[deadline]]
id = "county-special-2026-nov1"
date = "2026-11-30"
title = "县级专项报送"
covers = "month_to_date"
who = "contact"
remind = ["-2d 09:00"]
"""


async def test_a_deadline_with_a_long_id_gets_a_working_button(tmp_path):
    calendar = tmp_path / "deadlines.toml"
    calendar.write_text(LONG_ID, "utf-8")
    async with Harness(tmp_path, at(2026, 11, 28, 9, 0, 30), deadlines_file=calendar) as h:
        await setup(h)
        await h.tick()
        key = "county-special-2026-nov1:2026-11-30"
        [[body]] = await h.storage.db.fetchall(
            "SELECT body FROM outbox WHERE recipient = ? AND topic LIKE 'remind:%'", (await address(h, CONTACT),))
        assert f'"report:pick:{key}"' in body
        await h.act(CONTACT, f"report:pick:{key}")          # its 立即报送 tapped
        assert h.last_text(CONTACT).startswith("【县级专项报送】")
        await h.tap(CONTACT, "确认报送")
        [sub] = await h.storage.submissions.current(key)
        assert sub.user_id == (await h.user(CONTACT)).id


def spy_on_sends(h, monkeypatch) -> list[str]:
    """The chats the outbox tried to send to (blocked ones too)."""
    tried: list[str] = []
    send = h.chan.send

    async def spy(chat_id, texts, buttons, lang="zh"):
        tried.append(chat_id)
        return await send(chat_id, texts, buttons, lang)
    monkeypatch.setattr(h.chan, "send", spy)
    return tried


async def blocked_at(h, uid: int):
    [account] = await h.storage.users.accounts((await h.user(uid)).id)
    return account.blocked_at


async def test_blocked_and_failing_recipients_do_not_stop_the_rest(tmp_path, monkeypatch):
    async with Harness(tmp_path, at(2026, 11, 26, 9, 0)) as h:
        await setup(h)
        tried = spy_on_sends(h, monkeypatch)
        h.chan.blocked.add("202")
        h.chan.failing.add("203")
        done = await h.tick()
        assert +done["sent"] >= Counter(sent=2, blocked=1, failed=1)
        first = f"remind:{NOV28}:-2d 09:00"
        rows = await outbox(h, "remind:")
        assert rows[(first, await address(h, 202))] == ("blocked", 1)
        assert rows[(first, await address(h, 203))] == ("queued", 1)      # failed: tried again later
        assert rows[(first, await address(h, CONTACT))] == ("sent", 1)
        assert await blocked_at(h, 202) is not None                        # recorded on the account
        assert len(reminded(h, CONTACT)) == 1 and len(reminded(h, 204)) == 1

        h.chan.failing.discard("203")
        await h.tick()                                       # not yet: the retry waits a minute
        assert reminded(h, 203) == []
        h.clock.advance(timedelta(minutes=2))
        await h.tick()
        assert len(reminded(h, 203)) == 1
        assert (await outbox(h, "remind:"))[(first, await address(h, 203))] == ("sent", 2)

        h.clock.set(at(2026, 11, 28, 9, 0))
        tried.clear()
        await h.tick()
        assert "202" not in tried                            # never tried again after blocking
        assert (await outbox(h, "remind:"))[(f"remind:{NOV28}:0d 09:00", await address(h, 202))] == \
            ("unreachable", 1)
        assert len(reminded(h, CONTACT)) == 2

        h.chan.blocked.discard("202")                        # they unblock the bot and write to it
        await h.send(202, "/me")
        assert await blocked_at(h, 202) is None
        h.clock.set(at(2026, 11, 28, 15, 0))
        await h.tick()
        assert len(reminded(h, 202)) == 1                    # reachable again


async def test_a_recipient_failing_for_good_is_given_up(tmp_path):
    from storage.outbox import MAX_ATTEMPTS
    async with Harness(tmp_path, at(2026, 11, 26, 9, 0)) as h:
        await setup(h)
        h.chan.failing.add("203")
        key = (f"remind:{NOV28}:-2d 09:00", await address(h, 203))
        for _ in range(MAX_ATTEMPTS + 2):
            await h.tick()
            h.clock.advance(timedelta(minutes=2))
        assert (await outbox(h, "remind:"))[key] == ("failed", MAX_ATTEMPTS)
        assert len(reminded(h, CONTACT)) == 1 and reminded(h, 203) == []


async def test_restart_in_the_middle_of_a_round(tmp_path, caplog):
    everyone = list(CONTACTS) + list(range(1000, 1030))
    async with Harness(tmp_path, at(2026, 11, 26, 9, 0)) as h:
        await setup(h)
        for i, uid in enumerate(everyone[len(CONTACTS):]):
            await h.join(uid, ["SJG", "LD", "JBZ"][i % 3], "contact")
        assert await run_reminders(h.svc) == len(everyone)           # queued, none sent yet
        # The round had sent ten and was sending a few more when the process died: two of
        # those had gone out, the others not yet; none was settled.
        queue = await h.storage.outbox.due(h.clock.now())
        for message in queue[:10]:
            assert await h.storage.outbox.claim(message.id)
            outcome = await deliver(h.svc, {"text": h.chan}, message)
            await h.storage.outbox.settle(message, outcome, h.clock.now())
        in_flight = queue[10:10 + CONCURRENCY]
        for i, message in enumerate(in_flight):
            assert await h.storage.outbox.claim(message.id)
            if i < 2:
                assert await deliver(h.svc, {"text": h.chan}, message) == "sent"
        first = {uid for uid in everyone if reminded(h, uid)}
        assert len(first) == 12

        h.clock.set(at(2026, 11, 26, 9, 2))
        with caplog.at_level(logging.WARNING):
            await h.restart()
        assert f"{CONCURRENCY} scheduled messages were in flight at the last stop: sending them again" in caplog.text
        again = {m.recipient for m in in_flight}
        rows = await outbox(h, "remind:")
        assert {r for (_, r), (s, n) in rows.items() if (s, n) == ("queued", 1)} == again   # marked: one try more
        await h.tick()
        assert Counter(s for s, _ in (await outbox(h, "remind:")).values()) == {"sent": len(everyone)}
        assert all(reminded(h, uid) for uid in everyone)              # at least once: none lost
        twice = {await address(h, uid) for uid in everyone if len(reminded(h, uid)) == 2}
        assert twice == {m.recipient for m in in_flight[:2]}           # only what had gone out in flight
        assert all(len(reminded(h, uid)) <= 2 for uid in everyone)
        assert {r for (_, r), (_, n) in (await outbox(h, "remind:")).items() if n == 2} == again
        await h.restart()                                             # settled: nothing is sent again
        await h.tick()
        assert sum(len(reminded(h, uid)) for uid in everyone) == len(everyone) + 2


async def test_year_end_previous_month_report(tmp_path):
    async with Harness(tmp_path, at(2027, 1, 3, 9, 0)) as h:
        await setup(h)
        await h.tick()
        [text] = reminded(h, CONTACT)
        assert "上月宣传工作报送" in text and "12月1日—31日" in text and "1月5日前" in text
        assert text.endswith("可回复：立即报送")
        topic = "remind:monthly-5:2027-01:-2d 09:00"   # filed under the deadline's month
        assert set(await outbox(h, "remind:")) == {(topic, await address(h, uid)) for uid in CONTACTS}
        [[body]] = await h.storage.db.fetchall("SELECT body FROM outbox WHERE recipient = ?",
                                               (await address(h, CONTACT),))
        assert '"report:pick:monthly-5:2027-01"' in body


async def add_entries(h, uid: int, *measures: tuple[str, dict]) -> None:
    user = await h.user(uid)
    await h.storage.entries.add([NewEntry(user_id=user.id, org_id=user.org_id, kind=kind, measures=m,
                                          happened_on=h.clock.now().date(), source="quick")
                                 for kind, m in measures], h.clock.now())


async def test_nightly_backup_opens_and_holds_every_entry(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 2, 29), backup_keep=2) as h:
        await setup(h)
        await add_entries(h, WORKER, ("visit", {"households": 15}), ("poster", {"posters": 3}))
        assert await run_backup(h.svc) is None              # before 02:30
        h.clock.set(at(2026, 11, 24, 2, 31))
        first = await run_backup(h.svc)
        assert first is not None and await run_backup(h.svc) is None   # once a day
        with sqlite3.connect(first) as copy:
            assert copy.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 2
        for day in (25, 26):
            h.clock.set(at(2026, 11, day, 3, 0))
            assert (await h.tick())["backup"] is not None
        kept = sorted((tmp_path / "backups").glob("*.sqlite3"))
        assert [p.name[4:12] for p in kept] == ["20261125", "20261126"]


async def test_backup_command_while_the_bot_runs(tmp_path, monkeypatch):
    import asyncio

    from bot.cli import main
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await add_entries(h, WORKER, ("visit", {"households": 15}))
        monkeypatch.setenv("DATABASE_PATH", str(h.settings.database_path))
        code = await asyncio.to_thread(main, ["backup", "--out", str(tmp_path / "copy.sqlite3")])
        assert code == 0
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT measures FROM entries").fetchall() == [('{"households": 15}',)]
        assert copy.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 1 + len(CONTACTS) + 1


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
    calendar = tmp_path / "deadlines.toml"
    calendar.write_text(CALENDAR, encoding="utf-8")
    windows = [(at(2026, 12, 28), at(2027, 1, 7)), (at(2027, 2, 25), at(2027, 3, 7)),
               (at(2027, 4, 27), at(2027, 5, 2))]
    seen: list[tuple[str, str, str, str]] = []

    async def walk(h, start, end):
        h.clock.set(start)
        while h.clock.now() < end:
            before = len(h.chan.said)
            await h.tick()
            for said in h.chan.said[before:]:
                if said.proactive and said.text.startswith("⏰"):
                    title = said.text.split("【")[1].split("】")[0]
                    seen.append((f"{h.clock.now():%m-%d %H:%M}", said.chat, title, said.text))
            h.clock.advance(timedelta(minutes=30))

    async with Harness(tmp_path, windows[0][0], deadlines_file=calendar) as h:
        await setup(h)
        for uid in list(CONTACTS)[1:]:   # one contact is enough here
            await h.storage.users.set_active((await h.user(uid)).id, False, h.clock.now())
        await walk(h, *windows[0])
        await walk(h, windows[1][0], at(2027, 2, 28, 10, 30))
        await h.restart()
        await walk(h, at(2027, 2, 28, 10, 30), windows[1][1])
        await walk(h, *windows[2])
        queued = Counter(t.split(":")[1] for t, _ in await outbox(h, "remind:"))
    C, W = str(CONTACT), str(WORKER)
    assert [x[:3] for x in seen] == [
        ("12-30 09:00", C, "月末报送"), ("12-31 10:00", C, "三十一日报送"), ("12-31 11:00", W, "网格员月报"),
        ("12-31 15:00", C, "月末报送"), ("01-04 20:30", C, "上月报送"),   # its 22:00 slot would move past the deadline
        ("02-27 09:00", C, "月末报送"), ("02-28 10:00", C, "三十一日报送"), ("02-28 11:00", W, "网格员月报"),
        ("02-28 15:00", C, "月末报送"), ("03-04 20:30", C, "上月报送"),
        ("04-29 09:00", C, "月末报送"), ("04-30 10:00", C, "三十一日报送"), ("04-30 11:00", W, "网格员月报"),
        ("04-30 15:00", C, "月末报送"),
    ]
    assert queued == {"eom": 6, "d31": 3, "w": 3, "m5": 2}      # the outbox holds exactly those
    year_end = next(x[3] for x in seen if x[0] == "01-04 20:30")
    assert "12月1日—31日" in year_end and "1月5日前" in year_end


async def test_a_submission_changed_since_is_told_once_at_the_last_reminder(tmp_path):
    """Entries logged after a contact submitted: they hear it once, at the last reminder (15:00 on
    the due day, while resubmitting is still on time), with 重新报送; never at each entry."""
    async with Harness(tmp_path, at(2026, 11, 27, 10, 0)) as h:
        await setup(h)
        await submit(h, CONTACT)
        await submit(h, 202)                                 # CYB: nothing logged since
        await add_entries(h, WORKER, ("visit", {"households": 22}))
        h.clock.set(at(2026, 11, 28, 9, 0, 30))               # the morning's reminder: not yet
        await h.tick()
        assert await outbox(h, "changed:") == {}
        h.clock.set(at(2026, 11, 28, 15, 0, 30))              # the last one
        await h.tick()
        assert await outbox(h, "changed:") == {(f"changed:{NOV28}", await address(h, CONTACT)): ("sent", 1)}
        [told] = [x for x in h.texts(CONTACT) if x.startswith("📝")]
        assert "【宣传及APP安装情况报送】报送后又登记了 入户 22户" in told and "重新报送" in told
        h.clock.advance(timedelta(minutes=30))
        await h.tick()
        assert len([x for x in h.texts(CONTACT) if x.startswith("📝")]) == 1   # once per period
        assert not [x for x in h.texts(202) if x.startswith("📝")]
