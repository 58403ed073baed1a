"""WeCom callbacks as core events: text (and voice, which WeCom hands over as text), images
(fetched and decrypted first), mixed (a photo with its caption) and card taps.

A callback body carries msgid (unique: the redelivery mark), chattype single/group,
from.userid, chatid (groups; a single chat's may be missing) and the message; a tap is an
event whose template_card_event holds our action (event_key) and the card's task_id."""
from __future__ import annotations

import logging
import re

from handlers.core import Event, Photo

from .. import decode

log = logging.getLogger(__name__)
NAME = "wecom"
MENTION = re.compile(r"(?:^|(?<=\s))@\S+\s*")  # '@反诈台账 /bind_office', '/summary @反诈台账'


def strip_mentions(text: str) -> str:
    """A group's text without its @mentions, wherever they stand (groups reach the bot by one)."""
    return MENTION.sub("", text).strip()


async def to_events(client, frame: dict) -> list[Event]:
    """The frame as events (a mixed message with several images: the text with the first,
    then one bare photo each, which joins the card just shown), or none for kinds the bot
    does not take."""
    body = frame.get("body") or {}
    sender, msgid = (body.get("from") or {}).get("userid"), body.get("msgid")
    if not sender or not msgid:
        return []
    group = body.get("chattype") == "group"
    # Proactive messages go to a userid in a single chat, a chatid in a group.
    base = dict(channel=NAME, sender=sender, chat=(body.get("chatid") or sender) if group else sender,
                name=sender, group=group)
    kind = body.get("msgtype")
    if kind == "event":
        return _tap(body, msgid, base)
    text, images = _content(body, kind)
    if text is None and not images:
        log.debug("a %s message: not taken", kind)
        return []
    if group:  # in groups only commands count: no pictures, and the @mention goes
        text, images = strip_mentions(text or ""), []
    photos = [await _photo(client, image, f"{msgid}:{n}") for n, image in enumerate(images)]
    first = Event(event_id=msgid, text=text, photo=photos[0] if photos else None, message_ref=msgid, **base)
    return [first] + [Event(event_id=f"{msgid}:{n}", photo=photo, message_ref=msgid, **base)
                      for n, photo in enumerate(photos[1:], 1)]


def _tap(body: dict, msgid: str, base: dict) -> list[Event]:
    event = body.get("event") or {}
    if event.get("eventtype") != "template_card_event":
        return []
    tap = event.get("template_card_event") or {}
    return [Event(event_id=msgid, action=decode(tap.get("event_key")), message_ref=tap.get("task_id"), **base)]


def _content(body: dict, kind: str | None) -> tuple[str | None, list[dict]]:
    """(text, images) of a message."""
    if kind in ("text", "voice"):
        return (body.get(kind) or {}).get("content"), []
    if kind == "image":
        return None, [body.get("image") or {}]
    if kind == "mixed":
        items = (body.get("mixed") or {}).get("msg_item") or []
        words = [(i.get("text") or {}).get("content", "") for i in items if i.get("msgtype") == "text"]
        return "\n".join(w for w in words if w) or None, [i.get("image") or {} for i in items if i.get("msgtype") == "image"]
    return None, []


async def _photo(client, image: dict, ref: str) -> Photo:
    """Download and decrypt (each image brings its own url and aeskey, so a photo sent twice is
    known by its bytes' hash); without the bytes, only the reference is kept."""
    data = None
    try:
        data, _ = await client.download_file(image["url"], image.get("aeskey"))
    except Exception as err:  # the SDK raises what aiohttp or the decryption raised; its text can
        # carry the image's signed URL (a link to someone's photo): log the kind of error only
        log.warning("could not fetch image %s (%s); keeping its reference", ref, type(err).__name__)
    return Photo(ref=ref, unique=ref, data=data)
