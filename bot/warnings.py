"""Early warnings (预警劝阻): reading the office's file, masking, who gets a warning, its figures.

    file (.xlsx / .csv, by header name) ──parse──> rows (a bad row rejects the whole file)
        ──areas──> each row's grid or village in the office's subtree (else unassigned)
        ──storage.warnings.add_many──> warnings (same phone + warning time: one warning)
        ──schedules/warnings.py──> dispatched at once, escalated, purged after retention

Names and phones of the people warned about go only to the people a warning is assigned
to and to office users; everything else (logs, summaries, chat lists) shows `masked`."""
from __future__ import annotations

import re
import statistics
import unicodedata
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import orgs_import
from bot.i18n import t
from storage.models import AREA_KINDS, Org, User

# Header words → field. 网格 and 村 both name the area: the grid is used when both are given.
HEADERS = {
    "姓名": "name", "电话": "phone", "手机": "phone", "手机号": "phone", "联系电话": "phone",
    "网格": "grid", "村": "village", "村(社区)": "village", "村（社区）": "village", "社区": "village",
    "住址": "address", "地址": "address", "身份证后四位": "id_last4",
    "预警类型": "kind", "类型": "kind", "预警时间": "warned_at", "时间": "warned_at",
}
WORDS = {key: word for word, key in reversed(HEADERS.items())}   # field → its first header word
REQUIRED = ("name", "phone", "kind", "warned_at")
MAX_ROWS = 20_000
MAX_COLUMNS = 64              # a header further right is not looked for (a file of 100,000 columns)
HIDDEN = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}
OUTCOMES = ("met", "phone", "unreachable", "defrauded")
DISSUADED = ("met", "phone")
TRIES = 3                        # 联系不上 this often: the warning counts as unreachable
RETRY_AFTER = timedelta(hours=2)


class WarningFileError(Exception):
    """A rejected file: the row (1 = header) and the reason, as a message key and its args."""

    def __init__(self, row: int, key: str, **args: object) -> None:
        super().__init__(f"row {row}: {key} {args}")
        self.row, self.key, self.args_ = row, key, args

    def text(self, lang: str) -> str:
        return t(lang, "warn-file-bad", row=self.row, reason=t(lang, f"warn-err-{self.key}", **self.args_))


# --- masking -------------------------------------------------------------------------------

def mask_phone(phone: str | None) -> str:
    """'138****1234': the first three and last four digits, whatever the length."""
    if not phone:
        return "—"
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****" + phone[-2:]


def surname(name: str | None) -> str:
    """'张*': the surname only."""
    return (name[0] + "*") if name else "—"


def masked(warning) -> str:
    return f"#{warning.id} {surname(warning.name)} {mask_phone(warning.phone)}"


# --- reading a file ------------------------------------------------------------------------

def read_table(name: str, data: bytes, most_rows: int | None = None) -> list[list[str]]:
    """The sheet's cells as text (.xlsx, or .csv / .txt in UTF-8 or GBK), read as the org
    tree is (bot/orgs_import.py), at most MAX_COLUMNS wide; past `most_rows` filled rows it is
    rejected as soon as known, not after reading a hostile file of a million rows."""
    if not name.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        raise WarningFileError(1, "type")
    try:
        return orgs_import.read_table(name, data, most_rows, MAX_COLUMNS)
    except orgs_import.TooBig as big:
        raise WarningFileError(big.row, big.reason, most=big.most) from None
    except orgs_import.ImportError_:
        raise WarningFileError(1, "unreadable") from None


def parse(name: str, data: bytes, tz: ZoneInfo, now: datetime | None = None) -> list[dict]:
    """Every row of the file, checked; the first bad one rejects the file (WarningFileError).
    Rows repeating a phone and warning time inside the file are read once."""
    rows = read_table(name, data, MAX_ROWS)
    if not rows:
        raise WarningFileError(1, "empty")
    header = [HEADERS.get(re.sub(r"\s+", "", h)) for h in rows[0]]
    missing = [word for word, key in (("姓名", "name"), ("电话", "phone"), ("预警类型", "kind"),
                                      ("预警时间", "warned_at")) if key not in header]
    if "grid" not in header and "village" not in header:
        missing.append("网格/村")
    if missing:
        raise WarningFileError(1, "columns", columns="、".join(missing))
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if not body:
        raise WarningFileError(1, "empty")
    out, seen = [], set()
    for number, raw in body:
        cells = {key: raw[i].strip() for i, key in enumerate(header) if key and i < len(raw) and raw[i].strip()}
        row = check_row(cells, number, tz, now)
        if (row["phone"], row["warned_at"]) not in seen:
            seen.add((row["phone"], row["warned_at"]))
            out.append(row)
    return out


