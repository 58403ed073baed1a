"""Telegram updates as core events: messages, edits, photos and files (fetched first), places, taps."""
from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from handlers.core import Document, Event, Photo

from .. import decode

log = logging.getLogger(__name__)
NAME = "telegram"
MAX_FILE_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


async def to_event(update: Update) -> Event | None:
    """The update as an event, or None for kinds the bot does not take (channel posts,
    inline queries, business messages…): those get silence and a debug line."""
    user = update.effective_user
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message is not None else None
        return Event(channel=NAME, event_id=str(update.update_id), sender=str(query.from_user.id),
                     chat=str(chat.id if chat else query.from_user.id), name=query.from_user.full_name,
                     group=_is_group(chat), chat_title=(chat.title or "") if chat else "",
                     lang=query.from_user.language_code, action=decode(query.data),
                     message_ref=str(query.message.message_id) if query.message is not None else None)
    msg = update.message or update.edited_message
    if msg is None or user is None:
        log.debug("update %s of a kind the bot does not take; ignored", update.update_id)
        return None
    location = (msg.location.latitude, msg.location.longitude) if msg.location else None
    return Event(channel=NAME, event_id=str(update.update_id), sender=str(user.id), chat=str(msg.chat.id),
                 name=user.full_name or user.username or str(user.id), group=_is_group(msg.chat),
                 chat_title=msg.chat.title or "", lang=user.language_code,
                 text=msg.text if msg.text is not None else msg.caption,
                 photo=None if _is_group(msg.chat) else await _photo(msg),  # groups: commands only
                 document=None if _is_group(msg.chat) else await _document(msg),
                 location=location, edited=update.edited_message is not None, message_ref=str(msg.message_id))


def _is_group(chat) -> bool:
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


async def _photo(msg: Message) -> Photo | None:
    """The largest size, downloaded before the event is handled (no network inside a transaction)."""
    if not msg.photo:
        return None
    size = msg.photo[-1]
    try:
        data = bytes(await (await size.get_file()).download_as_bytearray())
    except TelegramError:
        log.warning("could not download photo %s; keeping its ids", size.file_unique_id, exc_info=True)
        data = None
    return Photo(ref=size.file_id, unique=size.file_unique_id, data=data)


async def _document(msg: Message) -> Document | None:
    """A file (the office's spreadsheet of warnings), downloaded before the event is handled;
    one too big to download (or that failed to) comes without its bytes."""
    doc = msg.document
    if doc is None:
        return None
    data = None
    if (doc.file_size or 0) <= MAX_FILE_BYTES:
        try:
            data = bytes(await (await doc.get_file()).download_as_bytearray())
        except TelegramError:
            log.warning("could not download file %s", doc.file_unique_id, exc_info=True)
    return Document(name=doc.file_name or "file", data=data)
