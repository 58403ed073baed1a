"""Updates of different chats are handled side by side; one chat's stay in order.

PTB handles one update at a time by default, so a person waits behind everyone else's
network round trips. Its own concurrent mode loses each chat's order (a typed answer could
overtake the tap before it). This keeps one lane per chat (channels.Lanes)."""
from __future__ import annotations

from typing import Any, Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from .. import Lanes

MAX_CONCURRENT = 64


class PerChatUpdates(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(max_concurrent_updates)
        self.lanes = Lanes()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self.lanes.hold(_chat_of(update)):
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _chat_of(update: object) -> object:
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return None  # anything else shares one lane
