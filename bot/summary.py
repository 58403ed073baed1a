"""The office summary: per village/community figures against the targets, township totals on top.

Pure domain code over the storage repositories (no chat library). ``build_summary`` gathers
the figures into a ``Summary``; ``render_text`` turns it into chat messages;
``bot/export.py`` turns it into the progress table (进展情况表) and a chart.

What the figures mean (the office audits them, so each is stated exactly):

* Period figures (households visited, posters, leaflets, ...) are sums over live entries dated
  in [start, end] of every org below the area (the area itself and its grids).
* ``households_listed`` is how many of the households figure carry a house number;
  ``households_unique`` how many distinct house numbers were listed in the period (a door
  logged twice in the period is one household).
* Coverage is cumulative over the year, because the targets are ("50 % of registered
  households by 30 June"): it counts from 1 January of the period's end year up to ``end``.
  Households reached = distinct house numbers listed in that span + the households figure
  that carries no house number (visits logged without numbers cannot be de-duplicated; they
  count as reported). Coverage = reached / registered households (实有户数).
* APP installs are a running total, never reset in January (an installed APP stays
  installed): the area's count from the org file plus installs logged since its import day
  (bot/progress.py, ``running_installs``). Install rate = that / population (常住人口).
* Targets and pace are judged on ``as_of = min(on, end)``: figures only run to ``end``, so a
  report on November sent on 5 December is judged against where November should have ended.
* Entries logged on a township itself (or on an org under no village/community) have their
  own "本级" row, so the rows always add up to the totals.
"""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from storage.models import AREA_KINDS, Org
from storage.reports import (
    ENTRIES, EVIDENCE, FLAGGED, LISTED, PLACED, POSTER_ENTRIES, POSTER_PLACED, ReportRepo,
)

from .i18n import t
from .kinds import KINDS, MEASURES
from .logbook import day_text, format_changes
from .progress import running_installs
from .targets import Target, Targets, expected_rate, meets_quota, on_pace, period_quota
from .warnings import figures as warning_figures, figures_line as warnings_line

TELEGRAM_LIMIT = 4096
TOWNSHIP_KINDS = ("township", "street")
POSTER_MEASURES: tuple[str, ...] = KINDS["poster"].measures
MORE_MEASURES = ("receipts", "sms", "sites")  # on a line of their own; dissuasion is in the warning figures

Status = Literal["on_time", "late", "missing", "pending"]
RowKind = Literal["area", "direct", "township", "total"]


class RateStat(BaseModel):
    """A cumulative rate (year to date) against its target in force."""
    reached: int = 0
    base: int = 0
    rate: float | None = None           # None when the base (households/population) is 0
    target: float | None = None
    due: date | None = None
    expected: float | None = None       # what the linear pace asks for on as_of
    on_pace: bool | None = None


class SubmissionStatus(BaseModel):
    status: Status
    submitter: str | None = None
    submitted_at: datetime | None = None
    nil_reason: str | None = None
    note: str | None = None             # the report's 亮点/说明, as the contact wrote it
    contacts: list[str] = Field(default_factory=list)  # the area's contacts (who to chase)
    changed: dict[str, int] = Field(default_factory=dict)  # figures now minus those submitted
    nil_despite_entries: bool = False   # 无活动 reported over figures (the sender confirmed it)


class Row(BaseModel):
    kind: RowKind
    org_id: int | None = None
    code: str | None = None
    name: str
    township: str | None = None
    households_registered: int = 0
    population: int = 0
    measures: dict[str, int] = Field(default_factory=dict)  # every key of MEASURES (and any other logged)
    placed: dict[str, int] = Field(default_factory=dict)    # poster measures with photo AND place
    poster_entries: int = 0
    poster_entries_placed: int = 0
    households_listed: int = 0
    households_unique: int = 0
    coverage: RateStat = Field(default_factory=RateStat)
    install: RateStat = Field(default_factory=RateStat)
    pushes_quota: float | None = None   # area rows: pushes the weekly target calls for so far
    pushes_ok: bool | None = None
    lectures_quota: float | None = None  # township and total rows: the monthly target
    lectures_ok: bool | None = None
    entries: int = 0
    flagged: int = 0
    evidence: int = 0
    submission: SubmissionStatus | None = None

    def m(self, key: str) -> int:
        return self.measures.get(key, 0)

    @property
    def placed_total(self) -> int:
        return sum(self.placed.get(k, 0) for k in POSTER_MEASURES)

    @property
    def material_total(self) -> int:
        return sum(self.m(k) for k in POSTER_MEASURES)


