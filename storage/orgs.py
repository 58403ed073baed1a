"""Organisation tree: townships, villages/communities, grids, departments."""
from __future__ import annotations

from typing import Iterable

from .db import Database
from .models import Org

_COLS = "id, code, name, kind, parent_id, households, population"


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

    async def upsert_many(self, rows: Iterable[dict]) -> tuple[int, int]:
        """Insert or update orgs by code in one transaction; parents are codes.

        Rows must come parents first (the importer orders them). Returns (added, updated)."""
        added = updated = 0
        async with self.db.transaction() as conn:
            for row in rows:
                parent_id = None
                if row.get("parent"):
                    cur = await conn.execute("SELECT id FROM orgs WHERE code = ?", (row["parent"],))
                    (parent_id,) = await cur.fetchone()
                cur = await conn.execute("SELECT id FROM orgs WHERE code = ?", (row["code"],))
                existing = await cur.fetchone()
                params = (row["name"], row["kind"], parent_id, row["households"], row["population"])
                if existing:
                    await conn.execute(
                        "UPDATE orgs SET name=?, kind=?, parent_id=?, households=?, population=? "
                        "WHERE id=?", (*params, existing[0]))
                    updated += 1
                else:
                    await conn.execute(
                        "INSERT INTO orgs (name, kind, parent_id, households, population, code) "
                        "VALUES (?,?,?,?,?,?)", (*params, row["code"]))
                    added += 1
        return added, updated

    async def parent_codes(self) -> dict[str, str | None]:
        rows = await self.db.fetchall(
            "SELECT o.code, p.code FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id")
        return {r[0]: r[1] for r in rows}
