"""Scheduled messages are sent at least once: a claim a crash left unsettled goes out again
after the restart, marked by one more try (issue 12). The round's own restart test, with
messages that had gone out before the crash, is in test_schedule.py."""
from __future__ import annotations

import logging
from collections import Counter

from schedules.outbox import drain
from schedules.reminders import run_reminders
from schedules.summaries import run_summaries
from storage.outbox import MAX_ATTEMPTS

from .test_schedule import CONTACT, Harness, address, at, outbox, setup


class Counting:
    """The text channel's sender, counting what each chat was sent, by first text."""

    def __init__(self, chan) -> None:
        self.chan, self.sent = chan, Counter()

    async def send(self, chat, texts, buttons, lang="zh"):
        outcome = await self.chan.send(chat, texts, buttons, lang)
        self.sent[chat, texts[0]] += outcome == "sent"
        return outcome


async def claim_all(h) -> list:
    """What a drain does up to the crash: every due message claimed, none settled."""
    claimed = await h.storage.outbox.due(h.clock.now())
    for message in claimed:
        assert await h.storage.outbox.claim(message.id)
    return claimed


async def test_reminders_escalations_and_summaries_in_flight_at_a_crash_are_sent_again_once(tmp_path, caplog):
    async with Harness(tmp_path, at(2026, 11, 28, 17, 30)) as h:   # last reminder, escalation, summaries
        await setup(h)
        await run_reminders(h.svc), await run_summaries(h.svc)
        claimed = await claim_all(h)
        # (no weekly digest: last week's closed before the office chat was bound, issue 11)
        assert {m.topic.split(":")[0] for m in claimed} == {"remind", "escalate", "summary"}
        with caplog.at_level(logging.WARNING):
            await h.restart()                                      # killed before any went out
        assert f"{len(claimed)} scheduled messages were in flight" in caplog.text
        sender = Counting(h.chan)
        assert await drain(h.svc, {"text": sender}) == {"sent": len(claimed)}
        assert sorted(sender.sent.values()) == [1] * len(claimed)  # each once, none lost
        # marked: the crash counted as a try, the send as the second
        assert set((await outbox(h)).values()) == {("sent", 2)}
        await h.restart()
        assert await drain(h.svc, {"text": sender}) == {}          # settled ones are not sent again


async def test_a_message_in_flight_at_crash_after_crash_is_given_up(tmp_path, caplog):
    async with Harness(tmp_path, at(2026, 11, 26, 9, 0)) as h:
        await setup(h)
        await run_reminders(h.svc)
        key = ("remind:monthly-28:2026-11:-2d 09:00", await address(h, CONTACT))
        for crash in range(1, MAX_ATTEMPTS + 1):                   # it may be what kills us
            [message] = [m for m in await h.storage.outbox.due(h.clock.now()) if (m.topic, m.recipient) == key]
            assert await h.storage.outbox.claim(message.id)
            caplog.clear()
            with caplog.at_level(logging.WARNING):
                await h.restart()
            if crash < MAX_ATTEMPTS:
                assert (await outbox(h))[key] == ("queued", crash)
        assert (await outbox(h))[key] == ("failed", MAX_ATTEMPTS)
        assert "1 scheduled messages were in flight at the last stop once too often: given up" in caplog.text
        await h.tick()                                             # the others go out; not this one
        assert not [x for x in h.texts(CONTACT) if x.startswith("⏰")]
        assert [x for x in h.texts(202) if x.startswith("⏰")]
