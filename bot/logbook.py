"""Rules for logging work, shared by every channel: typed numbers and days, truthfulness flags,
saving an entry."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import cn2an

from .config import Settings
from .i18n import t
from .kinds import KINDS, MAX_FIGURE, MEASURES

if TYPE_CHECKING:
    from storage.models import NewEntry

MAX_DAYS_BACK = 7
FLAG_DUPLICATE = "duplicate_evidence"
FLAG_REVIEW = "needs_review"          # above the plausibility bound, confirmed twice
FLAG_OVER_REGISTERED = "over_registered"

# A count typed by hand. Older workers wrap it in words ("约10人", "八个人", "入户5户",
# "三十来人"), so any label without a numeral may come first and a rough word and unit
# after; exactly one number must remain, and it is kept as stated. "-", "负" and "第"
# are refused so that "-3", "负三", "第3" and dates never read as a count.
_CN_DIGITS = "零〇一二两三四五六七八九十百千万"
_NUMBER = re.compile(rf"[^\W\d_{_CN_DIGITS}负第]*?\s*:?\s*([0-9]+|[{_CN_DIGITS}]+)\s*"
                     r"(?:余|多|来|左右|\+)?\s*(?:个人|[户人张条块份场次个家位名])?\s*(?:左右)?")
_NOTHING = {"没", "没有", "没有了", "没了", "无"}
_DAY_WORDS = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}
_DATE = re.compile(r"(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})[日号]?")
_DAY_OF_MONTH = re.compile(r"(\d{1,2})[日号]")


def _typed(text: str | None) -> str:
    """Full-width digits and punctuation to ASCII; outer spaces and a final 。/./! dropped."""
    return unicodedata.normalize("NFKC", text or "").strip().rstrip("。.!").strip()


def parse_number(text: str | None) -> int | None:
    """A count typed by hand: '15', '１５', '十五', '20多户', '约10人', '海报3张', '没有' (0).

    None if it is not exactly one count from 0 to MAX_FIGURE."""
    if any(unicodedata.category(ch) == "No" for ch in text or ""):  # NFKC would make ² or ① a 2 or 1
        return None
    text = _typed(text)
    if text in _NOTHING:
        return 0
    match = _NUMBER.fullmatch(text)
    if not match or len(match.group(1)) > 7:
        return None
    try:
        value = cn2an.cn2an(match.group(1), "smart")
    except Exception:  # cn2an raises ValueError, KeyError, OverflowError on odd runs
        return None
    return int(value) if 0 <= value <= MAX_FIGURE and value == int(value) else None


# House numbers typed in one message: split on commas, 、, ；, new lines and spaces. A space
# after a part of an address that is not a door yet ("3组 16号", "幸福路 12号") joins it to the next.
_HOUSE_BREAK = re.compile(r"[,，、;；\n\r]+")
_UNFINISHED = re.compile(r"(?:组|村|社|队|路|街|巷|弄|栋|幢|楼|单元|区|号楼)$")
_STARTS_NUMBERED = re.compile(r"[0-9〇零一二两三四五六七八九十]")
MAX_HOUSES, MAX_HOUSE_CHARS = 500, 40


def split_houses(text: str | None) -> list[str]:
    """'3组16号 4组2号、5组1号' -> ['3组16号', '4组2号', '5组1号']: each door once, in order."""
    houses: list[str] = []
    for part in _HOUSE_BREAK.split(unicodedata.normalize("NFKC", text or "")):
        doors: list[str] = []
        for word in part.split():
            if doors and _UNFINISHED.search(doors[-1]) and _STARTS_NUMBERED.match(word):
                doors[-1] += word
            else:
                doors.append(word)
        houses += doors
    return list(dict.fromkeys(h[:MAX_HOUSE_CHARS] for h in houses))[:MAX_HOUSES]


def parse_day(text: str | None, today: date) -> date | None:
    """A typed day: '今天'/'昨天'/'前天', '11-20', '11.20', '11/20', '11月20日', '2026-11-20', '20号'.

    Without a year (or month) it is the latest such day not after today."""
    text = _typed(text).lower()
    if text in _DAY_WORDS:
        return today - timedelta(days=_DAY_WORDS[text])
    if match := _DAY_OF_MONTH.fullmatch(text):
        year, month, day = today.year, today.month, int(match.group(1))
        if day > today.day:  # '28号' typed on the 2nd: last month's 28th
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    elif match := _DATE.fullmatch(text):
        year, month, day = int(match.group(1) or today.year), int(match.group(2)), int(match.group(3))
        if not match.group(1) and (month, day) > (today.month, today.day):  # '12-30' typed in January
            year -= 1
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# A day said inside a one-line report ('昨天入户15户', '11月28日…', '28号…'). '28号' counts only
# at the start or after a space or punctuation (not 、, which lists doors): after a word (3组16号,
# 李家湾5号), in a list (20号、22号) or before 楼/院 it is a house number, not a day.
_DAY_IN_TEXT = re.compile(r"今天|今日|昨天|昨日|前天|(?:\d{4}[-/.年])?\d{1,2}月\d{1,2}[日号]"
                          r"|(?:^|(?<=[\s，,。；;：:（(]))\d{1,2}[日号](?![楼院室栋])")


def day_in(text: str, today: date) -> tuple[date | None, str | None]:
    """The day a one-line report says it was done, and the words that said it (None, None
    when it says none: the report is of today)."""
    match = _DAY_IN_TEXT.search(_typed(text))
    if match is None:
        return None, None
    return parse_day(match.group(0), today), match.group(0)


def day_allowed(day: date, today: date) -> bool:
    """Up to a week back, never in the future."""
    return today - timedelta(days=MAX_DAYS_BACK) <= day <= today


def over_bounds(measures: dict[str, int], settings: Settings) -> list[str]:
    """Measures above the per-entry plausibility bound (they need a second confirmation)."""
    return [k for k, v in measures.items() if v > settings.measure_limit(k)]


def sep(lang: str) -> str:
    return "，" if lang == "zh" else ", "


def listing(lang: str, items) -> str:
    """Names in a row: 张三、李四 / Zhang, Li."""
    return ("、" if lang == "zh" else ", ").join(items)


def quoted(lang: str, parts) -> str:
    """Bits of a message quoted back: “a”“b” / "a", "b"."""
    return "".join(f"“{p}”" for p in parts) if lang == "zh" else ", ".join(f'"{p}"' for p in parts)


def day_text(lang: str, day: date) -> str:
    """One way of writing a day everywhere: 11月28日 / 2026-11-28."""
    return f"{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def format_measures(lang: str, measures: dict[str, int], summed: bool = False) -> str:
    """'入户 15户，安装APP 8人': non-zero measures in the canonical order. `summed`: a sum over
    entries, where one door may be visited twice: households are counted in visits (入户 20户次)."""
    keys = sorted((k for k, v in measures.items() if v), key=lambda k: MEASURES.index(k) if k in MEASURES else 99)
    unit = {k: t(lang, f"u-{k}") for k in keys}
    if summed and "households" in unit:
        unit["households"] = t(lang, "u-households-summed")
    return sep(lang).join(t(lang, "measure-value", measure=t(lang, f"m-{k}"), value=measures[k], unit=unit[k])
                          for k in keys)


def format_changes(lang: str, delta: dict[str, int]) -> str:
    """How figures moved since a submission: '又登记了 入户 22户；撤销了 海报 2张'."""
    parts = [t(lang, key, measures=format_measures(lang, {k: sign * v for k, v in delta.items() if sign * v > 0}))
             for key, sign in (("changes-more", 1), ("changes-less", -1))
             if any(sign * v > 0 for v in delta.values())]
    return ("；" if lang == "zh" else "; ").join(parts)


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
        logged = await storage.entries.households_logged(org_ids, date(today.year, 1, 1), today)
        if area.households and logged + households > area.households:
            flags.append(FLAG_OVER_REGISTERED)
    entry.flags = sorted(set(entry.flags) | set(flags))
    return flags


async def save(storage, entries: list[NewEntry], now: datetime) -> tuple[list[int], set[str]]:
    """Flag what the office must look at and save the entries; return their ids and the flags
    to tell the author about (a figure confirmed twice is one of them)."""
    notes: set[str] = set()
    for entry in entries:
        notes.update(await add_truth_flags(storage, entry, now.date()))
        notes.update(f for f in entry.flags if f == FLAG_REVIEW)
    return await storage.entries.add(entries, now), notes
