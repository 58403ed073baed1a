"""Chat channels: thin adapters between a chat service and the conversation core.

Each adapter turns what its service delivers into `handlers.core.Event`s, renders the
core's `Reply`s with what the service can show, and sends the outbox's messages
(`Sender`). Only code under channels/<name>/ imports that service's library. What every
adapter needs alike lives here: the Channel the runner starts (bot/runner.py), button data,
choices as text, cutting long texts, one lane per chat, the inbox every event goes through
(Inbound), and how a service that cannot be reached is retried and said (Reach, backoff)."""
from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections import defaultdict
from contextlib import asynccontextmanager, nullcontext
from datetime import datetime
from typing import AsyncIterator, Awaitable, Callable, Hashable, Iterator, Protocol

from bot.i18n import t
from handlers.core import Button, Caps, Core, Event, Reply, numbered, replies_of, valid_action

log = logging.getLogger(__name__)


class Sender(Protocol):
    """What the outbox needs of a channel: 'sent', 'blocked' (recorded, never retried),
    'unreachable' (refused, not retried), 'failed' (tried again later, a few times) or
    'later' (the channel cannot take it now, e.g. not connected: kept queued, not counted)."""

    async def send(self, chat_id: str, texts: list[str], buttons: list[list[Button]], lang: str = "zh") -> str: ...
    # lang: the recipient's, for what the channel adds itself (a card's title, "可回复：").
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


# --- inbound: recorded first, handled once ---------------------------------------------------------

class Answer(Protocol):
    """Where the replies to one event go, as its channel can show them."""

    async def now(self, reply: Reply) -> None: ...              # at once (Turn.tell)
    async def render(self, replies: list[Reply]) -> None: ...


class Inbound:
    """The way in for every event a channel takes, so that none is lost or handled twice:

        arrival ──record──> inbox row (storage/inbox.py), and only then may the channel
                            confirm it (Telegram: the next getUpdates offset)
                ──its chat's lane, in arrival order──> core.handle (one transaction that
                            also marks the row handled and keeps the replies)
                ──> the answer ──> the row marked answered
        start-up ──resume──> what the last run left (a crash): events never handled are
                            handled, replies never sent are sent, in order per chat, before
                            anything new (which is recorded meanwhile and waits)

    A redelivered event is recorded already: `record` leaves it out, so it is handled once.
    A crash between sending the replies and marking them sent sends them again: a reply
    may come twice, never not at all."""

    def __init__(self, channel: str, core: Callable[[], Core], most: int | None = None) -> None:
        self.channel, self._core = channel, core
        self.lanes = Lanes()
        self._most = asyncio.Semaphore(most) if most else None  # events handled at once, all chats
        self.tasks: set[asyncio.Task] = set()
        self._arrived: set[str] = set()  # recorded while resuming: new, not the last run's
        self._open = asyncio.Event()  # closed while resuming: new events wait
        self._open.set()

    @property
    def core(self) -> Core:
        return self._core()

    async def record(self, events: list[Event], received_at: datetime | None = None) -> list[Event]:
        """Write the events into the inbox (one transaction) and return those not seen before.
        A database that cannot take them now (locked, disk full) is tried again until it
        does: the channel must not be told we have what we have not written."""
        if not events:
            return []
        svc = self.core.svc
        rows = [(e.event_id, e.to_json()) for e in events]
        when = received_at or svc.clock.now()
        delays = backoff(0.5, 10.0)
        while True:
            try:
                new = await svc.storage.inbox.record(self.channel, rows, when)
                break
            except (sqlite3.Error, OSError) as err:
                delay = next(delays)
                log.warning("%s: %d events not recorded yet (%s); trying again in %.1f s",
                            self.channel, len(rows), err, delay)
                await asyncio.sleep(delay)
        if len(new) < len(events):
            log.info("%s: %d events delivered again; skipped", self.channel, len(events) - len(new))
        if not self._open.is_set():
            self._arrived.update(new)
        return [e for e in events if e.event_id in new]

    async def handle(self, event: Event, answer: Answer) -> None:
        """Handle a recorded event in its chat's lane. Calls for one chat are handled in the
        order they were made: nothing is awaited before the lane is taken (the gate is open
        once resumed, and it opens for its waiters in their order)."""
        await self._open.wait()
        async with self.lanes.hold(event.chat):
            await self._answer(event, answer)

    def spawn(self, event: Event, answer: Answer) -> None:
        """Handle a recorded event in a task of its own (kept until done, for `drain`)."""
        task = asyncio.create_task(self.handle(event, answer))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def take(self, chat: Hashable, arrived: Awaitable[list[Event]],
                   answer: Callable[[Event], Answer]) -> None:
        """Handle, in `chat`'s lane, the events that `arrived` records (a task started on
        arrival, so that recording does not wait for the lane). Call it at once on arrival."""
        await self._open.wait()
        async with self.lanes.hold(chat):
            try:
                events = await arrived
            except Exception:
                log.exception("%s: an event could not be read or recorded", self.channel)
                return
            for event in events:
                await self._answer(event, answer(event))

    def resume(self, answer: Callable[[Event], Answer]) -> asyncio.Task:
        """Start handling what the last run left in the inbox; new events wait until it is done."""
        self._open.clear()  # now, not in the task: an event arriving next must already wait
        task = asyncio.create_task(self._resume(answer))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _resume(self, answer: Callable[[Event], Answer]) -> int:
        inbox = self.core.svc.storage.inbox
        try:
            chats: dict[str, list[tuple[Event, list[Reply] | None]]] = defaultdict(list)
            for event_id, payload, replies, handled in await inbox.unfinished(self.channel):
                if event_id in self._arrived:  # its own task handles it, once the resume is done
                    continue
                try:
                    event = Event.from_json(payload)
                    said = (replies_of(replies) if replies else []) if handled else None
                except (ValueError, TypeError, KeyError):
                    log.error("%s event %s in the inbox cannot be read; dropped", self.channel, event_id)
                    await inbox.claim(self.channel, event_id, self.core.svc.clock.now())
                    await inbox.answered(self.channel, event_id)
                    continue
                chats[event.chat].append((event, said))
            count = sum(map(len, chats.values()))
            if count:
                log.info("%s: %d events left from the last run: handling or answering them first",
                         self.channel, count)
            await asyncio.gather(*(self._in_order(events, answer) for events in chats.values()))
            return count
        except Exception:
            log.exception("%s: resuming the inbox failed; what is left waits for the next start", self.channel)
            return 0
        finally:
            self._arrived.clear()
            self._open.set()

    async def _in_order(self, events: list[tuple[Event, list[Reply] | None]],
                        answer: Callable[[Event], Answer]) -> None:
        for event, said in events:
            await self._answer(event, answer(event), said)

    async def _answer(self, event: Event, answer: Answer, said: list[Reply] | None = None) -> None:
        """Handle the event (unless `said`: its replies, kept from a run that handled it and
        died before they went out), send the replies, and mark the event answered."""
        try:
            async with self._most or nullcontext():
                replies = await self.core.handle(event, answer.now) if said is None else said
            await answer.render(replies)
            await self.core.svc.storage.inbox.answered(self.channel, event.event_id)
        except Exception:  # rendering, the network, the database: the core itself never raises
            log.exception("%s: error while answering an event", self.channel)

    async def drain(self, timeout: float) -> None:
        """Let the events being handled finish, for a while; those cut short stay in the
        inbox (their transaction never committed) and are handled at the next start."""
        if not self.tasks:
            return
        _, left = await asyncio.wait(set(self.tasks), timeout=timeout)
        if left:
            log.warning("%s: %d events still being handled at stop; left for the next start", self.channel, len(left))
            for task in left:
                task.cancel()
            await asyncio.gather(*left, return_exceptions=True)


