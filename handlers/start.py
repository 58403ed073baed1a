"""Joining with an invite, /me, /help, /lang, the per-person command menu, strangers.

A person joins by sending the invite code: '/start CODE' (a Telegram deep link does
this), the bare code pasted on its own (any case), or the whole invite message forwarded
(its one code, written in capitals, is found in it). Someone already registered who uses
a code of the same place and role is told they are in already; a code of another place
moves them there.

Guessing codes is slowed down: after WRONG_CODES wrong codes within WRONG_WINDOW, an account
waits WRONG_PAUSE from its last wrong one, told so, and its codes are not even looked up
then (a pasted code included, so no answer tells a good code from a bad one). The tries are
kept in the database (a restart does not reset them) and logged by channel and a short hash
of the account, never with the code or a name."""
from __future__ import annotations

import hashlib
import logging
import math
import re
from datetime import timedelta

from bot.i18n import LANGS
from bot.logbook import listing
from bot.quickparse import parse_quick_report
from storage import InviteError
from storage.models import Invite, User

from .core import Button, Turn, action

LANG_NAMES = {"zh": "中文", "en": "English"}  # each in its own language, whichever is on

log = logging.getLogger(__name__)
CODE = re.compile(r"[A-HJ-KM-NP-Z2-9]{8}")  # storage.users._ALPHABET, eight letters
CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-HJ-KM-NP-Z2-9]{8}(?![A-Za-z0-9])")  # a token on its own
WRONG_CODES = 5
WRONG_WINDOW = timedelta(minutes=10)
WRONG_PAUSE = timedelta(minutes=10)

