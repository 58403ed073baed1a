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
                    "due": target.due.strftime("%m-%d") if hasattr(target.due, "strftime") else str(target.due)})
    return out
