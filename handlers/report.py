"""Submitting a period's figures (/report) and seeing the deadlines (/deadlines).

    /report or 立即报送 ──> pick a period (if more than one is open)
        ──> CARD: figures of the period, evidence count
              确认报送 → saved (late after the deadline; again before it replaces, history kept)
              添加说明/照片 → NOTE (text = note, photos attach) → CARD
              无活动报送 → NIL (reason) → CARD
              取消 → nothing saved
"""
from __future__ import annotations

import functools
import logging
import warnings

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (Application, CallbackQueryHandler, CommandHandler, ContextTypes, ConversationHandler,
                          MessageHandler, filters)
from telegram.warnings import PTBUserWarning

from bot import logbook, obligations
from bot.deadlines import Occurrence
from bot.i18n import t
from storage.models import NewPhoto, User

from .common import button, cb, current_user, requires, stranger, svc
from .evidence import save_photo
from .flows import Flow, drop_other_drafts

log = logging.getLogger(__name__)
CARD, NOTE, NIL = range(3)
STATUS_ICON = {"on_time": "✅", "late": "⏰", "owed": "❗", "owed-late": "❗"}


def due_text(lang: str, occ: Occurrence) -> str:
    return logbook.day_text(lang, occ.due_date)


async def open_for(context: ContextTypes.DEFAULT_TYPE, user: User) -> list[Occurrence]:
    """Periods this person may submit now: not yet due, or past due and still owed (late)."""
    s = svc(context)
    now = s.clock.now()
    out = []
    for occ in obligations.relevant_occurrences(s, now):
        if not obligations.applies(occ, user):
            continue
        status = await obligations.status(s.storage, occ, user)
        if occ.due_at > now or status == "owed":
            out.append(occ)
    # What is still on time first (soonest first), then overdue ones (latest first).
    out.sort(key=lambda o: (o.due_at <= now, abs((o.due_at - now).total_seconds())))
    return out[:6]


