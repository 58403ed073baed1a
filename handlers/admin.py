"""Office tools in the chat: /invite, /bind_office, /users (deactivate a person).

    /invite 百花桥村第一网格 网格员 10 7    an org's code or name (in the office's own subtree),
    /invite BHQ-1 worker                    a role in Chinese or English, uses and days optional
    /users                                  people below the office, by our user id, each with 停用
    /bind_office (in the work group)        the office's summaries go to this group"""
from __future__ import annotations

import logging
import re

from bot import permissions
from storage.models import Org, Role

from .core import Turn, action, int_arg

log = logging.getLogger(__name__)
# What an office may type for a role.
ROLE_WORDS: dict[str, Role] = {
    "worker": "worker", "网格员": "worker",
    "contact": "contact", "联络员": "contact",
    "office": "office", "办公室": "office", "平安办": "office",
}
USERS_PAGE = 30
CODES_SHOWN = 40                       # orgs listed in the usage message
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _count(text: str | None, default: int, most: int) -> int | None:
    """'10' or '１０' as a whole number from 1 to `most`; None for anything else."""
    if text is None:
        return default
    digits = text.translate(FULL_WIDTH_DIGITS)
    value = int(digits) if re.fullmatch(r"[0-9]{1,4}", digits, re.ASCII) else 0
    return value if 1 <= value <= most else None


def _find_org(subtree: list[Org], word: str) -> Org | None:
    """The org whose code (any case) or name is `word`."""
    return next((o for o in subtree if word.upper() == o.code.upper() or word == o.name), None)


def _tree_lines(subtree: list[Org]) -> list[str]:
    """'BHQ 百花桥村', then its grids under it: each org after its parent."""
    children: dict[int | None, list[Org]] = {}
    for org in subtree:
        children.setdefault(org.parent_id, []).append(org)
    ids = {o.id for o in subtree}
    out: list[str] = []

    def walk(org: Org, depth: int) -> None:
        out.append(f"{'  ' * depth}{org.code} {org.name}")
        for child in children.get(org.id, []):
            walk(child, depth + 1)

    for top in (o for o in subtree if o.parent_id not in ids):
        walk(top, 0)
    return out


def _usage(turn: Turn, subtree: list[Org]) -> None:
    """Explain /invite and list the orgs this office may invite people to."""
    lines = _tree_lines(subtree)
    if len(lines) > CODES_SHOWN:
        lines = lines[:CODES_SHOWN] + [turn.t("invite-more", count=len(lines) - CODES_SHOWN)]
    turn.say(turn.t("invite-help", codes="\n".join(lines)))


async def invite(turn: Turn) -> None:
    """Create an invite for an org of the office's own subtree: /invite ORG ROLE [USES] [DAYS]."""
    args, user = list(turn.args), turn.user
    subtree = await turn.storage.orgs.subtree(user.org_id)
    if len(args) >= 2 and args[0].lower() in ROLE_WORDS and args[1].lower() not in ROLE_WORDS:
        args[0], args[1] = args[1], args[0]  # '/invite 网格员 百花桥村第一网格' reads as well
    role = ROLE_WORDS.get(args[1].lower()) if len(args) >= 2 else None
    uses = _count(args[2] if len(args) > 2 else None, 1, 1000)
    days = _count(args[3] if len(args) > 3 else None, 7, 365)
    if role is None or uses is None or days is None or len(args) > 4:
        return _usage(turn, subtree)
    org = _find_org(subtree, args[0])
    if org is None:
        turn.say(turn.t("invite-bad-org", code=args[0]))
        return
    inv = await turn.storage.users.create_invite(org.id, role, uses, days, turn.now, user.id)
    log.info("user %s made an invite for org %s as %s", user.id, org.id, role)
    text = turn.t("invite-code", org=org.name, role=turn.t(f"role-{role}"), code=inv.code, uses=uses, days=days)
    link = turn.caps.invite_link(inv.code)
    turn.say(text + ("\n" + turn.t("invite-link", link=link) if link else ""))


async def bind_office(turn: Turn) -> None:
    """Make this group the place where the office's summaries go."""
    ev, user = turn.event, turn.user
    if not ev.group:
        turn.say(turn.t("bind-office-group-only"))
        return
    await turn.storage.users.bind_office_chat(user.org_id, ev.channel, ev.chat, user.id, turn.now)
    log.info("office chat for org %s bound on %s", user.org_id, ev.channel)
    turn.say(turn.t("bind-office-done", title=ev.chat_title or ev.chat))


async def users(turn: Turn) -> None:
    """List the people of the office's subtree by user id, each with a 停用 button."""
    storage, user = turn.storage, turn.user
    orgs = {o.id: o for o in await storage.orgs.subtree(user.org_id)}
    people = [p for p in await storage.users.in_orgs(list(orgs)) if await permissions.may_manage(storage, user, p)]
    if not people:
        turn.say(turn.t("users-none"))
        return
    shown = people[:USERS_PAGE]
    lines = [turn.t("users-line", id=p.id, name=p.name, role=turn.t(f"role-{p.role}"), org=orgs[p.org_id].name)
             for p in shown]
    rows = [[turn.button("users-deactivate-btn", action("users", "off", p.id), name=p.name)] for p in shown]
    turn.say(turn.t("users-head", count=len(people)) + "\n" + "\n".join(lines), rows, numbered=False)


async def on_action(turn: Turn, verb: str, args: list[str]) -> None:
    """users:off:<user id> — deactivate one person the office manages (checked here again)."""
    target_id = int_arg(args, 0) if verb == "off" and len(args) == 1 else None
    if target_id is None:
        turn.alert("button-expired")
        return
    target = await turn.storage.users.get(target_id)
    if target is None or not await permissions.may_manage(turn.storage, turn.user, target):
        turn.alert("not-allowed")
        return
    if target.active:  # a second tap on the same button only says so again
        await turn.storage.users.set_active(target.id, False, turn.now)
        log.info("user %s deactivated by %s", target.id, turn.user.id)
    turn.say(turn.t("users-deactivated", name=target.name), replace=True)
