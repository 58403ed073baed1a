"""People, their roles and places in the tree, invites and office chats."""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone

from .db import IN_IDS, Database
from .models import Account, Invite, OfficeChat, Role, User

_COLS = "id, name, org_id, role, lang, active"
_U = "u.id, u.name, u.org_id, u.role, u.lang, u.active"
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

    # --- people and their accounts on each channel --------------------------------------

    async def by_account(self, channel: str, external_id: str) -> User | None:
        row = await self.db.fetchone(
            f"SELECT {_U} FROM accounts a JOIN users u ON u.id = a.user_id "
            "WHERE a.channel = ? AND a.external_id = ?", (channel, external_id))
        return User(**dict(row)) if row else None

    async def get(self, user_id: int) -> User | None:
        row = await self.db.fetchone(f"SELECT {_COLS} FROM users WHERE id = ?", (user_id,))
        return User(**dict(row)) if row else None

    async def accounts(self, user_id: int) -> list[Account]:
        """The person's accounts, the one they used last first (proactive messages go there)."""
        rows = await self.db.fetchall(
            "SELECT channel, external_id, user_id, chat_id, blocked_at, seen_at FROM accounts "
            "WHERE user_id = ? ORDER BY seen_at DESC", (user_id,))
        return [Account(**dict(r)) for r in rows]

    async def seen(self, channel: str, external_id: str, chat_id: str, now: datetime) -> None:
        """The person wrote to us in private: they can be reached there (and are not blocking us)."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE accounts SET chat_id = ?, seen_at = ?, blocked_at = NULL "
                               "WHERE channel = ? AND external_id = ?",
                               (chat_id, now.isoformat(), channel, external_id))

    async def in_orgs(self, org_ids: list[int], role: Role | None = None) -> list[User]:
        """Active people whose org is one of org_ids (optionally of one role)."""
        sql = f"SELECT {_COLS} FROM users WHERE active = 1 AND org_id {IN_IDS}"
        params: list = [json.dumps(org_ids)]
        if role:
            sql += " AND role = ?"
            params.append(role)
        rows = await self.db.fetchall(sql + " ORDER BY id", params)
        return [User(**dict(r)) for r in rows]

    async def ensure_admin(self, channel: str, external_id: str, chat_id: str, name: str,
                           root_org_id: int, now: datetime) -> User:
        """Give a configured admin account the office role at the root (once)."""
        async with self.db.transaction() as conn:
            user = await self.by_account(channel, external_id)
            stamp = now.isoformat()
            if user is None:
                cur = await conn.execute(
                    "INSERT INTO users (name, org_id, role, created_at, updated_at) VALUES (?, ?, 'office', ?, ?)",
                    (name, root_org_id, stamp, stamp))
                await self._add_account(conn, channel, external_id, cur.lastrowid, chat_id, now)
                user_id = cur.lastrowid
            else:
                await conn.execute("UPDATE users SET role = 'office', org_id = ?, active = 1, updated_at = ? "
                                   "WHERE id = ?", (root_org_id, stamp, user.id))
                user_id = user.id
        found = await self.get(user_id)
        assert found is not None
        return found

    @staticmethod
    async def _add_account(conn, channel: str, external_id: str, user_id: int, chat_id: str, now: datetime) -> None:
        await conn.execute(
            "INSERT INTO accounts (channel, external_id, user_id, chat_id, seen_at) VALUES (?,?,?,?,?) "
            "ON CONFLICT (channel, external_id) DO UPDATE SET user_id = excluded.user_id, "
            "chat_id = excluded.chat_id, seen_at = excluded.seen_at, blocked_at = NULL",
            (channel, external_id, user_id, chat_id, now.isoformat()))

    async def set_lang(self, user_id: int, lang: str, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE users SET lang = ?, updated_at = ? WHERE id = ?",
                               (lang, now.isoformat(), user_id))

    async def set_active(self, user_id: int, active: bool, now: datetime) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute("UPDATE users SET active = ?, updated_at = ? WHERE id = ?",
                                     (int(active), now.isoformat(), user_id))
            return cur.rowcount > 0

    async def mark_blocked(self, channel: str, chat_id: str, now: datetime | None) -> None:
        """Remember that this account blocked the bot (None: it is reachable again)."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE accounts SET blocked_at = ? WHERE channel = ? AND chat_id = ?",
                               (now.isoformat() if now else None, channel, chat_id))

    # --- invites -------------------------------------------------------------------------

    async def create_invite(self, org_id: int, role: Role, uses: int, days: int, now: datetime,
                            created_by: int | None = None) -> Invite:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        expires = now + timedelta(days=days)
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO invites (code, org_id, role, uses_left, expires_at, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (code, org_id, role, uses, expires.isoformat(), created_by, now.isoformat()))
        return Invite(code=code, org_id=org_id, role=role, uses_left=uses, expires_at=expires)

    async def invite(self, code: str) -> Invite | None:
        """The invite with this code (any case, spaces around), whether still usable or not."""
        row = await self.db.fetchone("SELECT code, org_id, role, uses_left, expires_at FROM invites WHERE code = ?",
                                     (code.strip().upper(),))
        return Invite(**dict(row)) if row else None

    async def join(self, code: str, channel: str, external_id: str, chat_id: str, name: str, now: datetime,
                   lang: str = "zh") -> User:
        """Redeem an invite: register or move the person, keep their history, count the use."""
        code = code.strip().upper()
        async with self.db.transaction() as conn:
            invite = await self.invite(code)
            if invite is None:
                raise InviteError("unknown")
            if invite.expires_at <= now:
                raise InviteError("expired")
            if invite.uses_left <= 0:
                raise InviteError("used_up")
            existing = await self.by_account(channel, external_id)
            if existing is not None and not existing.active:
                raise InviteError("deactivated")  # only the office may turn a person back on
            stamp = now.isoformat()
            if existing is None:
                cur = await conn.execute(
                    "INSERT INTO users (name, org_id, role, lang, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (name, invite.org_id, invite.role, lang, stamp, stamp))
                user_id = cur.lastrowid
                await self._add_account(conn, channel, external_id, user_id, chat_id, now)
            else:
                user_id = existing.id
                await conn.execute("UPDATE users SET name = ?, org_id = ?, role = ?, active = 1, updated_at = ? "
                                   "WHERE id = ?", (name, invite.org_id, invite.role, stamp, user_id))
            await conn.execute(
                "INSERT INTO memberships (user_id, org_id, role, since, invite_code) VALUES (?,?,?,?,?)",
                (user_id, invite.org_id, invite.role, stamp, code))
            await conn.execute("UPDATE invites SET uses_left = uses_left - 1 WHERE code = ?", (code,))
        user = await self.get(user_id)
        assert user is not None
        return user

    # --- wrong invite codes ------------------------------------------------------------
    # `who` is a short hash of the account (handlers/start.py), never its id; times are UTC
    # with microseconds, so that their text sorts as they do.

    async def wrong_invite(self, channel: str, who: str, now: datetime, forget_before: datetime) -> None:
        """Count a wrong code from this account; tries older than `forget_before` no longer matter."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM invite_tries WHERE at < ?", (_utc(forget_before),))
            await conn.execute("INSERT INTO invite_tries (channel, who, at) VALUES (?, ?, ?)",
                               (channel, who, _utc(now)))

    async def wrong_invites(self, channel: str, who: str, most: int) -> list[datetime]:
        """When this account's last `most` wrong codes came, newest first."""
        rows = await self.db.fetchall("SELECT at FROM invite_tries WHERE channel = ? AND who = ? "
                                      "ORDER BY at DESC LIMIT ?", (channel, who, most))
        return [datetime.fromisoformat(r[0]) for r in rows]

    # --- office chats --------------------------------------------------------------------

    async def bind_office_chat(self, org_id: int, channel: str, chat_id: str, user_id: int, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO office_chats (org_id, channel, chat_id, bound_by, bound_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(org_id, channel) DO UPDATE SET chat_id=excluded.chat_id, "
                "bound_by=excluded.bound_by, bound_at=excluded.bound_at",
                (org_id, channel, chat_id, user_id, now.isoformat()))

    async def office_chats(self, org_id: int | None = None) -> list[OfficeChat]:
        """Every office chat (or those of one org), as (org, channel, chat)."""
        sql, params = "SELECT org_id, channel, chat_id, bound_at FROM office_chats", ()
        if org_id is not None:
            sql, params = sql + " WHERE org_id = ?", (org_id,)
        rows = await self.db.fetchall(sql + " ORDER BY org_id, channel", params)
        return [OfficeChat(**dict(r)) for r in rows]

    async def active_by_role(self, role: Role) -> list[User]:
        rows = await self.db.fetchall(f"SELECT {_COLS} FROM users WHERE active = 1 AND role = ? ORDER BY id", (role,))
        return [User(**dict(r)) for r in rows]


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
