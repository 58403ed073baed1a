"""Build real Telegram updates and drive the real Telegram channel (channels/telegram) with them.

Only the adapter's own tests use this; conversations are tested on the text channel
(tests/helpers.py)."""
from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

from telegram import Update
from telegram.ext import Application

from bot.app import open_services
from bot.clock import FakeClock
from bot.config import Settings
from channels.telegram import NAME, build_application, caps
from channels.telegram.sender import TelegramSender
from handlers import build_core

from .botapi import BOT_USER, FakeBotAPI, RecordingRequest
from .helpers import Setup

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def user_json(uid: int, name: str = "") -> dict:
    return {"id": uid, "is_bot": False, "first_name": name or f"用户{uid}", "language_code": "zh-hans"}


def message_json(uid: int, text: str | None = None, chat_id: int | None = None,
                 chat_type: str = "private", **extra) -> dict:
    chat_id = uid if chat_id is None else chat_id
    msg = {"message_id": next(_message_ids), "date": 1_790_000_000,
           "chat": {"id": chat_id, "type": chat_type, **({"title": "平安办工作群"} if chat_type != "private" else {})},
           "from": user_json(uid), **extra}
    if text is not None:
        msg["text"] = text
        if text.startswith("/"):
            cmd = text.split()[0]
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(cmd)}]
    return msg


def sticker_json(uid: int) -> dict:
    """A sticker message: input no step ever asks for."""
    return update_json(message=message_json(uid, None, sticker={
        "file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False,
        "is_video": False, "type": "regular"}))


def update_json(**payload) -> dict:
    return {"update_id": next(_update_ids), **payload}


class Harness(Setup):
    """One bot: real Application, recording request, temp SQLite file, fake clock. Storage and
    the core are opened here, as bot/runner.py does; updates are fed in, not polled."""

    def __init__(self, tmp_path: Path, now: datetime, **overrides) -> None:
        self.api = FakeBotAPI()
        self.clock = FakeClock(now)
        self.settings = Settings(_env_file=None, database_path=tmp_path / "bot.sqlite3",
                                 telegram_bot_token="123:TEST", **overrides)
        self.app: Application = build_application(self.settings, RecordingRequest(self.api))

    async def __aenter__(self) -> "Harness":
        self.svc = await open_services(self.settings, self.clock)
        self.core = build_core(self.svc)
        self.app.bot_data["core"] = self.core
        await self.app.initialize()
        self.core.add_channel(NAME, caps(self.app))
        return self

    async def __aexit__(self, *exc) -> None:
        await self.app.shutdown()
        await self.svc.storage.close()

    @property
    def storage(self):
        return self.svc.storage

    def senders(self) -> dict:
        return {NAME: TelegramSender(self.app.bot)}

    async def feed(self, update: dict) -> dict:
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return update

    async def send(self, uid: int, text: str, **kw) -> dict:
        return await self.feed(update_json(message=message_json(uid, text, **kw)))

    async def press(self, uid: int, data: str | None, chat_id: int | None = None,
                    message: bool = True) -> dict:
        """A tap on a button carrying `data` (None: no data) on a message of the bot's, or
        (message=False) on one Telegram no longer tells us about."""
        query = {"id": str(next(_update_ids)), "from": user_json(uid), "chat_instance": "ci"}
        if data is not None:
            query["data"] = data
        if message:
            query["message"] = {"message_id": next(_message_ids), "date": 1_790_000_000,
                                "chat": {"id": chat_id or uid, "type": "private"}, "from": BOT_USER,
                                "text": "…"}
        else:
            query["inline_message_id"] = "im"
        return await self.feed(update_json(callback_query=query))

    async def press_label(self, uid: int, label: str) -> dict:
        """Press the button whose text contains `label` on the last keyboard sent to uid."""
        for row in self.api.last_markup(uid):
            for b in row:
                if label in b["text"]:
                    return await self.press(uid, b["callback_data"])
        raise AssertionError(f"no button {label!r} in {self.api.last_markup(uid)}; texts: {self.api.texts(uid)[-3:]}")

    def last_text(self, uid: int) -> str:
        texts = self.api.texts(uid)
        assert texts, f"nothing sent to {uid}"
        return texts[-1]

    async def user(self, uid: int):
        return await self.storage.users.by_account("telegram", str(uid))

    def answers(self) -> list[dict]:
        return [c.params for c in self.api.calls if c.method == "answerCallbackQuery"]
