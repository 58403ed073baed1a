"""Who owes which submission: derived from the calendar and the database, never remembered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import Storage
from storage.models import AREA_KINDS, NewPhoto, Org, Submission, User
from storage.reports import PLACED, ReportRepo

from . import logbook
from .deadlines import DeadlineSpec, Occurrence, is_late, load_calendar, occurrences
from .summary import DeadlineTally

MAX_OPEN = 10       # periods offered at once by /report: all /deadlines lists (five a month, ~30 days back, the begun ones ahead)
# How far back a deadline still asks for action: /deadlines, /report and /missing all look this far.
OVERDUE_DAYS = 30
NEEDS_ACTION = ("owed-late", "changed")   # past due, yet still to (re)submit


def calendar_of(services) -> list[DeadlineSpec]:
    """The deadline calendar, read once (start-up reads it first so a bad file stops the bot)."""
    if "calendar" not in services.extra:
        services.extra["calendar"] = load_calendar(services.settings.deadlines_file)
    return services.extra["calendar"]


def quiet_hours(settings) -> tuple:
    return settings.quiet_start, settings.quiet_end


def in_quiet(now: datetime, quiet: tuple) -> bool:
    """Tell whether the local time `now` lies in the quiet hours (they may wrap midnight)."""
    start, end = quiet
    clock = now.time()
    return (start <= clock or clock < end) if start > end else (start <= clock < end)


def relevant_occurrences(services, now: datetime, back_days: int = 35, ahead_days: int = 35) -> list[Occurrence]:
    """Deadlines due from `back_days` ago to `ahead_days` ahead whose period has begun."""
    s = services.settings
    occs = occurrences(calendar_of(services), (now - timedelta(days=back_days)).date(),
                       (now + timedelta(days=ahead_days)).date(), s.tz, quiet_hours(s))
    return [o for o in occs if o.period_start <= now.date()]


@dataclass
class Debtor:
    user: User
    area: Org


def applies(occ: Occurrence, user: User) -> bool:
    """Contacts submit their area's figures; workers submit their own where the deadline says so."""
    return user.role == occ.who


async def areas_by_org(storage: Storage) -> tuple[dict[int, Org], dict[int, Org]]:
    """All orgs by id, and for each org the village/community (or department) above it."""
    orgs = {o.id: o for o in await storage.orgs.all()}
    area_of: dict[int, Org] = {}
    for org in orgs.values():
        node = org
        while node is not None and node.kind not in AREA_KINDS:
            node = orgs.get(node.parent_id) if node.parent_id else None
        area_of[org.id] = node or org
    return orgs, area_of


def _standing(submissions: list[Submission]) -> tuple[dict[int, Submission], dict[int, Submission]]:
    by_org = {s.org_id: s for s in submissions}
    by_user = {s.user_id: s for s in submissions}
    return by_org, by_user


async def submission_for(storage: Storage, occ: Occurrence, user: User) -> Submission | None:
    """The standing submission that settles this person's share (one org path, not the whole tree)."""
    by_org, by_user = _standing(await storage.submissions.current(occ.period_key))
    if occ.who == "worker":
        return by_user.get(user.id)
    return by_org.get((await logbook.area_of(storage, user.org_id)).id)


async def status(storage: Storage, occ: Occurrence, user: User) -> str | None:
    """'on_time', 'late', 'owed', 'changed' (entries moved the figures since it was submitted),
    or None when this deadline is not this person's to submit."""
    if not applies(occ, user):
        return None
    sub = await submission_for(storage, occ, user)
    if sub is None:
        return "owed"
    if await drift(storage, occ, sub):
        return "changed"
    return "late" if sub.late else "on_time"


async def drift(storage: Storage, occ: Occurrence, sub: Submission) -> dict[str, int]:
    """How the period's figures moved since this submission: now minus what was submitted,
    non-zero measures only (empty: the submission still matches the entries)."""
    return (await drifts(storage, occ, [sub]))[sub.id]


