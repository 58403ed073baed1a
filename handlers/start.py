"""Joining with an invite, /me, /help, /lang, the per-person command menu, strangers.

A person joins by sending the invite code: '/start CODE' (a Telegram deep link does
this), or the bare code pasted on its own. Someone already registered who uses a code
of the same place and role is told they are in already."""
from __future__ import annotations

import logging
import re

from bot.i18n import LANGS
from bot.logbook import listing
from storage import InviteError
from storage.models import User

from .core import Turn

log = logging.getLogger(__name__)
CODE = re.compile(r"[A-HJ-KM-NP-Z2-9]{8}")  # storage.users._ALPHABET, eight letters

# (command, least role). /help and the channels' command menus both come from this one list.
COMMANDS: list[tuple[str, str]] = [
    ("log", "worker"), ("visit", "worker"), ("poster", "worker"), ("app", "worker"),
    ("leaflet", "worker"), ("lecture", "worker"), ("push", "worker"), ("broadcast", "worker"),
    ("mine", "worker"), ("stats", "worker"), ("deadlines", "worker"), ("report", "worker"),
    ("summary", "contact"), ("missing", "contact"),
    ("export", "office"), ("invite", "office"), ("users", "office"), ("bind_office", "office"),
    ("me", "worker"), ("lang", "worker"), ("cancel", "worker"), ("help", "worker"),
]


def commands_for(user: User) -> list[str]:
    return [name for name, role in COMMANDS if user.can(role)]  # type: ignore[arg-type]


def menu(turn: Turn, user: User) -> list[tuple[str, str]]:
    return [(c, turn.t(f"cmd-{c}")) for c in commands_for(user)]


async def org_path(turn: Turn, org_id: int) -> str:
    return " › ".join(o.name for o in await turn.storage.orgs.path(org_id))


async def start(turn: Turn) -> None:
    """Register with the invite code of /start <code>, or explain how to get one."""
    code = turn.args[0] if turn.args else ""
    if code:
        return await join(turn, code)
    if turn.user is None:
        turn.say(turn.t("start-no-code"))
        return
    await welcome_back(turn)


async def welcome_back(turn: Turn) -> None:
    user = turn.user
    turn.say(turn.t("welcome-back", name=user.name, path=await org_path(turn, user.org_id),
                    role=turn.t(f"role-{user.role}")))


async def join(turn: Turn, code: str) -> None:
    """Redeem the code; a registered person already in that place and role is told so."""
    storage, ev = turn.storage, turn.event
    if turn.user is not None and await _already_there(turn, code):
        return await welcome_back(turn)
    try:
        user = await storage.users.join(code, ev.channel, ev.sender, ev.chat, ev.name or ev.sender,
                                        turn.now, lang=turn.lang)
    except InviteError as err:
        turn.say(turn.t(f"invite-{err.reason}"))
        return
    log.info("user %s joined org %s as %s", user.id, user.org_id, user.role)
    turn.user = user
    org = await storage.orgs.get(user.org_id)
    turn.say(turn.t("welcome", name=user.name, org=org.name, role=turn.t(f"role-{user.role}"),
                    next=turn.t(f"next-{user.role}")), commands=menu(turn, user))


async def _already_there(turn: Turn, code: str) -> bool:
    row = await turn.storage.db.fetchone("SELECT org_id, role FROM invites WHERE code = ?",
                                         (code.strip().upper(),))
    return row is not None and (row[0], row[1]) == (turn.user.org_id, turn.user.role)


def looks_like_code(text: str | None) -> str | None:
    code = (text or "").strip().upper()
    return code if CODE.fullmatch(code) else None


async def stranger(turn: Turn) -> None:
    """Tell an unregistered (or deactivated) person how to join; a pasted code joins them."""
    code = looks_like_code(turn.event.text)
    if code and turn.event.action is None:
        return await join(turn, code)
    if turn.event.action is not None:
        turn.alert("stranger")
    else:
        turn.say(turn.t("stranger"))


async def me(turn: Turn) -> None:
    """Show name, role, place in the tree and, for offices, the bound summary group."""
    user = turn.user
    text = turn.t("me", name=user.name, role=turn.t(f"role-{user.role}"), path=await org_path(turn, user.org_id))
    if user.role == "office":
        chats = await turn.storage.users.office_chats(user.org_id)
        text += "\n" + (turn.t("me-office-chat", chat=listing(turn.lang, (c.chat_id for c in chats))) if chats
                        else turn.t("me-no-office-chat"))
    turn.say(text)


async def help_(turn: Turn) -> None:
    """List exactly the commands this person's role may use."""
    lines = [f"/{c} — {turn.t(f'cmd-{c}')}" for c in commands_for(turn.user)]
    turn.say(turn.t("help-head") + "\n" + "\n".join(lines), commands=menu(turn, turn.user))


async def lang(turn: Turn) -> None:
    """Switch this person's language: /lang zh or /lang en."""
    choice = turn.args[0].lower() if turn.args else ""
    if choice not in LANGS:
        turn.say(turn.t("lang-usage"))
        return
    await turn.storage.users.set_lang(turn.user.id, choice, turn.now)
    turn.user = turn.user.model_copy(update={"lang": choice})
    turn.say(turn.t("lang-set"), commands=menu(turn, turn.user))
