"""Send what the outbox holds, through whichever channel reaches each recipient.

A person ('u<id>') is reached on the account they used last that has not blocked the bot
and whose channel is running; a chat ('c:<channel>:<id>') on its own channel. Each message
is claimed just before it goes out and settled after, by a few workers at once (each
channel's sender paces itself), so a crash loses at most the CONCURRENCY in flight."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter

from handlers.core import Button
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
                outcome = await deliver(services, senders, message)
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
    return outcome


async def where(services, senders: dict, recipient: str) -> tuple[str, str] | None:
    """(channel, chat id) for an outbox address, or None when no running channel reaches it."""
    if recipient.startswith("c:"):
        _, channel, chat = recipient.split(":", 2)
        return (channel, chat) if channel in senders else None
    for account in await services.storage.users.accounts(int(recipient[1:])):
        if account.blocked_at is None and account.channel in senders:
            return account.channel, account.chat_id
    return None