def check_row(cells: dict[str, str], number: int, tz: ZoneInfo, now: datetime | None = None) -> dict:
    """One row's fields, checked and cleaned (also what /warn builds). A warning time more than
    a day after `now` is a wrong date, not a warning to come."""
    from bot.export import FORMULA_START  # here: bot.export imports the summaries, which import this
    for key in REQUIRED:
        if not cells.get(key):
            raise WarningFileError(number, "missing", column=WORDS[key])
    for key, value in cells.items():
        if len(value) > 100 or any(unicodedata.category(c) in HIDDEN for c in value):
            raise WarningFileError(number, "text", column=WORDS.get(key, key))
        if key not in ("phone", "warned_at") and value.startswith(FORMULA_START):
            # no name, area, address or type starts so; a spreadsheet would run it as a formula
            raise WarningFileError(number, "formula", column=WORDS.get(key, key))
    phone = clean_phone(cells["phone"])
    if phone is None:
        raise WarningFileError(number, "phone")
    when = parse_time(cells["warned_at"], tz)
    if when is None or (now is not None and when > now + timedelta(days=1)):
        raise WarningFileError(number, "time", value=cells["warned_at"][:20])
    last4 = cells.get("id_last4", "").upper()
    if last4 and not re.fullmatch(r"[0-9]{3}[0-9X]", last4, re.ASCII):
        raise WarningFileError(number, "id4")
    if len(cells["name"]) > 30 or len(cells["kind"]) > 30:
        raise WarningFileError(number, "long")
    return {"name": cells["name"], "phone": phone, "address": cells.get("address") or None,
            "id_last4": last4 or None, "kind": cells["kind"], "warned_at": when,
            "area_text": cells.get("grid") or cells.get("village") or "",
            "areas": [cells[k] for k in ("grid", "village") if cells.get(k)], "row": number}


def clean_phone(text: str) -> str | None:
    """Digits of a mobile or landline number ('+86 138-1234-1234' → '13812341234'), else None."""
    digits = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", text))
    digits = re.sub(r"^(\+?86)(?=1\d{10}$)", "", digits)
    # a mobile (1 + 10 digits), a landline with its area code (0…), or a local one (7-8 digits)
    return digits if re.fullmatch(r"1[0-9]{10}|0[0-9]{9,11}|[2-9][0-9]{6,7}", digits, re.ASCII) else None


def parse_time(text: str, tz: ZoneInfo) -> datetime | None:
    """'2026-11-24 02:00' (seconds, '/' and one-digit parts accepted) as a local time."""
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::\d{2})?",
                     unicodedata.normalize("NFKC", text).strip(), re.ASCII)
    if not m:
        return None
    try:
        return datetime(*map(int, m.groups()), tzinfo=tz)
    except ValueError:
        return None


def find_area(words: list[str], places: dict[str, Org]) -> Org | None:
    """The grid or village/community a row names by code (any case) or name (`area_index`);
    the grid column first. None: unassigned."""
    return next((places[k] for k in (w.upper() for w in words) if k in places), None)


def is_place(org: Org) -> bool:
    """A grid or a village/community: where a warning can be sent (a file's row, /warn, 改派)."""
    return org.kind == "grid" or org.kind in AREA_KINDS


def area_index(subtree: list[Org]) -> dict[str, Org]:
    """The office's grids and villages/communities by upper-case code and by name."""
    places = [o for o in subtree if is_place(o)]
    return {o.name.upper(): o for o in places} | {o.code.upper(): o for o in places}


def with_areas(rows: list[dict], subtree: list[Org]) -> list[dict]:
    places = area_index(subtree)
    for row in rows:
        area = find_area(row.pop("areas", []), places)
        row["org_id"] = area.id if area else None
    return rows