# --- reaching the service -------------------------------------------------------------------------

def backoff(first: float = 1.0, most: float = 60.0) -> Iterator[float]:
    """Seconds to wait before each next try: first, then doubling, up to most."""
    delay = first
    while True:
        yield delay
        delay = min(delay * 2, most)


def reason(err: BaseException) -> str:
    """Why a connection failed, in a few words: the innermost system error ('Connection
    refused', 'Name or service not known'), 'timed out', or the error's own text."""
    seen, cause, found = set(), err, None
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, TimeoutError) or type(cause).__name__ in ("TimedOut", "ConnectTimeout", "ReadTimeout"):
            found = found or "timed out"
        elif isinstance(cause, OSError) and (cause.errno or cause.strerror):
            # 'Connection refused' rather than asyncio's 'Connect call failed (address)'
            found = os.strerror(cause.errno) if (cause.errno or 0) > 0 else cause.strerror
        cause = cause.__cause__ or cause.__context__
    return found or str(err) or type(err).__name__


class Reach:
    """Whether a chat service can be reached, said once. The first failure of an outage is
    one warning line (the address, and why; never a secret), the hint (what to change)
    follows once per run, later failures are debug lines, and coming back is one line.
    The channel itself keeps trying (with `backoff`) while everything else runs."""

    def __init__(self, service: str, address: str, hint: str) -> None:
        self.service, self.address, self.hint = service, address, hint
        self.down = False
        self.hinted = False

    def failed(self, err: BaseException | str, retry: float | None = None) -> None:
        why = err if isinstance(err, str) else reason(err)
        later = f"; trying again in {retry:.0f} s" if retry is not None else "; trying again in the background"
        if self.down:
            log.debug("%s: %s still unreachable (%s)%s", self.service, self.address, why, later)
            return
        self.down = True
        log.warning("%s: cannot reach %s (%s)%s", self.service, self.address, why, later)
        if not self.hinted:
            self.hinted = True
            log.warning("%s", self.hint)

    def reached(self) -> None:
        if self.down:
            self.down = False
            log.info("%s: %s reachable again", self.service, self.address)
