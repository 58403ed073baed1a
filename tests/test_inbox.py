"""The inbox (storage/inbox.py) and the way in every channel shares (channels.Inbound):
recorded on arrival, handled once, answered, and after a crash resumed where it stopped.

A crash is what a kill -9 leaves in the database: rows recorded and not handled, or handled
with replies never sent. These tests make exactly those rows and start an Inbound on them;
tests/test_e2e.py kills a real process, and bench/kill_*.py do it at scale."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from channels import Inbound
from handlers.core import Button, Command, Document, Event, Photo, Reply, replies_json, replies_of

from .conftest import STRANGER, WORKER

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4


class Collect:
    """An Answer that keeps what it was given to show, per chat."""

    def __init__(self, said: dict[str, list[Reply]], event: Event) -> None:
        self.said, self.event = said, event

    async def now(self, reply: Reply) -> None:
        self.said.setdefault(self.event.chat, []).append(reply)

    async def render(self, replies: list[Reply]) -> None:
        self.said.setdefault(self.event.chat, []).extend(replies)


def inbound(bot) -> tuple[Inbound, dict[str, list[Reply]]]:
    said: dict[str, list[Reply]] = {}
    return Inbound("text", lambda: bot.core), said


def event(uid: int, n: int, **kw) -> Event:
    return Event(channel="text", event_id=f"in-{n}", sender=str(uid), chat=str(uid), name=f"用户{uid}", **kw)


async def rows(bot) -> list[dict]:
    return [dict(r) for r in await bot.storage.db.fetchall(
        "SELECT event_id, payload IS NOT NULL AS kept, handled_at IS NOT NULL AS handled, replies IS NOT NULL AS "
        "to_send FROM inbox WHERE event_id LIKE 'in-%' ORDER BY seq")]


def test_an_event_and_its_replies_survive_as_json_photo_bytes_and_all():
    ev = Event(channel="telegram", event_id="7", sender="1", chat="-5", name="王", group=True, text="海报3张",
               photo=Photo("f", "u", JPEG), location=(29.5, 107.4), action="quick:save:abcd1234", edited=True,
               message_ref="9")
    assert Event.from_json(ev.to_json()) == ev
    assert Event.from_json(Event(channel="text", event_id="8", sender="1", chat="1",
                                 photo=Photo("f", "u")).to_json()).photo == Photo("f", "u", None)
    sheet = Event(channel="wecom", event_id="9", sender="1", chat="1", document=Document("预警.xlsx", b"PK\x03\x04"))
    assert Event.from_json(sheet.to_json()) == sheet
    replies = [Reply("卡片", [[Button("✅ 保存", "quick:save:abcd1234")]], replace=True, numbered=False),
               Reply("表", document=("t.xlsx", b"PK\x03\x04")), Reply(photo=b"\x89PNG", alert=True),
               Reply("", commands=[("log", "登记")], ask_location=True)]
    assert replies_of(replies_json(replies)) == replies
    assert Event.from_json(json.dumps({**json.loads(ev.to_json()), "later": 1})) == ev  # a newer field: ignored


async def test_recorded_once_handled_once_answered_then_only_the_mark_is_kept(bot):
    inbox, (way_in, said) = bot.storage.inbox, inbound(bot)
    first = event(WORKER, 1, text="入户15户")
    assert await way_in.record([first, event(WORKER, 2, text="/me")]) == [first, event(WORKER, 2, text="/me")]
    assert await way_in.record([first]) == []                           # delivered again: left out
    assert [r["kept"] for r in await rows(bot)] == [1, 1]
    await way_in.handle(first, Collect(said, first))
    assert "入户" in said[str(WORKER)][0].text and "保存" in said[str(WORKER)][0].buttons[0][0].label
    assert (await rows(bot))[0] == dict(event_id="in-1", kept=0, handled=1, to_send=0)  # answered: only the mark
    assert await bot.core.handle(first) == []                           # handled once
    assert [(e, p is not None, h) for e, p, r, h in await inbox.unfinished("text")] == [("in-2", True, False)]


async def test_a_restart_handles_what_was_left_in_order_per_chat_before_anything_new(bot):
    way_in, said = inbound(bot)
    left = [event(WORKER, 1, text="入户15户"), event(STRANGER, 2, text="你好"), event(WORKER, 3, text="保存")]
    await way_in.record(left)                                           # then the crash
    resumed = way_in.resume(lambda e: Collect(said, e))
    new = event(WORKER, 4, text="/me")
    assert await way_in.record([new]) == [new]                          # recorded at once...
    way_in.spawn(new, Collect(said, new))                               # ...handled after the resume
    assert await resumed == 3                                           # the new one is not the last run's
    await way_in.drain(5)
    worker = [r.text for r in said[str(WORKER)]]
    assert len(worker) == 3 and "入户" in worker[0] and "已保存" in worker[1] and "百花桥村第一网格" in worker[2]
    assert said[str(STRANGER)]
    entries = await bot.storage.db.fetchall("SELECT measures FROM entries")
    assert [json.loads(r[0]) for r in entries] == [{"households": 15}]
    assert all(r["handled"] and not r["kept"] for r in await rows(bot))


async def test_replies_never_sent_are_sent_after_a_restart_without_handling_again(bot):
    """Killed after the save committed, before its answer went out: the next run sends the
    answer it kept, and the card is not saved twice."""
    way_in, said = inbound(bot)
    await bot.send(WORKER, "入户15户")
    save = event(WORKER, 1, text="保存")
    await way_in.record([save])
    replies = await bot.core.handle(save)                               # committed; then the crash
    assert "已保存" in replies[0].text
    assert (await rows(bot))[0] == dict(event_id="in-1", kept=1, handled=1, to_send=1)
    assert await way_in.resume(lambda e: Collect(said, e)) == 1
    assert [r.text for r in said[str(WORKER)]] == [r.text for r in replies]
    assert (await rows(bot))[0]["kept"] == 0
    assert len(await bot.storage.db.fetchall("SELECT 1 FROM entries")) == 1


async def test_a_photo_in_the_inbox_is_never_lost(bot):
    """A captioned photo recorded, then the crash: its bytes were in the row, so the next run
    keeps it as evidence like any other."""
    way_in, said = inbound(bot)
    sent = event(WORKER, 1, text="海报3张", photo=Photo("tg-file", "tg-unique", JPEG))
    await way_in.record([sent])
    await way_in.resume(lambda e: Collect(said, e))
    await bot.send(WORKER, "保存")
    [row] = await bot.storage.db.fetchall("SELECT sha256, path FROM evidence")
    assert row[0] == hashlib.sha256(JPEG).hexdigest() and Path(row[1]).read_bytes() == JPEG
    assert (await rows(bot))[0]["kept"] == 0                            # the bytes left the inbox with it


async def test_an_event_that_fails_is_marked_handled_and_not_tried_at_every_start(bot):
    async def broken(turn):
        turn.say("…")
        raise RuntimeError("a bug")
    bot.core.routes.commands["broken"] = Command(broken)
    way_in, said = inbound(bot)
    failing = event(WORKER, 1, text="/broken")
    await way_in.record([failing])
    await way_in.handle(failing, Collect(said, failing))
    assert "出了点问题" in said[str(WORKER)][0].text
    assert (await rows(bot))[0] == dict(event_id="in-1", kept=0, handled=1, to_send=0)
    assert await way_in.resume(lambda e: Collect(said, e)) == 0


async def test_the_text_channel_never_records_and_leaves_nothing_unfinished(bot):
    await bot.send(WORKER, "入户15户")
    await bot.send(WORKER, "保存")
    assert await bot.storage.inbox.unfinished("text") == []
    assert await bot.storage.db.fetchall("SELECT 1 FROM inbox WHERE payload IS NOT NULL OR replies IS NOT NULL") == []


async def test_tidy_prunes_the_marks_of_events_done_over_a_week_ago_a_batch_at_a_time(bot):
    """Done rows past INBOX_KEEP go; recent marks (redeliveries still recognised) and rows not
    done (unhandled, or replies unsent) stay, however old."""
    from datetime import timedelta

    from schedules.tidy import INBOX_KEEP, prune_inbox

    inbox, now = bot.storage.inbox, bot.clock.now()
    old, recent = now - INBOX_KEEP - timedelta(hours=1), now - INBOX_KEEP + timedelta(hours=1)
    for n in range(5):                                                  # done, a week and an hour ago
        await inbox.claim("text", f"in-old-{n}", old)
    await inbox.claim("text", "in-recent", recent)                      # done within the week
    await inbox.record("text", [("in-waiting", "{}")], old)             # never handled
    await inbox.record("text", [("in-unsent", "{}")], old)              # handled, replies unsent
    await inbox.claim("text", "in-unsent", old)
    await inbox.handled("text", "in-unsent", "[]")
    assert await inbox.prune(now - INBOX_KEEP, batch=2) == 5            # three batches: 2, 2, 1
    left = {r[0] for r in await bot.storage.db.fetchall("SELECT event_id FROM inbox WHERE event_id LIKE 'in-%'")}
    assert left == {"in-recent", "in-waiting", "in-unsent"}
    assert await inbox.record("text", [("in-recent", "{}")], now) == set()   # still the redelivery mark
    bot.clock.advance(timedelta(hours=2))
    assert await prune_inbox(bot.svc, force=True) == 1                  # now past the week: the tick's tidy
    assert await prune_inbox(bot.svc) == 0                              # and not again within the hour
