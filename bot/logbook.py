"""Rules for logging work, shared by every channel: typed numbers and days, truthfulness flags."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import cn2an

from .config import Settings
from .i18n import t
from .kinds import KINDS, MAX_FIGURE, MEASURES

MAX_DAYS_BACK = 7
FLAG_DUPLICATE = "duplicate_evidence"
FLAG_REVIEW = "needs_review"          # above the plausibility bound, confirmed twice
FLAG_OVER_REGISTERED = "over_registered"

# A count typed by hand, maybe rough ("三十来人", "20多户"): the stated number is kept.
_NUMBER = re.compile(r"^\s*([0-9]+|[零〇一二两三四五六七八九十百千万]+)\s*(?:余|多|来|左右|\+)?\s*"
                     r"[户人张条块份场次个家]?\s*(?:左右)?\s*$")
_DATE = re.compile(r"^\s*(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?\s*$")


def parse_number(text: str) -> int | None:
    """A count typed by hand: '15', '１５', '十五', '15户'. None if it is not one."""
    match = _NUMBER.match(unicodedata.normalize("NFKC", text or ""))
    if not match:
        return None
    digits = match.group(1)
    if len(digits) > 7:
        return None
    try:
        value = cn2an.cn2an(digits, "smart")
    except Exception:  # cn2an raises ValueError, KeyError, OverflowError on odd runs
        return None
    return int(value) if 0 <= value <= MAX_FIGURE and value == int(value) else None


def parse_day(text: str, today: date) -> date | None:
    """A day typed as '11-20', '11月20日' or '2026-11-20' (the year defaults to today's)."""
    match = _DATE.match(unicodedata.normalize("NFKC", text or ""))
    if not match:
        return None
    year = int(match.group(1) or today.year)
    try:
        return date(year, int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def day_allowed(day: date, today: date) -> bool:
    """Up to a week back, never in the future."""
    return today - timedelta(days=MAX_DAYS_BACK) <= day <= today


def over_bounds(measures: dict[str, int], settings: Settings) -> list[str]:
    """Measures above the per-entry plausibility bound (they need a second confirmation)."""
    return [k for k, v in measures.items() if v > settings.measure_limit(k)]


def sep(lang: str) -> str:
    return "，" if lang == "zh" else ", "


def day_text(lang: str, day: date) -> str:
    """One way of writing a day everywhere: 11月28日 / 2026-11-28."""
    return f"{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def format_measures(lang: str, measures: dict[str, int]) -> str:
    """'入户 15户，安装APP 8人': non-zero measures in the canonical order."""
    keys = sorted((k for k, v in measures.items() if v), key=lambda k: MEASURES.index(k) if k in MEASURES else 99)
    return sep(lang).join(t(lang, "measure-value", measure=t(lang, f"m-{k}"), value=measures[k], unit=t(lang, f"u-{k}"))
                     for k in keys)


def format_day(lang: str, day: date, today: date) -> str:
    delta = (today - day).days
    names = {0: "day-today", 1: "day-yesterday", 2: "day-before"}
    label = t(lang, names[delta]) if delta in names else ""
    return f"{day_text(lang, day)} {label}".strip()


def card(lang: str, draft: dict, today: date) -> str:
    """The confirmation card of a guided entry: everything that will be saved."""
    lines = [t(lang, "card-title", kind=t(lang, f"kind-{draft['kind']}")),
             format_measures(lang, draft["measures"]) or t(lang, "card-no-figures"),
             t(lang, "card-day", day=format_day(lang, date.fromisoformat(draft["day"]), today))]
    if draft.get("address"):
        lines.append(t(lang, "card-place", place=draft["address"]))
    elif draft.get("lat") is not None:
        lines.append(t(lang, "card-place-gps"))
    houses = draft.get("households") or []
    if houses:
        shown = "、".join(houses[:5]) + ("…" if len(houses) > 5 else "")
        lines.append(t(lang, "card-houses", count=len(houses), houses=shown))
    if draft.get("photos"):
        lines.append(t(lang, "card-photos", count=len(draft["photos"])))
    return "\n".join(lines)


def kind_needs(kind: str, what: str) -> bool:
    """Does this kind require a photo ('photo') or a place ('place')?"""
    return getattr(KINDS[kind], what) == "required"


async def area_of(storage, org_id: int):
    """The village/community (or department) an org belongs to; the org itself at the top."""
    from storage.models import AREA_KINDS

    path = await storage.orgs.path(org_id)
    areas = [o for o in path if o.kind in AREA_KINDS]
    return areas[-1] if areas else path[-1]


async def add_truth_flags(storage, entry, today: date) -> list[str]:
    """Flag what the office must look at; nothing is dropped or changed. Returns new flags."""
    flags = []
    for photo in entry.photos:
        if await storage.entries.evidence_used(photo):
            flags.append(FLAG_DUPLICATE)
            break
    households = entry.measures.get("households", 0)
    if households:
        area = await area_of(storage, entry.org_id)
        org_ids = [o.id for o in await storage.orgs.subtree(area.id)]
        logged = await storage.entries.households_logged(org_ids, date(today.year, 1, 1))
        if area.households and logged + households > area.households:
            flags.append(FLAG_OVER_REGISTERED)
    entry.flags = sorted(set(entry.flags) | set(flags))
    return flags
