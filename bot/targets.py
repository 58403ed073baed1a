"""Work targets (工作目标): what each organisation must reach, and by when.

Pure domain code (no database, no chat library). The targets live in a TOML file
(``bot/data/targets.toml``) so an office can change a figure without a release.

* Rates (``coverage``, ``install_rate``) are fractions with a due day: recurring
  ("06-30" = 30 June of every year) or once ("2026-12-31"). Coverage is cumulative
  over the year (what was reached since 1 January); the install rate is a running
  total that carries across years (see bot/progress.py), so its targets are often
  full dates.
* Per-period counts (``lectures_per_month``, ``pushes_per_week``) hold all year;
  ``period_quota`` turns them into the count a given period calls for.
* An entry with ``org = "CODE"`` overrides the defaults of its measure for that
  org and everything below it; an org without targets of its own for a measure
  inherits its nearest ancestor's, else the defaults.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, ValidationError, field_validator, model_validator

from .validation import describe, read_toml, table_entries

DEFAULT_TARGETS = Path(__file__).parent / "data" / "targets.toml"

Measure = Literal["coverage", "install_rate", "lectures_per_month", "pushes_per_week"]
RATE_MEASURES: tuple[str, ...] = ("coverage", "install_rate")
COUNT_MEASURES: tuple[str, ...] = ("lectures_per_month", "pushes_per_week")

_DUE_RE = re.compile(r"(?:(\d{4})-)?(\d\d)-(\d\d)")  # "06-30" every year, or "2026-12-31" once
_EPSILON = 1e-9


def month_day_in(year: int, month: int, day: int) -> dt.date:
    """A recurring month-day in a given year (29 February becomes the 28th in other years)."""
    if day <= 28:  # every month has it (the summary asks this for every row)
        return dt.date(year, month, day)
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


class TargetSpec(BaseModel):
    """One ``[[target]]`` entry of the file, as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    measure: Measure
    value: StrictFloat | StrictInt
    due: str | None = None
    org: str | None = None

    @field_validator("due")
    @classmethod
    def _due_is_a_day(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = _DUE_RE.fullmatch(value)
        try:
            if match is None:
                raise ValueError
            # a recurring day is checked in a leap year: 02-29 is allowed
            dt.date(int(match[1] or 2000), int(match[2]), int(match[3]))
        except ValueError:
            raise ValueError(f"due must be a month-day like \"06-30\" or a date like \"2026-12-31\", "
                             f"got {value!r}") from None
        return value

    @field_validator("org")
    @classmethod
    def _org_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("org must be an org code, got an empty string")
        return value.strip() if value else value

    @model_validator(mode="after")
    def _fits_measure(self) -> TargetSpec:
        if self.measure in RATE_MEASURES:
            if self.due is None:
                raise ValueError(f"{self.measure} needs a due day like \"06-30\"")
            if not 0 < self.value <= 1:
                raise ValueError(f"{self.measure} value is a fraction in (0, 1] (0.5 = 50 %), got {self.value}")
        else:
            if self.due is not None:
                raise ValueError(f"{self.measure} holds all year: remove 'due'")
            if self.value <= 0:
                raise ValueError(f"{self.measure} value must be above 0, got {self.value}")
        return self

    def due_in(self, year: int) -> dt.date:
        """The due day in force in `year`: a recurring one's that year, a full date as it is."""
        assert self.due is not None
        parts = [int(p) for p in self.due.split("-")]
        return dt.date(*parts) if len(parts) == 3 else month_day_in(year, *parts)


class Target(BaseModel):
    """A target resolved for a date: its due day that year and the milestone before it."""

    model_config = ConfigDict(frozen=True)

    measure: Measure
    value: float
    due: dt.date | None = None        # None for the per-period counts
    org: str | None = None            # the org whose override applies; None = defaults
    previous_due: dt.date | None = None  # the same year's previous milestone (None: first)
    previous_value: float = 0.0


class TargetError(Exception):
    """A targets file is unusable; the message says which file, entry and why."""

    def __init__(self, file: str, reason: str, entry: int | None = None) -> None:
        self.file, self.reason, self.entry = file, reason, entry
        where = file if entry is None else f"{file}: entry {entry}"
        super().__init__(f"{where}: {reason}")


class Targets(BaseModel):
    """Every target of the file; look them up with ``in_force``."""

    model_config = ConfigDict(frozen=True)

    specs: list[TargetSpec]

    def _chain(self, measure: str, org_code_path: list[str]) -> list[TargetSpec]:
        """The specs of a measure that apply to the last org of a root-first path."""
        for code in reversed(org_code_path):
            own = [s for s in self.specs if s.measure == measure and s.org == code]
            if own:
                return own
        return [s for s in self.specs if s.measure == measure and s.org is None]

    def in_force(self, measure: str, org_code_path: list[str], on: dt.date) -> Target | None:
        """The target of `measure` for the org at the end of `org_code_path` (root first) on `on`.

        That is the next one coming due: the earliest whose due day (this year's, or its full
        date) is on or after `on`; once all have passed, the last. None if the measure has no target."""
        chain = self._chain(measure, org_code_path)
        if not chain:
            return None
        if measure in COUNT_MEASURES:
            spec = chain[0]
            return Target(measure=spec.measure, value=spec.value, org=spec.org)
        dated = sorted(chain, key=lambda s: s.due_in(on.year))
        index = next((i for i, s in enumerate(dated) if s.due_in(on.year) >= on), len(dated) - 1)
        spec = dated[index]
        previous = dated[index - 1] if index > 0 else None
        return Target(
            measure=spec.measure, value=spec.value, due=spec.due_in(on.year), org=spec.org,
            previous_due=previous.due_in(on.year) if previous else None,
            previous_value=previous.value if previous else 0.0,
        )

    def orgs(self) -> set[str]:
        """Org codes named by overrides (to warn about codes the tree does not know)."""
        return {s.org for s in self.specs if s.org}


def load_targets(path: str | Path = DEFAULT_TARGETS) -> Targets:
    """Read and validate a targets file; any problem becomes a TargetError."""
    return parse_targets(read_toml(path, TargetError), str(path))


def parse_targets(data: dict[str, Any], name: str = "<targets>") -> Targets:
    entries = table_entries(data, "target", name, TargetError)
    specs: list[TargetSpec] = []
    seen: dict[tuple, int] = {}
    for index, raw in enumerate(entries, start=1):
        if not isinstance(raw, dict):
            raise TargetError(name, "must be a table ([[target]])", index)
        try:
            spec = TargetSpec.model_validate(raw)
        except ValidationError as exc:
            raise TargetError(name, "; ".join(describe(e) for e in exc.errors()), index) from exc
        key = (spec.measure, spec.org, spec.due)
        if key in seen:
            what = f"{spec.measure}" + (f" due {spec.due}" if spec.due else "") + (f" for {spec.org}" if spec.org else "")
            raise TargetError(name, f"duplicate target ({what}), already given by entry {seen[key]}", index)
        seen[key] = index
        specs.append(spec)
    return Targets(specs=specs)



# ------------------------------------------------------------------------- pace


def expected_rate(target: Target, on: dt.date, year_start: dt.date | None = None) -> float:
    """The rate a linear pace calls for on `on`.

    Choice: the pace runs from the *previous milestone* (its due day and value) to this
    target's due day; only the year's first target paces from `year_start` (default
    1 January) at 0. The plans are staged ramps (APP: 30 % by July, 60 % by August,
    100 % by September): pacing the 60 % target from 1 January would already demand
    56 % in mid-August, two weeks after the plan itself only asked for 30 %. Pacing
    between milestones asks for exactly what the plan asks for on each due day, and a
    straight line between them.
    """
    if target.due is None:
        return target.value
    if target.previous_due is not None:
        start, start_value = target.previous_due, target.previous_value
    else:
        start, start_value = year_start or dt.date(target.due.year, 1, 1), 0.0
    if on >= target.due:
        return target.value
    if on <= start:
        return start_value
    share = (on - start).days / (target.due - start).days
    return start_value + (target.value - start_value) * share


def on_pace(actual_rate: float, target: Target, on: dt.date, year_start: dt.date | None = None) -> bool:
    """Is `actual_rate` at or above the linear pace towards `target` on `on`? (see expected_rate)"""
    return actual_rate + _EPSILON >= expected_rate(target, on, year_start)


def period_quota(target: Target, start: dt.date, end: dt.date) -> float:
    """How many events or pushes a per-period target calls for over [start, end] (inclusive).

    pushes_per_week: value × days / 7. lectures_per_month: value × the months covered,
    counting a partial month by its share of days (a whole calendar month is exactly 1)."""
    if end < start:
        return 0.0
    if target.measure == "pushes_per_week":
        return target.value * ((end - start).days + 1) / 7
    if target.measure == "lectures_per_month":
        months, day = 0.0, start
        while day <= end:
            last = dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
            months += ((min(last, end) - day).days + 1) / last.day
            day = last + dt.timedelta(days=1)
        return target.value * months
    raise ValueError(f"{target.measure} is not a per-period target")


def meets_quota(actual: int, target: Target, start: dt.date, end: dt.date) -> bool:
    return actual + _EPSILON >= period_quota(target, start, end)
