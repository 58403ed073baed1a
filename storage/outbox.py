"""Messages the bot sends on its own (reminders, escalations, summaries, nudges), addressed
to people ('u<user id>') or chats ('c:<channel>:<chat id>'), never to a channel's user id.

A message is queued once per (topic, recipient); the sender claims it ('sending') just
before it goes out and settles it after. At least once: a claim a crash left unsettled may or
may not have gone out, so start-up queues it again (`requeue_in_flight`), counted as a try;
whatever is still queued goes out after a restart. A lost reminder costs a missed deadline,
a doubled one a moment's annoyance: at most the claims in flight at a crash arrive twice."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from pydantic import BaseModel

from .db import Database

MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=1)


class Outgoing(BaseModel):
    id: int
    topic: str
    recipient: str
    texts: list[str]                    # sent in order; buttons go with the last one
    buttons: list[list[list[str]]] = [] # rows of [label, action]
    attempts: int = 0


def body(texts: list[str] | str, buttons: list[list[tuple[str, str]]] | None = None) -> dict:
    return {"texts": [texts] if isinstance(texts, str) else list(texts),
            "buttons": [[list(b) for b in row] for row in buttons or []]}


class OutboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(self, topic: str, messages: dict[str, dict], now: datetime,
                      not_before: datetime | None = None, urgent: bool = False) -> int:
        """Queue each recipient's message under the topic unless it was queued before; returns how
        many. Urgent ones (early warnings) go out in quiet hours too."""
        when = (not_before or now).isoformat()
        added = 0
        async with self.db.transaction() as conn:
            for recipient, content in messages.items():
                cur = await conn.execute(
                    "INSERT OR IGNORE INTO outbox (topic, recipient, body, status, not_before, created_at, urgent) "
                    "VALUES (?, ?, ?, 'queued', ?, ?, ?)",
                    (topic, recipient, json.dumps(content, ensure_ascii=False), when, now.isoformat(), int(urgent)))
                added += cur.rowcount
        return added

    async def recipients(self, topic: str) -> set[str]:
        rows = await self.db.fetchall("SELECT recipient FROM outbox WHERE topic = ?", (topic,))
        return {r[0] for r in rows}

    async def last_queued(self, topic_prefix: str) -> datetime | None:
        row = await self.db.fetchone("SELECT MAX(created_at) FROM outbox WHERE substr(topic, 1, ?) = ?",
                                     (len(topic_prefix), topic_prefix))
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def due(self, now: datetime, limit: int = 500, urgent_only: bool = False) -> list[Outgoing]:
        rows = await self.db.fetchall(
            "SELECT id, topic, recipient, body, attempts FROM outbox WHERE status = 'queued' AND not_before <= ? "
            + ("AND urgent = 1 " if urgent_only else "") + "ORDER BY urgent DESC, id LIMIT ?",  # warnings first
            (now.isoformat(), limit))
        return [Outgoing(id=r[0], topic=r[1], recipient=r[2], attempts=r[4], **json.loads(r[3])) for r in rows]

    async def claim(self, message_id: int) -> bool:
        """Take a queued message for sending; False if another sender took it."""
        async with self.db.transaction() as conn:
            cur = await conn.execute("UPDATE outbox SET status = 'sending' WHERE id = ? AND status = 'queued'",
                                     (message_id,))
            return cur.rowcount == 1

    async def settle(self, message: Outgoing, outcome: str, now: datetime) -> None:
        """'sent', 'blocked', 'unreachable' are final; 'failed' is tried again later, a few
        times; 'later' (the channel could not take it now) is tried again later, uncounted."""
        async with self.db.transaction() as conn:
            if outcome == "later":
                await conn.execute("UPDATE outbox SET status = 'queued', not_before = ? WHERE id = ?",
                                   ((now + RETRY_AFTER).isoformat(), message.id))
            elif outcome == "failed" and message.attempts + 1 < MAX_ATTEMPTS:
                await conn.execute("UPDATE outbox SET status = 'queued', attempts = attempts + 1, not_before = ? "
                                   "WHERE id = ?", ((now + RETRY_AFTER).isoformat(), message.id))
            else:
                await conn.execute("UPDATE outbox SET status = ?, attempts = attempts + 1, settled_at = ? "
                                   "WHERE id = ?", (outcome, now.isoformat(), message.id))

    async def last_statuses(self, topic_prefixes: list[str]) -> dict[str, str]:
        """Each recipient's status in its newest message under any of these topic prefixes."""
        rows = []
        for prefix in topic_prefixes:
            rows += await self.db.fetchall("SELECT id, recipient, status FROM outbox WHERE substr(topic, 1, ?) = ?",
                                           (len(prefix), prefix))
        return {recipient: status for _, recipient, status in sorted(tuple(r) for r in rows)}  # newest last

    async def statuses(self, topic: str) -> dict[str, str]:
        rows = await self.db.fetchall("SELECT recipient, status FROM outbox WHERE topic = ?", (topic,))
        return {r[0]: r[1] for r in rows}

    async def requeue_in_flight(self, now: datetime) -> tuple[int, int]:
        """Queue again the claims a crash left unsettled, each counted as a try (attempts + 1,
        the mark of a resend); one that has used up its tries is given up as 'failed' (a
        message in flight at that many crashes may be what crashes us). Kept due when it was
        due: the drain sends it at once, or in the morning. Only at start-up, before any
        sender runs: a live sender's claims are not crashes. Returns (queued again, given up)."""
        async with self.db.transaction() as conn:
            gave_up = await conn.execute(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, settled_at = ? "
                "WHERE status = 'sending' AND attempts + 1 >= ?", (now.isoformat(), MAX_ATTEMPTS))
            again = await conn.execute(
                "UPDATE outbox SET status = 'queued', attempts = attempts + 1 WHERE status = 'sending'")
            return again.rowcount, gave_up.rowcount
