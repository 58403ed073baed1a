"""Automatic office summaries: at the close of each deadline day, and a weekly digest.

Queued once per (topic, office chat) in the outbox, like reminders; after downtime a
summary still owed goes out late rather than never (within LATE_DAYS). A chat gets only
the summaries that close after it was bound: its first is the next one due, never a
catch-up of all-zero periods from before the office (or its org tree) was there."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from bot import obligations, office
from bot.deadlines import occurrences
from bot.i18n import t
from bot.obligations import in_quiet
from bot.summary import render_text
from storage.outbox import body

log = logging.getLogger(__name__)
LATE_DAYS = 7


async def run_summaries(services) -> int:
    """Queue each office chat's summaries that are due and not queued before. Returns how many."""
    now = services.clock.now()
    queued = 0
    chats = await services.storage.users.office_chats()
    if not chats or in_quiet(now, obligations.quiet_hours(services.settings)):
        return queued
    s = services.settings
    for occ in closed_deadlines(services, now):
        closes = datetime.combine(occ.due_date, s.summary_time, tzinfo=s.tz)
        queued += await _queue(services, f"summary:{occ.period_key}", bound_before(chats, closes),
                               lambda root: office.summary(services, root, occ.period_start, occ.period_end, occ))
    week = digest_week(services, now)
    if week is not None:
        start, end = week
        closes = datetime.combine(end + timedelta(days=1), s.weekly_digest_time, tzinfo=s.tz)
        queued += await _queue(services, f"weekly:{start.isoformat()}", bound_before(chats, closes),
                               lambda root: office.summary(services, root, start, end), t("zh", "weekly-title"))
    return queued


def bound_before(chats: list, closes: datetime) -> list:
    """The chats already bound when a summary fell due (an older binding has no time: all)."""
    return [c for c in chats if c.bound_at is None or c.bound_at <= closes]


def closed_deadlines(services, now: datetime) -> list:
    """Contact deadlines whose day has reached the summary time, from the last LATE_DAYS days."""
    s = services.settings
    occs = occurrences(obligations.calendar_of(services), now.date() - timedelta(days=LATE_DAYS), now.date(),
                       s.tz, obligations.quiet_hours(s))
    return [o for o in occs if o.who == "contact"
            and (o.due_date < now.date() or now.time() >= s.summary_time)]


def digest_week(services, now: datetime) -> tuple[date, date] | None:
    """Last Monday–Sunday, once this week's Monday digest time has come."""
    monday = now.date() - timedelta(days=now.weekday())
    if now.date() == monday and now.time() < services.settings.weekly_digest_time:
        return None
    return monday - timedelta(days=7), monday - timedelta(days=1)


async def _queue(services, topic: str, chats: list, build, title: str | None = None) -> int:
    """Each office chat gets its own subtree's summary, once; built before it is queued, so
    one that fails to build is simply tried again next tick."""
    done = await services.storage.outbox.recipients(topic)
    queued = 0
    summaries: dict[int, list[str]] = {}  # two chats of one office (two channels) share a build
    for chat in chats:
        if chat.address in done:
            continue
        if chat.org_id not in summaries:
            texts = render_text(await build(chat.org_id), "zh")
            summaries[chat.org_id] = [f"{title}\n{texts[0]}", *texts[1:]] if title else texts
        queued += await services.storage.outbox.enqueue(topic, {chat.address: body(summaries[chat.org_id])},
                                                        services.clock.now())
    return queued
