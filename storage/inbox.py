"""Inbound events, kept durably from the moment they arrive until they are answered.

    arrive ───record───> payload (the event), received_at          handled_at NULL
                            │  only now is the channel told the event was received
    handle ───claim────> handled_at ┐ in the event's own transaction, with what it wrote
           ───handled──> replies    ┘ (no replies: the row is done at once)
    answer ───answered─> payload and replies cleared: done
    restart ──unfinished─> what a crash left: to handle (handled_at NULL) or to answer
                           (replies kept), in arrival order
    tidy ─────prune──────> done rows handled long ago: deleted, a batch at a time

A row is also the redelivery mark: an event recorded or handled before changes nothing when
its channel delivers it again. Payload and replies (what people wrote and were told, a
photo's bytes included) are dropped once answered: the row stays small, and personal data
does not pile up here."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime

from .db import IN_IDS, Database

PRUNE_BATCH = 1000  # rows per delete: the write lock is held for one short statement


class InboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, channel: str, events: list[tuple[str, str]], received_at: datetime) -> set[str]:
        """Keep the (event id, payload) pairs not seen before, in their order, in one
        transaction; returns the ids that were new (the others were delivered again)."""
        new: set[str] = set()
        async with self.db.transaction() as conn:
            for event_id, payload in events:
                cur = await conn.execute(
                    "INSERT OR IGNORE INTO inbox (channel, event_id, payload, received_at) VALUES (?, ?, ?, ?)",
                    (channel, event_id, payload, received_at.isoformat()))
                if cur.rowcount == 1:
                    new.add(event_id)
        return new

    async def claim(self, channel: str, event_id: str, now: datetime) -> bool:
        """Mark the event handled; False if it was already. Call it inside the event's own
        transaction, so the mark commits with what the event wrote, or not at all. An event
        never recorded (the text channel, a test) is recorded handled here."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO inbox (channel, event_id, received_at, handled_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (channel, event_id) DO UPDATE SET handled_at = excluded.handled_at "
                "WHERE inbox.handled_at IS NULL",
                (channel, event_id, now.isoformat(), now.isoformat()))
            return cur.rowcount == 1

    async def handled(self, channel: str, event_id: str, replies: str | None) -> None:
        """Keep the replies of a recorded event until answered (in its transaction); without
        replies, it is done."""
        async with self.db.transaction() as conn:
            if replies is None:
                await conn.execute("UPDATE inbox SET payload = NULL WHERE channel = ? AND event_id = ?",
                                   (channel, event_id))
            else:
                await conn.execute("UPDATE inbox SET replies = ? WHERE channel = ? AND event_id = ? "
                                   "AND payload IS NOT NULL", (replies, channel, event_id))

    async def answered(self, channel: str, event_id: str) -> None:
        """The event's replies have gone out (as far as the channel could send them): done."""
        await self.db.write("UPDATE inbox SET payload = NULL, replies = NULL WHERE channel = ? AND event_id = ? "
                            "AND handled_at IS NOT NULL AND payload IS NOT NULL", (channel, event_id))

    async def unfinished(self, channel: str) -> list[tuple[str, str, str | None, bool]]:
        """(event id, payload, replies, handled) of the channel's events recorded and not
        done: unhandled, or handled and not answered. Oldest first."""
        rows = await self.db.fetchall(
            "SELECT event_id, payload, replies, handled_at IS NOT NULL FROM inbox "
            "WHERE channel = ? AND payload IS NOT NULL ORDER BY received_at, seq", (channel,))
        return [(r[0], r[1], r[2], bool(r[3])) for r in rows]

    async def prune(self, handled_before: datetime, batch: int = PRUNE_BATCH) -> int:
        """Delete the marks of events done (handled and answered) before `handled_before`: no
        channel delivers an event again that long after. Found on the read connection, deleted
        by key a batch per statement, with a breath between (as the org import does), so the
        bot's own writes never wait long behind it. Returns how many."""
        gone = 0
        while True:
            rows = await self.db.fetchall(
                "SELECT seq FROM inbox WHERE payload IS NULL AND handled_at IS NOT NULL AND handled_at < ? "
                "ORDER BY seq LIMIT ?", (handled_before.isoformat(), batch))
            if rows:
                gone += await self.db.write(f"DELETE FROM inbox WHERE seq {IN_IDS} AND payload IS NULL",
                                            (json.dumps([r[0] for r in rows]),))
            if len(rows) < batch:
                return gone
            await asyncio.sleep(0.005)
