"""Chat state that must survive a restart: conversation steps and per-person drafts."""
from __future__ import annotations

import json
from typing import Any

from .db import Database


class StateRepo:
    """Key-value rows of (kind, key) -> JSON: 'user' drafts and 'conv:<name>' steps."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def load(self, kind: str) -> dict[str, Any]:
        rows = await self.db.fetchall("SELECT key, value FROM chat_state WHERE kind = ?", (kind,))
        return {r[0]: json.loads(r[1]) for r in rows}

    async def save(self, kind: str, key: str, value: Any) -> None:
        async with self.db.transaction() as conn:
            if value is None:
                await conn.execute("DELETE FROM chat_state WHERE kind = ? AND key = ?", (kind, key))
            else:
                await conn.execute(
                    "INSERT INTO chat_state (kind, key, value) VALUES (?, ?, ?) "
                    "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value",
                    (kind, key, json.dumps(value, ensure_ascii=False)))
