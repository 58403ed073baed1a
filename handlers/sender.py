"""Deliver scheduler messages over Telegram: rate-limited, RetryAfter waited out, Forbidden recorded."""
from __future__ import annotations

import asyncio
import logging
import warnings

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from storage import Storage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class TelegramSender:
    """The channel half of the scheduler: schedules/ only knows `send` and `send_document`."""

    def __init__(self, bot: Bot, storage: Storage, clock) -> None:
        self.bot, self.storage, self.clock = bot, storage, clock

    async def send(self, chat_id: int, text: str, buttons: list[tuple[str, str]] | None = None) -> str:
        """'sent', 'blocked' (the person blocked the bot: recorded, skipped) or 'failed' (retry later)."""
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]
                                       for label, data in buttons]) if buttons else None
        return await self._deliver(chat_id, lambda: self.bot.send_message(chat_id, text, reply_markup=markup))

    async def send_document(self, chat_id: int, data: bytes, filename: str, caption: str = "") -> str:
        return await self._deliver(chat_id, lambda: self.bot.send_document(chat_id, data, filename=filename,
                                                                           caption=caption))

    async def send_photo(self, chat_id: int, data: bytes, caption: str = "") -> str:
        return await self._deliver(chat_id, lambda: self.bot.send_photo(chat_id, data, caption=caption))

    async def _deliver(self, chat_id: int, call) -> str:
        for _ in range(MAX_ATTEMPTS):
            try:
                await call()
                return "sent"
            except RetryAfter as err:  # the rate limiter retried already; wait it out and go on
                with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
                    warnings.simplefilter("ignore")
                    delay = err.retry_after
                delay = delay.total_seconds() if hasattr(delay, "total_seconds") else delay
                log.warning("RetryAfter %ss for chat %s", delay, chat_id)
                await asyncio.sleep(float(delay))
            except Forbidden:
                log.info("chat %s has blocked the bot; skipped", chat_id)
                await self.storage.users.mark_blocked(chat_id, self.clock.now())
                return "blocked"
            except BadRequest:
                log.error("chat %s rejected a message", chat_id, exc_info=True)
                return "blocked"
            except TelegramError:
                log.warning("sending to chat %s failed; will retry next round", chat_id, exc_info=True)
                return "failed"
        return "failed"
