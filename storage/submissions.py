"""Submissions of an area's (or a worker's) figures for one deadline period; history kept."""
from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from .db import Database
from .models import NewPhoto, Submission

_COLS = ("id, deadline_id, period_key, org_id, user_id, submitted_at, late, nil_reason, note, figures, "
         "evidence_count, replaced_by")


def _submission(row: aiosqlite.Row) -> Submission:
    return Submission(**(dict(row) | {"figures": json.loads(row["figures"])}))


class SubmissionRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def current(self, period_key: str) -> list[Submission]:
        """The standing submissions of a period (replaced ones are history)."""
        rows = await self.db.fetchall(
            f"SELECT {_COLS} FROM submissions WHERE period_key = ? AND replaced_by IS NULL ORDER BY id",
            (period_key,))
        return [_submission(r) for r in rows]

    async def history(self, period_key: str, org_id: int) -> list[Submission]:
        rows = await self.db.fetchall(
            f"SELECT {_COLS} FROM submissions WHERE period_key = ? AND org_id = ? ORDER BY id",
            (period_key, org_id))
        return [_submission(r) for r in rows]

    async def submit(self, *, deadline_id: str, period_key: str, org_id: int, user_id: int, now: datetime,
                     late: bool, figures: dict[str, int], evidence_count: int, note: str | None = None,
                     nil_reason: str | None = None, photos: list[NewPhoto] = (),
                     per_user: bool = False) -> Submission:
        """Store a submission; the one it replaces stays, marked replaced_by.

        per_user: the period is owed by each worker, so only that person's earlier one is replaced."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO submissions (deadline_id, period_key, org_id, user_id, submitted_at, late, "
                "nil_reason, note, figures, evidence_count) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (deadline_id, period_key, org_id, user_id, now.isoformat(), int(late), nil_reason, note,
                 json.dumps(figures), evidence_count + len(photos)))
            new_id = cur.lastrowid
            scope, value = ("user_id", user_id) if per_user else ("org_id", org_id)
            await conn.execute(
                f"UPDATE submissions SET replaced_by = ? WHERE period_key = ? AND {scope} = ? "
                "AND replaced_by IS NULL AND id != ?", (new_id, period_key, value, new_id))
            for photo in photos:
                await conn.execute(
                    "INSERT INTO evidence (submission_id, file_id, file_unique_id, sha256, path, created_at) "
                    "VALUES (?,?,?,?,?,?)",
                    (new_id, photo.file_id, photo.file_unique_id, photo.sha256, photo.path, now.isoformat()))
            cur = await conn.execute(f"SELECT {_COLS} FROM submissions WHERE id = ?", (new_id,))
            return _submission(await cur.fetchone())
