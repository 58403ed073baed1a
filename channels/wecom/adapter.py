"""WeCom callbacks as core events: text (and voice, which WeCom hands over as text), images
and files (fetched and decrypted first), mixed (a photo with its caption) and card taps.

A callback body carries msgid (unique: the redelivery mark), chattype single/group,
from.userid, chatid (groups; a single chat's may be missing) and the message; a tap is an
event whose template_card_event holds our action (event_key) and the card's task_id."""
from __future__ import annotations

import logging
import re

from handlers.core import Document, Event, Photo

from .. import decode

log = logging.getLogger(__name__)
NAME = "wecom"
MAX_FILE_BYTES = 20 * 1024 * 1024  # a file sent to the bot: larger ones arrive without their bytes
MENTION = re.compile(r"(?:^|(?<=\s))@\S+\s*")  # '@反诈台账 /bind_office', '/summary @反诈台账'


def strip_mentions(text: str) -> str:
    """A group's text without its @mentions, wherever they stand (groups reach the bot by one)."""
    return MENTION.sub("", text).strip()


def obj(value: object) -> dict:
    """A frame's field as a dict; {} for anything else: an odd frame is ignored, never raises."""
    return value if isinstance(value, dict) else {}


def word(value: object) -> str | None:
    """A frame's field as a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def chat_of(body: dict) -> str | None:
    """Where a callback's answers go: its group, or its sender (a single chat's callback may
    carry no chatid)."""
    return word(body.get("chatid")) or word(obj(body.get("from")).get("userid"))


def tapped_card(frame: dict) -> str | None:
    """The task_id of the card a template_card_event tapped; None for any other frame."""
    event = obj(obj(frame.get("body")).get("event"))
    if event.get("eventtype") != "template_card_event":
        return None
    return word(obj(event.get("template_card_event")).get("task_id"))


async def to_events(client, frame: dict) -> list[Event]:
    """The frame as events (a mixed message with several images: the text with the first,
    then one bare photo each, which joins the card just shown), or none for kinds the bot
    does not take and for odd frames (missing fields, wrong types: a debug line)."""
    body = obj(frame.get("body"))
    sender, msgid = word(obj(body.get("from")).get("userid")), word(body.get("msgid"))
    if not sender or not msgid:
        log.debug("a callback without a sender or msgid: ignored")
        return []
    group = body.get("chattype") == "group"
    # Proactive messages go to a userid in a single chat, a chatid in a group.
    base = dict(channel=NAME, sender=sender, chat=chat_of(body) if group else sender, name=sender, group=group)
    kind = body.get("msgtype")
    if kind == "event":
        return _tap(body, msgid, base)
    if kind == "file":
        if group:  # in groups only commands count: a file shared there is not the bot's to fetch and keep
            return []
        return [Event(event_id=msgid, document=await _document(client, obj(body.get("file")), msgid),
                      message_ref=msgid, **base)]
    text, images = _content(body, kind)
    if text is None and not images:
        log.debug("a %.20s message: not taken", kind if isinstance(kind, str) else "malformed")
        return []
    if group:  # in groups only commands count: no pictures, and the @mention goes
        text, images = strip_mentions(text or ""), []
    photos = [await _photo(client, image, f"{msgid}:{n}") for n, image in enumerate(images)]
    first = Event(event_id=msgid, text=text, photo=photos[0] if photos else None, message_ref=msgid, **base)
    return [first] + [Event(event_id=f"{msgid}:{n}", photo=photo, message_ref=msgid, **base)
                      for n, photo in enumerate(photos[1:], 1)]


def _tap(body: dict, msgid: str, base: dict) -> list[Event]:
    event = obj(body.get("event"))
    if event.get("eventtype") != "template_card_event":
        return []
    tap = obj(event.get("template_card_event"))
    return [Event(event_id=msgid, action=decode(word(tap.get("event_key"))), message_ref=word(tap.get("task_id")),
                  **base)]


def _content(body: dict, kind: object) -> tuple[str | None, list[dict]]:
    """(text, images) of a message."""
    if kind in ("text", "voice"):
        return word(obj(body.get(kind)).get("content")), []
    if kind == "image":
        return None, [obj(body.get("image"))]
    if kind == "mixed":
        items = obj(body.get("mixed")).get("msg_item")
        items = [obj(i) for i in items] if isinstance(items, list) else []
        words = [word(obj(i.get("text")).get("content")) for i in items if i.get("msgtype") == "text"]
        return "\n".join(w for w in words if w) or None, [obj(i.get("image")) for i in items if i.get("msgtype") == "image"]
    return None, []


async def _fetch(client, item: dict, ref: str) -> tuple[bytes | None, str | None]:
    """Download and decrypt a message's file or image: (bytes, file name), or (None, None)."""
    url = word(item.get("url"))
    if url is None:
        log.warning("%s came without a url; keeping its reference", ref)
        return None, None
    try:
        return await client.download_file(url, word(item.get("aeskey")))
    except Exception as err:  # the SDK raises what aiohttp or the decryption raised; its text can
        # carry the file's signed URL (a link to someone's photo): log the kind of error only
        log.warning("could not fetch %s (%s); keeping its reference", ref, type(err).__name__)
        return None, None


async def _photo(client, image: dict, ref: str) -> Photo:
    """Each image brings its own url and aeskey, so a photo sent twice is known by its bytes' hash."""
    data, _ = await _fetch(client, image, ref)
    return Photo(ref=ref, unique=ref, data=data)


async def _document(client, file: dict, ref: str) -> Document:
    """A file (the office's spreadsheet of warnings); over MAX_FILE_BYTES its bytes are dropped."""
    data, name = await _fetch(client, file, ref)
    if data is not None and len(data) > MAX_FILE_BYTES:
        log.warning("file %s: %d bytes, more than %d; not kept", ref, len(data), MAX_FILE_BYTES)
        data = None
    # The name comes with the download (Content-Disposition); without one, a spreadsheet (a
    # zip: xlsx) is still known as one, so that the office's warnings file is read.
    return Document(name=name or ("file.xlsx" if (data or b"").startswith(b"PK\x03\x04") else "file"), data=data)
