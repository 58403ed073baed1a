"""Send what the outbox holds, through whichever channel reaches each recipient.

A person ('u<id>') is reached on the account they used last that has not blocked the bot
and whose channel is running; a chat ('c:<channel>:<id>') on its own channel. Each message
is claimed just before it goes out and settled after, by a few workers at once (each
channel's sender paces itself), so a crash loses at most the CONCURRENCY in flight."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter

from handlers.core import FLOW_IDLE, Button
from storage.outbox import Outgoing

log = logging.getLogger(__name__)
CONCURRENCY = 8


async def drain(services, senders: dict) -> Counter:
    """Send every queued message that is due now. Returns counts by outcome."""
    storage = services.storage
    counts: Counter = Counter()
    while True:
        batch = await storage.outbox.due(services.clock.now())
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
        if counts["failed"] == sum(counts.values()):
            return counts  # everything failed for now: the next tick tries again


async def deliver(services, senders: dict, message: Outgoing) -> str:
    buttons = [[Button(label, action) for label, action in row] for row in message.buttons]
    target = await where(services, senders, message.recipient)
    if target is None:
        log.info("%s: nobody reachable for %s", message.topic, message.recipient)
        return "unreachable"
    channel, chat = target
    outcome = await senders[channel].send(chat, message.texts, buttons)
    if outcome == "blocked":
        await services.storage.users.mark_blocked(channel, chat, services.clock.now())
    elif outcome == "sent" and message.buttons and message.recipient.startswith("u"):
        await offer(services, int(message.recipient[1:]), message.buttons)
    return outcome


async def offer(services, user_id: int, rows: list[list[list[str]]]) -> None:
    """Let the person type a sent message's choice, as for a reply (a text channel shows
    "回复 1 立即报送"); not in the middle of a flow, whose next typed word is that step's."""
    storage, now = services.storage, services.clock.now()
    async with storage.db.transaction():
        conv = await storage.conversations.load(user_id)
        if conv.flow and conv.touched_at and now - conv.touched_at <= FLOW_IDLE:
            return
        conv.menu, conv.menu_at = [[label, action] for row in rows for label, action in row], now
        await storage.conversations.save(conv)


async def where(services, senders: dict, recipient: str) -> tuple[str, str] | None:
    """(channel, chat id) for an outbox address, or None when no running channel reaches it."""
    if recipient.startswith("c:"):
        _, channel, chat = recipient.split(":", 2)
        return (channel, chat) if channel in senders else None
    for account in await services.storage.users.accounts(int(recipient[1:])):
        if account.blocked_at is None and account.channel in senders:
            return account.channel, account.chat_id
    return None
