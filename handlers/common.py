"""Shared handler plumbing: who is asking, role checks, typed callback data, replies."""
from __future__ import annotations

import functools
import logging
from typing import Awaitable, Callable

from telegram import InlineKeyboardButton, Update
from telegram.ext import ContextTypes

from bot.i18n import t
from bot.services import Services
from storage.models import Role, User

log = logging.getLogger(__name__)
CB_VERSION = "v1"
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE, User], Awaitable[object]]


def svc(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["svc"]


def cb(feature: str, action: str, *args: object) -> str:
    """Typed, versioned callback data: v1:feature:action:arg…, at most 64 bytes."""
    data = ":".join([CB_VERSION, feature, action, *map(str, args)])
    if len(data.encode()) > 64:
        raise ValueError(f"callback data too long: {data}")
    return data


def parse_cb(data: str | None) -> tuple[str, str, list[str]] | None:
    """Split callback data; None for anything not ours (old versions, forged garbage)."""
    parts = (data or "").split(":")
    if len(parts) < 3 or parts[0] != CB_VERSION:
        return None
    return parts[1], parts[2], parts[3:]


def button(lang: str, key: str, data: str, **args: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(lang, key, **args), callback_data=data)


def display_name(update: Update) -> str:
    u = update.effective_user
    return (u.full_name or u.username or str(u.id)) if u else "?"


async def current_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> User | None:
    """The active registered person behind this update; configured admins become office users."""
    tg = update.effective_user
    if tg is None:
        return None
    s = svc(context)
    user = await s.storage.users.by_telegram_id(tg.id)
    if tg.id in s.settings.admin_telegram_ids and (user is None or user.role != "office" or not user.active):
        root = await s.storage.orgs.root()
        if root is not None:
            user = await s.storage.users.ensure_admin(tg.id, display_name(update), root.id, s.clock.now())
    if user is None or not user.active:
        return None
    return user


def lang_of(update: Update, user: User | None) -> str:
    if user:
        return user.lang
    code = (update.effective_user.language_code or "") if update.effective_user else ""
    return "en" if code.startswith("en") else "zh"


async def reply(update: Update, text: str, **kwargs: object) -> None:
    """Answer in the chat the update came from (a message or a button press)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, **kwargs)


async def stranger(update: Update) -> None:
    """Tell an unregistered (or deactivated) person how to join."""
    await reply(update, t(lang_of(update, None), "stranger"))


def requires(role: Role) -> Callable[[Handler], Callable]:
    """Run the callback only for an active registered person of at least `role`.

    Strangers learn how to join; lower roles get a polite refusal. Checked here, on the
    server, for commands and button presses alike."""

    def wrap(func: Handler) -> Callable:
        @functools.wraps(func)
        async def inner(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
            user = await current_user(update, context)
            if user is None:
                await stranger(update)
                return None
            if not user.can(role):
                log.info("refused %s to user %s (role %s)", func.__name__, user.id, user.role)
                if update.callback_query is not None:
                    await update.callback_query.answer(t(user.lang, "not-allowed"), show_alert=True)
                else:
                    await reply(update, t(user.lang, "not-allowed"))
                return None
            return await func(update, context, user)

        return inner

    return wrap
