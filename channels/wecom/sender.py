"""Sending on WeCom: pacing per conversation, the answer to one inbound frame, the outbox's
sender, and uploads (the three upload frames the Python SDK lacks).

WeCom drops, without an error, messages beyond about 30 a minute and 1,000 an hour to one
conversation, so every message to a chat (replies and proactive ones alike) first takes a
slot from the `Pacer`. The SDK waits for each command's acknowledgement and reports a
refusal (a non-zero errcode) only in an exception's text: `call()` reads it back, logs it
with its command, and raises `Failed`. Nothing is retried blindly: a refused message did not
go (the outbox may try it again), one without an acknowledgement may have (never repeated).

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

from bot.i18n import t
from handlers.core import Button, Event, Reply

from .render import as_response, card_message, cards, closed, markdown, media

log = logging.getLogger(__name__)
# (messages, seconds) per conversation. A second more than WeCom's windows: it counts
# arrivals, which come a little after our clock says a message left.
LIMITS = ((30, 61.0), (1000, 3601.0))
MAX_WAIT = 65.0                      # the outbox waits this long at most for a slot (a minute's window); beyond: 'later'
CHUNK, MAX_CHUNKS = 512 * 1024, 100  # upload frames as WeCom's Node SDK sends them: 512 KiB each, 100 at most
MEDIA_BYTES = {"file": 20 << 20, "image": 10 << 20}  # WeCom takes a file up to 20 MB, an image up to 10 MB
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


# WeCom's errcodes. Its documents do not give the 智能机器人's code for "this person never
# talked to the bot"; these are its global codes for a userid or chat it cannot reach. A
# code not listed is a refusal of this message ('failed': tried again a few times); every
# refusal is logged with its command and code, so a code seen in the log can be added here.
NO_SESSION = frozenset({60111, 81013, 86001, 86003})  # userid / chatid unknown or not reachable by the bot
BUSY = frozenset({-1, 45009, 45033})                  # system busy, call limits: try again later


class Failed(Exception):
    """A command of ours that WeCom refused (`code`) or that got no answer (`code` None)."""

    def __init__(self, cmd: str, err: BaseException) -> None:
        self.cmd, self.code = cmd, refusal(err)
        self.unanswered = isinstance(err, TimeoutError)  # sent on a live connection: it may have arrived
        super().__init__(f"{cmd}: errcode {self.code}" if self.code is not None else f"{cmd}: {err}")


def refusal(err: BaseException) -> int | None:
    """The errcode WeCom refused a command with ('Reply ack error: errcode=…'); None when the
    command failed otherwise (no connection, no acknowledgement in time)."""
    match = ERRCODE.search(str(err)) if isinstance(err, RuntimeError) else None
    return int(match.group(1)) if match else None


async def call(cmd: str, sending: Awaitable[dict]) -> dict:
    """Await one command's acknowledgement; any failure as Failed, logged once here with
    the command and its errcode (a refusal) or its reason."""
    try:
        return await sending
    except Exception as err:  # the SDK raises RuntimeError or TimeoutError, the reason in its text
        failed = Failed(cmd, err)
        if failed.code is not None:
            log.warning("WeCom refused %s: errcode %s", cmd, failed.code)
        else:
            log.warning("WeCom: %s failed (%s)", cmd, err)
        raise failed from None


async def command(client, cmd: str, body: dict) -> dict:
    """Send one command of ours (not a reply to a callback) and return its acknowledgement."""
    return await call(cmd, client.reply({"headers": {"req_id": generate_req_id(cmd)}}, body, cmd))


async def upload(client, kind: str, name: str, data: bytes) -> str:
    """Upload a file as WeCom's temporary media (kept 3 days) and return its media_id:
    init (size, chunk count, MD5) → upload_id; each chunk, base64; finish → media_id."""
    chunks = [data[n:n + CHUNK] for n in range(0, len(data), CHUNK)] or [b""]
    if len(chunks) > MAX_CHUNKS or len(data) > MEDIA_BYTES.get(kind, 0):
        raise ValueError(f"{len(data)} bytes: more than WeCom takes for a {kind}")
    init = await command(client, UPLOAD_INIT, {
        "type": kind, "filename": name, "total_size": len(data), "total_chunks": len(chunks),
        "md5": hashlib.md5(data).hexdigest()})
    upload_id = _field(init, "upload_id")
    for index, chunk in enumerate(chunks):
        await command(client, UPLOAD_CHUNK, {"upload_id": upload_id, "chunk_index": index,
                                             "base64_data": base64.b64encode(chunk).decode()})
    return _field(await command(client, UPLOAD_FINISH, {"upload_id": upload_id}), "media_id")


def _field(ack: dict, name: str) -> str:
    body = ack.get("body") if isinstance(ack, dict) else None
    value = body.get(name) if isinstance(body, dict) else None
    if not value or not isinstance(value, str):
        raise ValueError(f"WeCom answered without {name}")
    return value


class WeComSender:
    """The outbox's way out on WeCom: send_message to a userid (a person who has talked to
    the bot) or a group chatid, paced. Not connected, the conversation's pace full for more
    than a minute, or WeCom busy: 'later' (kept queued, not counted as an attempt).

    A message in several parts (its text, then the card) that stops part-way is 'later' and
    resumes where it stopped (`progress`, by chat and content): the parts out are not sent
    again, the rest are not lost. A part that got no acknowledgement in time on a live
    connection may have arrived: counted as out, never repeated blindly (it would arrive
    twice). One cut off by a lost connection goes again after the reconnection: a reminder
    twice is better than none."""

    def __init__(self, link) -> None:
        self.link = link
        self.progress: dict[tuple[str, str], int] = {}  # (chat, content) -> parts out

    async def send(self, chat_id: str, texts: list[str], buttons: list[list[Button]], lang: str = "zh") -> str:
        if not self.link.online:
            return "later"
        bodies = [body for text in texts[:-1] for body in markdown(text)]
        before, made = cards(texts[-1], buttons, lang) if buttons else (texts[-1], [])
        bodies += (markdown(before) if before else []) + [card_message(c) for c in made]
        key = (chat_id, hashlib.sha256(repr((texts, buttons)).encode()).hexdigest())
        for n in range(self.progress.pop(key, 0), len(bodies)):
            outcome = await self._one(chat_id, bodies[n])
            if outcome != "sent":
                if n and outcome in ("later", "failed"):
                    self.progress[key] = n  # the rest goes when the outbox tries again
                return outcome
        return "sent"

    async def _one(self, chat_id: str, body: dict) -> str:
        if not await self.link.pacer.wait(chat_id, MAX_WAIT):
            return "later"
        try:
            await call(f"aibot_send_msg ({body['msgtype']})", self.link.client.send_message(chat_id, body))
            return "sent"
        except Failed as err:
            if err.code in NO_SESSION:  # e.g. someone who never talked to the bot
                return "unreachable"
            if err.code is None:  # no acknowledgement in time: it may have arrived, so it is not
                # repeated; no connection (or it closed): it goes again once connected
                return "sent" if err.unanswered else "later"
            return "later" if err.code in BUSY else "failed"


class TapWindow:
    """The one card update a tap allows (aibot_respond_update_msg), only within 5 s of the
    tap. The answer takes it when it is ready in time; when it is not (the chat busy with
    earlier messages, slow work), a button-less '收到，正在处理…' card takes it after
    `grace` seconds, outside the chat's lane and pace, and the answer comes as new messages."""

    def __init__(self, link, frame: dict, task_id: str, grace: float) -> None:
        self.link, self.frame, self.task_id = link, frame, task_id
        self.open = True
        self._timer = asyncio.get_running_loop().call_later(grace, self._busy)

    def take(self) -> bool:
        """The update is ours to send (False: it was used, or the answer needs none)."""
        if not self.open:
            return False
        self.open = False
        self._timer.cancel()
        return True

    def _busy(self) -> None:
        if self.take():
            _, card = closed(t("zh", "wecom-busy"), "zh", self.task_id)
            task = asyncio.ensure_future(self.update(card))
            self.link.tasks.add(task)
            task.add_done_callback(self.link.tasks.discard)

    async def update(self, card: dict) -> bool:
        try:
            await call("aibot_respond_update_msg", self.link.client.update_template_card(self.frame, card))
            return True
        except Failed:
            return False


