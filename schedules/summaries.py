"""Automatic office summaries: at the close of each deadline day, and a weekly digest.

Exactly once per (topic, office chat) through the same ledger as reminders; after
downtime a summary still owed goes out late rather than never (within LATE_DAYS)."""
from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, timedelta

from bot import obligations, office
from bot.deadlines import occurrences
from bot.i18n import t
from bot.summary import render_text

from .reminders import in_quiet

log = logging.getLogger(__name__)
LATE_DAYS = 7


async def run_summaries(services, sender) -> Counter:
    now = services.clock.now()
    counts: Counter = Counter()
    chats = await services.storage.users.office_chats()
    if not chats or in_quiet(now, obligations.quiet_hours(services.settings)):
        return counts
    for occ in closed_deadlines(services, now):
        counts += await _deliver(services, sender, f"summary:{occ.period_key}", chats,
                                 lambda root: office.summary(services, root, occ.period_start, occ.period_end, occ))
    week = digest_week(services, now)
    if week is not None:
        start, end = week
        counts += await _deliver(services, sender, f"weekly:{start.isoformat()}", chats,
                                 lambda root: office.summary(services, root, start, end), t("zh", "weekly-title"))
    return counts


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


async def _deliver(services, sender, topic: str, chats: dict[int, int], build, title: str | None = None) -> Counter:
    """Send each office chat its own subtree's summary once; claim before sending."""
    counts: Counter = Counter()
    done = await services.storage.ledger.sent(topic)
    for org_id, chat_id in chats.items():
        if chat_id in done:
            continue
        # Build first: a summary that fails to build leaves no claim behind, so it is retried.
        texts = render_text(await build(org_id), "zh")
        if title:
            texts[0] = f"{title}\n{texts[0]}"
        if not await services.storage.ledger.claim(topic, [chat_id], services.clock.now()):
            continue
        outcome = "failed"
        for part, text in enumerate(texts):
            result = await sender.send(chat_id, text)
            # Once a part is out, the summary counts as sent: a retry would repeat that part.
            outcome = result if part == 0 else ("sent" if result != "blocked" else "blocked")
            if result != "sent":
                break
        await services.storage.ledger.settle(topic, {chat_id: outcome})
        counts[outcome] += 1
        log.info("%s to chat %s: %s", topic, chat_id, outcome)
    return counts