class DeadlineTally(BaseModel):
    """One deadline due in the summary's dates: how many areas stand how on it."""
    title: str
    due: date
    counts: dict[str, int] = Field(default_factory=dict)  # on_time, late, missing, pending; changed: of the first two


class Summary(BaseModel):
    root_name: str | None        # None: every org of the deployment
    start: date
    end: date
    as_of: date
    year_start: date
    period_key: str | None = None
    period_title: str | None = None  # the deadline's title, which people know it by
    due_at: datetime | None = None
    rows: list[Row]              # one per village/community/department (+ 本级 rows), tree order
    townships: list[Row]         # subtotals per township/street present
    totals: Row
    submitted: dict[str, int] = Field(default_factory=dict)  # status -> number of areas
    org_ids: list[int] = Field(default_factory=list, repr=False)  # every org the figures cover
    deadlines: list[DeadlineTally] = Field(default_factory=list)  # each deadline due in [start, end]
    warnings: dict = Field(default_factory=dict)  # early warning counts (bot/warnings.figures)


# ------------------------------------------------------------------------ building


class _Tree:
    """The orgs of a summary, with the group each rolls up to."""

    def __init__(self, orgs: list[Org], above_root: list[Org]) -> None:
        self.by_id = {o.id: o for o in [*above_root, *orgs]}
        self.children: dict[int | None, list[Org]] = {}
        self.ids = ids = {o.id for o in orgs}
        for o in orgs:
            parent = o.parent_id if o.parent_id in ids else None
            self.children.setdefault(parent, []).append(o)
        self.order = []  # depth first, children by id: townships, then their villages in turn
        stack = sorted(self.children.get(None, []), key=lambda o: o.id, reverse=True)
        while stack:
            org = stack.pop()
            self.order.append(org)
            stack.extend(sorted(self.children.get(org.id, []), key=lambda o: o.id, reverse=True))

    def ancestors(self, org: Org) -> list[Org]:
        """Root first, the org last (including orgs above the summary's root)."""
        chain = [org]
        while chain[-1].parent_id in self.by_id:
            chain.append(self.by_id[chain[-1].parent_id])
        return chain[::-1]

    def group_of(self, org: Org) -> Org:
        """Nearest area (village/community/department); else nearest township; else the top
        (all within the summary: a grid's own summary is the grid's row)."""
        chain = [o for o in self.ancestors(org) if o.id in self.ids]
        for kinds in (AREA_KINDS, TOWNSHIP_KINDS):
            for o in reversed(chain):
                if o.kind in kinds:
                    return o
        return chain[0]

    def township_of(self, org: Org) -> Org | None:
        return next((o for o in reversed(self.ancestors(org)) if o.kind in TOWNSHIP_KINDS), None)


def _year_start(end: date) -> date:
    return date(end.year, 1, 1)


def _rate(reached: int, base: int, target: Target | None, as_of: date, year_start: date) -> RateStat:
    rate = reached / base if base > 0 else None
    stat = RateStat(reached=reached, base=base, rate=rate)
    if target is not None and rate is not None:  # nothing to judge without a base figure
        stat.target, stat.due = target.value, target.due
        stat.expected = expected_rate(target, as_of, year_start)
        stat.on_pace = on_pace(rate, target, as_of, year_start)
    return stat


