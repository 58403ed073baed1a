"""Early warnings on the clock: dispatch, 联系不上 retries, escalation, retention.

Nothing is remembered in memory: each tick reads what is due from the warnings table and
queues it in the outbox as urgent (sent in quiet hours too), marking the warning in the
same transaction. Outbox topics carry the warning's id and round, so a restart sends
nothing twice, and what was queued before a crash is sent after it.

    dispatched_at IS NULL            → the assignees get it with the outcome buttons
      (to nobody, or not to the grid's worker: again, once someone or a worker has joined)
    retry_at due (联系不上 < 3 times) → asked again
    half the window, nothing recorded → the assignees are reminded
    the window's end, still open      → the village contact and the office get the overdue list
      (returned or unassigned: the office)
    closed WARNING_RETENTION_DAYS ago → personal fields erased (a /warn left half typed: when its flow is over)"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable

from bot import obligations, warnings as domain
from bot.i18n import t
from handlers.core import FLOW_IDLE, action
from storage.outbox import body
from storage.warnings import BATCH, Warning_

log = logging.getLogger(__name__)


async def run_warnings(services) -> dict:
    """Do whatever is due for warnings now. Returns counts by step."""
    now = services.clock.now()
    await _once_someone_is_there(services)
    done = {"dispatched": await dispatch_due(services)}
    done["retried"] = await _retries(services, now)
    done["reminded"] = await _half(services, now)
    done["overdue"] = await _overdue(services, now)
    days = services.settings.warning_retention_days
    done["purged"] = await services.storage.warnings.purge(now - timedelta(days=days), now)
    await services.storage.warnings.forget_stale_entries(now - FLOW_IDLE)
    if done["purged"]:
        await services.storage.db.checkpoint()  # the WAL's older frames hold them still
        log.info("warnings: personal fields of %d closed warnings erased", done["purged"])
    return {k: v for k, v in done.items() if v}


def window(services) -> timedelta:
    return timedelta(hours=services.settings.warning_window_hours)


# --- the message a worker gets -------------------------------------------------------------

def card_text(lang: str, w: Warning_, area: str, hours: float) -> str:
    """The warning in full, for its assignees only."""
    return t(lang, "warn-card", id=str(w.id), name=w.name or "—", phone=w.phone or "—", address=w.address or "—",
             kind=w.kind, area=area, at=w.warned_at.strftime("%m-%d %H:%M"), hours=domain.hours_text(hours))


def outcome_buttons(lang: str, w: Warning_) -> list[list[tuple[str, str]]]:
    def b(key: str, verb: str) -> tuple[str, str]:
        return t(lang, key), action("warn", verb, w.id, w.round)
    return [[b("warn-btn-met", "met"), b("warn-btn-phone", "phone")],
            [b("warn-btn-nr", "nr"), b("warn-btn-lost", "lost")],
            [b("warn-btn-away", "away")]]


async def _send_to_assignees(services, w: Warning_, people, topic: str, key: str, area: str, now: datetime) -> int:
    messages = {}
    for person in people:
        head = t(person.lang, key, id=str(w.id), tries=w.tries, most=domain.TRIES)
        text = head + "\n" + card_text(person.lang, w, area, services.settings.warning_window_hours)
        messages[person.address] = body(text, outcome_buttons(person.lang, w))
    return await services.storage.outbox.enqueue(topic, messages, now, urgent=True)


async def dispatch_due(services) -> int:
    """Send every undispatched warning to its grid's people now, BATCH per transaction."""
    storage, total = services.storage, 0
    orgs = {o.id: o for o in await storage.orgs.all()}
    people: dict[int, list] = {}
    while True:
        async with storage.db.transaction():  # read inside: a reassignment meanwhile is seen
            todo = await storage.warnings.undispatched()
            now = services.clock.now()
            for w in todo:
                org = orgs[w.org_id]
                if org.id not in people:
                    people[org.id] = await domain.assignees(storage, org, w.office_id)
                to = people[org.id]
                await _send_to_assignees(services, w, to, f"warn:{w.id}:{w.round}:send", "warn-new", org.name, now)
                await storage.warnings.mark(w.id, dispatched_at=now, assignees=[p.id for p in to])
                log.info("warning %s dispatched to %d people of org %s", w.id, len(to), org.id)
        total += len(todo)
        if len(todo) < BATCH:
            return total


async def _once_someone_is_there(services) -> None:
    """A warning dispatched to nobody is dispatched again (the next step) once someone has
    joined its grid, village or office; one that went to the village contact or the office,
    once a worker has joined its grid (they keep their say over it: _may_act)."""
    storage, found = services.storage, {}
    for w in await storage.warnings.sent_to_fallback():
        if w.org_id not in found:
            org = await storage.orgs.get(w.org_id)
            found[w.org_id] = bool(org and await domain.assignees(storage, org, w.office_id))
        if found[w.org_id]:
            await storage.warnings.mark(w.id, dispatched_at=None)


