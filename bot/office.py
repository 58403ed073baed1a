"""What the office asks for, channel-independent: which period, which deadline, the summary."""
from __future__ import annotations

import asyncio
import calendar
import re
from datetime import date, datetime
from pathlib import Path

from . import obligations
from .deadlines import Occurrence, occurrences
from .progress import targets_of
from .summary import Summary, build_summary, render_text

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


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
    return await build_summary(services.storage, root_org_id, start, end, services.clock.now().date(),
                               targets_of(services), period_key=occ.period_key if occ else None,
                               due_at=occ.due_at if occ else None, period_title=occ.title if occ else None)


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