def _fill(row: Row, fig: dict[str, int]) -> None:
    row.measures = {k: fig.get(k, 0) for k in MEASURES} | {
        k: v for k, v in fig.items() if not k.startswith(("#", PLACED)) and k not in MEASURES}
    row.placed = {k: fig.get(PLACED + k, 0) for k in POSTER_MEASURES}
    row.poster_entries, row.poster_entries_placed = fig.get(POSTER_ENTRIES, 0), fig.get(POSTER_PLACED, 0)
    row.households_listed = fig.get(LISTED, 0)
    row.entries, row.flagged, row.evidence = fig.get(ENTRIES, 0), fig.get(FLAGGED, 0), fig.get(EVIDENCE, 0)


def _sum_rows(kind: RowKind, name: str, rows: list[Row], **extra) -> Row:
    out = Row(kind=kind, name=name, **extra)
    for r in rows:
        out.households_registered += r.households_registered
        out.population += r.population
        for k, v in r.measures.items():
            out.measures[k] = out.measures.get(k, 0) + v
        for k, v in r.placed.items():
            out.placed[k] = out.placed.get(k, 0) + v
        out.poster_entries += r.poster_entries
        out.poster_entries_placed += r.poster_entries_placed
        out.households_listed += r.households_listed
        out.households_unique += r.households_unique  # distinct per area: areas never share a door
        out.coverage.reached += r.coverage.reached
        out.install.reached += r.install.reached
        out.entries += r.entries
        out.flagged += r.flagged
        out.evidence += r.evidence
    return out


def _reached(unique: int, households: int, listed: int) -> int:
    """Distinct listed doors, plus the visits logged without a house number."""
    return unique + max(0, households - listed)


