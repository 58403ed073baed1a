"""Office tools in the chat: /invite, /bind_office, /users (deactivate)."""
from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.i18n import t
from storage.models import User

from .common import button, cb, parse_cb, reply, requires, svc

log = logging.getLogger(__name__)
ROLES = ("worker", "contact", "office")
USERS_PAGE = 30


async def may_manage(storage, office: User, target: User) -> bool:
    """An office manages the people below it: never itself, nor an office at its own level."""
    if target.id == office.id or not await storage.orgs.is_within(target.org_id, office.org_id):
        return False
    return not (target.role == "office" and target.org_id == office.org_id)


def invite_link(username: str | None, code: str) -> str | None:
    return f"https://t.me/{username}?start={code}" if username else None


@requires("office")
async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """Create an invite for an org in the office's own subtree: /invite CODE ROLE [USES] [DAYS]."""
    s = svc(context)
    args = context.args or []
    subtree = await s.storage.orgs.subtree(user.org_id)
    if len(args) < 2 or args[1] not in ROLES or not all(re.fullmatch(r"\d{1,4}", a, re.ASCII) for a in args[2:4]):
        sample = "、".join(o.code for o in subtree[:8])
        await reply(update, t(user.lang, "invite-usage", codes=sample))
        return
    org = next((o for o in subtree if o.code == args[0]), None)
    if org is None:
        await reply(update, t(user.lang, "invite-bad-org", code=args[0]))
        return
    uses = int(args[2]) if len(args) > 2 else 1
    days = int(args[3]) if len(args) > 3 else 7
    if not (1 <= uses <= 1000 and 1 <= days <= 365):
        await reply(update, t(user.lang, "invite-usage", codes=org.code))
        return
    inv = await s.storage.users.create_invite(org.id, args[1], uses, days, s.clock.now(), user.id,
                                              update_id=update.update_id)
    link = invite_link(context.bot.username, inv.code) or ""
    await reply(update, t(user.lang, "invite-made", org=org.name, role=t(user.lang, f"role-{inv.role}"),
                          code=inv.code, link=link, uses=uses, days=days))


@requires("office")
async def bind_office(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """Make this group the place where the office's summaries go."""
    chat = update.effective_chat
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        await reply(update, t(user.lang, "bind-office-group-only"))
        return
    s = svc(context)
    await s.storage.users.bind_office_chat(user.org_id, chat.id, user.id, s.clock.now(), update.update_id)
    log.info("office chat for org %s bound to %s", user.org_id, chat.id)
    await reply(update, t(user.lang, "bind-office-done", title=chat.title or str(chat.id)))


@requires("office")
async def users(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """List the people of the office's subtree, each with a 停用 button."""
    s = svc(context)
    orgs = {o.id: o for o in await s.storage.orgs.subtree(user.org_id)}
    people = [p for p in await s.storage.users.in_orgs(list(orgs)) if await may_manage(s.storage, user, p)]
    if not people:
        await reply(update, t(user.lang, "users-none"))
        return
    lines = [f"{p.name} · {t(user.lang, f'role-{p.role}')} · {orgs[p.org_id].name} · {p.telegram_id}"
             for p in people[:USERS_PAGE]]
    rows = [[button(user.lang, "users-deactivate-btn", cb("users", "off", p.telegram_id), name=p.name)]
            for p in people[:USERS_PAGE]]
    await reply(update, t(user.lang, "users-head", count=len(people)) + "\n" + "\n".join(lines),
                reply_markup=InlineKeyboardMarkup(rows))


@requires("office")
async def deactivate(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> None:
    """Deactivate one person of the office's own subtree (button from /users)."""
    query = update.callback_query
    parsed = parse_cb(query.data)
    s = svc(context)
    target = None
    if parsed and parsed[2] and parsed[2][0].lstrip("-").isdigit():
        target = await s.storage.users.by_telegram_id(int(parsed[2][0]))
    if target is None or not await may_manage(s.storage, user, target):
        await query.answer(t(user.lang, "not-allowed"), show_alert=True)
        return
    await s.storage.users.set_active(target.telegram_id, False, s.clock.now(), update.update_id)
    log.info("user %s deactivated by %s", target.id, user.id)
    await query.answer()
    await query.edit_message_text(t(user.lang, "users-deactivated", name=target.name))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("invite", invite))
    app.add_handler(CommandHandler("bind_office", bind_office))
    app.add_handler(CommandHandler("users", users))
    app.add_handler(CallbackQueryHandler(deactivate, pattern=r"^v1:users:off:"))
