"""Who may change what: asked again on the server for every button, whatever the channel."""
from __future__ import annotations

from storage.models import Entry, User


async def office_above(storage, user: User, entry: Entry) -> bool:
    """Tell whether the person is an office above the entry's place."""
    return user.role == "office" and await storage.orgs.is_within(entry.org_id, user.org_id)


async def may_change(storage, user: User, entry: Entry | None) -> bool:
    """Let only the author, or an office above the entry's place, change it."""
    if entry is None:
        return False
    return entry.user_id == user.id or await office_above(storage, user, entry)


async def may_restore(storage, user: User, entry: Entry) -> bool:
    """Let whoever undid an entry, or an office above it, take the undo back (not the author
    the office overruled)."""
    return entry.undone_by == user.id or await office_above(storage, user, entry)


async def may_manage(storage, office: User, target: User) -> bool:
    """Let an office manage the people below it: never itself, nor an office at its own level."""
    if target.id == office.id or not await storage.orgs.is_within(target.org_id, office.org_id):
        return False
    return not (target.role == "office" and target.org_id == office.org_id)
