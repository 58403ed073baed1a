"""Storage: one SQLite file, and the repositories that own every SQL statement."""
from __future__ import annotations

from pathlib import Path

from .conversations import ConversationRepo
from .db import Database
from .entries import EntryRepo
from .evidence import EvidenceRepo
from .inbox import InboxRepo
from .orgs import OrgRepo
from .outbox import OutboxRepo
from .submissions import SubmissionRepo
from .users import InviteError, UserRepo
from .warnings import WarningRepo


class Storage:
    """The repositories over one connection."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.orgs = OrgRepo(db)
        self.users = UserRepo(db)
        self.inbox = InboxRepo(db)
        self.conversations = ConversationRepo(db)
        self.outbox = OutboxRepo(db)
        self.entries = EntryRepo(db)
        self.evidence = EvidenceRepo(db)
        self.submissions = SubmissionRepo(db)
        self.warnings = WarningRepo(db)

    @classmethod
    async def open(cls, path: Path | str) -> "Storage":
        return cls(await Database(path).connect())

    async def close(self) -> None:
        await self.db.close()


__all__ = ["Storage", "Database", "InviteError"]
