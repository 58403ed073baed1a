"""Inbound events already handled, per channel: a redelivered one changes nothing."""
from __future__ import annotations

from datetime import datetime

from .db import Database


class InboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, channel: str, event_id: str, now: datetime) -> bool:
        """Mark the event handled; False if it was already. Call it inside the event's own
        transaction, so the mark commits with what the event wrote, or not at all."""
        async with self.db.transaction() as conn:
            cur = await conn.execute("INSERT OR IGNORE INTO inbox (channel, event_id, handled_at) VALUES (?, ?, ?)",
                                     (channel, event_id, now.isoformat()))
            return cur.rowcount == 1
