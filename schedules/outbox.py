"""Send what the outbox holds, through whichever channel reaches each recipient.

A person ('u<id>') is reached on the account they used last that has not blocked the bot
and whose channel is running; a chat ('c:<channel>:<id>') on its own channel. Each message
is claimed just before it goes out and settled after, by a few workers at once (each
channel's sender paces itself), so at most the CONCURRENCY in flight at a crash are
unsettled: start-up queues them again (bot/app.py), and those that had gone out arrive twice. A
channel that cannot take a message now (not connected, its pace full) answers 'later': the
message stays queued and is tried again, as often as it takes."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter

from bot.obligations import in_quiet, quiet_hours
from handlers.core import FLOW_IDLE, MENU_IDLE, Button
from storage.outbox import Outgoing

log = logging.getLogger(__name__)
CONCURRENCY = 8


async def drain(services, senders: dict) -> Counter:
    """Send every queued message that is due now, never at night (a retry or a late
    round waits for the morning) unless it is urgent (an early warning). Returns counts by outcome."""
    storage = services.storage
    counts: Counter = Counter()
    night = in_quiet(services.clock.now(), quiet_hours(services.settings))
    while True:
        batch = await storage.outbox.due(services.clock.now(), urgent_only=night)
        if not batch:
            return counts
        pending = iter(batch)

        async def worker() -> None:
            for message in pending:  # one shared iterator: each message is taken by one worker
                if not await storage.outbox.claim(message.id):
                    continue
                try:
                    outcome = await deliver(services, senders, message)
                except Exception:  # a sender's bug must not leave the message claimed forever
                    log.exception("%s: sending to %s failed", message.topic, message.recipient)
                    outcome = "failed"
                await storage.outbox.settle(message, outcome, services.clock.now())
                counts[outcome] += 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        if counts["failed"] + counts["later"] == sum(counts.values()):
            return counts  # nothing could go for now: the next tick tries again


async def deliver(services, senders: dict, message: Outgoing) -> str:
    buttons = [[Button(label, action) for label, action in row] for row in message.buttons]
    target = await where(services, senders, message.recipient)
    if target in ("unreachable", "failed"):  # failed: only on a channel not running now; later
        log.info("%s: %s is %s", message.topic, message.recipient, target)
        return target
    channel, chat = target
    user_id = int(message.recipient[1:]) if message.recipient.startswith("u") else None
    # Only choices need the person's language (the channel words them: "可回复：…"); the
    # texts were written in it when queued. A message without buttons costs no lookup.
    person = await services.storage.users.get(user_id) if user_id is not None and buttons else None
    outcome = await senders[channel].send(chat, message.texts, buttons, person.lang if person else "zh")
    if outcome == "blocked":
        await services.storage.users.mark_blocked(channel, chat, services.clock.now())
    elif outcome == "sent" and message.buttons and user_id is not None:
        await offer(services, user_id, message.buttons)
    return outcome


async def offer(services, user_id: int, rows: list[list[list[str]]]) -> None:
    """Let the person type a sent message's choice by its word ("可回复：立即报送"), added to
    the buttons they can type back already (the same word: this message's); not in the
    middle of a flow, whose next typed word is that step's."""
    storage, now = services.storage, services.clock.now()
    async with storage.db.transaction():
        conv = await storage.conversations.load(user_id)
        if conv.flow and conv.touched_at and now - conv.touched_at <= FLOW_IDLE:
            return
        fresh = conv.menu_at is not None and now - conv.menu_at <= MENU_IDLE
        kept = conv.menu if fresh else []
        new = [[label, action, False] for row in rows for label, action in row]
        # A word shown again (two warnings' 已见面劝阻) now means the newest message's choice.
        conv.menu = [c for c in kept if c[0] not in {n[0] for n in new}] + new
        conv.menu_at, conv.menu_by = now, conv.menu_by if fresh else None
        await storage.conversations.save(conv)


async def where(services, senders: dict, recipient: str) -> tuple[str, str] | str:
    """(channel, chat id) for an outbox address; 'failed' when only a channel not running now
    reaches it (try later), 'unreachable' when nothing does."""
    if recipient.startswith("c:"):
        _, channel, chat = recipient.split(":", 2)
        return (channel, chat) if channel in senders else "failed"
    usable = [a for a in await services.storage.users.accounts(int(recipient[1:])) if a.blocked_at is None]
    for account in usable:
        if account.channel in senders:
            return account.channel, account.chat_id
    return "failed" if usable else "unreachable"
