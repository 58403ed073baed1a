"""Conversation state kept per person, in our own tables (never in a chat library).

- the flow in progress (one at a time) and its draft, with when it was last touched;
- the buttons shown last, so that typing a button's word or number does what it does;
- a photo sent without a caption, waiting for the person's next one-line report;
- one-line cards (several may be open), each until used or expired.
Every write here runs inside the event's transaction (see handlers/core.py)."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from .db import Database
from .models import Account, User

_CONV = "user_id, flow, data, touched_at, menu, menu_at, photo, photo_at"


class Conversation(BaseModel):
    user_id: int
    flow: str | None = None
    data: dict[str, Any] = {}
    touched_at: datetime | None = None
    menu: list[list] = []               # [label, action, may be picked by number] shown last
    menu_at: datetime | None = None
    menu_by: str | None = None          # the feature that showed them
    photo: dict[str, Any] | None = None
    photo_at: datetime | None = None


class Card(BaseModel):
    token: str
    user_id: int
    data: dict[str, Any]
    source: str | None = None           # the message it was read from (an edit replaces it)
    created_at: datetime
    used_at: datetime | None = None     # saved or cancelled: kept a while, so an edit of its message knows


_CARD = "token, user_id, data, source, created_at, used_at"


def _card(row) -> Card | None:
    return Card(**(dict(row) | {"data": json.loads(row["data"])})) if row else None


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _conversation(user_id: int, values: tuple | None) -> Conversation:
    if values is None:
        return Conversation(user_id=user_id)
    d = dict(zip(_CONV.split(", "), values))
    for key, empty in (("data", {}), ("menu", {}), ("photo", None)):
        d[key] = json.loads(d[key]) if d[key] else empty
    d["menu"], d["menu_by"] = d["menu"].get("choices", []), d["menu"].get("by")
    return Conversation(**d)


class ConversationRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def load(self, user_id: int) -> Conversation:
        row = await self.db.fetchone(f"SELECT {_CONV} FROM conversations WHERE user_id = ?", (user_id,))
        return _conversation(user_id, tuple(row) if row else None)

    async def of_account(self, channel: str, external_id: str) -> tuple[User, Account, Conversation] | None:
        """Who wrote, on which account, and where their conversation stands: one query per event."""
        row = await self.db.fetchone(
            "SELECT u.id, u.name, u.org_id, u.role, u.lang, u.active, "
            "a.channel, a.external_id, a.user_id, a.chat_id, a.blocked_at, a.seen_at, "
            f"{', '.join('c.' + c for c in _CONV.split(', '))} "
            "FROM accounts a JOIN users u ON u.id = a.user_id LEFT JOIN conversations c ON c.user_id = u.id "
            "WHERE a.channel = ? AND a.external_id = ?", (channel, external_id))
        if row is None:
            return None
        v = tuple(row)
        user = User(**dict(zip(("id", "name", "org_id", "role", "lang", "active"), v[:6])))
        account = Account(**dict(zip(("channel", "external_id", "user_id", "chat_id", "blocked_at", "seen_at"),
                                     v[6:12])))
        return user, account, _conversation(user.id, v[12:] if v[12] is not None else None)

    async def save(self, c: Conversation) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO conversations (user_id, flow, data, touched_at, menu, menu_at, photo, photo_at) "
                "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (user_id) DO UPDATE SET flow = excluded.flow, "
                "data = excluded.data, touched_at = excluded.touched_at, menu = excluded.menu, "
                "menu_at = excluded.menu_at, photo = excluded.photo, photo_at = excluded.photo_at",
                (c.user_id, c.flow, _dump(c.data if c.flow else None), _stamp(c.touched_at),
                 _dump({"choices": c.menu, "by": c.menu_by} if c.menu else None), _stamp(c.menu_at), _dump(c.photo), _stamp(c.photo_at)))

    # --- one-line cards ---------------------------------------------------------------------

    async def add_card(self, card: Card) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("INSERT INTO cards (token, user_id, data, source, created_at) VALUES (?,?,?,?,?)",
                               (card.token, card.user_id, _dump(card.data), card.source, card.created_at.isoformat()))

    async def card(self, user_id: int, token: str) -> Card | None:
        """An open card of this person (someone else's token, or a used one, finds nothing)."""
        row = await self.db.fetchone(f"SELECT {_CARD} FROM cards WHERE token = ? AND user_id = ? "
                                     "AND used_at IS NULL", (token, user_id))
        return _card(row)

    async def newest_card(self, user_id: int) -> Card | None:
        row = await self.db.fetchone(f"SELECT {_CARD} FROM cards WHERE user_id = ? AND used_at IS NULL "
                                     "ORDER BY created_at DESC, rowid DESC LIMIT 1", (user_id,))
        return _card(row)

    async def card_from(self, user_id: int, source: str) -> Card | None:
        """The card read from this message, open or used."""
        row = await self.db.fetchone(f"SELECT {_CARD} FROM cards WHERE user_id = ? AND source = ? "
                                     "ORDER BY created_at DESC, rowid DESC LIMIT 1", (user_id, source))
        return _card(row)

    async def update_card(self, card: Card) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE cards SET data = ? WHERE token = ?", (_dump(card.data), card.token))

    async def use_card(self, token: str, now: datetime) -> bool:
        """Mark the card used (saved or cancelled); False if it was used already."""
        async with self.db.transaction() as conn:
            cur = await conn.execute("UPDATE cards SET used_at = ? WHERE token = ? AND used_at IS NULL",
                                     (now.isoformat(), token))
            return cur.rowcount > 0

    async def drop_old_cards(self, open_before: datetime, used_before: datetime) -> int:
        """Forget open cards past their life, and used ones once their message can no longer
        be edited (an edit must still find that it was saved)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM cards WHERE (used_at IS NULL AND created_at < ?) OR used_at < ?",
                (open_before.isoformat(), used_before.isoformat()))
            return cur.rowcount
