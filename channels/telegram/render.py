"""The core's replies as Bot API calls: inline keyboards, edits of the tapped card, the
share-location keyboard, per-person command menus, documents and photos."""
from __future__ import annotations

import logging

from telegram import (BotCommand, BotCommandScopeChat, CallbackQuery, InlineKeyboardButton,
                      InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove)
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.i18n import t
from handlers.core import Button, Event, Reply

from .. import encode, split

log = logging.getLogger(__name__)
MAX_TEXT = 4096


def inline_markup(buttons: list[list[Button]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=encode(b.action)) for b in row]
                                 for row in buttons])


def location_keyboard(reply: Reply) -> ReplyKeyboardMarkup:
    """Telegram's share-location button; the reply's choices as typed-word buttons under it."""
    rows = [[KeyboardButton(t(reply.lang, "btn-share-location"), request_location=True)]]
    rows += [[KeyboardButton(b.label) for b in row] for row in reply.buttons]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


async def render(bot, event: Event, query: CallbackQuery | None, replies: list[Reply],
                 keyboards: set[int] | None = None) -> None:
    """Send the replies to the event's chat. A tap is always answered once, with the first
    alert as a pop-up; a reply that replaces a card edits the tapped message. `keyboards`
    holds the chats showing the share-location keyboard: the next reply takes it away."""
    alerts = [r for r in replies if r.alert]
    if query is not None:
        await _quietly(query.answer(alerts[0].text if alerts else None, show_alert=bool(alerts)))
        replies = [r for r in replies if not r.alert]
    chat = int(event.chat)
    for reply in replies:
        try:
            await _one(bot, chat, query, reply, keyboards if keyboards is not None else set())
        except Forbidden:
            log.info("a chat has blocked the bot; reply dropped")
            return
        except TelegramError:
            log.warning("a reply failed", exc_info=True)


async def _one(bot, chat: int, query, reply: Reply, keyboards: set[int]) -> None:
    if reply.commands is not None:
        menu = [BotCommand(name, desc[:256]) for name, desc in reply.commands]
        await _quietly(bot.set_my_commands(menu, scope=BotCommandScopeChat(chat)))
    if reply.document is not None:
        name, data = reply.document
        await bot.send_document(chat, data, filename=name, caption=reply.text or None)
        return
    if reply.photo is not None:
        await bot.send_photo(chat, reply.photo, caption=reply.text or None)
        return
    if not reply.text:
        return
    if reply.replace and query is not None and query.message is not None:
        try:
            await query.edit_message_text(reply.text[:MAX_TEXT], reply_markup=inline_markup(reply.buttons))
            return
        except BadRequest:  # too old to edit, or unchanged: say it as a new message
            log.debug("could not edit the tapped card; sending anew", exc_info=True)
    if reply.ask_location:
        keyboards.add(chat)
        markup = location_keyboard(reply)
    elif chat in keyboards:  # a message carries one keyboard: take the location one away first,
        keyboards.discard(chat)  # then put the buttons on the same message
        return await _closing_keyboard(bot, chat, reply)
    else:
        markup = inline_markup(reply.buttons)
    parts = split(reply.text, MAX_TEXT)
    for n, part in enumerate(parts):
        await bot.send_message(chat, part, reply_markup=markup if n == len(parts) - 1 else None)


async def _closing_keyboard(bot, chat: int, reply: Reply) -> None:
    parts = split(reply.text, MAX_TEXT)
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        sent = await bot.send_message(chat, part, reply_markup=ReplyKeyboardRemove() if n == 0 else None)
        if last and reply.buttons:
            await bot.edit_message_reply_markup(chat, sent.message_id, reply_markup=inline_markup(reply.buttons))


async def _quietly(call) -> None:
    try:
        await call
    except TelegramError:
        log.warning("a Telegram call failed", exc_info=True)
