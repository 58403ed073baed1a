"""An area's progress toward the targets in force, as counts a person can act on."""
from __future__ import annotations

import math
from datetime import date

# measure in targets.toml -> (figure logged, the org's base figure)
RATE_MEASURES = {"coverage": ("households", "households"), "install_rate": ("app_installs", "population")}


def targets_of(services):
    """The loaded targets (read once per process from TARGETS_FILE)."""
    if "targets" not in services.extra:
        from .targets import load_targets
        services.extra["targets"] = load_targets(services.settings.targets_file)
    return services.extra["targets"]


def progress(services, area, year_totals: dict[str, int], on: date, codes: list[str] | None = None) -> list[dict]:
    """[{measure, done, goal, missing, due}] for coverage and installs, e.g. APP 37/50, 13 to go."""
    targets = targets_of(services)
    out = []
    for measure, (figure, base_field) in RATE_MEASURES.items():
        base = getattr(area, base_field)
        target = targets.in_force(measure, codes or [area.code], on)
        if not base or target is None:
            continue
        goal = math.ceil(target.value * base)
        done = year_totals.get(figure, 0)
        out.append({"measure": measure, "done": done, "goal": goal, "missing": max(0, goal - done),
                    "due": target.due, "passed": target.due < on})
    return out


async def progress_lines(services, area, on: date, lang: str) -> list[str]:
    """'APP安装 37/50，还差 13（7月31日前完成）' for the area's year so far."""
    from .i18n import t
    from .logbook import day_text

    org_ids = [o.id for o in await services.storage.orgs.subtree(area.id)]
    year = await services.storage.entries.totals(org_ids, date(on.year, 1, 1), on)
    codes = [o.code for o in await services.storage.orgs.path(area.id)]
    # Counts as plain strings: Fluent would group them as 1,420, unusual in Chinese forms.
    return [t(lang, "stats-progress", measure=p["measure"], done=str(p["done"]), goal=str(p["goal"]),
              missing=str(p["missing"]), due=day_text(lang, p["due"]), passed="yes" if p["passed"] else "no")
            for p in progress(services, area, year, on, codes)]
