"""Joining with an invite, /me, /help, /lang, the per-person command menu, strangers."""
from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters,
)

from bot.i18n import LANGS, t
from storage import InviteError
from storage.models import User

from .common import current_user, display_name, lang_of, reply, requires, svc

log = logging.getLogger(__name__)

# (command, least role). /help and the Telegram menu both come from this one list.
COMMANDS: list[tuple[str, str]] = [
    ("log", "worker"), ("visit", "worker"), ("poster", "worker"), ("app", "worker"),
    ("leaflet", "worker"), ("lecture", "worker"), ("push", "worker"), ("broadcast", "worker"),
    ("mine", "worker"), ("stats", "worker"), ("deadlines", "worker"), ("report", "worker"),
    ("summary", "contact"), ("missing", "contact"),
    ("export", "office"), ("invite", "office"), ("users", "office"), ("bind_office", "office"),
    ("me", "worker"), ("lang", "worker"), ("cancel", "worker"), ("help", "worker"),
]


def commands_for(user: User) -> list[str]:
    return [name for name, role in COMMANDS if user.can(role)]  # type: ignore[arg-type]


async def set_menu(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user: User) -> None:
    """Show this person exactly their role's commands in Telegram's menu."""
    menu = [BotCommand(c, t(user.lang, f"cmd-{c}")) for c in commands_for(user)]
    try:
        await context.bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
    except TelegramError:
        log.warning("could not set the command menu for chat %s", chat_id, exc_info=True)


async def org_path(context: ContextTypes.DEFAULT_TYPE, org_id: int) -> str:
    return " › ".join(o.name for o in await svc(context).storage.orgs.path(org_id))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Register with the invite code of /start <code>, or explain how to get one."""
    s = svc(context)
    code = context.args[0] if context.args else ""
    if not code:
        user = await current_user(update, context)
        if user is None:
            await reply(update, t(lang_of(update, None), "start-no-code"))
        else:
            await reply(update, t(user.lang, "welcome-back", name=user.name,
                                  path=await org_path(context, user.org_id),
                                  role=t(user.lang, f"role-{user.role}")))
        return
    try:
        user = await s.storage.users.join(code, update.effective_user.id, display_name(update),
                                          s.clock.now(), update.update_id, lang=lang_of(update, None))
    except InviteError as err:
        await reply(update, t(lang_of(update, None), f"invite-{err.reason}"))
        return
    log.info("user %s joined org %s as %s", user.id, user.org_id, user.role)
    await set_menu(context, update.effective_chat.id, user)
    org = await s.storage.orgs.get(user.org_id)
    await reply(update, t(user.lang, "welcome", name=user.name, org=org.name,
                          role=t(user.lang, f"role-{user.role}"),
                          next=t(user.lang, f"next-{user.role}")))


@requires("worker")
async def me(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """Show name, role, place in the tree and, for offices, the bound summary group."""
    text = t(user.lang, "me", name=user.name, role=t(user.lang, f"role-{user.role}"),
             path=await org_path(context, user.org_id))
    if user.role == "office":
        chat_id = await svc(context).storage.users.office_chat(user.org_id)
        text += "\n" + (t(user.lang, "me-office-chat", chat=chat_id) if chat_id
                        else t(user.lang, "me-no-office-chat"))
    await reply(update, text)


@requires("worker")
async def help_(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """List exactly the commands this person's role may use."""
    lines = [f"/{c} — {t(user.lang, f'cmd-{c}')}" for c in commands_for(user)]
    await set_menu(context, update.effective_chat.id, user)
    await reply(update, t(user.lang, "help-head") + "\n" + "\n".join(lines))


@requires("worker")
async def lang(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """Switch this person's language: /lang zh or /lang en."""
    choice = (context.args[0].lower() if context.args else "")
    if choice not in LANGS:
        await reply(update, t(user.lang, "lang-usage"))
        return
    s = svc(context)
    await s.storage.users.set_lang(user.id, choice, s.clock.now(), update.update_id)
    user = user.model_copy(update={"lang": choice})
    await set_menu(context, update.effective_chat.id, user)
    await reply(update, t(choice, "lang-set"))


async def fallback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer anything no other handler took: strangers learn how to join, others get /help."""
    user = await current_user(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer(t(lang_of(update, user), "button-expired"), show_alert=True)
        return
    await reply(update, t(lang_of(update, user), "stranger" if user is None else "not-understood"))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("me", me))
    app.add_handler(CommandHandler("help", help_))
    app.add_handler(CommandHandler("lang", lang))


def register_fallback(app: Application) -> None:
    """Add last: in group 0 it only sees what every other handler passed over."""
    app.add_handler(MessageHandler(filters.ALL, fallback))
    app.add_handler(CallbackQueryHandler(fallback))
