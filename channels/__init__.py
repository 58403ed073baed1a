"""Chat channels: thin adapters between a chat service and the conversation core.

Each adapter turns what its service delivers into `handlers.core.Event`s, renders the
core's `Reply`s with what the service can show, and sends the outbox's messages
(`Sender`). Only code under channels/<name>/ imports that service's library. What every
adapter needs alike lives here: the Channel the runner starts (bot/runner.py), button data,
choices as text, cutting long texts, one lane per chat."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable, Hashable, Protocol

from bot.i18n import t
from handlers.core import Button, Caps, Core, Reply, numbered, valid_action


class Sender(Protocol):
    """What the outbox needs of a channel: 'sent', 'blocked' (recorded, never retried),
    'unreachable' (refused, not retried), 'failed' (tried again later, a few times) or
    'later' (the channel cannot take it now, e.g. not connected: kept queued, not counted)."""

    async def send(self, chat_id: str, texts: list[str], buttons: list[list[Button]]) -> str: ...
    # A message nobody asked for is read later, out of its context: its choices are words
    # to type (numbered=False), never numbers a stray reply could hit.


class Channel(Protocol):
    """A chat service as the runner sees it: started with the core, stopped, and the
    outbox's way out."""

    name: str
    caps: Caps
    sender: Sender
    online: bool  # connected now

    async def start(self, core: Core) -> None: ...
    async def stop(self) -> None: ...


class Refused(Exception):
    """The chat service refused our credentials: start-up stops with this one line (exit 2).
    Its text names the variable, never the secret."""


# --- button data: 'v1:' + the core's action --------------------------------------------------
VERSION = "v1:"
MAX_DATA_BYTES = 64  # Telegram's callback data; the core keeps actions within it (60 + 'v1:')


def encode(action: str) -> str:
    data = VERSION + action
    if len(data.encode()) > MAX_DATA_BYTES or not valid_action(action):
        raise ValueError(f"button data too long or malformed: {data!r}")
    return data


def decode(data: str | None) -> str:
    """The action inside; '' (which the core answers as an expired button) for anything
    forged, outdated or malformed."""
    if not data or not data.startswith(VERSION) or len(data.encode()) > MAX_DATA_BYTES:
        return ""
    action = data[len(VERSION):]
    return action if valid_action(action) else ""


# --- text --------------------------------------------------------------------------------------

def choices_text(lang: str, buttons: list[list[Button]], by_number: bool = True) -> str:
    """Buttons as text for a channel without them: '回复 1 保存 / 2 修改 / 3 取消', or the
    labels alone when they are numbers already, or must be typed ('可回复：1 / 2 / 没有')."""
    labels = [b.label for row in buttons for b in row]
    if not labels:
        return ""
    if by_number and numbered(labels):
        return t(lang, "choices-numbered", choices=" / ".join(f"{n} {label}" for n, label in enumerate(labels, 1)))
    return t(lang, "choices-words", choices=" / ".join(labels))


def as_text(reply: Reply) -> str:
    """The whole reply as plain text: its text, then its choices."""
    choices = choices_text(reply.lang, reply.buttons, reply.numbered)
    return f"{reply.text}\n{choices}" if choices and reply.text else (reply.text or choices)


def split(text: str, limit: int, size: Callable[[str], int] = len) -> list[str]:
    """The text in parts of at most `limit` (measured by `size`: characters, or bytes where a
    service counts those), cut at line ends; a line longer than that is cut where it must."""
    parts, current = [], ""
    for line in text.split("\n"):
        while size(line) > limit:
            head = _fit(line, limit, size)
            parts += [current] if current else []
            parts.append(head)
            current, line = "", line[len(head):]
        if current and size(current) + size(line) + 1 > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return parts + [current] if current else parts


def _fit(line: str, limit: int, size: Callable[[str], int]) -> str:
    """The longest start of `line` within `limit`."""
    low, high = 1, len(line)
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if size(line[:mid]) <= limit else (low, mid - 1)
    return line[:low]


def utf8_size(text: str) -> int:
    return len(text.encode())


# --- order ---------------------------------------------------------------------------------------

class Lanes:
    """One lane per key (a chat): what comes in for one chat is handled in order, different
    chats side by side. A lane lives only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._lanes: dict[Hashable, tuple[asyncio.Lock, list[int]]] = {}  # key -> (lock, [users])

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._lanes.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._lanes[key]  # nobody running or waiting: the table stays small

    def __len__(self) -> int:
        return len(self._lanes)
