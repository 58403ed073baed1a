"""One-line reports: any plain text (or a captioned photo) outside a flow is read as a report.

    text ──parse──> card (保存 / 修改 / 取消) ──保存──> (too large? 确认无误) ──> one entry per kind
         └─nothing read──> friendly hint + the /log menu
"""
from __future__ import annotations

import logging
import secrets

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot import logbook
from bot.i18n import t
from bot.kinds import KINDS, split_by_kind
from bot.quickparse import parse_quick_report, unread_parts
from storage.models import NewEntry, NewPhoto, User

from .common import button, cb, parse_cb, requires, svc
from .evidence import save_photo
from .log import kind_menu, save_entries
from .mine import apply_edit, editing

log = logging.getLogger(__name__)
MAX_PENDING = 5  # cards kept per person; older ones expire


@requires("worker")
async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """Read the message as a one-line report and show what was understood."""
    msg = update.message
    text = msg.caption if msg.photo else msg.text
    if editing(context):
        await apply_edit(update, context, user, text or "")
        return
    figures = parse_quick_report(text or "")
    unread = unread_parts(text or "")
    if not figures:
        hint = t(user.lang, "quick-nothing")
        if unread:
            hint = t(user.lang, "quick-unread-only", parts="”“".join(unread)) + "\n" + hint
        await msg.reply_text(hint, reply_markup=kind_menu(user.lang))
        return
    photo = await save_photo(msg, context) if msg.photo else None
    token = secrets.token_hex(4)
    pending = context.user_data.setdefault("quick", {})
    pending[token] = {"figures": figures, "photo": photo, "day": svc(context).clock.now().date().isoformat()}
    for old in list(pending)[:-MAX_PENDING]:
        pending.pop(old)
    await msg.reply_text(quick_card(user.lang, figures, photo is not None, unread),
                         reply_markup=InlineKeyboardMarkup([[
                             button(user.lang, "btn-save", cb("quick", "save", token)),
                             button(user.lang, "btn-edit", cb("quick", "edit", token)),
                             button(user.lang, "btn-cancel", cb("quick", "cancel", token))]]))


def quick_card(lang: str, figures: dict[str, int], has_photo: bool, unread: list[str]) -> str:
    """What was read, one line per kind, and what was not (so nothing is dropped silently)."""
    lines = [t(lang, "quick-card-title")]
    lines += [f"· {logbook.format_measures(lang, measures)}" for measures in split_by_kind(figures).values()]
    if has_photo:
        lines.append(t(lang, "card-photos", count=1))
    if unread:
        lines.append(t(lang, "quick-unread", parts="”“".join(unread)))
    if any(KINDS[k].place == "required" for k in split_by_kind(figures)):
        lines.append(t(lang, "quick-place-hint"))
    lines.append(t(lang, "quick-card-ask"))
    return "\n".join(lines)


@requires("worker")
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """保存 / 确认无误 / 修改 / 取消 on a one-line report card."""
    query = update.callback_query
    parsed = parse_cb(query.data)
    action, token = parsed[1], (parsed[2] or [""])[0]
    pending = context.user_data.get("quick", {})
    report = pending.get(token)
    if report is None:
        await query.answer(t(user.lang, "quick-expired"), show_alert=True)
        return
    await query.answer()
    if action == "cancel":
        pending.pop(token)
        await query.edit_message_text(t(user.lang, "cancelled"))
        return
    if action == "edit":
        pending.pop(token)
        await query.edit_message_text(t(user.lang, "quick-edit"))
        return
    too_big = logbook.over_bounds(report["figures"], svc(context).settings)
    if too_big and action != "sure":
        await query.edit_message_reply_markup(None)
        await update.effective_chat.send_message(
            t(user.lang, "recheck", figures=logbook.format_measures(user.lang, {k: report["figures"][k] for k in too_big})),
            reply_markup=InlineKeyboardMarkup([[button(user.lang, "btn-sure", cb("quick", "sure", token)),
                                                button(user.lang, "btn-cancel", cb("quick", "cancel", token))]]))
        return
    pending.pop(token)  # before saving: a double tap cannot save twice
    await save_entries(update, context, user, report_entries(report, user, too_big))


def report_entries(report: dict, user: User, too_big: list[str]) -> list[NewEntry]:
    """One entry per kind; the photo backs the kind that needs one most."""
    from datetime import date

    by_kind = split_by_kind(report["figures"])
    photo_kind = next((k for k in by_kind if KINDS[k].photo == "required"), next(iter(by_kind)))
    return [NewEntry(user_id=user.id, org_id=user.org_id, kind=kind, measures=measures,
                     happened_on=date.fromisoformat(report["day"]), source="quick",
                     flags=[logbook.FLAG_REVIEW] if set(too_big) & set(measures) else [],
                     photos=[NewPhoto(**report["photo"])] if report["photo"] and kind == photo_kind else [])
            for kind, measures in by_kind.items()]


def register(app: Application) -> None:
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^v1:quick:"))
    app.add_handler(MessageHandler((filters.TEXT & ~filters.COMMAND) | (filters.PHOTO & filters.CAPTION), on_text))
