"""Read and validate an organisation tree from CSV or XLSX (the office's spreadsheet)."""
from __future__ import annotations

import csv
import io
import math
import unicodedata
from datetime import datetime
from pathlib import Path

COLUMNS = ("code", "name", "kind", "parent", "households", "population")
# Optional: the APP install count as of the import (国家反诈中心APP 累计安装人数). A blank cell,
# or no such column, leaves the count stored earlier as it is.
OPTIONAL = ("app_installed",)
KIND_ALIASES = {
    "township": "township", "乡镇": "township", "乡": "township", "镇": "township",
    "street": "street", "街道": "street",
    "community": "community", "社区": "community",
    "village": "village", "村": "village",
    "grid": "grid", "网格": "grid",
    "department": "department", "部门": "department", "单位": "department",
}
# The hierarchy: a township or street is the top; villages, communities and the township's
# departments sit under it; grids under a village or community. So a tree is 3 levels deep.
PARENT_KINDS = {
    "township": (), "street": (),
    "village": ("township", "street"), "community": ("township", "street"),
    "department": ("township", "street"),
    "grid": ("village", "community"),
}
MAX_FIGURE = 100_000_000  # households or people of one org: far above any township, safe to sum
MAX_CODE, MAX_NAME = 64, 100
# Characters that do not show or that steer the text: controls (NUL…), format marks (RTL
# overrides, zero-width), surrogates, private use, line and paragraph separators. A name
# holding one reads differently on each phone, or hides what it says.
HIDDEN = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


class ImportError_(Exception):
    """A rejected file: the message names the row (1 = header) and the reason."""


class TooBig(ImportError_):
    """A file over a bound: 'too-many' rows (known at `row`) or 'unpacked' past `most` MB."""

    def __init__(self, row: int, reason: str, most: int) -> None:
        super().__init__(f"row {row}: more than {most} rows" if reason == "too-many"
                         else f"unpacks to more than {most} MB")
        self.row, self.reason, self.most = row, reason, most


MAX_UNPACKED = 200 * 2**20  # bytes an .xlsx may unpack to: a small file can unpack to gigabytes (a zip bomb)


def read_table(name: str, data: bytes, most_rows: int | None = None,
               most_columns: int | None = None) -> list[list[str]]:
    """A sheet's cells as text, by the file's name: XLSX (first sheet), else CSV in UTF-8
    (with or without BOM) or GBK; at most `most_columns` wide, and TooBig past `most_rows`
    filled rows. Also how the office's warnings file is read (bot/warnings.py)."""
    if name.lower().endswith((".xlsx", ".xlsm")):
        from zipfile import BadZipFile, ZipFile

        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            with ZipFile(io.BytesIO(data)) as zf:
                if sum(i.file_size for i in zf.infolist()) > MAX_UNPACKED:
                    raise TooBig(1, "unpacked", MAX_UNPACKED // 2**20)
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            return _bounded(([_cell(c) for c in r] for r in sheet.iter_rows(max_col=most_columns, values_only=True)),
                            most_rows)
        except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as err:
            raise ImportError_(f"{name}: not a readable XLSX workbook ({err})") from None
    # Excel on Chinese Windows saves "CSV" in GBK, so fall back to GB18030 (a superset).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            return _bounded((r[:most_columns] for r in reader), most_rows)
        except csv.Error as err:  # e.g. a cell over the csv module's 131,072 characters
            raise ImportError_(f"row {reader.line_num}: not readable as CSV ({err})") from None
    raise ImportError_(f"{name}: not UTF-8 or GBK text; save the sheet as CSV UTF-8")


def _bounded(rows, most: int | None) -> list[list[str]]:
    """The header and the rows, stopping with TooBig at the first filled row past `most`."""
    out, filled = [], 0
    for row in rows:
        out.append(row)
        if len(out) > 1 and any(c.strip() for c in row):
            filled += 1
            if most is not None and filled > most:
                raise TooBig(len(out), "too-many", most)
    return out


def _cell(value: object) -> str:
    """A cell as text; a date and time as '2026-11-24 02:00' (the warnings' 预警时间)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read CSV or XLSX (`read_table`) into dicts keyed by lower-case header."""
    rows = read_table(path.name, path.read_bytes())
    if not rows:
        raise ImportError_("row 1: the file is empty")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportError_(f"row 1: missing column(s): {', '.join(missing)}")
    # "_row" keeps the sheet's row number so errors point at the right row despite blank rows.
    present = COLUMNS + tuple(c for c in OPTIONAL if c in header)
    return [
        {col: (r[header.index(col)] if header.index(col) < len(r) else "").strip() for col in present}
        | {"_row": str(number)}
        for number, r in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in r)
    ]


def _shown(value: str) -> str:
    """A cell as quoted in a message: a huge one cut short."""
    return repr(value if len(value) <= 20 else value[:20] + "…")


