"""Typed records handed out by the repositories (never raw rows)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from typing import Annotated

from pydantic import BaseModel, Field

from bot.kinds import MAX_FIGURE

Role = Literal["worker", "contact", "office"]
OrgKind = Literal["township", "street", "community", "village", "grid", "department"]

# Higher rank may do everything a lower one may.
ROLE_RANK: dict[str, int] = {"worker": 1, "contact": 2, "office": 3}
# Kinds whose figures a contact owns and submits (the rows of the progress table).
AREA_KINDS = ("community", "village", "department")


class Org(BaseModel):
    id: int
    code: str
    name: str
    kind: OrgKind
    parent_id: int | None = None
    households: int = 0
    population: int = 0
    app_installed: int | None = None     # APP installs as of app_installed_on (the org file's)
    app_installed_on: date | None = None


class User(BaseModel):
    """A person, whatever chat channels they use (see Account)."""
    id: int
    name: str
    org_id: int
    role: Role
    lang: str = "zh"
    active: bool = True

    def can(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def address(self) -> str:
        """How the outbox addresses this person (it picks the channel when sending)."""
        return f"u{self.id}"


class Account(BaseModel):
    """A person on one channel: their id there and their private chat with the bot."""
    channel: str
    external_id: str
    user_id: int
    chat_id: str
    blocked_at: datetime | None = None
    seen_at: datetime | None = None


class OfficeChat(BaseModel):
    org_id: int
    channel: str
    chat_id: str
    bound_at: datetime | None = None

    @property
    def address(self) -> str:
        return f"c:{self.channel}:{self.chat_id}"


class Invite(BaseModel):
    code: str
    org_id: int
    role: Role
    uses_left: int
    expires_at: datetime


class Evidence(BaseModel):
    id: int
    entry_id: int | None
    submission_id: int | None = None
    file_id: str
    file_unique_id: str
    sha256: str | None = None
    path: str | None = None


class Entry(BaseModel):
    id: int
    user_id: int
    org_id: int
    kind: str
    measures: dict[str, int]
    happened_on: date
    recorded_at: datetime
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    source: Literal["flow", "quick"]
    flags: list[str] = Field(default_factory=list)
    version: int = 1
    undone_at: datetime | None = None
    undone_by: int | None = None
    evidence_count: int = 0
    households_listed: int = 0


# A figure as storage accepts it: never negative, never absurd.
Figure = Annotated[int, Field(ge=0, le=MAX_FIGURE)]


class NewEntry(BaseModel):
    """What a flow or a one-line report hands to storage."""
    user_id: int
    org_id: int
    kind: str
    measures: dict[str, Figure]
    happened_on: date
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    source: Literal["flow", "quick"]
    flags: list[str] = Field(default_factory=list)
    households: list[str] = Field(default_factory=list)
    photos: list["NewPhoto"] = Field(default_factory=list)


class NewPhoto(BaseModel):
    file_id: str
    file_unique_id: str
    sha256: str | None = None
    path: str | None = None


class Submission(BaseModel):
    id: int
    deadline_id: str
    period_key: str
    org_id: int
    user_id: int
    submitted_at: datetime
    late: bool
    nil_reason: str | None = None
    note: str | None = None
    figures: dict[str, int]
    evidence_count: int = 0
    replaced_by: int | None = None


NewEntry.model_rebuild()
