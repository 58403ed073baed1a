"""The work log: entries, their evidence, listed households and edit history."""
from __future__ import annotations

import json
from datetime import date, datetime

import aiosqlite

from .db import IN_IDS, Database
from .models import Entry, NewEntry, NewPhoto
from .reports import EVIDENCE, PLACED, ReportRepo

_COLS = ("e.id, e.user_id, e.org_id, e.kind, e.measures, e.happened_on, e.recorded_at, e.lat, e.lon, "
         "e.address, e.source, e.flags, e.version, e.undone_at, e.undone_by, "
         "(SELECT COUNT(*) FROM evidence v WHERE v.entry_id = e.id) AS evidence_count, "
         "(SELECT COUNT(*) FROM entry_households h WHERE h.entry_id = e.id) AS households_listed")


def _entry(row: aiosqlite.Row) -> Entry:
    d = dict(row)
    d["measures"] = json.loads(d["measures"])
    d["flags"] = [f for f in d["flags"].split(",") if f]
    return Entry(**d)


def normalise_household(text: str) -> str:
    """One spelling per household: '3组 12号' and '3组12号' are the same door."""
    return "".join(text.split()).replace("－", "-").upper()


class EntryRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, entry_id: int) -> Entry | None:
        row = await self.db.fetchone(f"SELECT {_COLS} FROM entries e WHERE e.id = ?", (entry_id,))
        return _entry(row) if row else None

    async def for_user(self, user_id: int, since: date) -> list[Entry]:
        """The person's live entries from `since`, newest first."""
        rows = await self.db.fetchall(
            f"SELECT {_COLS} FROM entries e WHERE e.user_id = ? AND e.happened_on >= ? "
            "AND e.undone_at IS NULL ORDER BY e.happened_on DESC, e.id DESC", (user_id, since.isoformat()))
        return [_entry(r) for r in rows]

    async def evidence_used(self, photo: NewPhoto) -> bool:
        """Has this photo (same Telegram file or same bytes) backed a live entry already?"""
        row = await self.db.fetchone(
            "SELECT 1 FROM evidence v JOIN entries e ON e.id = v.entry_id WHERE e.undone_at IS NULL "
            "AND (v.file_unique_id = ? OR (v.sha256 IS NOT NULL AND v.sha256 = ?)) LIMIT 1",
            (photo.file_unique_id, photo.sha256))
        return row is not None

    async def households_logged(self, org_ids: list[int], since: date, today: date) -> int:
        """Households figure logged in these orgs since a date (live entries, any later day).

        Checked on every save, so it must not scan the area's year: read from the totals
        (the days of `since`'s month if it is not a 1st, then whole months; `today` is
        no longer needed and kept for the callers)."""
        return (await self._figures(org_ids, since, date.max, keys=["households"])).get("households", 0)

    async def _figures(self, org_ids: list[int], start: date, end: date, keys: list[str] | None = None) -> dict[str, int]:
        """The ReportRepo figures of these orgs together, from the trigger-kept totals."""
        groups = {org_id: 0 for org_id in org_ids}
        return (await ReportRepo(self.db).figures(groups, start, end, keys=keys)).get(0, {})

    async def add(self, entries: list[NewEntry], now: datetime) -> list[int]:
        """Save entries (one report may hold several kinds), all or nothing."""
        async with self.db.transaction() as conn:
            return [await self._insert(conn, new, now) for new in entries]

    async def _insert(self, conn: aiosqlite.Connection, new: NewEntry, now: datetime) -> int:
        cur = await conn.execute(
            "INSERT INTO entries (user_id, org_id, kind, measures, happened_on, recorded_at, lat, lon, "
            "address, source, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (new.user_id, new.org_id, new.kind, json.dumps(new.measures), new.happened_on.isoformat(),
             now.isoformat(), new.lat, new.lon, new.address, new.source, ",".join(sorted(set(new.flags)))))
        entry_id = cur.lastrowid
        for household in dict.fromkeys(normalise_household(h) for h in new.households if h.strip()):
            await conn.execute("INSERT INTO entry_households (entry_id, org_id, household) VALUES (?,?,?)",
                               (entry_id, new.org_id, household))
        for photo in new.photos:
            await conn.execute(
                "INSERT INTO evidence (entry_id, file_id, file_unique_id, sha256, path, created_at) "
                "VALUES (?,?,?,?,?,?)",
                (entry_id, photo.file_id, photo.file_unique_id, photo.sha256, photo.path, now.isoformat()))
        return entry_id

    async def undo(self, entry_id: int, by_user: int, now: datetime) -> bool:
        """Soft delete: the row stays for audit, it just stops counting."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE entries SET undone_at = ?, undone_by = ? WHERE id = ? AND undone_at IS NULL",
                (now.isoformat(), by_user, entry_id))
            return cur.rowcount > 0

    async def edit(self, entry_id: int, measures: dict[str, int], happened_on: date, by_user: int,
                   now: datetime, flags: list[str] | None = None) -> Entry | None:
        """Change the figures or day; the earlier version is kept in entry_versions."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT version, measures, happened_on, flags FROM entries WHERE id = ? AND undone_at IS NULL",
                (entry_id,))
            row = await cur.fetchone()
            if row is None:
                return None
            await conn.execute(
                "INSERT INTO entry_versions (entry_id, version, measures, happened_on, changed_at, changed_by) "
                "VALUES (?,?,?,?,?,?)", (entry_id, row[0], row[1], row[2], now.isoformat(), by_user))
            new_flags = ",".join(sorted(set(flags))) if flags is not None else row[3]
            await conn.execute(
                "UPDATE entries SET measures = ?, happened_on = ?, version = version + 1, flags = ? WHERE id = ?",
                (json.dumps(measures), happened_on.isoformat(), new_flags, entry_id))
        return await self.get(entry_id)

    async def versions(self, entry_id: int) -> list[dict]:
        rows = await self.db.fetchall(
            "SELECT version, measures, happened_on, changed_at, changed_by FROM entry_versions "
            "WHERE entry_id = ? ORDER BY version", (entry_id,))
        return [dict(r) | {"measures": json.loads(r["measures"])} for r in rows]

    async def totals(self, org_ids: list[int], start: date, end: date,
                     user_id: int | None = None) -> dict[str, int]:
        """Sum of every measure over live entries of these orgs in [start, end] (zeros left out).

        An area's come from the totals tables; one person's are summed from their own
        entries (the totals are per org, and a person's are few: entries_user_day)."""
        if user_id is None:
            return {k: v for k, v in (await self._figures(org_ids, start, end)).items()
                    if not k.startswith(("#", PLACED))}
        rows = await self.db.fetchall(
            "SELECT j.key, SUM(j.value) FROM entries e, json_each(e.measures) j "
            "WHERE e.undone_at IS NULL AND e.user_id = ? AND e.happened_on BETWEEN ? AND ? "
            f"AND e.org_id {IN_IDS} GROUP BY j.key HAVING SUM(j.value) <> 0",
            (user_id, start.isoformat(), end.isoformat(), json.dumps(org_ids)))
        return {r[0]: int(r[1]) for r in rows}

    async def evidence_count(self, org_ids: list[int], start: date, end: date) -> int:
        """Photos on live entries of these orgs in [start, end] (from the totals)."""
        return (await self._figures(org_ids, start, end, keys=[EVIDENCE])).get(EVIDENCE, 0)

    async def restore(self, entry_id: int) -> bool:
        """Take back an undo (a wrong tap must be easy to reverse)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE entries SET undone_at = NULL, undone_by = NULL WHERE id = ? AND undone_at IS NOT NULL",
                (entry_id,))
            return cur.rowcount > 0

    async def loggers(self, start: date, end: date) -> set[int]:
        """Users with at least one live entry in [start, end]."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT user_id FROM entries WHERE undone_at IS NULL AND happened_on BETWEEN ? AND ?",
            (start.isoformat(), end.isoformat()))
        return {r[0] for r in rows}