async def drifts(storage: Storage, occ: Occurrence, subs: list[Submission],
                 area_of: dict[int, Org] | None = None) -> dict[int, dict[str, int]]:
    """`drift` of each submission (by id): a contact deadline's in one query over the area
    of every org (`area_of`, as `areas_by_org` gives it; else each area's subtree is read)."""
    if occ.who == "worker":
        return {s.id: _delta(await storage.entries.totals([s.org_id], occ.period_start, occ.period_end,
                                                          user_id=s.user_id), s.figures) for s in subs}
    filed = {s.org_id for s in subs}
    if area_of is None:
        groups = {o.id: s.org_id for s in subs for o in await storage.orgs.subtree(s.org_id)}
    else:
        groups = {org: area.id for org, area in area_of.items() if area.id in filed}
    now = await ReportRepo(storage.db).figures(groups, occ.period_start, occ.period_end)
    return {s.id: _delta({k: v for k, v in now.get(s.org_id, {}).items() if not k.startswith(("#", PLACED))},
                         s.figures) for s in subs}


def _delta(now: dict[str, int], then: dict[str, int]) -> dict[str, int]:
    delta = {k: now.get(k, 0) - then.get(k, 0) for k in {*now, *then}}
    return {k: v for k, v in delta.items() if v}


def nil_despite_entries(sub: Submission) -> bool:
    """A no-activity report filed for a period that had figures (confirmed by its sender)."""
    return bool(sub.nil_reason) and any(sub.figures.values())


async def debtors(storage: Storage, occ: Occurrence) -> list[Debtor]:
    """Every active person who still owes this occurrence's submission."""
    _, area_of = await areas_by_org(storage)
    by_org, by_user = _standing(await storage.submissions.current(occ.period_key))
    people = await storage.users.active_by_role(occ.who)
    out = []
    for user in people:
        area = area_of[user.org_id]
        done = by_user.get(user.id) if occ.who == "worker" else by_org.get(area.id)
        if done is None:  # whether they can be reached is the outbox's business (schedules/outbox.py)
            out.append(Debtor(user, area))
    return out


async def missing_areas(storage: Storage, occ: Occurrence) -> list[Org]:
    """Areas with nothing standing for this period (contact deadlines) or with a worker still owing."""
    orgs, area_of = await areas_by_org(storage)
    by_org, by_user = _standing(await storage.submissions.current(occ.period_key))
    if occ.who == "contact":
        return [o for o in orgs.values() if o.kind in AREA_KINDS and o.id not in by_org]
    owing = {area_of[u.org_id].id for u in await storage.users.active_by_role("worker") if u.id not in by_user}
    return [orgs[i] for i in sorted(owing)]


# --- what a person may submit, and submitting it -----------------------------------------------

async def standing(services, user: User, now: datetime) -> list[tuple[Occurrence, str | None]]:
    """List the deadlines from OVERDUE_DAYS back to a month ahead with this person's status
    for each (see `status`); 'owed-late' when it is owed past its due time. /deadlines and
    /report both read this, so they agree on what is overdue."""
    out = []
    for occ in relevant_occurrences(services, now, OVERDUE_DAYS, 35):
        state = await status(services.storage, occ, user)
        out.append((occ, "owed-late" if state == "owed" and occ.due_at <= now else state))
    return out


async def agenda(services, user: User, now: datetime) -> list[tuple[Occurrence, str | None]]:
    """List what /deadlines shows: `standing`, leaving out past deadlines that are settled
    on time or not this person's (nothing to act on)."""
    return [(occ, state) for occ, state in await standing(services, user, now)
            if occ.due_at > now or state not in (None, "on_time")]


async def open_for(services, user: User, now: datetime) -> list[tuple[Occurrence, str]]:
    """List the periods this person may submit now, with their status (see `standing`): not
    yet due (a resubmission replaces), or past due and still owed or changed since submitted
    (late). On time first, soonest first; then overdue, latest first."""
    out = [(occ, state) for occ, state in await standing(services, user, now)
           if state is not None and (occ.due_at > now or state in NEEDS_ACTION)]
    out.sort(key=lambda pair: (pair[0].due_at <= now, abs((pair[0].due_at - now).total_seconds())))
    return out[:MAX_OPEN]


async def open_period(services, user: User, now: datetime, period_key: str | None) -> Occurrence | None:
    """Find the period if it is open for this person now (forged or outdated keys find nothing)."""
    return next((o for o, _ in await open_for(services, user, now) if o.period_key == period_key), None)


async def scope(storage: Storage, occ: Occurrence, user: User) -> tuple[list[int], int | None, int]:
    """Return (org ids whose entries count, user filter, org the submission is filed under):
    a worker's own entries, or everything logged in a contact's area."""
    if occ.who == "worker":
        return [user.org_id], user.id, user.org_id
    area = await logbook.area_of(storage, user.org_id)
    return [o.id for o in await storage.orgs.subtree(area.id)], None, area.id


