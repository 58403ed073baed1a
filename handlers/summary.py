"""Office views: /summary [YYYY-MM], /export [YYYY-MM], /missing with 提醒他们."""
from __future__ import annotations

import logging
import math
import tempfile
from datetime import timedelta
from pathlib import Path

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot import logbook, obligations, office
from bot.i18n import t
from schedules.reminders import fan_out, in_quiet, report_button
from storage.models import User

from .common import button, cb, parse_cb, requires, svc
from .sender import TelegramSender

log = logging.getLogger(__name__)
NUDGE_EVERY = timedelta(hours=1)


async def scope_root(context: ContextTypes.DEFAULT_TYPE, user: User) -> int:
    """Offices see their whole subtree; a contact only their own village/community."""
    if user.role == "office":
        return user.org_id
    return (await logbook.area_of(svc(context).storage, user.org_id)).id


@requires("contact")
async def summary(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """Send the month's summary (this month so far by default) for the person's own area."""
    s = svc(context)
    bounds = office.month_bounds(context.args[0] if context.args else None, s.clock.now().date())
    if bounds is None:
        await update.effective_chat.send_message(t(user.lang, "summary-usage"))
        return
    await update.effective_chat.send_message(t(user.lang, "working"))
    for text in await office.month_text(s, await scope_root(context, user), *bounds, user.lang):
        await update.effective_chat.send_message(text)


@requires("office")
async def export(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """Send the month's progress table (.xlsx) and its chart."""
    s = svc(context)
    month = context.args[0] if context.args else None
    bounds = office.month_bounds(month, s.clock.now().date())
    if bounds is None:
        await update.effective_chat.send_message(t(user.lang, "export-usage"))
        return
    await update.effective_chat.send_message(t(user.lang, "working"))
    label = f"{bounds[0]:%Y-%m}"
    with tempfile.TemporaryDirectory() as tmp:
        xlsx, chart = Path(tmp) / f"进展情况表-{label}.xlsx", Path(tmp) / f"chart-{label}.png"
        result = await office.export_month(s, user.org_id, *bounds, xlsx, chart, user.lang)
        root = result.root_name or ""
        await update.effective_chat.send_document(xlsx.read_bytes(), filename=xlsx.name,
                                                  caption=t(user.lang, "export-caption", root=root, month=label))
        await update.effective_chat.send_photo(chart.read_bytes(),
                                               caption=t(user.lang, "chart-caption", root=root, month=label))


def open_deadline(context: ContextTypes.DEFAULT_TYPE):
    """The next contact deadline still open now."""
    s = svc(context)
    now = s.clock.now()
    return next((o for o in obligations.relevant_occurrences(s, now, back_days=0)
                 if o.who == "contact" and o.due_at > now), None)


async def owing_in_scope(context: ContextTypes.DEFAULT_TYPE, user: User, occ) -> list[obligations.Debtor]:
    """Contacts still owing the deadline in this office's subtree (for a contact: their area)."""
    s = svc(context)
    within = {o.id for o in await s.storage.orgs.subtree(await scope_root(context, user))}
    return [d for d in await obligations.debtors(s.storage, occ) if d.area.id in within]


@requires("contact")
async def missing(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """List the areas that still owe the open deadline, with a 提醒他们 button."""
    s = svc(context)
    occ = open_deadline(context)
    if occ is None:
        await update.effective_chat.send_message(t(user.lang, "missing-no-deadline"))
        return
    within = {o.id for o in await s.storage.orgs.subtree(await scope_root(context, user))}
    areas = [a for a in await obligations.missing_areas(s.storage, occ) if a.id in within]
    if not areas:
        await update.effective_chat.send_message(t(user.lang, "missing-none", title=occ.title))
        return
    debtors = await owing_in_scope(context, user, occ)
    people = {d.area.id: [] for d in debtors}
    for d in debtors:
        people[d.area.id].append(d.user.name)
    lines = [t(user.lang, "missing-head", title=occ.title, due=logbook.day_text(user.lang, occ.due_date),
               count=len(areas))]
    lines += [f"· {a.name}：{'、'.join(people.get(a.id, [])) or t(user.lang, 'missing-no-contact')}" for a in areas]
    markup = InlineKeyboardMarkup([[button(user.lang, "btn-nudge", cb("missing", "nudge"))]]) if debtors else None
    await update.effective_chat.send_message("\n".join(lines), reply_markup=markup)


@requires("contact")
async def nudge(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """Send the reminder now to those who still owe (at most once an hour per deadline)."""
    query = update.callback_query
    s = svc(context)
    occ = open_deadline(context)
    if occ is None or parse_cb(query.data) is None:
        await query.answer(t(user.lang, "missing-no-deadline"), show_alert=True)
        return
    now = s.clock.now()
    if in_quiet(now, obligations.quiet_hours(s.settings)):
        await query.answer(t(user.lang, "nudge-quiet", end=f"{s.settings.quiet_end:%H:%M}"), show_alert=True)
        return
    topic = f"nudge:{occ.period_key}:{await scope_root(context, user)}"  # each office/area its own hour
    last = await s.storage.ledger.last_sent_at(topic)
    if last is not None and now - last < NUDGE_EVERY:
        wait = math.ceil((NUDGE_EVERY - (now - last)).total_seconds() / 60)
        await query.answer(t(user.lang, "nudge-wait", minutes=wait), show_alert=True)
        return
    await query.answer()
    debtors = await owing_in_scope(context, user, occ)
    if not debtors:
        await update.effective_chat.send_message(t(user.lang, "nudge-nobody"))
        return
    await s.storage.ledger.record(topic, int(now.timestamp()), "sent", now)
    messages = {d.user.telegram_id: (t(d.user.lang, "nudge", title=occ.title, due=logbook.day_text(d.user.lang, occ.due_date)),
                                     [(t(d.user.lang, "btn-report-now"), report_button(occ))])
                for d in debtors}
    sender = TelegramSender(context.bot, s.storage, s.clock)
    outcome = await fan_out(s, sender, f"{topic}:{now:%Y%m%d%H%M}", messages)
    log.info("user %s nudged %s: %s", user.id, occ.period_key, dict(outcome))
    await update.effective_chat.send_message(t(user.lang, "nudge-done", names="、".join(d.user.name for d in debtors)))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("summary", summary))
    app.add_handler(CommandHandler("missing", missing))
    app.add_handler(CommandHandler("export", export))
    app.add_handler(CallbackQueryHandler(nudge, pattern=r"^v1:missing:nudge"))
