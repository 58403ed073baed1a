"""Remind whoever still owes a submission; exactly once per (period, offset, person).

Derived on every run from the calendar, the clock and the database: what is due is
the latest reminder slot of each still-open deadline that has come; who gets it is
whoever still owes and is not yet in the ledger for that slot. A restart therefore
repeats nothing and forgets nothing; a slot missed during downtime goes out once at
the next run if its deadline is still open, and is dropped once it has passed."""
from __future__ import annotations

import logging
from datetime import date, datetime

from bot import obligations
from bot.deadlines import Occurrence, ReminderSlot, due_reminders, last_reminder
from bot.i18n import t
from bot.logbook import day_text, format_changes, listing
from bot.obligations import in_quiet
from bot.progress import progress_lines
from handlers.core import action
from storage.outbox import body

log = logging.getLogger(__name__)


def current_slots(services, now: datetime) -> list[tuple[Occurrence, ReminderSlot]]:
    """The latest slot that has come for each open deadline (older missed ones are not repeated)."""
    latest: dict[str, tuple[Occurrence, ReminderSlot]] = {}
    for occ, slot in due_reminders(obligations.calendar_of(services), now, obligations.quiet_hours(services.settings)):
        if occ.period_key not in latest or slot.at > latest[occ.period_key][1].at:
            latest[occ.period_key] = (occ, slot)
    return list(latest.values())


async def run_reminders(services) -> int:
    """Queue every reminder that is due now and not queued before. Returns how many."""
    now = services.clock.now()
    queued = 0
    if in_quiet(now, obligations.quiet_hours(services.settings)):
        return queued
    for occ, slot in current_slots(services, now):
        queued += await _remind(services, occ, slot, now)
        if slot == last_reminder(occ):
            queued += await escalate(services, occ)
            queued += await tell_changed(services, occ)
    return queued


async def _remind(services, occ: Occurrence, slot: ReminderSlot, now: datetime) -> int:
    storage = services.storage
    topic = f"remind:{occ.period_key}:{slot.offset}"
    done = await storage.outbox.recipients(topic)
    todo = [d for d in await obligations.debtors(storage, occ) if d.user.address not in done]
    progress_cache: dict[tuple[int, str], str] = {}
    messages = {}
    for debtor in todo:
        lang, key = debtor.user.lang, (debtor.area.id, debtor.user.lang)
        if key not in progress_cache:
            progress_cache[key] = await progress_text(services, debtor.area, lang, now.date())
        messages[debtor.user.address] = body(
            t(lang, "remind", title=occ.title, due=day_text(lang, occ.due_date), period=_period(lang, occ),
              progress=progress_cache[key]),
            [[(t(lang, "btn-report-now"), report_button(occ))]])
    queued = await storage.outbox.enqueue(topic, messages, now)
    if queued:
        log.info("reminders %s: %d queued", topic, queued)
    return queued


def report_button(occ: Occurrence) -> str:
    """立即报送 opens the very report the message is about."""
    return action("report", "pick", *occ.period_key.split(":"))


async def progress_text(services, area, lang: str, today: date) -> str:
    return "\n".join(await progress_lines(services, area, today, lang))


def _period(lang: str, occ: Occurrence) -> str:
    """'11月1日—28日' / '2026-11-01 to 2026-11-28'."""
    start, end = occ.period_start, occ.period_end
    if lang != "zh":
        return f"{start.isoformat()} to {end.isoformat()}"
    tail = f"{end.day}日" if (start.year, start.month) == (end.year, end.month) else day_text(lang, end)
    return f"{day_text(lang, start)}—{tail}"


async def escalate(services, occ: Occurrence) -> int:
    """At the last reminder: contacts hear which of their workers still owe, offices which areas."""
    storage = services.storage
    topic = f"escalate:{occ.period_key}"
    laggards = await _laggards_by_area(services, occ)
    messages: dict[str, dict] = {}
    for contact in await storage.users.active_by_role("contact"):
        if names := laggards.get(contact.org_id):
            messages[contact.address] = body(t(contact.lang, "escalate-contact", title=occ.title,
                                               names=listing(contact.lang, names)))
    missing = await obligations.missing_areas(storage, occ)
    for chat in await storage.users.office_chats():
        within = {o.id for o in await storage.orgs.subtree(chat.org_id)}
        if names := [o.name for o in missing if o.id in within]:
            messages[chat.address] = body(t("zh", "escalate-office", title=occ.title, due=day_text("zh", occ.due_date),
                                            count=len(names), names=listing("zh", names)))
    return await storage.outbox.enqueue(topic, messages, services.clock.now())


async def tell_changed(services, occ: Occurrence) -> int:
    """At the last reminder, while the period is still open: whoever submitted it hears, once,
    that entries moved its figures since (logged late, or undone), with 重新报送 (before the
    deadline it is still on time). Changes after that show on /deadlines, /report and the
    office's summary only: no message for each late entry."""
    storage, now = services.storage, services.clock.now()
    subs = await storage.submissions.current(occ.period_key)
    if occ.due_at <= now or not subs:
        return 0
    _, area_of = await obligations.areas_by_org(storage)
    moved = {sid: delta for sid, delta in (await obligations.drifts(storage, occ, subs, area_of)).items() if delta}
    by_org, by_user = {s.org_id: s for s in subs}, {s.user_id: s for s in subs}
    topic = f"changed:{occ.period_key}"
    done = await storage.outbox.recipients(topic)
    messages = {}
    for user in await storage.users.active_by_role(occ.who):
        sub = by_user.get(user.id) if occ.who == "worker" else by_org.get(area_of[user.org_id].id)
        if sub is None or sub.id not in moved or user.address in done:
            continue
        due = day_text(user.lang, occ.due_date)
        messages[user.address] = body(
            t(user.lang, "changed-tell", title=occ.title, changes=format_changes(user.lang, moved[sub.id]), due=due),
            [[(t(user.lang, "btn-resubmit", due=due), report_button(occ))]])
    return await storage.outbox.enqueue(topic, messages, now)


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
