"""Remind whoever still owes a submission; exactly once per (period, offset, person).

Derived on every run from the calendar, the clock and the database: what is due is
the latest reminder slot of each still-open deadline that has come; who gets it is
whoever still owes and is not yet in the ledger for that slot. A restart therefore
repeats nothing and forgets nothing; a slot missed during downtime goes out once at
the next run if its deadline is still open, and is dropped once it has passed."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import date, datetime

from bot import obligations
from bot.deadlines import Occurrence, ReminderSlot, due_reminders, last_reminder
from bot.i18n import t
from bot.logbook import day_text
from bot.progress import progress_lines

log = logging.getLogger(__name__)
CONCURRENCY = 8  # messages in flight at once; the most a crash mid-round can lose


def in_quiet(now: datetime, quiet: tuple) -> bool:
    start, end = quiet
    clock = now.time()
    return (start <= clock or clock < end) if start > end else (start <= clock < end)


def current_slots(services, now: datetime) -> list[tuple[Occurrence, ReminderSlot]]:
    """The latest slot that has come for each open deadline (older missed ones are not repeated)."""
    latest: dict[str, tuple[Occurrence, ReminderSlot]] = {}
    for occ, slot in due_reminders(obligations.calendar_of(services), now, obligations.quiet_hours(services.settings)):
        if occ.period_key not in latest or slot.at > latest[occ.period_key][1].at:
            latest[occ.period_key] = (occ, slot)
    return list(latest.values())


async def run_reminders(services, sender) -> Counter:
    """Send every reminder that is due now and not yet in the ledger. Returns counts by outcome."""
    now = services.clock.now()
    counts: Counter = Counter()
    if in_quiet(now, obligations.quiet_hours(services.settings)):
        return counts
    for occ, slot in current_slots(services, now):
        counts += await _remind(services, sender, occ, slot, now)
        if slot == last_reminder(occ):
            counts += await escalate(services, sender, occ)
    return counts


async def _remind(services, sender, occ: Occurrence, slot: ReminderSlot, now: datetime) -> Counter:
    storage, counts = services.storage, Counter()
    topic = f"remind:{occ.period_key}:{slot.offset}"
    done = await storage.ledger.sent(topic)
    todo = [d for d in await obligations.debtors(storage, occ) if d.user.telegram_id not in done]
    progress_cache: dict[tuple[int, str], str] = {}
    for debtor in todo:  # progress lines first: the sending loop below only sends
        key = (debtor.area.id, debtor.user.lang)
        if key not in progress_cache:
            progress_cache[key] = await progress_text(services, debtor.area, debtor.user.lang, now.date())

    def message(debtor) -> tuple[str, list[tuple[str, str]]]:
        lang = debtor.user.lang
        return (t(lang, "remind", title=occ.title, due=_due(lang, occ), period=_period(lang, occ),
                  progress=progress_cache[(debtor.area.id, lang)]),
                [(t(lang, "btn-report-now"), report_button(occ))])

    counts = await fan_out(services, sender, topic, {d.user.telegram_id: message(d) for d in todo})
    if counts:
        log.info("reminders %s: %s", topic, dict(counts))
    return counts


def report_button(occ: Occurrence) -> str:
    """立即报送 opens the very report the message is about."""
    return f"v1:report:pick:{occ.period_key}"


async def fan_out(services, sender, topic: str, messages: dict[int, tuple[str, list | None]]) -> Counter:
    """Send each chat its message once. A few workers share the list (the rate limiter paces
    them); each claims its chat in the ledger just before sending and records the outcome
    after, so a crash can lose at most the CONCURRENCY messages in flight, and repeat none."""
    counts: Counter = Counter()
    chats = iter(messages)

    async def worker() -> None:
        for chat in chats:  # one shared iterator: each chat is taken by exactly one worker
            if not await services.storage.ledger.claim(topic, [chat], services.clock.now()):
                continue
            outcome = await sender.send(chat, *messages[chat])
            await services.storage.ledger.settle(topic, {chat: outcome})
            counts[outcome] += 1

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return counts


async def progress_text(services, area, lang: str, today: date) -> str:
    return "\n".join(await progress_lines(services, area, today, lang))


def _due(lang: str, occ: Occurrence) -> str:
    return day_text(lang, occ.due_date)


def _period(lang: str, occ: Occurrence) -> str:
    """'11月1日—28日' / '2026-11-01 to 2026-11-28'."""
    start, end = occ.period_start, occ.period_end
    if lang != "zh":
        return f"{start.isoformat()} to {end.isoformat()}"
    tail = f"{end.day}日" if (start.year, start.month) == (end.year, end.month) else day_text(lang, end)
    return f"{day_text(lang, start)}—{tail}"


async def escalate(services, sender, occ: Occurrence) -> Counter:
    """At the last reminder: contacts hear which of their workers still owe, offices which areas."""
    storage = services.storage
    topic = f"escalate:{occ.period_key}"
    laggards = await _laggards_by_area(services, occ)
    messages: dict[int, tuple[str, None]] = {}
    for contact in await storage.users.active_by_role("contact"):
        if names := laggards.get(contact.org_id):
            messages[contact.telegram_id] = (t(contact.lang, "escalate-contact", title=occ.title,
                                               names="、".join(names)), None)
    missing = await obligations.missing_areas(storage, occ)
    for org_id, chat_id in (await storage.users.office_chats()).items():
        within = {o.id for o in await storage.orgs.subtree(org_id)}
        if names := [o.name for o in missing if o.id in within]:
            messages[chat_id] = (t("zh", "escalate-office", title=occ.title, due=_due("zh", occ),
                                   count=len(names), names="、".join(names)), None)
    done = await storage.ledger.sent(topic)
    return await fan_out(services, sender, topic, {c: m for c, m in messages.items() if c not in done})


async def _laggards_by_area(services, occ: Occurrence) -> dict[int, list[str]]:
    """Area id -> names of its workers who still owe (worker deadlines) or logged nothing this period."""
    storage = services.storage
    _, area_of = await obligations.areas_by_org(storage)
    if occ.who == "worker":
        owing = [d.user for d in await obligations.debtors(storage, occ)]
    else:
        active = await storage.entries.loggers(occ.period_start, occ.period_end)
        owing = [u for u in await storage.users.active_by_role("worker") if u.id not in active]
    out: dict[int, list[str]] = {}
    for user in owing:
        out.setdefault(area_of[user.org_id].id, []).append(user.name)
    return out
