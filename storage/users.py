"""People, their roles and places in the tree, invites and office chats."""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from .db import IN_IDS, Database
from .models import Invite, Role, User

_COLS = "id, telegram_id, name, org_id, role, lang, active, blocked_at"
# No 0/O/1/I/L: codes are read aloud and typed by hand on cheap phones.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class InviteError(Exception):
    """Why an invite code cannot be used: 'unknown', 'expired', 'used_up' or 'deactivated'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UserRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        row = await self.db.fetchone(f"SELECT {_COLS} FROM users WHERE telegram_id = ?", (telegram_id,))
        return User(**dict(row)) if row else None

    async def get(self, user_id: int) -> User | None:
        row = await self.db.fetchone(f"SELECT {_COLS} FROM users WHERE id = ?", (user_id,))
        return User(**dict(row)) if row else None

    async def in_orgs(self, org_ids: list[int], role: Role | None = None) -> list[User]:
        """Active people whose org is one of org_ids (optionally of one role)."""
        sql = f"SELECT {_COLS} FROM users WHERE active = 1 AND org_id {IN_IDS}"
        params: list = [json.dumps(org_ids)]
        if role:
            sql += " AND role = ?"
            params.append(role)
        rows = await self.db.fetchall(sql + " ORDER BY id", params)
        return [User(**dict(r)) for r in rows]

    async def ensure_admin(self, telegram_id: int, name: str, root_org_id: int, now: datetime) -> User:
        """Give a configured admin id the office role at the root (once)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (telegram_id, name, org_id, role, created_at, updated_at) "
                "VALUES (?, ?, ?, 'office', ?, ?) ON CONFLICT(telegram_id) DO UPDATE SET "
                "role='office', org_id=excluded.org_id, active=1, updated_at=excluded.updated_at",
                (telegram_id, name, root_org_id, now.isoformat(), now.isoformat()))
        user = await self.by_telegram_id(telegram_id)
        assert user is not None
        return user

    async def set_lang(self, user_id: int, lang: str, now: datetime, update_id: int | None = None) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE users SET lang = ?, updated_at = ? WHERE id = ?",
                               (lang, now.isoformat(), user_id))
            await self.db.record_update(conn, update_id, now)

    async def set_active(self, telegram_id: int, active: bool, now: datetime, update_id: int | None = None) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute("UPDATE users SET active = ?, updated_at = ? WHERE telegram_id = ?",
                                     (int(active), now.isoformat(), telegram_id))
            await self.db.record_update(conn, update_id, now)
            return cur.rowcount > 0

    async def mark_blocked(self, telegram_id: int, now: datetime | None) -> None:
        """Remember that this person blocked the bot (None: they are reachable again)."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE users SET blocked_at = ? WHERE telegram_id = ?",
                               (now.isoformat() if now else None, telegram_id))

    # --- invites -------------------------------------------------------------------------

    async def create_invite(self, org_id: int, role: Role, uses: int, days: int, now: datetime,
                            created_by: int | None = None, update_id: int | None = None) -> Invite:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        expires = now + timedelta(days=days)
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO invites (code, org_id, role, uses_left, expires_at, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (code, org_id, role, uses, expires.isoformat(), created_by, now.isoformat()))
            await self.db.record_update(conn, update_id, now)
        return Invite(code=code, org_id=org_id, role=role, uses_left=uses, expires_at=expires)

    async def join(self, code: str, telegram_id: int, name: str, now: datetime,
                   update_id: int | None, lang: str = "zh") -> User:
        """Redeem an invite: register or move the person, keep their history, count the use."""
        code = code.strip().upper()
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT code, org_id, role, uses_left, expires_at FROM invites WHERE code = ?", (code,))
            row = await cur.fetchone()
            if row is None:
                raise InviteError("unknown")
            invite = Invite(**dict(row))
            if invite.expires_at <= now:
                raise InviteError("expired")
            if invite.uses_left <= 0:
                raise InviteError("used_up")
            cur = await conn.execute("SELECT active FROM users WHERE telegram_id = ?", (telegram_id,))
            existing = await cur.fetchone()
            if existing is not None and not existing[0]:
                raise InviteError("deactivated")  # only the office may turn a person back on
            stamp = now.isoformat()
            await conn.execute(
                "INSERT INTO users (telegram_id, name, org_id, role, lang, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(telegram_id) DO UPDATE SET name=excluded.name, "
                "org_id=excluded.org_id, role=excluded.role, active=1, updated_at=excluded.updated_at",
                (telegram_id, name, invite.org_id, invite.role, lang, stamp, stamp))
            cur = await conn.execute("SELECT id FROM users WHERE telegram_id = ?", (telegram_id,))
            (user_id,) = await cur.fetchone()
            await conn.execute(
                "INSERT INTO memberships (user_id, org_id, role, since, invite_code) VALUES (?,?,?,?,?)",
                (user_id, invite.org_id, invite.role, stamp, code))
            await conn.execute("UPDATE invites SET uses_left = uses_left - 1 WHERE code = ?", (code,))
            await self.db.record_update(conn, update_id, now)
        user = await self.get(user_id)
        assert user is not None
        return user

    # --- office chats --------------------------------------------------------------------

    async def bind_office_chat(self, org_id: int, chat_id: int, user_id: int, now: datetime,
                               update_id: int | None = None) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO office_chats (org_id, chat_id, bound_by, bound_at) VALUES (?,?,?,?) "
                "ON CONFLICT(org_id) DO UPDATE SET chat_id=excluded.chat_id, "
                "bound_by=excluded.bound_by, bound_at=excluded.bound_at",
                (org_id, chat_id, user_id, now.isoformat()))
            await self.db.record_update(conn, update_id, now)

    async def office_chat(self, org_id: int) -> int | None:
        row = await self.db.fetchone("SELECT chat_id FROM office_chats WHERE org_id = ?", (org_id,))
        return row[0] if row else None

    async def office_chats(self) -> dict[int, int]:
        rows = await self.db.fetchall("SELECT org_id, chat_id FROM office_chats")
        return {r[0]: r[1] for r in rows}

    async def active_by_role(self, role: Role) -> list[User]:
        rows = await self.db.fetchall(f"SELECT {_COLS} FROM users WHERE active = 1 AND role = ? ORDER BY id", (role,))
        return [User(**dict(r)) for r in rows]
