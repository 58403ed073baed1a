"""Office views: /summary [YYYY-MM], /export [YYYY-MM], /missing with 提醒他们.

/summary and /export are heavy: the core runs them outside the event's transaction.
提醒他们 only queues the nudges in the outbox (the next scheduler tick sends them): by
day at once, in quiet hours for when they end; at most once an hour per office or area."""
from __future__ import annotations

import logging
import math
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from bot import logbook, obligations, office
from bot.deadlines import Occurrence
from bot.i18n import t
from schedules.reminders import in_quiet, report_button
from storage.models import User
from storage.outbox import body

from .core import Turn, action

log = logging.getLogger(__name__)
NUDGE_EVERY = timedelta(hours=1)


async def scope_root(turn: Turn, user: User) -> int:
    """Offices see their whole subtree; a contact only their own village/community."""
    if user.role == "office":
        return user.org_id
    return (await logbook.area_of(turn.storage, user.org_id)).id


async def summary(turn: Turn) -> None:
    """Send the month's summary (this month so far by default) for the person's own area."""
    bounds = office.month_bounds(turn.args[0] if turn.args else None, turn.now.date())
    if bounds is None:
        turn.say(turn.t("summary-usage"))
        return
    await turn.tell(turn.t("working"))
    for text in await office.month_text(turn.svc, await scope_root(turn, turn.user), *bounds, turn.lang):
        turn.say(text)


async def export(turn: Turn) -> None:
    """Send the month's progress table (.xlsx) and its chart."""
    bounds = office.month_bounds(turn.args[0] if turn.args else None, turn.now.date())
    if bounds is None:
        turn.say(turn.t("export-usage"))
        return
    await turn.tell(turn.t("working"))
    label = f"{bounds[0]:%Y-%m}"
    with tempfile.TemporaryDirectory() as tmp:
        xlsx, chart = Path(tmp) / f"进展情况表-{label}.xlsx", Path(tmp) / f"chart-{label}.png"
        result = await office.export_month(turn.svc, turn.user.org_id, *bounds, xlsx, chart, turn.lang)
        root = result.root_name or ""
        turn.say(turn.t("export-caption", root=root, month=label), document=(xlsx.name, xlsx.read_bytes()))
        turn.say(turn.t("chart-caption", root=root, month=label), photo=chart.read_bytes())


def open_deadline(turn: Turn) -> Occurrence | None:
    """The next contact deadline still open now."""
    return next((o for o in obligations.relevant_occurrences(turn.svc, turn.now, back_days=0)
                 if o.who == "contact" and o.due_at > turn.now), None)


async def within(turn: Turn) -> set[int]:
    """The orgs this person may look at: an office's subtree, a contact's own area."""
    return {o.id for o in await turn.storage.orgs.subtree(await scope_root(turn, turn.user))}


async def owing_in_scope(turn: Turn, occ: Occurrence, scope: set[int]) -> list[obligations.Debtor]:
    """Contacts of these orgs still owing the deadline."""
    return [d for d in await obligations.debtors(turn.storage, occ) if d.area.id in scope]


async def missing(turn: Turn) -> None:
    """List the areas that still owe the open deadline, with a 提醒他们 button."""
    occ = open_deadline(turn)
    if occ is None:
        turn.say(turn.t("missing-no-deadline"))
        return
    scope = await within(turn)
    areas = [a for a in await obligations.missing_areas(turn.storage, occ) if a.id in scope]
    if not areas:
        turn.say(turn.t("missing-none", title=occ.title))
        return
    debtors = await owing_in_scope(turn, occ, scope)
    people: dict[int, list[str]] = {}
    for d in debtors:
        people.setdefault(d.area.id, []).append(d.user.name)
    due = logbook.day_text(turn.lang, occ.due_date)
    lines = [turn.t("missing-head", title=occ.title, due=due, count=len(areas))]
    lines += [turn.t("missing-line", area=a.name,
                     people=logbook.listing(turn.lang, people.get(a.id, [])) or turn.t("missing-no-contact"))
              for a in areas]
    buttons = [[turn.button("btn-nudge", action("missing", "nudge"))]] if debtors else None
    turn.say("\n".join(lines), buttons)


def _local_wake(turn: Turn) -> tuple[datetime, datetime]:
    """(now on the local clock, today's end of the quiet hours)."""
    settings = turn.svc.settings
    local = turn.now.astimezone(settings.tz)
    return local, datetime.combine(local.date(), settings.quiet_end, tzinfo=settings.tz)


def quiet_over(turn: Turn) -> datetime | None:
    """When the quiet hours we are in end; None by day."""
    local, wake = _local_wake(turn)
    if not in_quiet(local, obligations.quiet_hours(turn.svc.settings)):
        return None
    return wake if wake > local else wake + timedelta(days=1)


async def last_nudge(turn: Turn, prefix: str) -> datetime | None:
    """When this scope was last nudged: queued by day, or sent at the end of last night."""
    last = await turn.storage.outbox.last_queued(prefix)
    local, morning = _local_wake(turn)
    if morning > local:
        morning -= timedelta(days=1)
    if await turn.storage.outbox.recipients(f"{prefix}{morning:%Y%m%d%H%M}"):
        last = max(last, morning) if last else morning
    return last


async def on_action(turn: Turn, verb: str, args: list[str]) -> None:
    """missing:nudge — the 提醒他们 button."""
    if verb != "nudge" or args:
        turn.alert("button-expired")
        return
    await nudge(turn)


async def nudge(turn: Turn) -> None:
    """Queue the reminder for those who still owe: now by day, at the end of the quiet
    hours at night (at most once an hour per office or area)."""
    occ = open_deadline(turn)
    if occ is None:
        turn.alert("missing-no-deadline")
        return
    now, later = turn.now, quiet_over(turn)
    prefix = f"nudge:{occ.period_key}:{await scope_root(turn, turn.user)}:"  # each office/area its own hour
    last = await last_nudge(turn, prefix) if later is None else None
    if last is not None and now - last < NUDGE_EVERY:
        turn.alert("nudge-wait", minutes=math.ceil((NUDGE_EVERY - (now - last)).total_seconds() / 60))
        return
    debtors = await owing_in_scope(turn, occ, await within(turn))
    if not debtors:
        turn.say(turn.t("nudge-nobody"))
        return
    messages = {d.user.address: body(t(d.user.lang, "nudge", title=occ.title,
                                       due=logbook.day_text(d.user.lang, occ.due_date)),
                                     [[(t(d.user.lang, "btn-report-now"), report_button(occ))]])
                for d in debtors}  # each in the recipient's own language
    # Presses in the same night share the morning's topic: each person is queued once.
    topic = f"{prefix}{(later or now):%Y%m%d%H%M}"
    queued = await turn.storage.outbox.enqueue(topic, messages, now, not_before=later or now)
    log.info("user %s nudged %s: %d queued for %s", turn.user.id, occ.period_key, queued, later or "now")
    names = logbook.listing(turn.lang, (d.user.name for d in debtors))
    if later is None:
        turn.say(turn.t("nudge-done", names=names))
        return
    today = _local_wake(turn)[0].date()
    turn.say(turn.t("nudge-later", names=names, time=f"{later:%H:%M}",
                    day="today" if later.date() == today else "tomorrow"))

