"""Who owes which submission: derived from the calendar and the database, never remembered."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import Storage
from storage.models import AREA_KINDS, Org, Submission, User

from .deadlines import DeadlineSpec, Occurrence, load_calendar, occurrences


def calendar_of(services) -> list[DeadlineSpec]:
    """The deadline calendar, read once (start-up reads it first so a bad file stops the bot)."""
    if "calendar" not in services.extra:
        services.extra["calendar"] = load_calendar(services.settings.deadlines_file)
    return services.extra["calendar"]


def quiet_hours(settings) -> tuple:
    return settings.quiet_start, settings.quiet_end


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
    from .logbook import area_of

    by_org, by_user = _standing(await storage.submissions.current(occ.period_key))
    return by_user.get(user.id) if occ.who == "worker" else by_org.get((await area_of(storage, user.org_id)).id)


async def status(storage: Storage, occ: Occurrence, user: User) -> str | None:
    """'on_time', 'late', 'owed', or None when this deadline is not this person's to submit."""
    if not applies(occ, user):
        return None
    sub = await submission_for(storage, occ, user)
    if sub is None:
        return "owed"
    return "late" if sub.late else "on_time"


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
