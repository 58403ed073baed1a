"""What the office asks for, channel-independent: which period, which deadline, the summary,
who still owes it, and when 提醒他们 may nudge them."""
from __future__ import annotations

import asyncio
import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from storage.models import User

from . import logbook, obligations
from .deadlines import Occurrence, occurrences
from .progress import targets_of
from .summary import Summary, build_summary, render_text

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
NUDGE_EVERY = timedelta(hours=1)    # 提醒他们 at most this often per office or area


def month_bounds(text: str | None, today: date) -> tuple[date, date] | None:
    """'2026-11' -> (1 Nov, 30 Nov); None -> this month so far; None back for a bad value."""
    if not text:
        return today.replace(day=1), today
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def status_occurrence(services, start: date, end: date, now: datetime) -> Occurrence | None:
    """The deadline whose submissions a month's summary shows: the next one still open in
    that month, else the month's last one."""
    s = services.settings
    occs = [o for o in occurrences(obligations.calendar_of(services), start, end, s.tz,
                                   obligations.quiet_hours(s)) if o.who == "contact"]
    upcoming = [o for o in occs if o.due_at > now]
    return upcoming[0] if upcoming else (occs[-1] if occs else None)


async def summary(services, root_org_id: int | None, start: date, end: date,
                  occ: Occurrence | None = None) -> Summary:
    result = await build_summary(services.storage, root_org_id, start, end, services.clock.now().date(),
                                 targets_of(services), period_key=occ.period_key if occ else None,
                                 due_at=occ.due_at if occ else None, period_title=occ.title if occ else None)
    if occ is not None:
        await obligations.mark_submissions(services.storage, result, occ)
    await obligations.tally(services, result, services.clock.now())
    return result


async def month_summary(services, root_org_id: int | None, start: date, end: date) -> Summary:
    return await summary(services, root_org_id, start, end,
                         status_occurrence(services, start, end, services.clock.now()))


async def month_text(services, root_org_id: int | None, start: date, end: date, lang: str) -> list[str]:
    return render_text(await month_summary(services, root_org_id, start, end), lang)


async def export_month(services, root_org_id: int | None, start: date, end: date, xlsx: Path,
                       chart: Path | None = None, lang: str = "zh") -> Summary:
    """Write the progress table (and the chart) of a month; the heavy work runs off the event loop."""
    from .export import export_progress, render_chart

    result = await month_summary(services, root_org_id, start, end)
    await export_progress(services.storage, result, xlsx, lang, tz=services.settings.tz)
    if chart is not None:
        await asyncio.to_thread(render_chart, result, chart, lang)
    return result


# --- who still owes, and nudging them ------------------------------------------------------------

async def scope_root(storage, user: User) -> int:
    """Return the org whose subtree this person looks after: an office's own, a contact's area."""
    if user.role == "office":
        return user.org_id
    return (await logbook.area_of(storage, user.org_id)).id


async def visible_orgs(storage, user: User) -> set[int]:
    """Return the orgs this person may look at: an office's subtree, a contact's own area."""
    return {o.id for o in await storage.orgs.subtree(await scope_root(storage, user))}


def open_deadline(services, now: datetime) -> Occurrence | None:
    """Return the next contact deadline still open now."""
    return next((o for o in obligations.relevant_occurrences(services, now, back_days=0)
                 if o.who == "contact" and o.due_at > now), None)


async def owing(storage, occ: Occurrence, orgs: set[int]) -> list[obligations.Debtor]:
    """List the contacts of these orgs still owing the deadline."""
    return [d for d in await obligations.debtors(storage, occ) if d.area.id in orgs]


@dataclass(frozen=True)
class NudgePlan:
    """When a nudge of one office or area may go, and under which outbox topic."""
    topic: str          # per period, area and time of sending: a night's presses share the morning's
    at: datetime        # now by day; the end of the quiet hours at night
    wait: timedelta     # how long until this area may be nudged again; zero: queue it now
    quiet: bool         # it waits for the quiet hours to end
    tomorrow: bool      # ... and they end after midnight


async def nudge_plan(services, user: User, occ: Occurrence, now: datetime) -> NudgePlan:
    """Plan 提醒他们 for this person's area: by day at once, at most once an hour; at night for
    when the quiet hours end (presses in the same night are one nudge, the hour not counted)."""
    settings = services.settings
    later = _quiet_over(settings, now)
    prefix = f"nudge:{occ.period_key}:{await scope_root(services.storage, user)}:"
    last = await _last_nudge(services, prefix, now) if later is None else None
    wait = NUDGE_EVERY - (now - last) if last is not None and now - last < NUDGE_EVERY else timedelta()
    at = later or now
    tomorrow = later is not None and later.date() != now.astimezone(settings.tz).date()
    return NudgePlan(topic=f"{prefix}{at:%Y%m%d%H%M}", at=at, wait=wait, quiet=later is not None, tomorrow=tomorrow)


def _local_wake(settings, now: datetime) -> tuple[datetime, datetime]:
    """Return (now on the local clock, today's end of the quiet hours)."""
    local = now.astimezone(settings.tz)
    return local, datetime.combine(local.date(), settings.quiet_end, tzinfo=settings.tz)


def _quiet_over(settings, now: datetime) -> datetime | None:
    """Return when the quiet hours we are in end; None by day."""
    local, wake = _local_wake(settings, now)
    if not obligations.in_quiet(local, obligations.quiet_hours(settings)):
        return None
    return wake if wake > local else wake + timedelta(days=1)


async def _last_nudge(services, prefix: str, now: datetime) -> datetime | None:
    """Return when this scope was last nudged: queued by day, or sent at the end of last night."""
    outbox = services.storage.outbox
    last = await outbox.last_queued(prefix)
    local, morning = _local_wake(services.settings, now)
    if morning > local:
        morning -= timedelta(days=1)
    if await outbox.recipients(f"{prefix}{morning:%Y%m%d%H%M}"):
        last = max(last, morning) if last else morning
    return last