# (command, least role). /help and the channels' command menus both come from this one list.
# A kind's own command (/visit, /poster, /site, …) still works but is not listed: /log offers
# all eleven kinds, and the help stays short enough to read on a small phone.
COMMANDS: list[tuple[str, str]] = [
    ("log", "worker"), ("mine", "worker"), ("stats", "worker"), ("deadlines", "worker"), ("report", "worker"),
    ("warnings", "worker"),
    ("summary", "contact"), ("missing", "contact"),
    ("export", "office"), ("invite", "office"), ("users", "office"), ("bind_office", "office"),
    ("warn", "office"),
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
        await join(turn, code)
        return
    if turn.user is None:
        turn.say(turn.t("start-no-code"))
        return
    await welcome_back(turn)


async def welcome_back(turn: Turn) -> None:
    user = turn.user
    turn.say(turn.t("welcome-back", name=user.name, path=await org_path(turn, user.org_id),
                    role=turn.t(f"role-{user.role}")))


async def join(turn: Turn, code: str, say_unknown: bool = True) -> bool:
    """Redeem the code; False when it is no invite and say_unknown is off (nothing said then).
    An account with too many wrong codes lately is told to wait, its code not even read."""
    if await _must_wait(turn):
        return True
    invite = await _look_up(turn, code)
    if invite is None:
        if say_unknown:
            turn.say(turn.t("invite-unknown"))
        return say_unknown
    await _redeem(turn, invite)
    return True


async def _redeem(turn: Turn, invite: Invite) -> None:
    """Join or move with an existing invite; a registered person already in that place and
    role is told so (an expired or used-up code does not matter then)."""
    storage, ev = turn.storage, turn.event
    if turn.user is not None and (invite.org_id, invite.role) == (turn.user.org_id, turn.user.role):
        return await welcome_back(turn)
    try:
        user = await storage.users.join(invite.code, ev.channel, ev.sender, ev.chat, ev.name or ev.sender,
                                        turn.now, lang=turn.lang)
    except InviteError as err:
        turn.say(turn.t(f"invite-{err.reason}"))
        return
    log.info("user %s joined org %s as %s", user.id, user.org_id, user.role)
    turn.user = user
    org = await storage.orgs.get(user.org_id)
    turn.say(turn.t("welcome", name=user.name, org=org.name, role=turn.t(f"role-{user.role}"),
                    next=turn.t(f"next-{user.role}")), commands=menu(turn, user))


# --- wrong codes -------------------------------------------------------------------------------

def _account(turn: Turn) -> str:
    """The account as the throttle and the log know it: a short hash, not the channel's id."""
    return hashlib.sha256(f"{turn.event.channel}:{turn.event.sender}".encode()).hexdigest()[:12]


async def _must_wait(turn: Turn) -> bool:
    """Tell the account to wait if its last WRONG_CODES wrong codes came within WRONG_WINDOW
    and WRONG_PAUSE has not passed since the last of them."""
    channel, account = turn.event.channel, _account(turn)
    tries = await turn.storage.users.wrong_invites(channel, account, WRONG_CODES)
    if len(tries) < WRONG_CODES or tries[0] - tries[-1] > WRONG_WINDOW or turn.now >= tries[0] + WRONG_PAUSE:
        return False
    minutes = math.ceil((tries[0] + WRONG_PAUSE - turn.now).total_seconds() / 60)
    log.warning("invite code refused unread on %s from account %s: too many wrong ones", channel, account)
    turn.say(turn.t("invite-wait", minutes=minutes))
    return True


async def _look_up(turn: Turn, code: str) -> Invite | None:
    """The invite of this code; none is a wrong try, counted and logged (without the code)."""
    invite = await turn.storage.users.invite(code)
    if invite is None:
        channel, account = turn.event.channel, _account(turn)
        await turn.storage.users.wrong_invite(channel, account, turn.now,
                                              forget_before=turn.now - WRONG_WINDOW - WRONG_PAUSE)
        log.warning("wrong invite code on %s from account %s", channel, account)
    return invite


# --- codes pasted or forwarded -----------------------------------------------------------------

def pasted_code(turn: Turn) -> tuple[str, bool] | None:
    """The invite code in what was typed, and whether it was the whole text: the bare code, or
    the one code-shaped word of a forwarded invite message that carries no figures (those are
    a report)."""
    ev = turn.event
    text = (ev.text or "") if ev.action is None and ev.photo is None and ev.location is None else ""
    bare = text.strip().upper()
    if CODE.fullmatch(bare):
        return bare, True
    found = set(CODE_IN_TEXT.findall(text))
    if len(found) != 1 or parse_quick_report(text):
        return None
    return found.pop(), False


async def join_if_pasted(turn: Turn, known_only: bool = False) -> bool:
    """Join (or move) with a pasted invite code; False when the text holds none: a code-shaped
    word inside other text, or with known_only any code, that is no invite (a registered
    person's word stays a report). Every code looked up counts toward the throttle."""
    found = pasted_code(turn)
    if found is None:
        return False
    code, bare = found
    return await join(turn, code, say_unknown=bare and not known_only)


async def stranger(turn: Turn) -> None:
    """Tell an unregistered (or deactivated) person how to join; a pasted code joins them."""
    if await join_if_pasted(turn):
        return
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
    """Switch this person's language: /lang zh or /lang en; /lang alone offers both."""
    choice = turn.args[0].lower() if turn.args else ""
    if choice not in LANGS:
        turn.say(turn.t("lang-usage"), [[Button(LANG_NAMES[code], action("lang", "set", code)) for code in LANGS]])
        return
    await _set_lang(turn, choice)


async def on_lang(turn: Turn, verb: str, args: list[str]) -> None:
    """lang:set:<code> — the 中文 / English buttons of /lang."""
    if verb != "set" or len(args) != 1 or args[0] not in LANGS:
        turn.alert("button-expired")
        return
    await _set_lang(turn, args[0])


async def _set_lang(turn: Turn, choice: str) -> None:
    await turn.storage.users.set_lang(turn.user.id, choice, turn.now)
    turn.user = turn.user.model_copy(update={"lang": choice})
    turn.say(turn.t("lang-set"), commands=menu(turn, turn.user))