async def build_summary(storage, root_org_id: int | None, start: date, end: date, on: date,
                        targets: Targets, period_key: str | None = None,
                        due_at: datetime | None = None, period_title: str | None = None) -> Summary:
    """Figures of every village/community/department under `root_org_id` (None: all orgs)
    for [start, end], judged against `targets` on min(on, end); submission status for
    `period_key` (due at `due_at`, an aware datetime) when given."""
    repo = ReportRepo(storage.db)
    if root_org_id is None:
        orgs, above = await storage.orgs.all(), []
        root_name = None
    else:
        orgs = await storage.orgs.subtree(root_org_id)
        if not orgs:
            raise ValueError(f"no org with id {root_org_id}")
        above = (await storage.orgs.path(root_org_id))[:-1]
        root_name = orgs[0].name
    tree = _Tree(orgs, above)
    as_of, year_start = min(on, end), _year_start(end)

    groups = {o.id: tree.group_of(o).id for o in orgs}
    members: dict[int, list[int]] = {}
    for org_id, grp in groups.items():
        members.setdefault(grp, []).append(org_id)

    period = await repo.figures(groups, start, end)
    year_keys = ("households", "app_installs", LISTED)
    if start > year_start:  # the year before the period, added to the period's own sums
        before = await repo.figures(groups, year_start, start - timedelta(days=1), keys=year_keys)
        ytd = {g: {k: before.get(g, {}).get(k, 0) + period.get(g, {}).get(k, 0) for k in year_keys}
               for g in members}
    else:
        ytd = await repo.figures(groups, year_start, end, keys=year_keys)
    unique_both = await repo.unique_households(groups, max(start, year_start), end, since=year_start)
    if start < year_start:  # a period reaching into last year: its own distinct count
        unique = {g: u[0] for g, u in (await repo.unique_households(groups, start, end)).items()}
    else:
        unique = {g: u[0] for g, u in unique_both.items()}
    unique_ytd = {g: u[1] for g, u in unique_both.items()}
    installs = await running_installs(repo, groups, {o.id: o for o in orgs if _is_area(o, root_org_id)}, end,
                                      {g: ytd.get(g, {}).get("app_installs", 0) for g in members})

    latest: dict[int, object] = {}
    contacts: dict[int, list[str]] = {}
    if period_key is not None:
        latest = {groups[sub.org_id]: sub for sub in await repo.submissions(period_key, list(groups))}  # oldest first
        for c in await repo.contacts(list(groups)):
            contacts.setdefault(groups[c.org_id], []).append(c.name)

    rows: list[Row] = []
    row_town: dict[int, int | None] = {}
    for org in tree.order:
        if org.id not in members:
            continue
        fig = period.get(org.id, {})
        is_area = _is_area(org, root_org_id)
        if not is_area and not fig and not any(ytd.get(org.id, {}).values()):
            continue  # a township's own row only when something was logged on it directly (this year)
        township = tree.township_of(org)
        row = Row(kind="area" if is_area else "direct", org_id=org.id, code=org.code, name=org.name,
                  township=township.name if township else None,
                  households_registered=org.households if is_area else 0,
                  population=org.population if is_area else 0)
        _fill(row, fig)
        row.households_unique = unique.get(org.id, 0)
        y = ytd.get(org.id, {})
        path = [o.code for o in tree.ancestors(org)]
        row.coverage = _rate(_reached(unique_ytd.get(org.id, 0), y.get("households", 0), y.get(LISTED, 0)),
                             row.households_registered, targets.in_force("coverage", path, as_of), as_of, year_start)
        row.install = _rate(installs.get(org.id, 0), row.population,
                            targets.in_force("install_rate", path, as_of), as_of, year_start)
        if is_area:
            push_target = targets.in_force("pushes_per_week", path, as_of)
            if push_target is not None:
                row.pushes_quota = period_quota(push_target, start, as_of)
                row.pushes_ok = meets_quota(row.m("group_pushes"), push_target, start, as_of)
            if period_key is not None:
                row.submission = _status(latest.get(org.id), contacts.get(org.id, []), on, due_at)
        rows.append(row)
        row_town[org.id] = township.id if township else None

    townships: list[Row] = []
    for org in tree.order:
        if org.kind not in TOWNSHIP_KINDS:
            continue
        mine = [r for r in rows if row_town[r.org_id] == org.id]
        sub = _sum_rows("township", org.name, mine, org_id=org.id, code=org.code, township=org.name)
        _rates_and_lectures(sub, targets, [o.code for o in tree.ancestors(org)], start, as_of, year_start)
        townships.append(sub)

    if root_org_id is not None and len(townships) == 1 and townships[0].org_id == root_org_id:
        totals = townships[0].model_copy(update={"kind": "total"})
    else:
        name = root_name or ""
        totals = _sum_rows("total", name, rows)
        root = tree.by_id.get(root_org_id) if root_org_id is not None else None
        _rates_and_lectures(totals, targets, [o.code for o in tree.ancestors(root)] if root else [],
                            start, as_of, year_start, lectures=False)
        if townships:
            quotas = [s.lectures_quota for s in townships if s.lectures_quota is not None]
            totals.lectures_quota = sum(quotas) if quotas else None
            totals.lectures_ok = all(s.lectures_ok for s in townships if s.lectures_quota is not None) \
                if quotas else None
    submitted = {s: 0 for s in ("on_time", "late", "missing", "pending")}
    for r in rows:
        if r.submission:
            submitted[r.submission.status] += 1
    return Summary(root_name=root_name, start=start, end=end, as_of=as_of, year_start=year_start,
                   period_key=period_key, period_title=period_title, due_at=due_at, rows=rows, townships=townships, totals=totals,
                   submitted=submitted if period_key is not None else {}, org_ids=list(groups),
                   warnings=await warning_figures(storage, root_org_id, start, end))


def _is_area(org: Org, root_org_id: int | None) -> bool:
    """An area's row; a summary rooted below the areas (one grid) treats its root as the area."""
    return org.kind in AREA_KINDS or (org.id == root_org_id and org.kind not in TOWNSHIP_KINDS)


