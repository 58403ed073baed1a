"""Office views: /summary [YYYY-MM], /export [YYYY-MM], /missing with 提醒他们.

/summary and /export are heavy: the core runs them outside the event's transaction.
提醒他们 only queues the nudges in the outbox (the next scheduler tick sends them): by
day at once, in quiet hours for when they end; at most once an hour per office or area
(bot/office.py plans when)."""
from __future__ import annotations

import asyncio
import logging
import math
import tempfile
from pathlib import Path

from bot import evidence_zip, logbook, obligations, office
from bot.i18n import t
from schedules.reminders import report_button
from storage.outbox import body

from .core import Turn, action

log = logging.getLogger(__name__)


async def summary(turn: Turn) -> None:
    """Send the month's summary (this month so far by default) for the person's own area."""
    bounds = office.month_bounds(turn.args[0] if turn.args else None, turn.now.date())
    if bounds is None:
        turn.say(turn.t("summary-usage"))
        return
    await turn.tell(turn.t("working"))
    root = await office.scope_root(turn.storage, turn.user)
    for text in await office.month_text(turn.svc, root, *bounds, turn.lang):
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
    # its own message: the channels send a photo or a file without buttons
    turn.say(turn.t("evidence-zip-offer"), [[turn.button("btn-evidence-zip", action("proof", "zip", label))]])


async def on_proof(turn: Turn, verb: str, args: list[str]) -> None:
    """proof:zip:<YYYY-MM> — the 佐证材料 button after /export: the month's evidence photos of
    the office's own area (never an org named by the button), zipped, in parts past the cap."""
    bounds = office.month_bounds(args[0], turn.now.date()) if verb == "zip" and len(args) == 1 else None
    if bounds is None:
        turn.alert("button-expired")
        return
    root = await office.scope_root(turn.storage, turn.user)
    items, missing = await evidence_zip.collect(turn.svc, root, *bounds, turn.lang)
    month = f"{bounds[0]:%Y-%m}"
    if not items:
        turn.say(turn.t("evidence-zip-none", month=month))
        if missing:
            turn.say(turn.t("evidence-zip-missing", count=missing))
        return
    await turn.tell(turn.t("evidence-zip-working", count=len(items)))
    name = (await turn.storage.orgs.get(root)).name
    with tempfile.TemporaryDirectory() as tmp:
        cap = min(turn.svc.settings.evidence_zip_max_mb * 1024 * 1024, turn.caps.max_file_bytes or float("inf"))
        paths = await asyncio.to_thread(evidence_zip.write_zips, items, Path(tmp) / f"佐证材料-{month}.zip",
                                        cap, turn.lang)
        for i, (path, count) in enumerate(paths, start=1):
            caption = turn.t("evidence-zip-caption", root=name, month=month, count=count) if len(paths) == 1 else \
                turn.t("evidence-zip-part", root=name, month=month, part=i, parts=len(paths), count=count)
            await turn.tell(caption, document=(path.name, path.read_bytes()))  # sent and let go, part by part
    if missing:
        turn.say(turn.t("evidence-zip-missing", count=missing))


async def missing(turn: Turn) -> None:
    """List the areas that still owe the open deadline (with a 提醒他们 button), then every
    deadline of the last 30 days still missed, each by its title."""
    occ = office.open_deadline(turn.svc, turn.now)
    scope = await office.visible_orgs(turn.storage, turn.user)
    owed = await obligations.missed(turn.svc, turn.now, scope)
    overdue = sorted(((o, areas) for o, areas in owed if o.due_at <= turn.now), key=lambda p: p[0].due_at,
                     reverse=True)
    if occ is None and not overdue:
        turn.say(turn.t("missing-no-deadline"))
        return
    lines, debtors = [] if occ else [turn.t("missing-no-deadline")], []
    if occ is not None:
        areas = next((areas for o, areas in owed if o.period_key == occ.period_key), [])
        debtors = await office.owing(turn.storage, occ, scope) if areas else []
        lines += await _owed_lines(turn, occ, areas, debtors) if areas else [turn.t("missing-none", title=occ.title)]
    if overdue:
        lines.append(turn.t("missing-overdue"))
        lines += [turn.t("missing-overdue-line", title=o.title, due=logbook.day_text(turn.lang, o.due_date),
                         areas=logbook.listing(turn.lang, (a.name for a in areas)), count=len(areas))
                  for o, areas in overdue]
    buttons = [[turn.button("btn-nudge", action("missing", "nudge"))]] if debtors or overdue else None
    turn.say("\n".join(lines), buttons)


