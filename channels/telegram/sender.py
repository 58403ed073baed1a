"""Deliver the outbox's messages over Telegram: RetryAfter waited out, Forbidden reported
as 'blocked' (schedules/outbox.py records it on the account, for every channel alike)."""
from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Callable

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from handlers.core import Button

from .pace import BULK
from .render import inline_markup

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class TelegramSender:
    """The channel half of the outbox: schedules/ only knows `send`. `ready` says whether the
    Bot API can be reached now: while it cannot, messages wait queued ('later'), uncounted."""

    def __init__(self, bot: Bot, ready: Callable[[], bool] = lambda: True) -> None:
        self.bot, self.ready = bot, ready
        # behind our rate limiter (channels/telegram/pace.py) every send gives way to answers
        self.pace = {"rate_limit_args": BULK} if isinstance(bot, ExtBot) else {}

    async def send(self, chat_id: str, texts: list[str], buttons: list[list[Button]], lang: str = "zh") -> str:
        """'sent', 'blocked' (the chat blocked the bot), 'unreachable' (refused), 'failed' (try
        again later) or 'later' (Telegram cannot be reached now)."""
        if not self.ready():
            return "later"
        outcome = "failed"
        for n, text in enumerate(texts):
            markup = inline_markup(buttons) if n == len(texts) - 1 else None
            result = await self._deliver(chat_id, lambda: self.bot.send_message(
                int(chat_id), text, reply_markup=markup, **self.pace))
            # Once a part is out the message counts as sent: a retry would repeat that part.
            outcome = result if n == 0 else ("blocked" if result == "blocked" else "sent")
            if result != "sent":
                break
        return outcome

    async def _deliver(self, chat_id: str, call) -> str:
        for _ in range(MAX_ATTEMPTS):
            try:
                await call()
                return "sent"
            except RetryAfter as err:  # the rate limiter retried already; wait it out and go on
                with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
                    warnings.simplefilter("ignore")
                    delay = err.retry_after
                delay = delay.total_seconds() if hasattr(delay, "total_seconds") else delay
                log.warning("RetryAfter %ss", delay)
                await asyncio.sleep(float(delay))
            except Forbidden:
                log.info("a chat has blocked the bot; skipped")
                return "blocked"
            except BadRequest:  # chat not found, or the message itself refused: not worth retrying,
                log.error("a chat rejected a message", exc_info=True)  # nor a block
                return "unreachable"
            except TelegramError:
                log.warning("sending failed; will retry later", exc_info=True)
                return "failed"
        return "failed"