class Callback:
    """One inbound frame's way back: its req_id carries one reply (to a message; later replies
    are new messages) or one card update (to a tap: `tap`)."""

    def __init__(self, link, frame: dict, task_id: str | None = None) -> None:
        headers = frame.get("headers")
        req_id = headers.get("req_id") if isinstance(headers, dict) else None
        self.frame = frame if isinstance(req_id, str) and req_id else None  # without a req_id: nothing to answer on
        # a message's req_id may carry one reply; an event's (a tap) only a card update
        self.fresh = self.frame is not None and frame.get("cmd") == "aibot_msg_callback"
        self.tap = TapWindow(link, frame, task_id, link.tap_grace) if task_id and self.frame else None


class Answer:
    """Where the replies to one event go: the first reuses its frame's req_id
    (aibot_respond_msg), the rest go to its chat (aibot_send_msg), paced. A tap's reply that
    replaces the card updates it (with buttons, or closed without), unless its TapWindow
    has passed; then, or when the update fails, the reply is a new message. An event handled
    after a restart has no frame (its req_id died with the connection): every reply is new."""

    def __init__(self, link, callback: Callback | None, event: Event) -> None:
        self.link, self.callback, self.event = link, callback, event

    async def now(self, reply: Reply) -> None:
        """Say it at once (Turn.tell: "working on it" before long work)."""
        await self._render([reply])

    async def render(self, replies: list[Reply]) -> None:
        """The event's last replies: the tapped card is updated by one of them, or stays."""
        tap = self.callback.tap if self.callback is not None else None
        if tap is not None and self.event.action is not None:
            update = next((r for r in replies if r.replace and not (r.alert or r.document or r.photo)), None)
            if update is not None and tap.take() and await self._update(tap, update):
                replies = [r for r in replies if r is not update]
            tap.take()  # no update needed: the card stays as it is
        await self._render(replies)

    async def _render(self, replies: list[Reply]) -> None:
        for reply in merged(replies):
            await self._say(reply)

    async def _update(self, tap: TapWindow, reply: Reply) -> bool:
        if reply.buttons:
            before, made = cards(reply.text, reply.buttons, reply.lang, task_id=tap.task_id)
        else:
            before, card = closed(reply.text, reply.lang, tap.task_id)
            made = [card]
        if not await tap.update(made[0]):
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
        """A document or a photo: its caption as a message, then the upload and the file; a
        file WeCom refuses is one short line to the person (the log has the frame and code)."""
        kind, (name, data) = ("file", reply.document) if reply.document else ("image", ("image.png", reply.photo))
        for body in markdown(reply.text) if reply.text else []:
            await self._send(body)
        try:
            media_id = await upload(self.link.client, kind, name, data)
        except (Failed, ValueError) as err:
            if isinstance(err, ValueError):
                log.warning("WeCom: the %s %s was not uploaded (%s)", kind, name, err)
            sent = False
        else:
            sent = await self._send(media(kind, media_id))
        if not sent:
            await self._send(markdown(t(reply.lang, "wecom-file-failed"))[0])

    async def _send(self, body: dict) -> bool:
        await self.link.pacer.wait(self.event.chat)
        try:
            if self.callback is not None and self.callback.fresh:
                self.callback.fresh = False
                await call("aibot_respond_msg", self.link.client.reply(self.callback.frame, as_response(body)))
            else:
                await call(f"aibot_send_msg ({body['msgtype']})", self.link.client.send_message(self.event.chat, body))
            return True
        except Failed:
            return False


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
