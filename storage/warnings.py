"""Early warnings (预警劝阻): every SQL statement about them. The rules are in bot/warnings.py.

A warning is 'open' until an outcome closes it, 'returned' while the office must give it
another area. `round` counts its assignments: the outbox topics of its messages carry it,
so a reassigned warning is sent again, and a restart never sends one round twice."""
from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta

from pydantic import BaseModel

from .db import IN_IDS, Database

_COLS = ("id, office_id, org_id, area_text, name, phone, address, id_last4, kind, warned_at, received_at, "
         "due_at, status, round, assigned_at, dispatched_at, assignees, half_at, overdue_at, tries, retry_at, "
         "outcome, outcome_at, outcome_by, first_contact_at, amount, note, photo_ref, follow_up_at, follow_up_by, purged_at")
# Rows per transaction on import and dispatch: between two, people's own writes go on.
BATCH = 500
PERSONAL = ("name", "phone", "address", "id_last4", "note", "photo_ref")


class Warning_(BaseModel):
    id: int
    office_id: int
    org_id: int | None
    area_text: str = ""
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    id_last4: str | None = None
    kind: str
    warned_at: datetime
    received_at: datetime
    due_at: datetime
    status: str
    round: int = 0
    assigned_at: datetime | None = None
    dispatched_at: datetime | None = None
    assignees: list[int] = []
    half_at: datetime | None = None
    overdue_at: datetime | None = None
    tries: int = 0
    retry_at: datetime | None = None
    outcome: str | None = None
    outcome_at: datetime | None = None
    outcome_by: int | None = None
    first_contact_at: datetime | None = None
    amount: int | None = None
    note: str | None = None
    photo_ref: str | None = None
    follow_up_at: datetime | None = None
    follow_up_by: int | None = None
    purged_at: datetime | None = None


def _of(row) -> Warning_:
    data = dict(row)
    data["assignees"] = json.loads(data["assignees"] or "[]")
    return Warning_(**data)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


class WarningRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_many(self, rows: list[dict], office_id: int, imported_by: int | None, now: datetime,
                       window: timedelta) -> tuple[int, int, int]:
        """Store new warnings (a row: name, phone, address, id_last4, kind, warned_at, org_id,
        area_text); one already known by phone and warning time is skipped. BATCH rows per
        transaction. Returns (added, already known, added without an area)."""
        added = unassigned = 0
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            async with self.db.transaction() as conn:
                for r in batch:
                    cur = await conn.execute(
                        "INSERT OR IGNORE INTO warnings (office_id, org_id, area_text, name, phone, address, id_last4, "
                        "kind, warned_at, received_at, due_at, imported_by, assigned_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (office_id, r["org_id"], r["area_text"], r["name"], r["phone"], r.get("address"),
                         r.get("id_last4"), r["kind"], r["warned_at"].isoformat(), now.isoformat(),
                         (now + window).isoformat(), imported_by, now.isoformat() if r["org_id"] else None))
                    added += cur.rowcount
                    unassigned += cur.rowcount if r["org_id"] is None else 0
            if start + BATCH < len(rows):
                await asyncio.sleep(0.005)  # let a waiting writer in (as storage/orgs.py does)
        return added, len(rows) - added, unassigned

    async def get(self, warning_id: int) -> Warning_ | None:
        row = await self.db.fetchone(f"SELECT {_COLS} FROM warnings WHERE id = ?", (warning_id,))
        return _of(row) if row else None

    async def _select(self, where: str, params: tuple = (), limit: int = 10_000) -> list[Warning_]:
        rows = await self.db.fetchall(f"SELECT {_COLS} FROM warnings WHERE {where} ORDER BY id LIMIT ?",
                                      (*params, limit))
        return [_of(r) for r in rows]

    # --- what the schedule looks for ---------------------------------------------------------
    async def undispatched(self, limit: int = BATCH) -> list[Warning_]:
        return await self._select("status = 'open' AND org_id IS NOT NULL AND dispatched_at IS NULL", (), limit)

    async def sent_to_fallback(self) -> list[Warning_]:
        """Open warnings dispatched to nobody, or to others than their area's workers while it
        now has some (a worker joined after the village contact or the office got it)."""
        return await self._select(
            "status = 'open' AND org_id IS NOT NULL AND dispatched_at IS NOT NULL AND (assignees = '[]' OR ("
            "EXISTS (SELECT 1 FROM users u WHERE u.org_id = warnings.org_id AND u.role = 'worker' AND u.active = 1) "
            "AND NOT EXISTS (SELECT 1 FROM json_each(warnings.assignees) a JOIN users u ON u.id = a.value "
            "WHERE u.org_id = warnings.org_id AND u.role = 'worker')))")

    async def newest_open_of(self, user_id: int) -> Warning_ | None:
        """The open warning most recently sent to this person (the card they saw last)."""
        row = await self.db.fetchone(
            f"SELECT {_COLS} FROM warnings WHERE status = 'open' AND purged_at IS NULL "
            "AND EXISTS (SELECT 1 FROM json_each(assignees) WHERE value = ?) "
            "ORDER BY dispatched_at DESC, id DESC LIMIT 1",
            (user_id,))
        return _of(row) if row else None

    async def retries_due(self, now: datetime) -> list[Warning_]:
        return await self._select("status = 'open' AND retry_at IS NOT NULL AND retry_at <= ?", (now.isoformat(),))

    async def unanswered_since(self, column: str, before: datetime) -> list[Warning_]:
        """'half_at': dispatched warnings assigned before `before` with nothing recorded and no
        reminder queued yet. 'overdue_at': warnings still without an outcome, assigned (or, never
        assigned, received) before `before`, not listed as overdue yet; returned and unassigned
        ones too, since they wait on the office."""
        if column == "half_at":
            return await self._select("status = 'open' AND dispatched_at IS NOT NULL AND half_at IS NULL "
                                      "AND assigned_at <= ? AND first_contact_at IS NULL AND tries = 0",
                                      (before.isoformat(),))
        assert column == "overdue_at"
        return await self._select("status IN ('open', 'returned') AND overdue_at IS NULL "
                                  "AND COALESCE(assigned_at, received_at) <= ?", (before.isoformat(),))

    async def mark(self, warning_id: int, **fields) -> None:
        """Set columns of one warning (names from this module's code only, values as parameters)."""
        assert fields and all(name in _COLS.split(", ") for name in fields)
        sets = ", ".join(f"{name} = ?" for name in fields)
        values = [json.dumps(v) if name == "assignees" else _iso(v) if isinstance(v, datetime) else v
                  for name, v in fields.items()]
        await self.db.write(f"UPDATE warnings SET {sets} WHERE id = ?", (*values, warning_id))

    # --- what people see -----------------------------------------------------------------------
    async def of_offices(self, office_ids: list[int], statuses: tuple[str, ...] = ("open", "returned"),
                         limit: int = 200) -> list[Warning_]:
        return await self._select(f"office_id {IN_IDS} AND status IN (SELECT value FROM json_each(?))",
                                  (json.dumps(office_ids), json.dumps(list(statuses))), limit)

    async def of_assignee(self, user_id: int, since: datetime, limit: int = 20) -> list[Warning_]:
        """Warnings sent to this person: the open ones, and those closed since `since`."""
        return await self._select(
            "EXISTS (SELECT 1 FROM json_each(assignees) WHERE value = ?) AND purged_at IS NULL "
            "AND (status = 'open' OR outcome_at >= ?)", (user_id, since.isoformat()), limit)

    # --- retention and figures -----------------------------------------------------------------
    async def purge(self, closed_before: datetime, now: datetime) -> int:
        """Erase the personal fields of warnings closed before `closed_before`, and the bodies of
        their messages in the outbox (names and phones are in them). Counts stay. Returns how many."""
        async with self.db.transaction() as conn:
            rows = await (await conn.execute(
                "SELECT id FROM warnings WHERE status = 'closed' AND purged_at IS NULL AND outcome_at < ?",
                (closed_before.isoformat(),))).fetchall()
            ids = json.dumps([r[0] for r in rows])
            await conn.execute(f"UPDATE warnings SET {', '.join(f'{c} = NULL' for c in PERSONAL)}, "
                               f"area_text = '', purged_at = ? WHERE id {IN_IDS}", (now.isoformat(), ids))
            await conn.execute(f"UPDATE outbox SET body = '{{}}' WHERE urgent = 1 AND substr(topic, 1, 5) = 'warn:' "
                               f"AND CAST(substr(topic, 6, instr(substr(topic, 6), ':') - 1) AS INTEGER) {IN_IDS}",
                               (ids,))
        return len(rows)

    async def forget_stale_entries(self, before: datetime) -> int:
        """Clear the drafts of /warn entries (or outcome notes) untouched since `before`: a
        half-typed entry holds a name and a phone, and nothing else would ever erase it."""
        return await self.db.write("UPDATE conversations SET flow = NULL, data = NULL "
                                   "WHERE flow = 'warn' AND touched_at < ?", (before.isoformat(),))

    async def outcomes(self, org_ids: list[int], start: date, end: date) -> list[tuple]:
        """(received_at, due_at, first_contact_at, outcome, follow_up_at) of each warning received
        from `start` to `end` (local days) whose area (or, unassigned, whose office) is one of
        org_ids: what the figures count, without reading anyone's name or phone."""
        rows = await self.db.fetchall(
            "SELECT received_at, due_at, first_contact_at, outcome, follow_up_at FROM warnings "
            f"WHERE (org_id {IN_IDS} OR (org_id IS NULL AND office_id {IN_IDS})) "
            "AND received_at >= ? AND received_at < ?",  # local ISO times: a day's prefix sorts inside
            (json.dumps(org_ids), json.dumps(org_ids), start.isoformat(), (end + timedelta(days=1)).isoformat()))
        return [(datetime.fromisoformat(r[0]), datetime.fromisoformat(r[1]),
                 r[2] and datetime.fromisoformat(r[2]), r[3], r[4]) for r in rows]
