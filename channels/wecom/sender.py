"""Sending on WeCom: pacing per conversation, the answer to one inbound frame, the outbox's
sender, and uploads (the three upload frames the Python SDK lacks).

WeCom drops, without an error, messages beyond about 30 a minute and 1,000 an hour to one
conversation, so every message to a chat (replies and proactive ones alike) first takes a
slot from the `Pacer`. The SDK waits for each command's acknowledgement and reports a
refusal (a non-zero errcode) only in an exception's text: `refusal()` reads it back. A
refusal is logged with its command and never retried blindly.

`link` below is the WeComChannel: its SDK client, its pacer and whether it is online."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
import time
from collections import deque
from typing import Awaitable, Callable

from aibot import generate_req_id

from handlers.core import Button, Event, Reply

from .render import as_response, card_message, cards, markdown, media

log = logging.getLogger(__name__)
# (messages, seconds) per conversation. A second more than WeCom's windows: it counts
# arrivals, which come a little after our clock says a message left.
LIMITS = ((30, 61.0), (1000, 3601.0))
MAX_WAIT = 65.0                      # the outbox waits this long at most for a slot (a minute's window); beyond: 'later'
CHUNK, MAX_CHUNKS = 512 * 1024, 100  # upload frames as WeCom's Node SDK sends them: 512 KiB each, 100 at most
UPLOAD_INIT, UPLOAD_CHUNK, UPLOAD_FINISH = ("aibot_upload_media_init", "aibot_upload_media_chunk",
                                            "aibot_upload_media_finish")
ERRCODE = re.compile(r"errcode=(-?\d+)")


class Pacer:
    """Per-conversation limits: each message reserves the earliest moment inside every window
    (in order, so one chat's messages keep theirs) and waits for it."""

    def __init__(self, limits: tuple[tuple[int, float], ...] = LIMITS,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.limits, self.clock, self.sleep = limits, clock, sleep
        self.span = max(span for _, span in limits)
        self.slots: dict[str, deque[float]] = {}

    def reserve(self, chat: str, most: float = float("inf")) -> float | None:
        """Take the next slot for `chat`: how long until it comes; None (nothing taken) when
        that is more than `most` seconds away."""
        now = self.clock()
        slots = self.slots.setdefault(chat, deque())
        while slots and slots[0] <= now - self.span:
            slots.popleft()
        at = max(now, slots[-1]) if slots else now
        for count, span in self.limits:
            if len(slots) >= count:
                at = max(at, slots[-count] + span)
        if at - now > most:
            if not slots:
                del self.slots[chat]
            return None
        slots.append(at)
        return at - now

    async def wait(self, chat: str, most: float = float("inf")) -> bool:
        """Wait for `chat`'s next slot; False at once when it is more than `most` seconds away."""
        delay = self.reserve(chat, most)
        if delay is None:
            return False
        if delay > 0:
            await self.sleep(delay)
        return True


def refusal(err: BaseException) -> int | None:
    """The errcode WeCom refused a command with ('Reply ack error: errcode=…'); None when the
    command failed otherwise (no connection, no acknowledgement in time)."""
    match = ERRCODE.search(str(err)) if isinstance(err, RuntimeError) else None
    return int(match.group(1)) if match else None


def never_left(err: BaseException) -> bool:
    """The SDK had no live connection: the frame never left (nothing to repeat)."""
    return "not connected" in str(err)


async def command(client, cmd: str, body: dict) -> dict:
    """Send one command of ours (not a reply to a callback) and return its acknowledgement."""
    return await client.reply({"headers": {"req_id": generate_req_id(cmd)}}, body, cmd)


async def upload(client, kind: str, name: str, data: bytes) -> str:
    """Upload a file as WeCom's temporary media (kept 3 days) and return its media_id:
    init (size, chunk count, MD5) → upload_id; each chunk, base64; finish → media_id."""
    chunks = [data[n:n + CHUNK] for n in range(0, len(data), CHUNK)] or [b""]
    if len(chunks) > MAX_CHUNKS:
        raise ValueError(f"{len(data)} bytes: more than WeCom takes ({MAX_CHUNKS} chunks of {CHUNK})")
    init = await command(client, UPLOAD_INIT, {
        "type": kind, "filename": name, "total_size": len(data), "total_chunks": len(chunks),
        "md5": hashlib.md5(data).hexdigest()})
    upload_id = _field(init, "upload_id")
    for index, chunk in enumerate(chunks):
        await command(client, UPLOAD_CHUNK, {"upload_id": upload_id, "chunk_index": index,
                                             "base64_data": base64.b64encode(chunk).decode()})
    return _field(await command(client, UPLOAD_FINISH, {"upload_id": upload_id}), "media_id")


def _field(ack: dict, name: str) -> str:
    value = (ack.get("body") or {}).get(name)
    if not value:
        raise RuntimeError(f"WeCom answered without {name}")
    return value


class WeComSender:
    """The outbox's way out on WeCom: send_message to a userid (a person who has talked to
    the bot) or a group chatid, paced. Not connected, or the conversation's pace full for
    more than a minute: 'later' (kept queued, not counted as an attempt)."""

    def __init__(self, link) -> None:
        self.link = link

    async def send(self, chat_id: str, texts: list[str], buttons: list[list[Button]]) -> str:
        if not self.link.online:
            return "later"
        bodies = [body for text in texts[:-1] for body in markdown(text)]
        before, made = cards(texts[-1], buttons, "zh") if buttons else (texts[-1], [])
        bodies += (markdown(before) if before else []) + [card_message(c) for c in made]
        for n, body in enumerate(bodies):
            outcome = await self._one(chat_id, body)
            if outcome != "sent":  # once a part is out the message counts as sent: a retry would repeat it
                return outcome if n == 0 else "sent"
        return "sent"

    async def _one(self, chat_id: str, body: dict) -> str:
        if not await self.link.pacer.wait(chat_id, MAX_WAIT):
            return "later"
        try:
            await self.link.client.send_message(chat_id, body)
            return "sent"
        except Exception as err:  # the SDK raises RuntimeError or TimeoutError, with the reason in its text
            code = refusal(err)
            if code is not None:  # e.g. someone who never talked to the bot
                log.error("WeCom refused aibot_send_msg (%s): errcode %s", body["msgtype"], code)
                return "unreachable"
            log.warning("WeCom: a proactive message failed (%s); it will be tried again", err)
            return "later" if never_left(err) else "failed"


class Answer:
    """Where the replies to one inbound frame go. The first reuses the frame's req_id
    (aibot_respond_msg); the rest go to its chat (aibot_send_msg). A tap's req_id is kept
    for updating the tapped card (aibot_respond_update_msg), which WeCom takes only within
    5 s of the tap: that goes first. Without a card to replace, or when the update fails,
    the reply is sent as a new message. An event handled after a restart has no frame (its
    req_id died with the connection): every reply is a new message."""

    def __init__(self, link, frame: dict | None, event: Event) -> None:
        self.link, self.frame, self.event = link, frame, event
        self.fresh = frame is not None and event.action is None  # the req_id may still carry a reply

    async def now(self, reply: Reply) -> None:
        """Say it at once (Turn.tell: "working on it" before long work)."""
        await self.render([reply])

    async def render(self, replies: list[Reply]) -> None:
        if self.event.action is not None and self.frame is not None:
            update = next((r for r in replies if r.replace and r.buttons and not r.alert), None)
            if update is not None and await self._update(update):
                replies = [r for r in replies if r is not update]
        for reply in merged(replies):
            await self._say(reply)

    async def _update(self, reply: Reply) -> bool:
        task_id = self.event.message_ref
        if not task_id:
            return False
        before, made = cards(reply.text, reply.buttons, reply.lang, task_id=task_id)
        try:
            await self.link.client.update_template_card(self.frame, made[0])
        except Exception as err:
            self._failed("aibot_respond_update_msg", err)
            return False
        for body in (markdown(before) if before else []) + [card_message(c) for c in made[1:]]:
            await self._send(body)
        return True

    async def _say(self, reply: Reply) -> None:
        if reply.document is not None or reply.photo is not None:
            return await self._file(reply)
        if reply.buttons:
            before, made = cards(reply.text, reply.buttons, reply.lang)
            bodies = (markdown(before) if before else []) + [card_message(c) for c in made]
        else:
            bodies = markdown(reply.text) if reply.text else []
        for body in bodies:
            await self._send(body)

    async def _file(self, reply: Reply) -> None:
        """A document or a photo: its caption as a message, then the upload and the file."""
        kind, (name, data) = ("file", reply.document) if reply.document else ("image", ("image.png", reply.photo))
        for body in markdown(reply.text) if reply.text else []:
            await self._send(body)
        try:
            media_id = await upload(self.link.client, kind, name, data)
        except Exception as err:
            self._failed(f"the upload of a {kind}", err)
            return
        await self._send(media(kind, media_id))

    async def _send(self, body: dict) -> None:
        await self.link.pacer.wait(self.event.chat)
        try:
            if self.fresh:
                self.fresh = False
                await self.link.client.reply(self.frame, as_response(body))
            else:
                await self.link.client.send_message(self.event.chat, body)
        except Exception as err:
            self._failed(f"a reply ({body['msgtype']})", err)

    @staticmethod
    def _failed(what: str, err: BaseException) -> None:
        code = refusal(err)
        if code is not None:
            log.error("WeCom refused %s: errcode %s", what, code)
        else:
            log.warning("WeCom: %s failed: %s", what, err)


def merged(replies: list[Reply]) -> list[Reply]:
    """Consecutive plain texts as one message: fewer messages against WeCom's pace."""
    out: list[Reply] = []
    for reply in replies:
        plain = bool(reply.text) and not (reply.buttons or reply.document or reply.photo)
        if plain and out and out[-1].text and not (out[-1].buttons or out[-1].document or out[-1].photo):
            out[-1] = Reply(text=f"{out[-1].text}\n\n{reply.text}", lang=reply.lang)
        else:
            out.append(reply)
    return out
