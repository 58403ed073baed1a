"""Read and validate an organisation tree from CSV or XLSX (the office's spreadsheet)."""
from __future__ import annotations

import csv
import math
from pathlib import Path

COLUMNS = ("code", "name", "kind", "parent", "households", "population")
KIND_ALIASES = {
    "township": "township", "乡镇": "township", "乡": "township", "镇": "township",
    "street": "street", "街道": "street",
    "community": "community", "社区": "community",
    "village": "village", "村": "village",
    "grid": "grid", "网格": "grid",
    "department": "department", "部门": "department", "单位": "department",
}


class ImportError_(Exception):
    """A rejected file: the message names the row (1 = header) and the reason."""


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read CSV (UTF-8, with or without BOM) or XLSX into dicts keyed by lower-case header."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from zipfile import BadZipFile

        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            sheet = load_workbook(path, read_only=True, data_only=True).active
            rows = [["" if c is None else str(c) for c in r] for r in sheet.iter_rows(values_only=True)]
        except (BadZipFile, InvalidFileException, KeyError, ValueError) as err:
            raise ImportError_(f"{path.name}: not a readable XLSX workbook ({err})") from None
    else:
        rows = None
        # Excel on Chinese Windows saves "CSV" in GBK, so fall back to GB18030 (a superset).
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                with path.open(encoding=encoding, newline="") as fh:
                    rows = list(csv.reader(fh))
                break
            except UnicodeDecodeError:
                continue
        if rows is None:
            raise ImportError_(f"{path.name}: not UTF-8 or GBK text; save the sheet as CSV UTF-8")
    if not rows:
        raise ImportError_("row 1: the file is empty")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportError_(f"row 1: missing column(s): {', '.join(missing)}")
    # "_row" keeps the sheet's row number so errors point at the right row despite blank rows.
    return [
        {col: (r[header.index(col)] if header.index(col) < len(r) else "").strip() for col in COLUMNS}
        | {"_row": str(number)}
        for number, r in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in r)
    ]


def _figure(value: str, row_no: int, column: str) -> int:
    text = value.replace(",", "").strip() or "0"
    try:
        number = float(text)
    except ValueError:
        raise ImportError_(f"row {row_no}: {column} must be a whole number, got {value!r}") from None
    if not math.isfinite(number) or number < 0 or number != int(number):
        raise ImportError_(f"row {row_no}: {column} must be a whole number ≥ 0, got {value!r}")
    return int(number)


def validate(rows: list[dict[str, str]], existing: dict[str, str | None]) -> list[dict]:
    """Check every row and return them parents-first, ready for storage.

    `existing` maps codes already in the database to their parent code, so a file may
    name a parent imported earlier, and a cycle through stored orgs is caught too."""
    seen: dict[str, int] = {}
    clean: list[dict] = []
    for default_no, raw in enumerate(rows, start=2):
        row_no = int(raw.get("_row", default_no))
        code = raw["code"]
        if not code:
            raise ImportError_(f"row {row_no}: code is empty")
        if code in seen:
            raise ImportError_(f"row {row_no}: duplicate code {code!r} (first on row {seen[code]})")
        seen[code] = row_no
        if not raw["name"]:
            raise ImportError_(f"row {row_no}: name is empty")
        kind = KIND_ALIASES.get(raw["kind"].strip().lower())
        if kind is None:
            raise ImportError_(f"row {row_no}: unknown kind {raw['kind']!r}")
        clean.append({
            "code": code, "name": raw["name"], "kind": kind, "parent": raw["parent"] or None,
            "households": _figure(raw["households"], row_no, "households"),
            "population": _figure(raw["population"], row_no, "population"),
            "row": row_no,
        })
    parents = dict(existing) | {r["code"]: r["parent"] for r in clean}
    for r in clean:
        if r["parent"] and r["parent"] not in parents:
            raise ImportError_(f"row {r['row']}: unknown parent {r['parent']!r}")
    for r in clean:
        _check_cycle(r, parents)
    return _parents_first(clean, parents)


def _check_cycle(row: dict, parents: dict[str, str | None]) -> None:
    trail, code = [row["code"]], parents[row["code"]]
    while code:
        if code in trail:
            raise ImportError_(f"row {row['row']}: cycle in parents: {' → '.join(trail + [code])}")
        trail.append(code)
        code = parents.get(code)


def _parents_first(rows: list[dict], parents: dict[str, str | None]) -> list[dict]:
    def depth(code: str) -> int:
        n = 0
        while parents.get(code):
            code, n = parents[code], n + 1
        return n

    return sorted(rows, key=lambda r: depth(r["code"]))


def load(path: Path, existing: dict[str, str | None]) -> list[dict]:
    if not path.exists():
        raise ImportError_(f"{path}: no such file")
    return validate(read_rows(path), existing)