def _figure(value: str, row_no: int, column: str) -> int:
    text = value.replace(",", "").strip() or "0"
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and 0 <= number <= MAX_FIGURE and number == int(number)):
        raise ImportError_(f"row {row_no}: {column} must be a whole number from 0 to {MAX_FIGURE:,}, "
                           f"got {_shown(value)}")
    return int(number)


def _text(value: str, row_no: int, column: str, most: int) -> str:
    if not value:
        raise ImportError_(f"row {row_no}: {column} is empty")
    if len(value) > most:
        raise ImportError_(f"row {row_no}: {column} is longer than {most} characters")
    hidden = next((c for c in value if unicodedata.category(c) in HIDDEN), None)
    if hidden is not None:
        raise ImportError_(f"row {row_no}: {column} holds an invisible or control character "
                           f"(U+{ord(hidden):04X}); type it again")
    return value


def _row(raw: dict[str, str], row_no: int) -> dict:
    """One row checked on its own: code, name, kind, figures."""
    kind = KIND_ALIASES.get(raw["kind"].strip().lower())
    code = _text(raw["code"], row_no, "code", MAX_CODE)
    name = _text(raw["name"], row_no, "name", MAX_NAME)
    if kind is None:
        raise ImportError_(f"row {row_no}: unknown kind {_shown(raw['kind'])}")
    return {
        "code": code, "name": name, "kind": kind, "parent": raw["parent"] or None,
        "households": _figure(raw["households"], row_no, "households"),
        "population": _figure(raw["population"], row_no, "population"),
        "app_installed": _installed(raw, row_no),
        "row": row_no,
    }


def _installed(raw: dict[str, str], row_no: int) -> int | None:
    """The optional APP install count: None when not given; a figure, at most the population."""
    value = raw.get("app_installed", "").strip()
    if not value:
        return None
    count = _figure(value, row_no, "app_installed")
    population = _figure(raw["population"], row_no, "population")
    if population and count > population:
        raise ImportError_(f"row {row_no}: app_installed ({count}) is more than the population ({population})")
    return count


def validate(rows: list[dict[str, str]], existing: dict[str, str | None],
             kinds: dict[str, str] | None = None) -> list[dict]:
    """Check every row and return them parents-first, ready for storage.

    `existing` maps codes already in the database to their parent code, so a file may
    name a parent imported earlier, and a cycle through stored orgs is caught too;
    `kinds` (code → kind, from the database) lets such a parent's place be checked."""
    seen: dict[str, int] = {}
    clean: list[dict] = []
    for default_no, raw in enumerate(rows, start=2):
        row = _row(raw, int(raw.get("_row", default_no)))
        if row["code"] in seen:
            raise ImportError_(f"row {row['row']}: duplicate code {row['code']!r} (first on row {seen[row['code']]})")
        seen[row["code"]] = row["row"]
        clean.append(row)
    parents = dict(existing) | {r["code"]: r["parent"] for r in clean}
    for r in clean:
        if r["parent"] and r["parent"] not in parents:
            raise ImportError_(f"row {r['row']}: unknown parent {_shown(r['parent'])}")
    depth = _depths(clean, parents)
    kind_of = dict(kinds or {}) | {r["code"]: r["kind"] for r in clean}
    for r in clean:
        _check_place(r, kind_of.get(r["parent"]))
    return sorted(clean, key=lambda r: depth[r["code"]])


def _depths(rows: list[dict], parents: dict[str, str | None]) -> dict[str, int]:
    """Each code's depth (a root is 0), each worked out once; a loop of parents is refused.
    (Walking every row up to its root would take a long chain's length squared.)"""
    depth: dict[str, int] = {}
    for row in rows:
        trail: list[str] = []
        on_trail: set[str] = set()
        code = row["code"]
        while code is not None and code not in depth:
            if code in on_trail:
                raise ImportError_(f"row {row['row']}: cycle in parents: {_chain(trail + [code])}")
            trail.append(code)
            on_trail.add(code)
            code = parents.get(code)
        level = depth[code] if code is not None else -1
        for step in reversed(trail):
            level += 1
            depth[step] = level
    return depth


def _chain(codes: list[str]) -> str:
    return " → ".join(codes if len(codes) <= 8 else codes[:3] + ["…"] + codes[-3:])


def _check_place(row: dict, parent_kind: str | None) -> None:
    """A row's parent must be of a kind the hierarchy puts above it (unknown: not checked)."""
    allowed = PARENT_KINDS[row["kind"]]
    if row["parent"] is None or parent_kind is None or parent_kind in allowed:
        return
    if not allowed:
        raise ImportError_(f"row {row['row']}: a {row['kind']} is the top of the tree; it cannot be "
                           f"under {row['parent']!r}")
    raise ImportError_(f"row {row['row']}: a {row['kind']} belongs under a {' or '.join(allowed)}, "
                       f"not under {row['parent']!r} (a {parent_kind})")


def load(path: Path, existing: dict[str, str | None], kinds: dict[str, str] | None = None) -> list[dict]:
    if not path.exists():
        raise ImportError_(f"{path}: no such file")
    return validate(read_rows(path), existing, kinds)
