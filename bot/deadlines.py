"""Reporting deadlines: what is due when, which period it covers, when to remind.

Pure domain code (no database, no chat library). The calendar lives in a TOML
file (``bot/data/deadlines.toml``) so the district can move dates without a
release; everything here is computed from that file and an injected ``now``,
which keeps it testable by time travel.

Conventions:

* A deadline is the *end* of its day in local time, so ``due_at`` is the next
  midnight. Anything submitted before that instant is on time.
* ``day = 31`` in a shorter month, and ``day = -1``, both mean the last day.
* ``on_holiday = "before" | "after"`` moves a deadline off Chinese public
  holidays and weekends, honouring make-up workdays (调休) via ``chinese_calendar``.
* Each occurrence has a period key (``"monthly-5:2027-01"`` for a monthly
  deadline, keyed by its *nominal* month, i.e. the month the deadline falls in
  before holiday moving; ``"plan-feb:2027-02-10"`` for a one-off). Ledgers of
  submissions and sent reminders hang off that key.
"""
from __future__ import annotations

import calendar
import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import chinese_calendar
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from .validation import describe, read_toml, table_entries

log = logging.getLogger(__name__)

DEFAULT_CALENDAR = Path(__file__).parent / "data" / "deadlines.toml"
DEFAULT_QUIET: tuple[dt.time, dt.time] = (dt.time(21), dt.time(8))
# open_occurrences looks this far ahead; reminder offsets may not reach further
# back than MAX_REMIND_DAYS, so due_reminders never misses a slot.
LOOKAHEAD_DAYS = 35
MAX_REMIND_DAYS = 31

Covers = Literal["previous_month", "month_to_date", "since_last"]
Who = Literal["contact", "worker"]
OnHoliday = Literal["keep", "before", "after"]

_ONE_DAY = dt.timedelta(days=1)
_OFFSET_RE = re.compile(r"(0|-[1-9][0-9]?)d ([01][0-9]|2[0-3]):([0-5][0-9])")
MAX_ID = 24  # the id rides in button data (report:pick:<id>:<period>), which is short
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,%d}" % (MAX_ID - 1))


# --------------------------------------------------------------------------- spec


def parse_offset(text: str) -> tuple[int, dt.time]:
    """Parse ``"-3d 09:00"`` into ``(-3, time(9, 0))``.

    Strict on purpose: a typo in the calendar should fail at start-up, not
    silently skip a reminder. Only days 0..-31 are allowed: a reminder after the
    deadline day is pointless, and older ones would fall outside the lookahead.
    """
    match = _OFFSET_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None or int(match[1]) < -MAX_REMIND_DAYS:
        raise ValueError(
            f"remind offset {text!r} must look like '-3d 09:00' "
            f"(days 0..-{MAX_REMIND_DAYS}, 24-hour HH:MM)"
        )
    return int(match[1]), dt.time(int(match[2]), int(match[3]))


