"""An area's progress toward the targets in force, as counts a person can act on.

Coverage and installs are taken from the office summary's own figures (distinct doors the
year so far; installs as a running total), so a worker, a reminder, the report card and the
office always see the same number."""
from __future__ import annotations

import math
from datetime import date, timedelta

INSTALLS = "app_installs"
EVER = date(1970, 1, 1)  # "every install ever logged" (before the bot existed: nothing)


def targets_of(services):
    """The loaded targets (read once per process from TARGETS_FILE)."""
    if "targets" not in services.extra:
        from .targets import load_targets
        services.extra["targets"] = load_targets(services.settings.targets_file)
    return services.extra["targets"]


async def progress_lines(services, area, on: date, lang: str) -> list[str]:
    """'APP安装 37/50，还差 13（7月31日前完成）' for the area's year so far."""
    from .i18n import t
    from .logbook import day_text
    from .summary import build_summary

    row = (await build_summary(services.storage, area.id, on.replace(day=1), on, on, targets_of(services))).totals
    lines = []
    for measure, stat in (("coverage", row.coverage), ("install_rate", row.install)):
        if not stat.base or stat.target is None or stat.due is None:
            continue
        goal = math.ceil(stat.target * stat.base)
        # Counts as plain strings: Fluent would group them as 1,420, unusual in Chinese forms.
        # households are said one way everywhere: the year's unique count, by its one label
        key = "stats-progress-households" if measure == "coverage" else "stats-progress"
        lines.append(t(lang, key, measure=measure, done=str(stat.reached), goal=str(goal),
                       missing=str(max(0, goal - stat.reached)), due=day_text(lang, stat.due),
                       passed="yes" if stat.due < on else "no"))
    return lines


async def running_installs(repo, groups: dict[int, int], areas: dict, end: date,
                           this_year: dict[int, int] | None = None) -> dict[int, int]:
    """APP installs per group (see ReportRepo.figures) on `end`, a running total never reset in
    January. An area (group id -> Org) with an imported count: that count, as of its import
    day, plus installs logged from that day to `end`; for an `end` before the import day,
    the count less those logged after `end` (never below 0). Otherwise: every install
    logged up to `end`. `this_year` (per group, installs logged from 1 January of `end`'s
    year to `end`), when the caller has it, spares reading those months again."""
    jan1 = date(end.year, 1, 1) if this_year is not None else EVER
    out = {grp: a.app_installed for grp, a in areas.items() if a.app_installed is not None}
    spans: dict[tuple[date, date, int], dict[int, int]] = {}  # (first, last, sign) -> orgs summed so
    given: set[int] = set()  # groups whose this-year installs come from `this_year`
    for org_id, grp in groups.items():
        area = areas.get(grp)
        since = area.app_installed_on if area is not None and area.app_installed is not None else EVER
        if since > end:
            span = (end + timedelta(days=1), since - timedelta(days=1), -1)
        elif since >= jan1:
            span = (since, end, 1)
        else:  # the earlier years read here, this year's given
            span = (since, jan1 - timedelta(days=1), 1)
            given.add(grp)
        spans.setdefault(span, {})[org_id] = grp
    for grp in given:
        out[grp] = out.get(grp, 0) + (this_year or {}).get(grp, 0)
    for (first, last, sign), part in spans.items():
        for grp, fig in (await repo.figures(part, first, last, keys=[INSTALLS])).items():
            out[grp] = max(0, out.get(grp, 0) + sign * fig.get(INSTALLS, 0))
    return out


async def install_line(storage, area, on: date, lang: str) -> str:
    """'反诈APP 累计安装 134/1420 人，安装率 9.4%': an area's running total on a day, as its
    summary row has it (the report card shows it)."""
    from storage.reports import ReportRepo

    from .i18n import t
    from .summary import pct

    groups = {o.id: area.id for o in await storage.orgs.subtree(area.id)}
    reached = (await running_installs(ReportRepo(storage.db), groups, {area.id: area}, on)).get(area.id, 0)
    rate = reached / area.population if area.population else None
    return t(lang, "report-installs", reached=str(reached), base=str(area.population), rate=pct(rate))
