"""A person's own entries: /mine with 撤销 / 修改, and /stats for this month."""
from __future__ import annotations

import logging
from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import logbook
from bot.i18n import t
from bot.kinds import KINDS
from bot.progress import progress_lines
from bot.quickparse import parse_quick_report
from storage.models import Entry, User

from .common import button, cb, parse_cb, requires, svc
from .flows import drop_other_drafts, touched
from .log import describe_entry

EDIT_IDLE = timedelta(minutes=10)  # a 修改 not answered by then lets text be a report again


def editing(context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Is a 修改 waiting for its new figures? (Stale ones are dropped.)"""
    pending = context.user_data.get("editing")
    if not isinstance(pending, dict):
        context.user_data.pop("editing", None)
        return False
    now = svc(context).clock.now()
    if now - touched(pending, now) > EDIT_IDLE:
        context.user_data.pop("editing", None)
        return False
    return True

log = logging.getLogger(__name__)
MINE_LIMIT = 15


def entry_line(lang: str, n: int, e: Entry, today: date) -> str:
    """'1. 11月24日 今天 入户走访 入户 15户' (numbered to match its buttons; ⚠️ when flagged)."""
    flags = "⚠️" if e.flags else ""
    return f"{n}. {logbook.format_day(lang, e.happened_on, today)} {describe_entry(lang, e)}{flags}"


@requires("worker")
async def mine(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """List today's and this month's entries, each with 撤销 and 修改."""
    s = svc(context)
    today = s.clock.now().date()
    entries = await s.storage.entries.for_user(user.id, today.replace(day=1))
    if not entries:
        await update.effective_chat.send_message(t(user.lang, "mine-none"))
        return
    todays = [e for e in entries if e.happened_on == today]
    lines = [t(user.lang, "mine-head", today=len(todays), month=len(entries))]
    shown = entries[:MINE_LIMIT]
    lines += [entry_line(user.lang, n, e, today) for n, e in enumerate(shown, start=1)]
    if len(entries) > MINE_LIMIT:
        lines.append(t(user.lang, "mine-more", count=len(entries) - MINE_LIMIT))
    rows = [[button(user.lang, "btn-undo-n", cb("mine", "undo", e.id), n=n),
             button(user.lang, "btn-edit-n", cb("mine", "edit", e.id), n=n)] for n, e in enumerate(shown, start=1)]
    await update.effective_chat.send_message("\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))


async def may_change(context: ContextTypes.DEFAULT_TYPE, user: User, entry: Entry | None) -> bool:
    """Only the author, or an office user above the entry's org, may change it."""
    if entry is None:
        return False
    if entry.user_id == user.id:
        return True
    return user.role == "office" and await svc(context).storage.orgs.is_within(entry.org_id, user.org_id)


@requires("worker")
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """撤销 (soft delete), 恢复 (take the undo back) or 修改 (ask for new figures)."""
    query = update.callback_query
    parsed = parse_cb(query.data)
    arg = (parsed[2] or [""])[0] if parsed else ""
    s = svc(context)
    entry = await s.storage.entries.get(int(arg)) if arg.isdigit() else None
    if not await may_change(context, user, entry):
        await query.answer(t(user.lang, "not-allowed"), show_alert=True)
        return
    await query.answer()
    action = parsed[1]
    if action == "undo":
        done = await s.storage.entries.undo(entry.id, user.id, s.clock.now(), update.update_id)
        log.info("user %s undid entry %s", user.id, entry.id)
        await update.effective_chat.send_message(
            t(user.lang, "undone" if done else "already-undone", what=describe_entry(user.lang, entry)),
            reply_markup=InlineKeyboardMarkup([[button(user.lang, "btn-redo", cb("mine", "redo", entry.id))]]))
    elif action == "redo":
        await s.storage.entries.restore(entry.id, s.clock.now(), update.update_id)
        await update.effective_chat.send_message(t(user.lang, "restored", what=describe_entry(user.lang, entry)))
    elif action == "edit":
        if entry.undone_at is not None:
            await update.effective_chat.send_message(t(user.lang, "already-undone"))
            return
        drop_other_drafts(context.user_data)  # what is typed next is the new figures, nothing else
        context.user_data["editing"] = {"id": entry.id, "at": s.clock.now().isoformat()}
        await update.effective_chat.send_message(t(user.lang, "edit-ask", now=describe_entry(user.lang, entry)))


async def apply_edit(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, text: str) -> None:
    """Replace the figures of the entry being edited; the earlier version is kept."""
    s = svc(context)
    editing = context.user_data.get("editing") or {}
    entry = await s.storage.entries.get(editing.get("id", 0))
    if entry is None or entry.undone_at is not None or not await may_change(context, user, entry):
        context.user_data.pop("editing", None)
        await update.effective_chat.send_message(t(user.lang, "edit-gone"))
        return
    measures = new_figures(entry, text)
    if measures is None:
        await update.effective_chat.send_message(t(user.lang, "edit-bad", now=logbook.format_measures(user.lang, entry.measures)))
        return
    context.user_data.pop("editing", None)
    flags = set(entry.flags) - {logbook.FLAG_REVIEW}
    if logbook.over_bounds(measures, s.settings):
        flags.add(logbook.FLAG_REVIEW)  # an edit cannot launder an implausible figure
    updated = await s.storage.entries.edit(entry.id, measures, entry.happened_on, user.id, s.clock.now(),
                                           sorted(flags), update_id=update.update_id)
    if updated is None:  # undone meanwhile (another device, the office)
        await update.effective_chat.send_message(t(user.lang, "edit-gone"))
        return
    await update.effective_chat.send_message(t(user.lang, "edited", now=describe_entry(user.lang, updated)))


def new_figures(entry: Entry, text: str) -> dict[str, int] | None:
    """A bare number sets the kind's main measure; a line sets the measures it names."""
    kind_measures = KINDS[entry.kind].measures
    number = logbook.parse_number(text)
    if number is not None:
        return {**entry.measures, kind_measures[0]: number} if number else None
    named = {k: v for k, v in parse_quick_report(text).items() if k in kind_measures}
    return {**entry.measures, **named} if named else None


@requires("worker")
async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """Show this month's figures: mine, and my area's against its registered households and people."""
    s = svc(context)
    today = s.clock.now().date()
    start = today.replace(day=1)
    area = await logbook.area_of(s.storage, user.org_id)
    org_ids = [o.id for o in await s.storage.orgs.subtree(area.id)]
    mine_totals = await s.storage.entries.totals(org_ids, start, today, user_id=user.id)
    area_totals = await s.storage.entries.totals(org_ids, start, today)
    lines = [t(user.lang, "stats-mine", figures=logbook.format_measures(user.lang, mine_totals) or "0"),
             t(user.lang, "stats-area", area=area.name, figures=logbook.format_measures(user.lang, area_totals) or "0")]
    lines += await progress_lines(s, area, today, user.lang)
    await update.effective_chat.send_message("\n".join(lines))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("mine", mine))
    app.add_handler(CommandHandler("stats", stats))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^v1:mine:"))
