"""The one place that assembles every feature's handlers, in order of precedence."""
from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from telegram.ext import CommandHandler

from . import admin, log, mine, quick, report, start, summary
from .common import svc

logger = logging.getLogger(__name__)


async def skip_seen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Drop an update we already handled (Telegram redelivers after a crash or restart)."""
    if await svc(context).storage.ledger.update_seen(update.update_id):
        logger.info("update %s already handled; skipped", update.update_id)
        raise ApplicationHandlerStop


async def mark_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record the update as handled and save flow state now, not on PTB's 60 s timer,
    so a restart resumes every flow where it stood."""
    s = svc(context)
    await s.storage.ledger.mark_update_done(update.update_id, s.clock.now())
    await context.application.update_persistence()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure with its traceback and tell the person plainly; nothing is swallowed."""
    logger.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        from bot.i18n import t

        from .common import lang_of
        try:
            await update.effective_chat.send_message(t(lang_of(update, None), "error-generic"))
        except Exception:  # the network may be what failed; the log above has the cause
            logger.warning("could not tell the user about the error", exc_info=True)


def register_all(app: Application) -> None:
    app.add_handler(TypeHandler(Update, skip_seen), group=-100)
    for feature in FEATURES:
        feature.register(app)
    app.add_handler(CommandHandler("cancel", log.cancel))  # /cancel outside any flow
    start.register_fallback(app)
    app.add_handler(TypeHandler(Update, mark_done), group=100)
    app.add_error_handler(on_error)


# Order is precedence in group 0: the flow first, free text (one-line reports) last.
FEATURES = [start, admin, log, report, summary, mine, quick]
