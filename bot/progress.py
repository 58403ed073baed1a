"""An area's progress toward the targets in force, as counts a person can act on.

Coverage and installs are taken from the office summary's own figures (distinct doors,
the year so far), so a worker, a reminder and the office always see the same number."""
from __future__ import annotations

import math
from datetime import date


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
