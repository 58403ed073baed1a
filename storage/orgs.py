"""Organisation tree: townships, villages/communities, grids, departments."""
from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Callable, Iterable

from .db import IN_IDS, Database
from .models import Org

_COLS = "id, code, name, kind, parent_id, households, population, app_installed, app_installed_on"
# Rows per transaction when importing: between two, the bot's own writes go on (a 30,000-row
# import in one transaction held the write lock for seconds while people logged their work).
BATCH = 500
# And a breath between two: another process waiting for the lock polls it (SQLite's busy
# handler sleeps between tries), and an importer going straight on would win it back each
# time. 5 ms cut the longest wait beside a 100,000-row import from 0.5–1 s to under 0.1 s.
PAUSE = 0.005


class OrgRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def all(self) -> list[Org]:
        rows = await self.db.fetchall(f"SELECT {_COLS} FROM orgs ORDER BY id")
        return [Org(**dict(r)) for r in rows]

    async def get(self, org_id: int) -> Org | None:
        row = await self.db.fetchone(f"SELECT {_COLS} FROM orgs WHERE id = ?", (org_id,))
        return Org(**dict(row)) if row else None

    async def by_code(self, code: str) -> Org | None:
        row = await self.db.fetchone(f"SELECT {_COLS} FROM orgs WHERE code = ?", (code,))
        return Org(**dict(row)) if row else None

    async def root(self) -> Org | None:
        row = await self.db.fetchone(
            f"SELECT {_COLS} FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1")
        return Org(**dict(row)) if row else None

    async def path(self, org_id: int) -> list[Org]:
        """Root first: 武陵山乡 › 百花桥村 › 百花桥村第一网格."""
        rows = await self.db.fetchall(
            f"""WITH RECURSIVE up(id, depth) AS (
                   SELECT ?, 0 UNION ALL
                   SELECT o.parent_id, up.depth + 1 FROM orgs o JOIN up ON o.id = up.id
                   WHERE o.parent_id IS NOT NULL)
                SELECT {', '.join('o.' + c.strip() for c in _COLS.split(','))}
                FROM up JOIN orgs o ON o.id = up.id ORDER BY up.depth DESC""",
            (org_id,))
        return [Org(**dict(r)) for r in rows]

    async def subtree(self, org_id: int) -> list[Org]:
        """The org and everything below it, parents before children."""
        rows = await self.db.fetchall(
            f"""WITH RECURSIVE down(id, depth) AS (
                   SELECT ?, 0 UNION ALL
                   SELECT o.id, down.depth + 1 FROM orgs o JOIN down ON o.parent_id = down.id)
                SELECT {', '.join('o.' + c.strip() for c in _COLS.split(','))}
                FROM down JOIN orgs o ON o.id = down.id ORDER BY down.depth, o.id""",
            (org_id,))
        return [Org(**dict(r)) for r in rows]

    async def is_within(self, org_id: int, ancestor_id: int) -> bool:
        return any(o.id == ancestor_id for o in await self.path(org_id))

    async def upsert_many(self, rows: Iterable[dict], progress: Callable[[int, int], None] | None = None,
                          today: date | None = None) -> tuple[int, int]:
        """Insert or update orgs by code; parents are codes, and rows come parents first (the
        importer orders them). Written BATCH rows per transaction, `progress(done, total)` after
        each. A crash midway keeps the rows written so far: importing the file again completes
        it, and nothing is ever doubled. A row's `app_installed` (if not None) is stored as of
        `today` (the local date, required then); without one the stored count stays.
        Returns (added, updated)."""
        rows = list(rows)
        if today is None and any(r.get("app_installed") is not None for r in rows):
            raise ValueError("app_installed needs the import date (today)")
        on = today.isoformat() if today else None
        added = 0
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            async with self.db.transaction() as conn:
                cur = await conn.execute(f"SELECT COUNT(*) FROM orgs WHERE code {IN_IDS}",
                                         (json.dumps([r["code"] for r in batch]),))
                (known,) = await cur.fetchone()
                await conn.executemany(
                    "INSERT INTO orgs (code, name, kind, parent_id, households, population, app_installed, "
                    "app_installed_on) VALUES (?, ?, ?, (SELECT id FROM orgs WHERE code = ?), ?, ?, ?, ?) "
                    "ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
                    "parent_id = excluded.parent_id, households = excluded.households, "
                    "population = excluded.population, "
                    "app_installed = COALESCE(excluded.app_installed, app_installed), "
                    "app_installed_on = COALESCE(excluded.app_installed_on, app_installed_on)",
                    [(r["code"], r["name"], r["kind"], r.get("parent"), r["households"], r["population"],
                      r.get("app_installed"), on if r.get("app_installed") is not None else None)
                     for r in batch])
            added += len(batch) - known
            if progress is not None:
                progress(start + len(batch), len(rows))
            if start + BATCH < len(rows):
                await asyncio.sleep(PAUSE)
        return added, len(rows) - added

    async def parent_codes(self) -> dict[str, str | None]:
        rows = await self.db.fetchall(
            "SELECT o.code, p.code FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id")
        return {r[0]: r[1] for r in rows}

    async def kinds(self) -> dict[str, str]:
        """Every org's kind by code (the importer checks where a stored parent sits)."""
        rows = await self.db.fetchall("SELECT code, kind FROM orgs")
        return {r[0]: r[1] for r in rows}
