"""A person's own entries: /mine to look back, undo or change them; /stats for this month.

    /mine ──> a page of up to 8 lines, newest first, one button per line; 更早 / 更新 page
               └─a line ──> that entry: 撤销 / 修改 / 返回 (to the same page)
                              ├─撤销 ──> undone (kept for audit), with 恢复 to take it back
                              └─修改 ──> flow "mine": the new figures, "12" or "横幅2条"
                                         ──> a new version (the old one kept)
Every button is checked again on the server (bot/permissions.py): only the author, or an
office above the entry's place, may change an entry."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from bot import logbook, permissions
from bot.kinds import KINDS
from bot.progress import progress_lines
from bot.quickparse import parse_quick_report
from storage.models import Entry

from .common import describe_entry
from .core import Button, Turn, action, int_arg
from .quick import on_free

log = logging.getLogger(__name__)
PAGE = 8                              # lines a page: one screen on a small phone
EDIT_IDLE = timedelta(minutes=10)     # a 修改 not answered by then lets text be a report again


def since(today: date) -> date:
    """How far back /mine looks: this month, and always the days one may still log for."""
    return min(today.replace(day=1), today - timedelta(days=logbook.MAX_DAYS_BACK))


def entry_line(lang: str, e: Entry, today: date) -> str:
    """'11月24日 今天 入户走访 入户 15户' (⚠️ when flagged)."""
    flags = "⚠️" if e.flags else ""
    return f"{logbook.format_day(lang, e.happened_on, today)} {describe_entry(lang, e)}{flags}"


def short(lang: str, n: int, e: Entry) -> str:
    """A line's button: its number and its first figure, '1. 入户 15户'."""
    first = next((m for m in KINDS[e.kind].measures if e.measures.get(m)), None)
    figure = logbook.format_measures(lang, {first: e.measures[first]}) if first else ""
    return f"{n}. {figure}".strip()


async def mine(turn: Turn) -> None:
    """List my latest entries, a page at a time; each line opens 撤销 / 修改."""
    await show_page(turn, 0)


async def show_page(turn: Turn, page: int) -> None:
    today = turn.now.date()
    entries = await turn.storage.entries.for_user(turn.user.id, since(today))
    if not entries:
        turn.say(turn.t("mine-none"), replace=turn.tapped)
        return
    pages = (len(entries) + PAGE - 1) // PAGE
    page = min(page, pages - 1)
    shown = entries[page * PAGE:(page + 1) * PAGE]
    month = sum(1 for e in entries if e.happened_on >= today.replace(day=1))
    lines = [turn.t("mine-head", today=sum(1 for e in entries if e.happened_on == today), month=month)]
    lines += [f"{n}. {entry_line(turn.lang, e, today)}" for n, e in enumerate(shown, start=1)]
    lines.append(turn.t("mine-pick", page=page + 1, pages=pages) if pages > 1 else turn.t("mine-pick-one"))
    rows = [[Button(short(turn.lang, n, e), action("mine", "open", e.id, page))]
            for n, e in enumerate(shown, start=1)]
    paging = []
    if page + 1 < pages:
        paging.append(turn.button("btn-older", action("mine", "page", page + 1)))
    if page > 0:
        paging.append(turn.button("btn-newer", action("mine", "page", page - 1)))
    turn.say("\n".join(lines), rows + ([paging] if paging else []), replace=turn.tapped)


async def on_action(turn: Turn, verb: str, args: list[str]) -> None:
    """更早 / 更新, a line, 撤销, 恢复, 修改: every one checks who may change the entry."""
    if verb == "page":
        page = int_arg(args, 0, most=1000)
        return await show_page(turn, page) if page is not None else turn.alert("button-expired")
    handler = VERBS.get(verb)
    entry_id = int_arg(args, 0)
    entry = await turn.storage.entries.get(entry_id) if entry_id is not None else None
    if handler is None or entry is None:
        turn.alert("button-expired")
        return
    if not await permissions.may_change(turn.storage, turn.user, entry):
        log.info("user %s may not change entry %s", turn.user.id, entry.id)
        turn.alert("not-allowed")
        return
    await handler(turn, entry, args[1:])


async def _open(turn: Turn, entry: Entry, args: list[str]) -> None:
    """One entry with what can be done to it."""
    page = int_arg(args, 0, most=1000) or 0
    if entry.undone_at is not None:
        may = await permissions.may_restore(turn.storage, turn.user, entry)
        redo = [turn.button("btn-redo", action("mine", "redo", entry.id))] if may else []
        turn.say(turn.t("already-undone"), [[*redo, turn.button("btn-back", action("mine", "page", page))]],
                 replace=turn.tapped)
        return
    turn.say(turn.t("mine-entry", line=entry_line(turn.lang, entry, turn.now.date())), [[
        turn.button("btn-undo", action("mine", "undo", entry.id)),
        turn.button("btn-edit", action("mine", "edit", entry.id)),
        turn.button("btn-back", action("mine", "page", page))]], replace=turn.tapped)