def _rates_and_lectures(row: Row, targets: Targets, path: list[str], start: date, as_of: date,
                        year_start: date, lectures: bool = True) -> None:
    row.coverage = _rate(row.coverage.reached, row.households_registered,
                         targets.in_force("coverage", path, as_of), as_of, year_start)
    row.install = _rate(row.install.reached, row.population,
                        targets.in_force("install_rate", path, as_of), as_of, year_start)
    target = targets.in_force("lectures_per_month", path, as_of) if lectures else None
    if target is not None:
        row.lectures_quota = period_quota(target, start, as_of)
        row.lectures_ok = meets_quota(row.m("lectures"), target, start, as_of)


def _status(sub, contacts: list[str], today: date, due_at: datetime | None) -> SubmissionStatus:
    """On time / late from the live submission; without one, missing once the deadline has passed."""
    if sub is None:
        # due_at is the midnight after the due day: before that day ends, nothing is overdue yet
        pending = due_at is not None and today < due_at.date()
        return SubmissionStatus(status="pending" if pending else "missing", contacts=contacts)
    late = sub.late or (due_at is not None and sub.submitted_at >= due_at)
    return SubmissionStatus(status="late" if late else "on_time", submitter=sub.user_name,
                            submitted_at=sub.submitted_at, nil_reason=sub.nil_reason, note=sub.note,
                            contacts=contacts)


# ------------------------------------------------------------------------ text


def pct(rate: float | None) -> str:
    """0.4567 -> '45.7%', 0.5 -> '50%', None -> '—'."""
    return "—" if rate is None else f"{rate * 100:.1f}".removesuffix(".0") + "%"


def _pace(lang: str, ok: bool | None) -> str:
    return "" if ok is None else t(lang, "summary-pace-ok" if ok else "summary-pace-behind")


def _due(lang: str, due: date | None) -> str:
    return "" if due is None else day_text(lang, due)  # as every other day shown (2026-12-31, not 31/12)


def _rate_text(lang: str, key: str, stat: RateStat, **extra: object) -> str:
    target = (t(lang, "summary-target", target=pct(stat.target), due=_due(lang, stat.due),
                expected=pct(stat.expected), pace=_pace(lang, stat.on_pace))
              if stat.target is not None else "")
    return t(lang, key, rate=pct(stat.rate), reached=stat.reached, base=stat.base, target=target, **extra)


def _materials(lang: str, row: Row) -> str:
    return t(lang, "summary-materials", posters=row.m("posters"), banners=row.m("banners"),
             slogans=row.m("slogans"), boards=row.m("boards"), placed=row.placed_total,
             placed_entries=row.poster_entries_placed, poster_entries=row.poster_entries)


def deadline_name(lang: str, title: str | None, due: date | None) -> str:
    """A deadline as people know it: its title and due day ('当月防范工作报送（11月25日截止）').

    Two deadlines may share a title (the 13th's and the 28th's), so the day goes with it;
    never the period key, which is for the ledgers."""
    if title is None:
        return "—"
    return t(lang, "deadline-name", title=title, due=day_text(lang, due)) if due else title


def period_name(lang: str, summary: Summary) -> str:
    """The deadline whose submissions a summary shows, by name ('—' when it shows none)."""
    due_at = summary.due_at
    return deadline_name(lang, summary.period_title, due_at and (due_at - timedelta(days=1)).date())


def status_label(lang: str, submission: SubmissionStatus | None) -> str | None:
    """A summary row's submission status in a word or two ('按时', '逾期·报送后有变动'), for
    the progress table: the status, then whether entries moved since, or a no-activity
    report was filed over figures."""
    if submission is None:
        return None
    label = t(lang, f"summary-status-label-{submission.status}")
    if submission.changed:
        label += t(lang, "status-label-changed")
    if submission.nil_despite_entries:
        label += t(lang, "status-label-nil-despite")
    return label


