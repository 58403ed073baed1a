"""Every SQL statement behind the office summaries, the progress table and the charts.

All figures come from *live* entries (``undone_at IS NULL``); an undone entry stays in the
table for audit but never counts. Dates are inclusive ISO days.

Speed: whole calendar months are read from ``report_totals`` and ``household_month``,
pre-aggregated per org and month by the triggers of migration 4, and the partial months at
either end of a period from ``report_day_totals`` and ``household_day``, the same per day
(migration 10). ``use_totals=False`` sums everything from the raw entries (the tests check
both paths agree).

Query plans: ``g CROSS JOIN ...`` keeps the org list as the outer loop (SQLite never reorders
a CROSS JOIN), so each org is one range seek on ``entries_org_day`` or on the primary keys
of the totals; without it the planner may scan a whole county's days for one township.

Groups: the methods take ``groups``, a mapping org id -> group id (the village or community
an org rolls up to; the summary builds it from the tree). It travels as one JSON parameter
joined through ``json_each``, so any number of orgs stays one bound value, and orgs outside
the mapping (another township) are not counted.

Figures per group are a dict keyed like ``report_totals``:

* each measure key of the entries (``households``, ``posters``, ...): the sum;
* ``placed:<measure>``: that measure summed over poster-kind entries that carry a photo AND
  a place (GPS or a non-blank address);
* ``#entries``, ``#flagged`` (flags non-empty), ``#evidence`` (photos), ``#listed`` (house
  numbers listed: the identified part of the households figure), ``#poster_entries``,
  ``#poster_placed`` (poster entries with photo and place).

Households: a household is identified by a house number listed on an entry
(``entry_households``, normalised at insert). ``unique_households`` counts distinct house
numbers *per group* (all grids of a village together) listed on live entries dated within
the period asked for (and, in the same pass, since an earlier day, for the year to date):
the same door logged twice in that span is one household.
"""
from __future__ import annotations

import calendar
import json
from datetime import date, datetime, timedelta
from pathlib import Path
import sqlite3
from contextlib import closing
from typing import Iterable, Iterator, NamedTuple

from .db import IN_IDS, Database
from .migrations import DAY, MONTH, Grain

ENTRIES, FLAGGED, EVIDENCE, LISTED = "#entries", "#flagged", "#evidence", "#listed"
POSTER_ENTRIES, POSTER_PLACED = "#poster_entries", "#poster_placed"
PLACED = "placed:"

# An entry "carries place" with both coordinates or a non-blank address.
_PLACED = "((e.lat IS NOT NULL AND e.lon IS NOT NULL) OR TRIM(COALESCE(e.address, '')) <> '')"
_HAS_PHOTO = "EXISTS (SELECT 1 FROM evidence v WHERE v.entry_id = e.id)"
_PLACED_POSTER = f"e.kind = 'poster' AND {_PLACED} AND {_HAS_PHOTO}"
_GROUPS = "g(org_id, grp) AS (SELECT CAST(key AS INTEGER), value FROM json_each(?))"
_LIVE_IN = "e.undone_at IS NULL AND e.happened_on BETWEEN ? AND ?"

Figures = dict[str, int]


class SubmissionRow(NamedTuple):
    id: int
    org_id: int
    user_id: int
    user_name: str
    submitted_at: datetime
    late: bool
    nil_reason: str | None
    note: str | None = None


class ContactRow(NamedTuple):
    user_id: int
    name: str
    org_id: int


class LedgerRow(NamedTuple):
    """One live entry of the period, for the ledger sheet (台账明细)."""
    id: int
    happened_on: str
    recorded_at: str
    user_name: str
    org_name: str
    kind: str
    measures: dict[str, int]
    lat: float | None
    lon: float | None
    address: str | None
    evidence: int
    households_listed: int
    flags: list[str]
    source: str


class EvidenceRow(NamedTuple):
    """One stored photo of a live entry or a standing report, for the evidence zip (佐证材料)."""
    evidence_id: int
    path: str | None
    sha256: str | None
    entry_id: int | None         # None: a report's photo
    submission_id: int | None
    happened_on: str | None      # the entry's day; None for a report
    recorded_at: str             # logged (entry) or submitted (report)
    kind: str | None
    measures: dict[str, int]
    lat: float | None
    lon: float | None
    address: str | None
    note: str | None             # the report's note
    user_name: str
    org_id: int
    reused: bool                 # the same photo is evidence elsewhere too (or the entry is flagged so)


# The same picture (by content, or by the channel's file id) attached to another entry or report.
_REUSED = """EXISTS (SELECT 1 FROM evidence w WHERE w.id <> v.id
                 AND NOT (w.entry_id IS v.entry_id AND w.submission_id IS v.submission_id)
                 AND ((v.sha256 IS NOT NULL AND w.sha256 = v.sha256) OR w.file_unique_id = v.file_unique_id))"""


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def split_months(start: date, end: date) -> tuple[tuple[str, str] | None, list[tuple[date, date]]]:
    """Split [start, end] into whole months ('YYYY-MM' first, last) and the partial rest."""
    if end < start:
        return None, []
    first_full = start if start.day == 1 else _month_end(start) + timedelta(days=1)
    last_full_end = end if end == _month_end(end) else end.replace(day=1) - timedelta(days=1)
    if first_full > last_full_end:
        return None, [(start, end)]
    raw = []
    if start < first_full:
        raw.append((start, first_full - timedelta(days=1)))
    if last_full_end < end:
        raw.append((last_full_end + timedelta(days=1), end))
    return (f"{first_full:%Y-%m}", f"{last_full_end:%Y-%m}"), raw