class DeadlineSpec(BaseModel):
    """One ``[[deadline]]`` entry: either monthly (``day``) or one-off (``date``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    day: StrictInt | None = None
    date: dt.date | None = None
    title: str = Field(min_length=1)
    covers: Covers
    who: Who
    remind: list[str]
    on_holiday: OnHoliday = "keep"

    @field_validator("id")
    @classmethod
    def _id_is_key_safe(cls, value: str) -> str:
        """The id is embedded in period keys (``id:2027-01``), so no ':' or spaces."""
        if not _ID_RE.fullmatch(value):
            raise ValueError(f"id must be 1 to {MAX_ID} letters, digits, '-' or '_', got {value!r}")
        return value

    @field_validator("day")
    @classmethod
    def _day_in_range(cls, value: int | None) -> int | None:
        if value is not None and not (1 <= value <= 31 or value == -1):
            raise ValueError(f"day must be 1..31 or -1, got {value}")
        return value

    @field_validator("date", mode="before")
    @classmethod
    def _date_is_a_date(cls, value: Any) -> Any:
        """Accept a TOML date or an ISO string, nothing looser (no timestamps)."""
        if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError(f"date must be a date like 2027-02-10, got {value!r}")

    @field_validator("remind")
    @classmethod
    def _offsets_parse(cls, value: list[str]) -> list[str]:
        for offset in value:
            parse_offset(offset)
        if len(set(value)) != len(value):
            raise ValueError(f"remind has duplicate offsets: {value}")
        return value

    @model_validator(mode="after")
    def _day_xor_date(self) -> DeadlineSpec:
        if (self.day is None) == (self.date is None):
            got = "both" if self.day is not None else "neither"
            raise ValueError(f"give exactly one of 'day' or 'date', got {got}")
        return self


class CalendarError(Exception):
    """A calendar file is unusable; the message says which file, entry and why."""

    def __init__(
        self, file: str, reason: str, entry: int | None = None, spec_id: str | None = None
    ) -> None:
        self.file, self.reason, self.entry, self.spec_id = file, reason, entry, spec_id
        where = file
        if entry is not None:
            where += f": entry {entry}" + (f" ({spec_id})" if spec_id else "")
        super().__init__(f"{where}: {reason}")


def load_calendar(path: str | Path) -> list[DeadlineSpec]:
    """Read and validate a calendar file; any problem becomes a CalendarError."""
    return parse_calendar(read_toml(path, CalendarError), str(path))


def parse_calendar(data: dict[str, Any], name: str = "<calendar>") -> list[DeadlineSpec]:
    """Validate already-parsed TOML data (split out so callers can embed a calendar)."""
    entries = table_entries(data, "deadline", name, CalendarError)
    specs = [_parse_entry(raw, index, name) for index, raw in enumerate(entries, start=1)]
    _check_unique_ids(specs, name)
    return specs


def _parse_entry(raw: Any, index: int, name: str) -> DeadlineSpec:
    if not isinstance(raw, dict):
        raise CalendarError(name, "must be a table ([[deadline]])", index)
    spec_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    try:
        return DeadlineSpec.model_validate(raw)
    except ValidationError as exc:
        reason = "; ".join(describe(err) for err in exc.errors())
        raise CalendarError(name, reason, index, spec_id) from exc



def _check_unique_ids(specs: list[DeadlineSpec], name: str) -> None:
    """Ids key the ledgers; two entries sharing one would merge their submissions."""
    first: dict[str, int] = {}
    for index, spec in enumerate(specs, start=1):
        if spec.id in first:
            raise CalendarError(
                name, f"duplicate id, already used by entry {first[spec.id]}", index, spec.id
            )
        first[spec.id] = index


# --------------------------------------------------------------------- workdays

_warned_years: set[int] = set()


def is_workday(day: dt.date) -> bool:
    """Chinese workday (holidays off, 调休 make-up days on).

    chinese_calendar only knows years the State Council has published; beyond
    that we assume plain Mon–Fri and warn once per year so someone upgrades it.
    """
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning(
                "chinese_calendar has no holiday data for %d; treating only weekends "
                "as days off (upgrade chinese_calendar)", day.year
            )
        return day.weekday() < 5


def move_off_holiday(day: dt.date, rule: OnHoliday) -> dt.date:
    """Apply ``on_holiday``: keep the day, or step to the nearest workday before/after."""
    if rule == "keep":
        return day
    step = -_ONE_DAY if rule == "before" else _ONE_DAY
    while not is_workday(day):
        day += step
    return day


# ------------------------------------------------------------------ occurrences


class ReminderSlot(BaseModel):
    """A reminder round: its calendar offset (the ledger key) and when to send it."""

    model_config = ConfigDict(frozen=True)

    offset: str
    at: AwareDatetime


class Occurrence(BaseModel):
    """One concrete instance of a deadline, with its period and reminder rounds."""

    model_config = ConfigDict(frozen=True)

    spec_id: str
    title: str
    who: Who
    period_key: str
    period_start: dt.date
    period_end: dt.date
    nominal_date: dt.date  # before holiday moving; lets the UI say "moved from …"
    due_date: dt.date
    due_at: AwareDatetime
    reminders: list[ReminderSlot]


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _nominal(spec: DeadlineSpec, year: int, month: int) -> dt.date:
    """The monthly deadline's day in a given month, clamped to the month's length."""
    last = calendar.monthrange(year, month)[1]
    assert spec.day is not None
    return dt.date(year, month, last if spec.day == -1 else min(spec.day, last))


def _period(spec: DeadlineSpec, nominal: dt.date, due: dt.date) -> tuple[dt.date, dt.date]:
    """The dates a submission for this occurrence should cover (inclusive).

    month_to_date runs from the 1st of the nominal month to the (moved) due day;
    if "before" pushed the due day into the previous month, it shrinks to that
    single day rather than inventing an inverted range.
    """
    if spec.covers == "previous_month":
        end = nominal.replace(day=1) - _ONE_DAY
        return end.replace(day=1), end
    if spec.covers == "since_last" and spec.day is not None:
        previous = _nominal(spec, *_add_months(nominal.year, nominal.month, -1))
        return move_off_holiday(previous, spec.on_holiday) + _ONE_DAY, due
    return min(nominal.replace(day=1), due), due


def _leave_quiet(local: dt.datetime, quiet: tuple[dt.time, dt.time]) -> dt.datetime:
    """Move a naive local time inside quiet hours to the end of them.

    Nobody should be pinged at night; quiet hours may wrap midnight (21:00–08:00).
    """
    start, end = quiet
    moment = local.time()
    if start == end:
        return local
    if start < end:
        inside, next_day = start <= moment < end, False
    else:
        inside, next_day = moment >= start or moment < end, moment >= start
    if not inside:
        return local
    day = local.date() + (_ONE_DAY if next_day else dt.timedelta(0))
    return dt.datetime.combine(day, end)


def _reminders(
    spec: DeadlineSpec, due: dt.date, due_at: dt.datetime, tz: dt.tzinfo,
    quiet: tuple[dt.time, dt.time],
) -> list[ReminderSlot]:
    """Sendable reminder slots: out of quiet hours, before the deadline, no twins.

    Two offsets that land on the same instant after moving are sent once (the
    first listed wins) so people do not get the same nudge twice.
    """
    slots: dict[dt.datetime, ReminderSlot] = {}
    for offset in spec.remind:
        days, at = parse_offset(offset)
        local = _leave_quiet(dt.datetime.combine(due + dt.timedelta(days=days), at), quiet)
        when = local.replace(tzinfo=tz)
        if when < due_at and when not in slots:
            slots[when] = ReminderSlot(offset=offset, at=when)
    return sorted(slots.values(), key=lambda slot: slot.at)


def _occurrence(
    spec: DeadlineSpec, nominal: dt.date, tz: dt.tzinfo, quiet: tuple[dt.time, dt.time]
) -> Occurrence:
    due = move_off_holiday(nominal, spec.on_holiday)
    due_at = dt.datetime.combine(due + _ONE_DAY, dt.time(0), tzinfo=tz)
    start, end = _period(spec, nominal, due)
    key = f"{spec.id}:{nominal.isoformat()}" if spec.date else f"{spec.id}:{nominal:%Y-%m}"
    return Occurrence(
        spec_id=spec.id, title=spec.title, who=spec.who, period_key=key,
        period_start=start, period_end=end, nominal_date=nominal, due_date=due,
        due_at=due_at, reminders=_reminders(spec, due, due_at, tz, quiet),
    )


def _nominal_dates(spec: DeadlineSpec, start: dt.date, end: dt.date) -> list[dt.date]:
    """Candidate nominal days, one month of margin each side for holiday moves."""
    if spec.date is not None:
        return [spec.date]
    first = _add_months(start.year, start.month, -1)
    count = (end.year - start.year) * 12 + end.month - start.month + 3
    return [_nominal(spec, *_add_months(*first, i)) for i in range(count)]


def _as_tz(tz: dt.tzinfo | str) -> dt.tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def occurrences(
    specs: list[DeadlineSpec], start: dt.date, end: dt.date, tz: dt.tzinfo | str,
    quiet: tuple[dt.time, dt.time] = DEFAULT_QUIET,
) -> list[Occurrence]:
    """Every occurrence whose (moved) due_date lies in [start, end], by due_at.

    Filtering on the moved date means a deadline pulled back from 5 Oct to
    30 Sep belongs to September, which is when people must act on it.
    """
    tz = _as_tz(tz)
    candidates = (
        _occurrence(spec, nominal, tz, quiet)
        for spec in specs
        for nominal in _nominal_dates(spec, start, end)
    )
    found = [occ for occ in candidates if start <= occ.due_date <= end]
    return sorted(found, key=lambda occ: occ.due_at)


def _require_aware(when: dt.datetime, name: str) -> None:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {when!r}")


def open_occurrences(
    specs: list[DeadlineSpec], now: dt.datetime,
    quiet: tuple[dt.time, dt.time] = DEFAULT_QUIET,
) -> list[Occurrence]:
    """Occurrences not yet due (due_at > now) with due_date within LOOKAHEAD_DAYS.

    Kept deliberately simple: a period that has not started yet (e.g. next
    month's month_to_date report) is still listed. ``now`` must be aware and in
    the calendar's local zone (``Clock.now()`` is); its zone defines the days.
    """
    _require_aware(now, "now")
    today = now.date()
    found = occurrences(specs, today, today + dt.timedelta(days=LOOKAHEAD_DAYS), now.tzinfo, quiet)
    return [occ for occ in found if occ.due_at > now]


def due_reminders(
    specs: list[DeadlineSpec], now: dt.datetime,
    quiet: tuple[dt.time, dt.time] = DEFAULT_QUIET,
) -> list[tuple[Occurrence, ReminderSlot]]:
    """All reminder slots whose time has come for still-open occurrences.

    Pure: it returns past slots too; the scheduler filters out the ones its
    ledger says were sent, so a restart after downtime catches up.
    """
    pairs = [
        (occ, slot)
        for occ in open_occurrences(specs, now, quiet)
        for slot in occ.reminders
        if slot.at <= now
    ]
    return sorted(pairs, key=lambda pair: (pair[1].at, pair[0].due_at))


def last_reminder(occ: Occurrence) -> ReminderSlot | None:
    """The final round before the deadline: the one that escalates to supervisors."""
    return occ.reminders[-1] if occ.reminders else None


def is_late(occ: Occurrence, submitted_at: dt.datetime) -> bool:
    """Late means at or after due_at, i.e. after the end of the due day."""
    _require_aware(submitted_at, "submitted_at")
    return submitted_at >= occ.due_at