async def _undo(turn: Turn, entry: Entry, args: list[str]) -> None:
    """Soft delete; 恢复 takes it back (a wrong tap is easy to reverse)."""
    done = await turn.storage.entries.undo(entry.id, turn.user.id, turn.now)
    log.info("user %s undid entry %s", turn.user.id, entry.id)
    turn.say(turn.t("undone" if done else "already-undone", what=describe_entry(turn.lang, entry)),
             [[turn.button("btn-redo", action("mine", "redo", entry.id))]])


async def _redo(turn: Turn, entry: Entry, args: list[str]) -> None:
    """Take the undo back, if this person may (an office's undo stands against the author)."""
    if entry.undone_at is not None and not await permissions.may_restore(turn.storage, turn.user, entry):
        log.info("user %s may not restore entry %s undone by user %s", turn.user.id, entry.id, entry.undone_by)
        turn.alert("mine-redo-not-yours")
        return
    await turn.storage.entries.restore(entry.id)
    log.info("user %s restored entry %s", turn.user.id, entry.id)
    turn.say(turn.t("restored", what=describe_entry(turn.lang, entry)))


async def _edit(turn: Turn, entry: Entry, args: list[str]) -> None:
    """Ask for the new figures; what is typed next is read by on_input."""
    if entry.undone_at is not None:
        turn.say(turn.t("already-undone"))
        return
    turn.start_flow("mine", {"id": entry.id, "at": turn.now.isoformat()})
    turn.say(turn.t("edit-ask", now=describe_entry(turn.lang, entry)))


VERBS = {"open": _open, "undo": _undo, "redo": _redo, "edit": _edit}


# --- flow "mine": the new figures of an entry ---------------------------------------------

async def on_input(turn: Turn) -> None:
    """Replace the figures of the entry being edited; the earlier version is kept."""
    draft = turn.draft
    if turn.now - datetime.fromisoformat(draft.get("at") or turn.now.isoformat()) > EDIT_IDLE:
        turn.end_flow()  # forgotten: the text is a new report, as it would be without the 修改
        return await on_free(turn)
    entry_id = draft.get("id")
    entry = await turn.storage.entries.get(entry_id) if isinstance(entry_id, int) else None
    if entry is None or entry.undone_at is not None \
            or not await permissions.may_change(turn.storage, turn.user, entry):
        turn.end_flow()
        turn.say(turn.t("edit-gone"))
        return
    text = turn.event.text if turn.event.photo is None else None
    measures, foreign = new_figures(entry, text or "")
    if measures is None:
        draft["at"] = turn.now.isoformat()
        now = logbook.format_measures(turn.lang, entry.measures)
        if foreign:
            turn.say(turn.t("edit-other-kind", kind=turn.t(f"kind-{entry.kind}"),
                            measures=logbook.listing(turn.lang, (turn.t(f"m-{m}") for m in foreign)), now=now))
        else:
            turn.say(turn.t("edit-bad", now=now))
        return
    turn.end_flow()
    await save_edit(turn, entry, measures)


async def save_edit(turn: Turn, entry: Entry, measures: dict[str, int]) -> None:
    flags = set(entry.flags) - {logbook.FLAG_REVIEW}
    if logbook.over_bounds(measures, turn.svc.settings):
        flags.add(logbook.FLAG_REVIEW)  # an edit cannot launder an implausible figure
    updated = await turn.storage.entries.edit(entry.id, measures, entry.happened_on, turn.user.id, turn.now,
                                              sorted(flags))
    if updated is None:  # undone meanwhile (another device, the office)
        turn.say(turn.t("edit-gone"))
        return
    log.info("user %s edited entry %s", turn.user.id, entry.id)
    turn.say(turn.t("edited", now=describe_entry(turn.lang, updated)))


def new_figures(entry: Entry, text: str) -> tuple[dict[str, int] | None, list[str]]:
    """The entry's figures after `text`, and the measures named that this kind has not.

    Named measures come first ('横幅2条' sets banners, even on a poster entry whose first
    measure is posters); a bare number ('12', '十') sets the kind's first measure."""
    kind_measures = KINDS[entry.kind].measures
    named = parse_quick_report(text)
    if named:
        foreign = [m for m in named if m not in kind_measures]
        if foreign:
            return None, foreign
        measures = {**entry.measures, **named}
    else:
        number = logbook.parse_number(text)
        if not number:
            return None, []
        measures = {**entry.measures, kind_measures[0]: number}
    measures = {k: v for k, v in measures.items() if v}
    return (measures or None), []


async def stats(turn: Turn) -> None:
    """Show this month's figures: mine, and my area's against its registered households and people."""
    storage, user, today = turn.storage, turn.user, turn.now.date()
    start = today.replace(day=1)
    area = await logbook.area_of(storage, user.org_id)
    org_ids = [o.id for o in await storage.orgs.subtree(area.id)]
    mine_totals = await storage.entries.totals(org_ids, start, today, user_id=user.id)
    area_totals = await storage.entries.totals(org_ids, start, today)
    lines = [turn.t("stats-mine", figures=logbook.format_measures(turn.lang, mine_totals, summed=True) or "0"),
             turn.t("stats-area", area=area.name,
                    figures=logbook.format_measures(turn.lang, area_totals, summed=True) or "0")]
    lines += await progress_lines(turn.svc, area, today, turn.lang)
    turn.say("\n".join(lines))