async def import_rows(storage, rows: list[dict], office: Org, by: int | None, now: datetime,
                      window_hours: float, retention_days: int = 90) -> tuple[int, int, int, int]:
    """Store parsed rows for this office. Returns (added, already known, unassigned of the added,
    older than the retention).

    A row warned about more than `retention_days` ago is not imported: it is past any window,
    and it may be one whose personal fields were purged (a running list sent again), which
    UNIQUE (phone, warned_at) can no longer recognise. Keeping a hash of phone and time to
    recognise it would keep personal data under another name: the few hundred million
    mobile numbers are hashed through in minutes."""
    fresh = [r for r in rows if r["warned_at"] >= now - timedelta(days=retention_days)]
    old = len(rows) - len(fresh)
    rows = with_areas(fresh, await storage.orgs.subtree(office.id))
    added, known, unassigned = await storage.warnings.add_many(rows, office.id, by, now, timedelta(hours=window_hours))
    return added, known, unassigned, old


# --- who gets a warning --------------------------------------------------------------------

async def assignees(storage, org: Org, office_id: int) -> list[User]:
    """The grid's workers; without any, the village's contacts; without any, the office."""
    people = await storage.users.in_orgs([org.id], "worker")
    if people:
        return people
    area = org if org.kind in AREA_KINDS else (await storage.orgs.get(org.parent_id) if org.parent_id else None)
    if area is not None:
        people = await storage.users.in_orgs([area.id], "contact")
    return people or await storage.users.in_orgs([office_id], "office")


# --- figures -------------------------------------------------------------------------------

async def still_assigned(storage, w, user: User) -> bool:
    """Sent to this person, whose place is still over its area: one who has since joined
    another grid (a new invite) no longer sees its name and phone, answers it or is reminded."""
    return user.id in w.assignees and w.org_id is not None and await storage.orgs.is_within(w.org_id, user.org_id)


async def figures(storage, org_id: int | None, start: date, end: date) -> dict:
    """The warning figures of an org's subtree (None: every org) for warnings received from
    start to end: received, reached (first contact within the window), dissuaded, unreachable,
    defrauded, follow-ups recorded on warnings, median minutes to first contact (None without
    any), and the logged one-line figures `dissuasions` and `follow_ups`."""
    orgs = await (storage.orgs.subtree(org_id) if org_id is not None else storage.orgs.all())
    ids = [o.id for o in orgs]
    rows = await storage.warnings.outcomes(ids, start, end)
    delays = [(contact - received).total_seconds() / 60 for received, _, contact, _, _ in rows if contact]
    logged = await storage.entries.totals(ids, start, end)  # by day, as every other figure of the period
    return {
        "received": len(rows),
        "reached": sum(1 for _, due, contact, _, _ in rows if contact and contact <= due),
        "dissuaded": sum(1 for *_, outcome, _ in rows if outcome in DISSUADED),
        "unreachable": sum(1 for *_, outcome, _ in rows if outcome == "unreachable"),
        "defrauded": sum(1 for *_, outcome, _ in rows if outcome == "defrauded"),
        "followed_up": sum(1 for *_, follow_up in rows if follow_up),
        "median_minutes": round(statistics.median(delays)) if delays else None,
        "dissuasions": logged.get("dissuasions", 0),
        "follow_ups": logged.get("follow_ups", 0),
    }


def figures_line(lang: str, fig: dict) -> str:
    """One line of counts for a summary (never a name or a phone)."""
    median = fig["median_minutes"]
    return t(lang, "warn-figures", received=fig["received"], reached=fig["reached"], dissuaded=fig["dissuaded"],
             unreachable=fig["unreachable"], defrauded=fig["defrauded"],
             median="—" if median is None else _duration(lang, median),
             logged=fig["dissuasions"], followups=fig["follow_ups"] + fig["followed_up"])


def _duration(lang: str, minutes: int) -> str:
    return t(lang, "warn-minutes", n=minutes) if minutes < 120 else t(lang, "warn-hours", n=round(minutes / 60, 1))


def hours_text(hours: float) -> str:
    """24 → '24', 1.5 → '1.5'."""
    return f"{hours:g}"
