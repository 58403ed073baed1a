"""Exactly-once bookkeeping: handled updates and messages the scheduler has sent."""
from __future__ import annotations

from datetime import datetime


from .db import Database


class LedgerRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def update_seen(self, update_id: int) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,))
        return row is not None

    async def mark_update_done(self, update_id: int, now: datetime) -> None:
        """Record an update that wrote nothing (one that wrote was recorded with its write)."""
        if update_id in self.db.recorded:
            return
        async with self.db.transaction() as conn:
            await self.db.record_update(conn, update_id, now)

    async def sent(self, topic: str) -> set[int]:
        rows = await self.db.fetchall("SELECT recipient FROM sent_ledger WHERE topic = ?", (topic,))
        return {r[0] for r in rows}

    async def claim(self, topic: str, recipients: list[int], now: datetime) -> list[int]:
        """Write 'pending' before sending, so a crash mid-send can never make a second copy.

        Returns the recipients newly claimed (those already in the ledger are left out)."""
        claimed = []
        async with self.db.transaction() as conn:
            for recipient in recipients:
                cur = await conn.execute(
                    "INSERT OR IGNORE INTO sent_ledger (topic, recipient, status, sent_at) "
                    "VALUES (?, ?, 'pending', ?)", (topic, recipient, now.isoformat()))
                if cur.rowcount == 1:
                    claimed.append(recipient)
        return claimed

    async def settle(self, topic: str, outcomes: dict[int, str]) -> None:
        """Record the outcomes; a transient failure releases the claim so the next round retries."""
        async with self.db.transaction() as conn:
            for recipient, status in outcomes.items():
                if status == "failed":
                    await conn.execute("DELETE FROM sent_ledger WHERE topic = ? AND recipient = ?",
                                       (topic, recipient))
                else:
                    await conn.execute("UPDATE sent_ledger SET status = ? WHERE topic = ? AND recipient = ?",
                                       (status, topic, recipient))

    async def pending(self) -> list[tuple[str, int]]:
        """Claims never settled: a crash hit while they were in flight (not resent: at most once)."""
        rows = await self.db.fetchall("SELECT topic, recipient FROM sent_ledger WHERE status = 'pending'")
        return [(r[0], r[1]) for r in rows]

    async def record(self, topic: str, recipient: int, status: str, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO sent_ledger (topic, recipient, status, sent_at) "
                "VALUES (?, ?, ?, ?)", (topic, recipient, status, now.isoformat()))

    async def last_sent_at(self, topic: str) -> datetime | None:
        row = await self.db.fetchone(
            "SELECT MAX(sent_at) FROM sent_ledger WHERE topic = ?", (topic,))
        return datetime.fromisoformat(row[0]) if row and row[0] else None
