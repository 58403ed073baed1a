"""Drive the conversation core through the text-only collecting channel.

People are numbered (101, 201, …) and write from their own private chat unless a group
chat is given. A text-only channel has no buttons: `tap` finds the choice on the last
message and types its number (or its word, for number pads), as a person would."""
from __future__ import annotations

import itertools
import re
from datetime import datetime
from pathlib import Path

from bot.app import open_services
from bot.clock import FakeClock
from bot.config import Settings
from channels.text import NAME, TextChannel
from handlers import build_core
from handlers.core import Document, Event, Photo, Reply

FIXTURES = Path(__file__).parent / "fixtures"
_refs = itertools.count(1)


class Setup:
    """What every harness does to set a township up: the org tree, people joining by invite."""

    async def import_orgs(self, path: Path = FIXTURES / "orgs.csv") -> None:
        from bot.orgs_import import load
        await self.storage.orgs.upsert_many(load(path, await self.storage.orgs.parent_codes()))

    async def join(self, uid: int, org_code: str, role: str) -> None:
        org = await self.storage.orgs.by_code(org_code)
        inv = await self.storage.users.create_invite(org.id, role, 1, 7, self.clock.now())
        await self.send(uid, f"/start {inv.code}")


class Harness(Setup):
    """One bot: the core on a text channel, a temp SQLite file, a fake clock."""

    def __init__(self, tmp_path: Path, now: datetime, **overrides) -> None:
        self.clock = FakeClock(now)
        overrides.setdefault("database_path", tmp_path / "bot.sqlite3")
        self.settings = Settings(_env_file=None, **overrides)

    async def __aenter__(self) -> "Harness":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    async def start(self) -> None:
        self.svc = await open_services(self.settings, self.clock)
        self.core = build_core(self.svc)
        said = getattr(self, "chan", None)
        self.chan = TextChannel(self.core)
        if said is not None:  # a restart keeps what was said before, as a phone would, and
            self.chan.said, self.chan._ids = said.said, said._ids  # event ids stay unique
        self.core.admins["text"] = {str(i) for i in self.settings.admin_telegram_ids}

    async def stop(self) -> None:
        await self.svc.storage.close()

    async def restart(self) -> None:
        """Stop and start again on the same database (what a crash or an upgrade does)."""
        await self.stop()
        await self.start()

    @property
    def storage(self):
        return self.svc.storage

    # --- what people do -----------------------------------------------------------------
    async def send(self, uid: int, text: str, chat: int | None = None, group: bool = False,
                   **kw) -> list[Reply]:
        kw.setdefault("message_ref", str(next(_refs)))
        return await self.chan.event(str(uid), chat=str(chat) if chat is not None else None, text=text,
                                     name=kw.pop("name", f"用户{uid}"), group=group, **kw)

    async def tap(self, uid: int, label: str) -> list[Reply]:
        """Choose `label` among the choices of the last message to uid, as a person would
        on a channel without buttons: by its number, or the word itself on a number pad."""
        last = self.last_text(uid)
        choices = last.rsplit("\n", 1)[-1]
        numbered = [re.match(r"(\d+) (.*)", c).groups() for c in choices.split(" ", 1)[-1].split(" / ")
                    if re.match(r"\d+ ", c)] if choices.startswith(("回复 ", "Reply ")) else []
        for number, text in numbered:
            if label in text:
                return await self.send(uid, number)
        words = choices.split("：", 1)[-1].split(": ", 1)[-1].split(" / ")
        if any(label == w.strip() for w in words):
            return await self.send(uid, label)
        raise AssertionError(f"no choice {label!r} in the last message to {uid}: {last!r}")

    async def act(self, uid: int, action: str, chat: int | None = None, group: bool = False) -> list[Reply]:
        """A tap carrying `action` as a channel with buttons would send it (forged ones too)."""
        return await self.chan.event(str(uid), chat=str(chat) if chat is not None else None, action=action,
                                     name=f"用户{uid}", group=group)

    async def photo(self, uid: int, data: bytes, caption: str | None = None, ref: str | None = None) -> list[Reply]:
        ref = ref or f"ph{next(_refs)}"
        return await self.chan.event(str(uid), photo=Photo(ref=ref, unique=ref + "-u", data=data), text=caption,
                                     name=f"用户{uid}")

    async def document(self, uid: int, name: str, data: bytes | None) -> list[Reply]:
        """The person sends a file (the office's warnings spreadsheet)."""
        return await self.chan.event(str(uid), document=Document(name, data), name=f"用户{uid}")

    async def location(self, uid: int, lat: float = 29.5, lon: float = 107.4) -> list[Reply]:
        return await self.chan.event(str(uid), location=(lat, lon), name=f"用户{uid}")

    async def edit(self, uid: int, message_ref: str, text: str) -> list[Reply]:
        """The person edits a message they sent earlier."""
        return await self.chan.event(str(uid), text=text, edited=True, message_ref=message_ref,
                                     name=f"用户{uid}")

    async def redeliver(self, event: Event) -> list[Reply]:
        return await self.core.handle(event)

    # --- what the bot said --------------------------------------------------------------
    def texts(self, uid: int | str) -> list[str]:
        return self.chan.texts(str(uid))

    def last_text(self, uid: int | str) -> str:
        texts = self.texts(uid)
        assert texts, f"nothing sent to {uid}"
        return texts[-1]

    def documents(self, uid: int | str) -> list[tuple[str, bytes]]:
        return [s.document for s in self.chan.said if s.chat == str(uid) and s.document]

    # --- the scheduler ------------------------------------------------------------------
    async def tick(self) -> dict:
        from schedules import run_due
        return await run_due(self.svc, {NAME: self.chan})

    # --- setting up ---------------------------------------------------------------------
    async def user(self, uid: int):
        return await self.storage.users.by_account(NAME, str(uid))