async def _owed_lines(turn: Turn, occ, areas: list, debtors: list) -> list[str]:
    """The deadline by its title and due day, then each area owing it with its contacts."""
    unreachable = await _unreachable(turn, [occ], debtors)
    people: dict[int, list[str]] = {}
    for d in debtors:
        name = turn.t("missing-unreachable", name=d.user.name) if d.user.id in unreachable else d.user.name
        people.setdefault(d.area.id, []).append(name)
    due = logbook.day_text(turn.lang, occ.due_date)
    lines = [turn.t("missing-head", title=occ.title, due=due, count=len(areas))]
    lines += [turn.t("missing-line", area=a.name,
                     people=logbook.listing(turn.lang, people.get(a.id, [])) or turn.t("missing-no-contact"))
              for a in areas]
    return lines + ([turn.t("missing-unreachable-hint")] if unreachable else [])


async def _unreachable(turn: Turn, occs: list, debtors: list) -> set[int]:
    """Whom the last reminder or nudge of these periods could not reach: named so, not counted as reminded."""
    last = await turn.storage.outbox.last_statuses([f"{topic}:{o.period_key}:" for o in occs
                                                    for topic in ("remind", "nudge")])
    return {d.user.id for d in debtors if last.get(d.user.address) == "unreachable"}


async def on_action(turn: Turn, verb: str, args: list[str]) -> None:
    """missing:nudge — the 提醒他们 button."""
    if verb != "nudge" or args:
        turn.alert("button-expired")
        return
    await nudge(turn)


async def nudge(turn: Turn) -> None:
    """Queue the reminder for those who still owe what /missing lists (the open deadline and
    those overdue), one message each however many they owe: now by day, at the end of the
    quiet hours at night; if this office or area was nudged within the hour, say how long to wait."""
    scope = await office.visible_orgs(turn.storage, turn.user)
    owed = [occ for occ, _ in await obligations.missed(turn.svc, turn.now, scope)]
    if not owed:
        turn.alert("missing-no-deadline")
        return
    lead = office.open_deadline(turn.svc, turn.now) or owed[-1]  # the hour is counted under it, owed or not
    plan = await office.nudge_plan(turn.svc, turn.user, lead, turn.now)
    if plan.wait:
        turn.alert("nudge-wait", minutes=math.ceil(plan.wait.total_seconds() / 60))
        return
    debts: dict[int, tuple] = {}  # user id -> (debtor, the deadlines they owe, oldest first)
    for occ in owed:
        for d in await office.owing(turn.storage, occ, scope):
            debts.setdefault(d.user.id, (d, []))[1].append(occ)
    debtors = [d for d, _ in debts.values()]
    if not debtors:
        turn.say(turn.t("nudge-nobody"))
        return
    unreachable = await _unreachable(turn, owed, debtors)  # before this nudge is queued for them too
    messages = {d.user.address: _nudge_body(d.user.lang, occs) for d, occs in debts.values()}
    queued = await turn.storage.outbox.enqueue(plan.topic, messages, turn.now, not_before=plan.at)
    log.info("user %s nudged %d deadlines: %d queued for %s", turn.user.id, len(owed), queued,
             plan.at if plan.quiet else "now")
    reached = [d.user.name for d in debtors if d.user.id not in unreachable]
    lines = []
    if reached:
        names = logbook.listing(turn.lang, reached)
        lines.append(turn.t("nudge-later", names=names, time=f"{plan.at:%H:%M}",
                            day="tomorrow" if plan.tomorrow else "today") if plan.quiet
                     else turn.t("nudge-done", names=names))
    if unreachable:  # queued all the same (they may have written since), but not said to be reminded
        lines.append(turn.t("nudge-unreachable", names=logbook.listing(
            turn.lang, (d.user.name for d in debtors if d.user.id in unreachable))))
    turn.say("\n".join(lines))


def _nudge_body(lang: str, occs: list) -> dict:
    """One nudge in the recipient's own language: the deadline and its 立即报送, or, for
    several, each by its title and due day with a button to the list of what is owed."""
    if len(occs) == 1:
        occ = occs[0]
        return body(t(lang, "nudge", title=occ.title, due=logbook.day_text(lang, occ.due_date)),
                    [[(t(lang, "btn-report-now"), report_button(occ))]])
    lines = [t(lang, "nudge-many")] + [t(lang, "nudge-many-line", title=o.title, due=logbook.day_text(lang, o.due_date))
                                       for o in occs]
    return body("\n".join(lines), [[(t(lang, "btn-report-now"), action("report", "open"))]])