async def period_figures(storage: Storage, occ: Occurrence, user: User) -> tuple[dict[str, int], int, int]:
    """Return (the period's figures, its evidence count, the org it is filed under)."""
    org_ids, user_id, filed_under = await scope(storage, occ, user)
    entries = storage.entries
    figures = await entries.totals(org_ids, occ.period_start, occ.period_end, user_id=user_id)
    return figures, await entries.evidence_count(org_ids, occ.period_start, occ.period_end), filed_under


async def submit(storage: Storage, occ: Occurrence, user: User, now: datetime, note: str | None,
                 nil_reason: str | None, photos: list[NewPhoto]) -> Submission:
    """File the period's submission with a snapshot of its figures: late from the due time on;
    one sent before replaces the earlier one (kept), a worker's only their own."""
    figures, evidence, filed_under = await period_figures(storage, occ, user)
    return await storage.submissions.submit(
        deadline_id=occ.spec_id, period_key=occ.period_key, org_id=filed_under, user_id=user.id, now=now,
        late=is_late(occ, now), figures=figures, evidence_count=evidence, note=note, nil_reason=nil_reason,
        photos=photos, per_user=occ.who == "worker")


async def mark_submissions(storage: Storage, summary, occ: Occurrence) -> None:
    """Mark on a summary's area rows the submissions that entries moved away from since,
    and the no-activity reports filed over figures, so the office sees which to query."""
    subs = {s.org_id: s for s in await storage.submissions.current(occ.period_key)}
    marked = [(row.submission, subs[row.org_id]) for row in summary.rows
              if row.submission is not None and row.submission.status in ("on_time", "late") and row.org_id in subs]
    if not marked:
        return
    if (summary.start, summary.end) == (occ.period_start, occ.period_end) and occ.who == "contact":
        # the deadline's own summary: its rows hold the period's figures now, no second scan
        rows = {row.org_id: row for row in summary.rows}
        moved = {sub.id: _delta(rows[sub.org_id].measures, sub.figures) for _, sub in marked}
    else:
        moved = await drifts(storage, occ, [sub for _, sub in marked], (await areas_by_org(storage))[1])
    for status, sub in marked:
        status.changed = moved[sub.id]
        status.nil_despite_entries = nil_despite_entries(sub)


async def missed(services, now: datetime, orgs: set[int]) -> list[tuple[Occurrence, list[Org]]]:
    """Each contact deadline from OVERDUE_DAYS back to the next still open, with the areas
    among `orgs` that have nothing standing for it (deadlines all have settled are left out)."""
    out = []
    for occ in relevant_occurrences(services, now, OVERDUE_DAYS, 35):
        if occ.who != "contact":
            continue
        areas = [a for a in await missing_areas(services.storage, occ) if a.id in orgs]
        if areas:
            out.append((occ, areas))
        if occ.due_at > now:
            break  # the next one open: later ones are not owed yet
    return out


async def tally(services, summary, now: datetime) -> None:
    """Put on a summary each contact deadline due in its dates (begun by now) with how many of
    its areas stand how: on time, late, missing, not yet due; and, for the summary's own
    deadline, how many changed since submitted (`mark_submissions` marked its rows: checking
    every deadline would cost a scan of its period each)."""
    s = services.settings
    occs = [o for o in occurrences(calendar_of(services), summary.start, summary.end, s.tz, quiet_hours(s))
            if o.who == "contact" and o.period_start <= now.date()]
    areas = {r.org_id: r for r in summary.rows if r.kind == "area"}
    for occ in occs:
        subs = {x.org_id: x for x in await services.storage.submissions.current(occ.period_key) if x.org_id in areas}
        counts = dict.fromkeys(("on_time", "late", "missing", "pending", "changed"), 0)
        for area, row in areas.items():
            sub = subs.get(area)
            counts[("pending" if occ.due_at > now else "missing") if sub is None else "late" if sub.late
                   else "on_time"] += 1
            counts["changed"] += bool(sub and occ.period_key == summary.period_key
                                      and row.submission and row.submission.changed)
        summary.deadlines.append(DeadlineTally(title=occ.title, due=occ.due_date, counts=counts))
