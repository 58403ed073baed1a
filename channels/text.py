"""A text-only channel that collects what the bot says (tests, the CLI, trying flows out).

It has no buttons, no edits and no location control, so it shows every reply the way the
poorest channel would: numbered choices, new messages. Typing a choice's number or word
does what the button does (handlers/core.py)."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from handlers.core import Button, Caps, Core, Event, Photo, Reply

from . import as_text

NAME = "text"
CAPS = Caps(buttons=False, edits=False, location=False)


@dataclass
class Said:
    chat: str
    text: str
    document: tuple[str, bytes] | None = None
    photo: bytes | None = None
    proactive: bool = False


@dataclass
class TextChannel:
    core: Core
    said: list[Said] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)   # chats that "blocked the bot"
    failing: set[str] = field(default_factory=set)   # chats whose sends fail for now
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.core.add_channel(NAME, CAPS)

    async def event(self, sender: str, chat: str | None = None, **kw) -> list[Reply]:
        """Deliver one event from `sender` (its own private chat unless `chat` is given)."""
        kw.setdefault("event_id", str(next(self._ids)))
        ev = Event(channel=NAME, sender=sender, chat=chat or sender, **kw)

        async def now(reply: Reply) -> None:
            self.said.append(Said(ev.chat, as_text(reply), reply.document, reply.photo))

        replies = await self.core.handle(ev, now)
        for reply in replies:
            await now(reply)
        return replies

    async def write(self, sender: str, text: str, **kw) -> list[Reply]:
        return await self.event(sender, text=text, name=kw.pop("name", f"用户{sender}"), **kw)

    async def picture(self, sender: str, data: bytes, caption: str | None = None, ref: str = "p") -> list[Reply]:
        return await self.event(sender, photo=Photo(ref=ref, unique=ref + "-u", data=data), text=caption)

    async def send(self, chat_id: str, texts: list[str], buttons: list[list[Button]], lang: str = "zh") -> str:
        """The outbox's way in (the Sender protocol)."""
        if chat_id in self.blocked:
            return "blocked"
        if chat_id in self.failing:
            return "failed"
        for n, text in enumerate(texts):
            last = n == len(texts) - 1
            self.said.append(Said(chat_id, as_text(Reply(text=text, buttons=buttons if last else [],
                                                          numbered=False, lang=lang)), proactive=True))
        return "sent"

    def texts(self, chat: str | None = None) -> list[str]:
        return [s.text for s in self.said if chat is None or s.chat == chat]