def _spans(start: date, end: date) -> list[tuple[Grain, str, str]]:
    """[start, end] as (grain, first, last): the whole months, then the days of partial months."""
    months, days = split_months(start, end)
    spans = [(MONTH, *months)] if months else []
    return spans + [(DAY, first.isoformat(), last.isoformat()) for first, last in days]


def _groups_param(groups: dict[int, int]) -> str:
    return json.dumps({str(org): grp for org, grp in groups.items()})


def _add(out: dict[int, Figures], grp: int, key: str, value: int | None) -> None:
    if value:
        figures = out.setdefault(grp, {})
        figures[key] = figures.get(key, 0) + int(value)


class ReportRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def figures(self, groups: dict[int, int], start: date, end: date, *,
                      keys: Iterable[str] | None = None, use_totals: bool = True) -> dict[int, Figures]:
        """Per group: measure sums, photo+place poster figures and the '#' counts (see module doc).

        `keys` limits the answer to those keys (the year-to-date figures need only three)."""
        out: dict[int, Figures] = {}
        if not groups or end < start:
            return out
        wanted = None if keys is None else set(keys)
        param = _groups_param(groups)
        if use_totals:
            key_filter, key_params = ("", ()) if wanted is None else (
                f"AND r.key {IN_IDS}", (json.dumps(sorted(wanted)),))
            for grain, first, last in _spans(start, end):
                rows = await self.db.fetchall(
                    f"""WITH {_GROUPS}
                        SELECT g.grp, r.key, SUM(r.total) FROM g CROSS JOIN {grain.totals} r ON r.org_id = g.org_id
                        WHERE r.{grain.column} BETWEEN ? AND ? {key_filter} GROUP BY g.grp, r.key""",
                    (param, first, last, *key_params))
                for grp, key, total in rows:
                    _add(out, grp, key, total)
        else:
            await self._raw_figures(out, param, start, end)
        if wanted is not None:
            out = {grp: mine for grp, fig in out.items() if (mine := {k: v for k, v in fig.items() if k in wanted})}
        return out

    async def _raw_figures(self, out: dict[int, Figures], param: str, start: date, end: date) -> None:
        params = (param, start.isoformat(), end.isoformat())
        rows = await self.db.fetchall(
            f"""WITH {_GROUPS}
                SELECT g.grp, j.key, SUM(j.value),
                       SUM(CASE WHEN {_PLACED_POSTER} THEN j.value ELSE 0 END)
                FROM g CROSS JOIN entries e ON e.org_id = g.org_id, json_each(e.measures) j
                WHERE {_LIVE_IN} GROUP BY g.grp, j.key""", params)
        for grp, key, total, placed in rows:
            _add(out, grp, key, total)
            _add(out, grp, PLACED + key, placed)
        rows = await self.db.fetchall(
            f"""WITH {_GROUPS}
                SELECT g.grp, COUNT(*), SUM(e.flags <> ''),
                       SUM((SELECT COUNT(*) FROM evidence v WHERE v.entry_id = e.id)),
                       SUM((SELECT COUNT(*) FROM entry_households h WHERE h.entry_id = e.id)),
                       SUM(e.kind = 'poster'),
                       SUM(CASE WHEN {_PLACED_POSTER} THEN 1 ELSE 0 END)
                FROM g CROSS JOIN entries e ON e.org_id = g.org_id
                WHERE {_LIVE_IN} GROUP BY g.grp""", params)
        for grp, *counts in rows:
            for key, value in zip((ENTRIES, FLAGGED, EVIDENCE, LISTED, POSTER_ENTRIES, POSTER_PLACED), counts):
                _add(out, grp, key, value)

    def _listing_parts(self, start: date, end: date, flag: int, use_totals: bool) -> tuple[list[str], list]:
        """UNION ALL parts listing (group, house number, flag) for [start, end]."""
        if not use_totals:
            # entry_households.org_id is the entry's org (set together at insert)
            return ([f"SELECT g.grp, h.household, {flag} AS p FROM g CROSS JOIN entries e ON e.org_id = g.org_id "
                     f"JOIN entry_households h ON h.entry_id = e.id WHERE {_LIVE_IN}"],
                    [start.isoformat(), end.isoformat()])
        parts: list[str] = []
        params: list = []
        for grain, first, last in _spans(start, end):
            parts.append(f"SELECT g.grp, m.household, {flag} AS p FROM g CROSS JOIN {grain.households} m "
                         f"ON m.org_id = g.org_id WHERE m.{grain.column} BETWEEN ? AND ? AND m.n > 0")
            params += [first, last]
        return parts, params

    async def unique_households(self, groups: dict[int, int], start: date, end: date, *,
                                since: date | None = None, use_totals: bool = True) -> dict[int, tuple[int, int]]:
        """Distinct house numbers per group listed on live entries: (in [start, end], in [since, end]).

        One pass for both figures (the summary needs the period's and the year's); without
        `since` the second equals the first."""
        if not groups or end < start:
            return {}
        since = start if since is None or since > start else since
        parts, params = self._listing_parts(start, end, 1, use_totals)
        if since < start:
            more, more_params = self._listing_parts(since, start - timedelta(days=1), 0, use_totals)
            parts, params = parts + more, params + more_params
        rows = await self.db.fetchall(
            f"WITH {_GROUPS} SELECT grp, COUNT(DISTINCT CASE WHEN p = 1 THEN household END), "
            f"COUNT(DISTINCT household) FROM ({' UNION ALL '.join(parts)}) GROUP BY grp",
            [_groups_param(groups), *params])
        return {grp: (int(period), int(whole)) for grp, period, whole in rows}

    async def submissions(self, period_key: str, org_ids: list[int]) -> list[SubmissionRow]:
        """Live submissions (not replaced) for a period by these orgs, oldest first."""
        rows = await self.db.fetchall(
            f"""SELECT s.id, s.org_id, s.user_id, u.name, s.submitted_at, s.late, s.nil_reason, s.note
               FROM submissions s JOIN users u ON u.id = s.user_id
               WHERE s.period_key = ? AND s.replaced_by IS NULL
                 AND s.org_id {IN_IDS}
               ORDER BY s.submitted_at, s.id""", (period_key, json.dumps(org_ids)))
        return [SubmissionRow(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4]), bool(r[5]), r[6], r[7])
                for r in rows]

    async def contacts(self, org_ids: list[int]) -> list[ContactRow]:
        """Active village/community contacts (联络员) of these orgs."""
        rows = await self.db.fetchall(
            f"""SELECT id, name, org_id FROM users
               WHERE role = 'contact' AND active = 1 AND org_id {IN_IDS}
               ORDER BY id""", (json.dumps(org_ids),))
        return [ContactRow(*r) for r in rows]

    def ledger_rows(self, org_ids: list[int], start: date, end: date, chunk: int = 2000) -> Iterator[LedgerRow]:
        """Every live entry of these orgs in [start, end], by day then id, fetched in chunks.

        A plain generator over its own read-only connection, meant to be iterated in the
        export's worker thread: the bot's shared connection stays free, and a WAL snapshot
        never shows a half-written transaction."""
        sql = f"""SELECT e.id, e.happened_on, e.recorded_at, u.name, o.name, e.kind, e.measures,
                         e.lat, e.lon, e.address,
                         (SELECT COUNT(*) FROM evidence v WHERE v.entry_id = e.id),
                         (SELECT COUNT(*) FROM entry_households h WHERE h.entry_id = e.id),
                         e.flags, e.source
                  FROM entries e JOIN users u ON u.id = e.user_id JOIN orgs o ON o.id = e.org_id
                  WHERE {_LIVE_IN} AND e.org_id {IN_IDS}
                  ORDER BY e.happened_on, e.id"""
        uri = Path(self.db.path).resolve().as_uri() + "?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            conn.execute("PRAGMA busy_timeout=5000")
            cur = conn.execute(sql, (start.isoformat(), end.isoformat(), json.dumps(org_ids)))
            while rows := cur.fetchmany(chunk):
                for r in rows:
                    yield LedgerRow(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], r[8],
                                    r[9], r[10], r[11], [f for f in r[12].split(",") if f], r[13])

    async def evidence_rows(self, org_ids: list[int], start: date, end: date,
                            period_keys: list[str]) -> list[EvidenceRow]:
        """Photos of these orgs' live entries dated in [start, end], and of their standing
        reports for these periods; by org, then day, then time."""
        ids = json.dumps(org_ids)
        rows = await self.db.fetchall(
            f"""SELECT v.id, v.path, v.sha256, e.id, NULL, e.happened_on, e.recorded_at, e.kind, e.measures,
                       e.lat, e.lon, e.address, NULL, u.name, e.org_id,
                       {_REUSED} OR instr(e.flags, 'duplicate_evidence') > 0
                FROM entries e JOIN evidence v ON v.entry_id = e.id JOIN users u ON u.id = e.user_id
                WHERE {_LIVE_IN} AND e.org_id {IN_IDS}
                UNION ALL
                SELECT v.id, v.path, v.sha256, NULL, s.id, NULL, s.submitted_at, NULL, s.figures,
                       NULL, NULL, NULL, s.note, u.name, s.org_id, {_REUSED}
                FROM submissions s JOIN evidence v ON v.submission_id = s.id JOIN users u ON u.id = s.user_id
                WHERE s.replaced_by IS NULL AND s.period_key {IN_IDS} AND s.org_id {IN_IDS}
                ORDER BY 15, 6, 7, 1""",
            (start.isoformat(), end.isoformat(), ids, json.dumps(period_keys), ids))
        return [EvidenceRow(*r[:8], json.loads(r[8] or "{}"), *r[9:15], bool(r[15])) for r in rows]