def _status_text(lang: str, s: SubmissionStatus | None) -> str:
    if s is None:
        return ""
    who = s.submitter or "、".join(s.contacts) or t(lang, "summary-no-contact")
    text = t(lang, f"summary-status-{s.status}", who=who)
    if s.changed:
        text += t(lang, "summary-status-changed", changes=format_changes(lang, s.changed))
    if s.nil_despite_entries:
        text += t(lang, "summary-status-nil-despite")
    return text


def quota_units(quota: float | None) -> int | None:
    """What a per-period target asks for so far, in whole events or pushes: 0.1 of a lecture
    is met only by holding one (meets_quota agrees: a count is whole)."""
    return None if quota is None else math.ceil(quota - 1e-9)


def _quota(lang: str, quota: float | None, ok: bool | None) -> str:
    if quota is None:
        return ""
    return t(lang, "summary-quota", quota=str(quota_units(quota)), pace=_pace(lang, ok))


def row_name(lang: str, row: Row) -> str:
    """An area's name; a township's own row reads '武陵山乡（本级）'."""
    return t(lang, "summary-direct", name=row.name) if row.kind == "direct" else row.name


def _totals_block(lang: str, s: Summary, row: Row, title: str) -> list[str]:
    lines = [
        t(lang, "summary-visits", title=title, households=row.m("households"),
          listed=row.households_listed, people=row.m("people"), pledges=row.m("pledges")),
        _rate_text(lang, "summary-coverage", row.coverage),
        _rate_text(lang, "summary-total-installs-running", row.install, installs=row.m("app_installs")),
        _materials(lang, row),
        t(lang, "summary-total-activities", leaflets=row.m("leaflets"), lectures=row.m("lectures"),
          attendees=row.m("attendees"), quota=_quota(lang, row.lectures_quota, row.lectures_ok),
          pushes=row.m("group_pushes"), broadcasts=row.m("broadcasts")),
    ]
    more = _more(lang, row)
    if more:  # the measures added later (issue 11), only when logged: the usual lines stay as they were
        lines.append(more[:1].upper() + more[1:])
    audit = t(lang, "summary-total-audit", evidence=row.evidence, flagged=row.flagged, entries=row.entries)
    if s.period_key is not None and row.kind == "total":
        audit = t(lang, "summary-total-submitted", on_time=s.submitted.get("on_time", 0),
                  late=s.submitted.get("late", 0), missing=s.submitted.get("missing", 0),
                  pending=s.submitted.get("pending", 0)) + " · " + audit
    lines.append(audit)
    return lines


def _area_block(lang: str, row: Row) -> list[str]:
    first = t(lang, "summary-area-visits", name=row_name(lang, row), households=row.m("households"),
              reached=row.coverage.reached, coverage=pct(row.coverage.rate), cov_pace=_pace(lang, row.coverage.on_pace),
              installs=row.m("app_installs"), inst_pace=_pace(lang, row.install.on_pace),
              rate=t(lang, "summary-area-installs", rate=pct(row.install.rate), reached=row.install.reached))
    second = t(lang, "summary-area-line2", materials=row.material_total, placed=row.placed_total,
               leaflets=row.m("leaflets"), lectures=row.m("lectures"), attendees=row.m("attendees"),
               pushes=row.m("group_pushes"), push_pace=_pace(lang, row.pushes_ok), broadcasts=row.m("broadcasts"),
               evidence=row.evidence, flagged=row.flagged)
    more, status = _more(lang, row), _status_text(lang, row.submission)
    lines = [first, second + "".join(" · " + part for part in (more, status) if part)]
    if row.submission and row.submission.note:
        lines.append(t(lang, "summary-note", note=row.submission.note))
    return lines


def _more(lang: str, row: Row) -> str:
    """'回执 30 份 · 短信 200 条': the measures of MORE_MEASURES this row logged, written as the
    lines above them are ('' when none)."""
    return " · ".join(t(lang, f"summary-more-{k}", n=row.m(k)) for k in MORE_MEASURES if row.m(k))