async def _assigned(services, w: Warning_) -> list:
    """Its assignees still active and still over its area (one who joined another grid since
    gets no more of its name and phone)."""
    storage = services.storage
    return [p for p in [await storage.users.get(i) for i in w.assignees]
            if p and p.active and await domain.still_assigned(storage, w, p)]


async def _area_name(services, w: Warning_) -> str:
    org = await services.storage.orgs.get(w.org_id) if w.org_id else None
    return org.name if org else (w.area_text or "—")


async def _retries(services, now: datetime) -> int:
    """联系不上 2 hours ago (and fewer than 3 times): ask again."""
    return await _send_again(services, await services.storage.warnings.retries_due(now), now, key="warn-retry",
                             step=lambda w: f"try{w.tries}",
                             still_due=lambda w: w.retry_at is not None and w.retry_at <= now, retry_at=None)


async def _half(services, now: datetime) -> int:
    """Nothing recorded after half the window: remind the assignees."""
    before = now - window(services) / 2
    return await _send_again(services, await services.storage.warnings.unanswered_since("half_at", before), now,
                             key="warn-half", step=lambda w: "half",
                             still_due=lambda w: not (w.first_contact_at or w.tries or w.half_at)
                             and w.assigned_at is not None and w.assigned_at <= before, half_at=now)


async def _send_again(services, found: list[Warning_], now: datetime, *, key: str,
                      step: Callable[[Warning_], str], still_due: Callable[[Warning_], bool], **done) -> int:
    """Send each found warning's card to its assignees again (topic ending in `step(w)`) and
    mark it `done`, one transaction each; re-read first, skipped unless still open and
    `still_due(w)`: a tap may have answered it since."""
    storage, n = services.storage, 0
    for w in found:
        async with storage.db.transaction():
            w = await storage.warnings.get(w.id)
            if w.status != "open" or not still_due(w):
                continue
            await _send_to_assignees(services, w, await _assigned(services, w), f"warn:{w.id}:{w.round}:{step(w)}",
                                     key, await _area_name(services, w), now)
            await storage.warnings.mark(w.id, **done)
        n += 1
    return n


async def _overdue(services, now: datetime) -> int:
    """Still open at the window's end: the overdue list (masked) to each village's contacts and
    to the office chat (or, without one, the office's people); returned and unassigned ones to
    the office only. Once per warning and round."""
    storage = services.storage
    async with storage.db.transaction():  # read inside: a tap meanwhile is seen
        late = await storage.warnings.unanswered_since("overdue_at", now - window(services))
        if not late:
            return 0
        orgs, area_of = await obligations.areas_by_org(storage)
        by_area: dict[int, list[Warning_]] = {}
        by_office: dict[int, list[Warning_]] = {}
        for w in late:
            area = None if _waits_on_office(w) else area_of.get(w.org_id)
            if area is not None:
                by_area.setdefault(area.id, []).append(w)
            by_office.setdefault(w.office_id, []).append(w)
        for area_id, ws in by_area.items():
            contacts = await storage.users.in_orgs([area_id], "contact")
            await _queue_list(services, f"warnlate:a{area_id}:{ws[0].id}:{ws[0].round}",
                              {p.address: p.lang for p in contacts}, ws, orgs, now)
        for office_id, ws in by_office.items():
            await _queue_list(services, f"warnlate:o{office_id}:{ws[0].id}:{ws[0].round}",
                              await office_addresses(storage, office_id), ws, orgs, now)
        for w in late:
            await storage.warnings.mark(w.id, overdue_at=now)
    log.info("warnings: %d overdue, listed to contacts and office", len(late))
    return len(late)


def _waits_on_office(w: Warning_) -> bool:
    """Unassigned or returned: only the office can give it an area."""
    return w.org_id is None or w.status == "returned"


async def _queue_list(services, topic: str, to: dict[str, str], ws: list[Warning_], orgs: dict, now: datetime) -> None:
    hours = domain.hours_text(services.settings.warning_window_hours)
    messages = {}
    for address, lang in to.items():
        lines = [t(lang, "warn-late-line", who=domain.masked(w), kind=w.kind,
                   area=t(lang, "warn-late-unassigned") if _waits_on_office(w) else
                   orgs[w.org_id].name if w.org_id in orgs else "—") for w in ws]
        messages[address] = body(t(lang, "warn-late-head", count=len(ws), hours=hours) + "\n" + "\n".join(lines))
    await services.storage.outbox.enqueue(topic, messages, now, urgent=True)


async def office_addresses(storage, office_id: int) -> dict[str, str]:
    """Where the office is told: its chats, else its people (address → language)."""
    chats = await storage.users.office_chats(office_id)
    if chats:
        return {c.address: "zh" for c in chats}
    return {p.address: p.lang for p in await storage.users.in_orgs([office_id], "office")}
