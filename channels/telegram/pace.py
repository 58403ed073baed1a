"""Telegram's flood limits, answers first.

Telegram lets a bot send about 30 messages a second in all (we keep to
Settings.rate_limit_per_second) and 20 a minute into one group. Within that one budget a
person who just wrote is answered before any bulk message (the outbox: reminders,
escalations, summaries) goes out:

    answer ──> [answers waiting] ──first, up to the whole burst──┐
                                                                 v
                                          budget: a leaky bucket, `rate` a second
                                                                 ^
    bulk send ──> [bulk waiting] ──only when no answer waits, and into a bucket at most
                                   a fifth full

Bulk takes what answers leave: it never fills more than BULK_SHARE of the bucket, so four
fifths of the burst are always free for answers, and a reminder round of thousands never
stands between a person and their answer (bench/answer_latency.py: p95 the same with and
without a round). While nobody writes, bulk still goes at the full rate (the bucket leaks
`rate` a second either way). A 429 (RetryAfter) halts every request for as long as Telegram
asks, as PTB's AIORateLimiter does. The outbox's sender marks its sends with
`rate_limit_args=BULK`.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import Any, Callable, Coroutine

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
BULK = "bulk"           # rate_limit_args of a send nobody is waiting for
# How full bulk may leave the bucket. One send at a time left answers as fast, but bulk made
# only 57 % of 200/s (each send waited for a timer); a fifth: 97 % of 25/s, 80-85 % of 200/s
# (bench/reminder_fanout.py; half: 88 %; the whole bucket, as before answers went first: 92 %).
BULK_SHARE = 1 / 5
GROUP_RATE = (20, 60)   # messages into one group, per seconds (Telegram's limit)
MAX_RETRIES = 3         # 429s waited out before the request fails


class Budget:
    """A leaky bucket of `rate` requests a second (a burst of `rate`) with two queues: every
    waiting answer is let through before any bulk request, and bulk only while the bucket is
    at most BULK_SHARE full. Strict: bulk waits as long as answers do."""

    def __init__(self, rate: float, clock: Callable[[], float] | None = None) -> None:
        self.rate, self.clock = rate, clock  # clock: the loop's, unless a test holds it still
        self.room = (max(1.0, rate), max(1.0, rate * BULK_SHARE))  # how full a grant may leave it
        self.level, self.at = 0.0, 0.0
        self.queues: tuple[deque, deque] = (deque(), deque())  # answers, bulk
        self.timer: asyncio.TimerHandle | None = None

    async def take(self, bulk: bool) -> None:
        """Wait for a slot: an answer's (bulk=False) before any bulk one."""
        future = asyncio.get_running_loop().create_future()
        self.queues[bulk].append(future)
        self._grant()
        await future  # cancelled while waiting: _grant skips it

    def _grant(self) -> None:
        loop = asyncio.get_running_loop()
        now = self.clock() if self.clock else loop.time()
        self.level = max(0.0, self.level - (now - self.at) * self.rate)
        self.at = now
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        for queue, room in zip(self.queues, self.room):
            while queue and (queue[0].done() or self.level + 1 <= room):
                future = queue.popleft()
                if not future.done():
                    future.set_result(None)
                    self.level += 1
            if queue:  # the first in it waits for the bucket to leak; bulk waits behind answers
                self.timer = loop.call_later((self.level + 1 - room) / self.rate, self._grant)
                return


class Pace(BaseRateLimiter[str]):
    """PTB's rate limiter for this bot: the overall Budget (answers first), 20 a minute per
    group, 429s waited out. Requests without a chat (getUpdates, getFile, answering a tap)
    are not counted, as in PTB's AIORateLimiter."""

    def __init__(self, rate: float, max_retries: int = MAX_RETRIES) -> None:
        self.budget = Budget(rate)
        self.groups: dict[int | str, AsyncLimiter] = {}
        self.max_retries = max_retries
        self.open = asyncio.Event()  # cleared while Telegram asks us to wait (429)
        self.open.set()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _group(self, chat: int | str) -> AsyncLimiter:
        if len(self.groups) > 512:  # forget the groups that could take a full burst again
            for key, limiter in list(self.groups.items()):
                if key != chat and limiter.has_capacity(limiter.max_rate):
                    del self.groups[key]
        return self.groups.setdefault(chat, AsyncLimiter(*GROUP_RATE))

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: str | None) -> Any:
        chat = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat = int(chat)
        group = chat if isinstance(chat, str) or (isinstance(chat, int) and chat < 0) else None
        for attempt in range(self.max_retries + 1):
            if group is not None:
                await self._group(group).acquire()
            if chat is not None:
                await self.budget.take(bulk=rate_limit_args == BULK)
            await self.open.wait()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as err:
                if attempt == self.max_retries:
                    raise
                delay = err._retry_after.total_seconds() + 0.1  # the timedelta, without PTB's warning
                log.info("Telegram asks to wait %.1f s (429); every request waits", delay)
                self.open.clear()
                try:
                    await asyncio.sleep(delay)
                finally:
                    self.open.set()
        raise AssertionError("unreachable")