def _tally(lang: str, counts: dict[str, int]) -> str:
    """'按时 3（其中 1 个报送后有变动） · 未报送 4': the statuses that occur, how many areas each."""
    parts = [f"{t(lang, f'summary-status-label-{k}')} {counts[k]}" for k in ("on_time", "late") if counts.get(k)]
    if counts.get("changed"):
        parts[-1] += t(lang, "summary-tally-changed", count=counts["changed"])
    parts += [f"{t(lang, f'summary-status-label-{k}')} {counts[k]}" for k in ("missing", "pending") if counts.get(k)]
    return " · ".join(parts)


def warning_lines(summary: Summary, lang: str) -> list[str]:
    """The early-warning counts in one line, when there are any (counts only, never names)."""
    if not any(summary.warnings.get(k) for k in ("received", "dissuasions", "follow_ups")):
        return []
    return [warnings_line(lang, summary.warnings)]


def deadline_lines(summary: Summary, lang: str) -> list[str]:
    """Each deadline of the period by its title, with how many areas stand how (none: [])."""
    if not summary.deadlines:
        return []
    return [t(lang, "summary-deadlines-head")] + [
        t(lang, "summary-deadline-tally", name=deadline_name(lang, d.title, d.due), counts=_tally(lang, d.counts))
        for d in summary.deadlines]


def render_blocks(summary: Summary, lang: str) -> list[list[str]]:
    """The summary as blocks of lines (header, totals, townships, one block per area)."""
    s = summary
    head = [t(lang, "summary-title", root=s.root_name or t(lang, "summary-all-orgs")),
            t(lang, "summary-period", start=s.start.isoformat(), end=s.end.isoformat(), asof=s.as_of.isoformat())]
    if s.period_key is not None:
        head.append(t(lang, "summary-deadline", period=s.period_title or "—",
                      due=_due(lang, (s.due_at - timedelta(seconds=1)).date()) if s.due_at else "—"))
    blocks = [head]
    if s.deadlines:
        blocks.append(deadline_lines(s, lang))
    blocks.append(_totals_block(lang, s, s.totals, t(lang, "summary-totals")) + warning_lines(s, lang))
    if len(s.townships) > 1:
        for sub in s.townships:
            blocks.append(_totals_block(lang, s, sub, t(lang, "summary-township-title", name=sub.name)))
    if not s.rows:
        blocks.append([t(lang, "summary-no-rows")])
    township = s.totals.name if len(s.townships) <= 1 else None
    for row in s.rows:
        if len(s.townships) > 1 and row.township != township:
            township = row.township
            blocks.append([t(lang, "summary-township-head", name=township or "—")])
        blocks.append(_area_block(lang, row))
    blocks.append([t(lang, "summary-footnote-running"), t(lang, "summary-footnote-households")])
    return blocks


def _units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_messages(blocks: list[list[str]], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Pack blocks of lines into messages of at most `limit`, never cutting a line.

    A block stays in one message when it fits; a block longer than a message is split
    between its lines; only a single line longer than a whole message is cut (by length)."""
    messages: list[str] = []
    current: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal current, size
        if current:
            messages.append("\n".join(current))
        current, size = [], 0

    def put(line: str) -> None:
        nonlocal size
        extra = _units(line) + (1 if current else 0)
        if size + extra > limit:
            flush()
            extra = _units(line)
        current.append(line)
        size += extra

    for block in blocks:
        block_size = sum(_units(line) for line in block) + len(block) - 1
        if current and size + 1 + block_size > limit and block_size <= limit:
            flush()
        for line in block:
            while _units(line) > limit:  # pathological: one line over a whole message
                cut = limit
                while _units(line[:cut]) > limit:
                    cut -= 1
                flush()
                messages.append(line[:cut])
                line = line[cut:]
            put(line)
    flush()
    return messages


def render_text(summary: Summary, lang: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Chat messages (each ≤ `limit` UTF-16 units, split at line boundaries): totals first."""
    return split_messages(render_blocks(summary, lang), limit)