@requires("worker")
async def deadlines(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """List the coming deadlines and this person's own status for each."""
    s = svc(context)
    now = s.clock.now()
    lines = [t(user.lang, "deadlines-head")]
    mine = False
    for occ in obligations.relevant_occurrences(s, now, back_days=10, ahead_days=31):
        status = await obligations.status(s.storage, occ, user)
        if occ.due_at <= now and status in (None, "on_time"):
            continue  # past and settled: nothing to act on
        mine = mine or status is not None
        if status == "owed" and occ.due_at <= now:
            status = "owed-late"
        mark = f"{STATUS_ICON[status]} {t(user.lang, f'status-{status}')}" if status else t(user.lang, "status-na")
        lines.append(f"{due_text(user.lang, occ)} {occ.title} · {mark}")
    if len(lines) == 1:
        lines.append(t(user.lang, "deadlines-none"))
    lines.append(t(user.lang, "deadlines-next" if mine else "deadlines-worker"))
    await update.effective_chat.send_message("\n".join(lines))


async def start_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Show what this person owes; go straight to the card when there is only one."""
    user = await current_user(update, context)
    if user is None:
        await stranger(update)
        return ConversationHandler.END
    if update.callback_query:
        await update.callback_query.answer()
    occs = await open_for(context, user)
    if not occs:
        none = "report-none-worker" if user.role == "worker" else "report-none"
        await update.effective_chat.send_message(t(user.lang, none))
        return ConversationHandler.END
    if len(occs) == 1:
        return await show_card(update, context, user, occs[0], fresh=True)
    now = svc(context).clock.now()
    rows = [[button(user.lang, "report-pick-btn", cb("report", "pick", o.period_key), title=o.title,
                    due=due_text(user.lang, o), late="yes" if o.due_at <= now else "no")] for o in occs]
    await update.effective_chat.send_message(t(user.lang, "report-pick"), reply_markup=InlineKeyboardMarkup(rows))
    return CARD


async def pick(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Open the card of the chosen period (checked again: a forged key gets nothing)."""
    user = await current_user(update, context)
    await update.callback_query.answer()
    key = update.callback_query.data.split(":", 3)[3]
    occ = next((o for o in await open_for(context, user) if o.period_key == key), None) if user else None
    if occ is None:
        await update.effective_chat.send_message(t(user.lang if user else "zh", "report-gone"))
        return ConversationHandler.END
    return await show_card(update, context, user, occ, fresh=True)


async def _scope(context: ContextTypes.DEFAULT_TYPE, user: User, occ: Occurrence) -> tuple[list[int], int | None, int]:
    """(org ids whose entries count, user filter, org the submission is filed under)."""
    s = svc(context)
    if occ.who == "worker":
        return [user.org_id], user.id, user.org_id
    area = await logbook.area_of(s.storage, user.org_id)
    return [o.id for o in await s.storage.orgs.subtree(area.id)], None, area.id


async def show_card(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, occ: Occurrence,
                    fresh: bool = False) -> int:
    s = svc(context)
    if fresh:
        context.user_data["report"] = {"period_key": occ.period_key, "note": None, "nil": None, "photos": []}
    draft = context.user_data["report"]
    org_ids, user_id, _ = await _scope(context, user, occ)
    figures = await s.storage.entries.totals(org_ids, occ.period_start, occ.period_end, user_id=user_id)
    evidence = await s.storage.entries.evidence_count(org_ids, occ.period_start, occ.period_end)
    lines = [t(user.lang, "report-card", title=occ.title, start=logbook.day_text(user.lang, occ.period_start),
               end=logbook.day_text(user.lang, occ.period_end), due=due_text(user.lang, occ)),
             logbook.format_measures(user.lang, figures) or t(user.lang, "card-no-figures"),
             t(user.lang, "report-evidence", count=evidence + len(draft["photos"]))]
    if draft["note"]:
        lines.append(t(user.lang, "report-note", note=draft["note"]))
    if draft["nil"]:
        lines.append(t(user.lang, "report-nil", reason=draft["nil"]))
    if s.clock.now() >= occ.due_at:
        lines.append(t(user.lang, "report-will-be-late"))
    rows = [[button(user.lang, "btn-submit", cb("report", "ok"))],
            [button(user.lang, "btn-add-note", cb("report", "note")), button(user.lang, "btn-nil", cb("report", "nil"))],
            [button(user.lang, "btn-cancel", cb("report", "cancel"))]]
    await update.effective_chat.send_message("\n".join(lines), reply_markup=InlineKeyboardMarkup(rows))
    return CARD


async def _draft_occ(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[User, Occurrence] | None:
    user = await current_user(update, context)
    if update.callback_query:
        await update.callback_query.answer()
    draft = context.user_data.get("report")
    occ = None
    if user and draft:
        occ = next((o for o in await open_for(context, user) if o.period_key == draft["period_key"]), None)
    if occ is None:
        await update.effective_chat.send_message(t(user.lang if user else "zh", "report-gone"))
        context.user_data.pop("report", None)
        return None
    return user, occ


def step(func):
    """A report step: runs only while the person's report draft is still open."""
    @functools.wraps(func)
    async def inner(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        found = await _draft_occ(update, context)
        if found is None:
            return ConversationHandler.END
        return await func(update, context, *found)

    return inner


@step
async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, occ: Occurrence) -> int:
    """Store the submission with a snapshot of the figures."""
    s = svc(context)
    now = s.clock.now()
    draft = context.user_data.pop("report")
    org_ids, user_id, filed_under = await _scope(context, user, occ)
    figures = await s.storage.entries.totals(org_ids, occ.period_start, occ.period_end, user_id=user_id)
    evidence = await s.storage.entries.evidence_count(org_ids, occ.period_start, occ.period_end)
    late = now >= occ.due_at
    sub = await s.storage.submissions.submit(
        deadline_id=occ.spec_id, period_key=occ.period_key, org_id=filed_under, user_id=user.id, now=now,
        late=late, figures=figures, evidence_count=evidence, note=draft["note"], nil_reason=draft["nil"],
        photos=[NewPhoto(**p) for p in draft["photos"]], update_id=update.update_id, per_user=occ.who == "worker")
    log.info("submission %s for %s by user %s (late=%s)", sub.id, occ.period_key, user.id, late)
    await update.effective_chat.send_message(t(user.lang, "report-done-late" if late else "report-done",
                                               title=occ.title, due=due_text(user.lang, occ)))
    return ConversationHandler.END


@step
async def ask_note(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, occ: Occurrence) -> int:
    """Ask for the note (photos welcome too)."""
    await update.effective_chat.send_message(t(user.lang, "report-ask-note"))
    return NOTE


@step
async def ask_nil(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, occ: Occurrence) -> int:
    """Ask why there was no activity this period."""
    await update.effective_chat.send_message(t(user.lang, "report-ask-nil"))
    return NIL


@step
async def got_note(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, occ: Occurrence) -> int:
    """Keep the note text and any photos, then show the card again."""
    draft, msg = context.user_data["report"], update.message
    if msg.photo:
        draft["photos"].append(await save_photo(msg, context))
    text = (msg.caption if msg.photo else msg.text) or ""
    if text.strip():
        draft["note"] = text.strip()[:1000]
    return await show_card(update, context, user, occ)


@step
async def got_nil(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, occ: Occurrence) -> int:
    context.user_data["report"]["nil"] = update.message.text.strip()[:500]
    return await show_card(update, context, user, occ)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if update.callback_query:
        await update.callback_query.answer()
    user = await current_user(update, context)
    drop_other_drafts(context.user_data)
    await update.effective_chat.send_message(t(user.lang if user else "zh", "cancelled"))
    return ConversationHandler.END


def build() -> Flow:
    def q(action: str, fn) -> CallbackQueryHandler:
        arg = r":[\w-]+:[\w-]+" if action == "pick" else ""  # pick carries a period key
        return CallbackQueryHandler(fn, pattern=rf"^v1:report:{action}{arg}$")

    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*per_message=False", category=PTBUserWarning)
        return Flow(
            entry_points=[CommandHandler("report", start_report), q("open", start_report), q("pick", pick)],
            states={
                CARD: [q("pick", pick), q("ok", confirm), q("note", ask_note), q("nil", ask_nil)],
                NOTE: [MessageHandler(text | filters.PHOTO, got_note)],
                NIL: [MessageHandler(text, got_nil)],
            },
            fallbacks=[q("cancel", cancel), CommandHandler("cancel", cancel)],
            allow_reentry=True, name="report", persistent=True, draft_key="report")


def register(app: Application) -> None:
    app.add_handler(CommandHandler("deadlines", deadlines))
    app.add_handler(build().bind(app))
