"""The progress table (进展情况表, xlsx) and the chart (png) an office forwards upward.

Pure domain code (no chat library). Both are synchronous and CPU-bound: from the bot, call
``export_progress`` (fetches the ledger, writes in a worker thread) and run ``render_chart``
in ``asyncio.to_thread``.

The workbook is written with XlsxWriter in ``constant_memory`` mode (each row goes to disk
as soon as the next one starts: rows are written top to bottom, once). The ledger sheet's
rows, a county's month being 80,000+ of them, are made as sheet XML here and put into the
written file (``_fill_ledger``): XlsxWriter's cost per cell was most of the export's time.
Memory stays flat either way. Styles stay plain (bold headers, a grey fill, thin borders,
number formats) so Excel and WPS open it alike. Both sheets print landscape on A4, one page
wide, the header row on every page.
"""
from __future__ import annotations

import asyncio
import importlib.resources
import math
import os
import re
import tempfile
import zipfile
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple
from zoneinfo import ZoneInfo

import xlsxwriter

from storage.db import private_file
from storage.reports import LedgerRow, ReportRepo

from .i18n import keys, t
from .kinds import KINDS, MEASURES
from .summary import (Row, Summary, deadline_lines, pct, period_name, quota_units, row_name, status_label,
                      warning_lines)

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
A4 = 9  # Excel's paper size code


# ------------------------------------------------------------------ text in cells

# Excel and WPS read a cell (or a CSV field) that starts with one of these as a formula:
# '=HYPERLINK(...)' or '=cmd|...' typed as a name would run when the office opens the file.
# OWASP's advice (CSV injection): start such text with an apostrophe, which makes it text.
# A CR is stored as LF in xlsx, so LF counts too.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Control characters an xlsx cannot hold (the XML forbids them; Excel calls such a file corrupt).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]|[\ufffe\uffff]")


def cell_value(value: Any) -> Any:
    """`value` as it may go into a spreadsheet cell or a CSV field: text never a formula, and
    without the control characters an xlsx cannot hold. Every text people typed or named
    (names, org names, addresses, notes) goes through here on its way to the xlsx, and to the
    evidence 清单.csv. (The xlsx also writes every text as a string, never as a formula.)"""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def xlsx_text(value: str) -> str:
    """cell_value for an xlsx cell: a CR becomes a line break (a cell shows no CR; XlsxWriter
    would keep it as the escape '_x000D_', which some readers show as is)."""
    return cell_value(value).replace("\r\n", "\n").replace("\r", "\n")


# ------------------------------------------------------------------ labels


@lru_cache(maxsize=None)
def _label(lang: str, key: str, fallback: str) -> str:
    return t(lang, key) if key in keys(lang) else fallback


def kind_label(lang: str, kind: str) -> str:
    """'visit' -> '入户走访'; a kind without wording shows its key."""
    return _label(lang, f"summary-kind-{kind}", kind)


@lru_cache(maxsize=None)
def _measure_template(lang: str, measure: str) -> str:
    key = f"summary-m-{measure}"
    return t(lang, key, n="\x00") if key in keys(lang) else f"{measure} \x00"


@lru_cache(maxsize=None)
def measure_header(lang: str, measure: str) -> str:
    """A measure's column header: its own `col-<measure>` string, else read off the card's
    wording ('入户{n}户' -> '入户（户）', '{n} households' -> 'households'), so a measure
    added to bot/kinds.py gets its column without touching this file."""
    key = f"col-{measure}"
    if key in keys(lang):
        return t(lang, key)
    before, _, after = _measure_template(lang, measure).partition("\x00")
    before, after = before.strip(), after.strip()
    if lang == "zh" and before and after:
        return f"{before}（{after}）"
    return before or after or measure


def measures_text(lang: str, measures: dict[str, int]) -> str:
    """{'households': 15, 'leaflets': 30} -> '入户15户，宣传单30份' (canonical order first)."""
    order = [k for k in MEASURES if k in measures] + [k for k in measures if k not in MEASURES]
    sep = "，" if lang == "zh" else ", "
    return sep.join(_measure_template(lang, k).replace("\x00", str(measures[k])) for k in order)


def measure_keys(summary: Summary | None = None) -> list[str]:
    """Every canonical measure (bot/kinds.py order), then any other key the period holds."""
    extra = [k for k in summary.totals.measures if k not in MEASURES] if summary else []
    return [*MEASURES, *extra]


# ------------------------------------------------------------------ writing cells

_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (1900 date system)


def serial(value: date | datetime) -> float:
    """An Excel date serial: the day count, plus the time as a fraction of a day."""
    days = value.toordinal() - _EPOCH
    if isinstance(value, datetime):
        return days + (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return days


class _Styles:
    """The workbook's cell formats, made once per (style, number format)."""

    BASE = {"border": 1, "border_color": "#999999", "valign": "vcenter"}
    STYLES = {
        "cell": {},
        "head": {"bold": True, "bg_color": "#DDDDDD", "text_wrap": True, "align": "center"},
        "total": {"bold": True, "bg_color": "#F2F2F2"},
    }

    def __init__(self, wb) -> None:
        self.wb, self.made = wb, {}
        self.title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.info = wb.add_format({"text_wrap": True, "valign": "vcenter"})
        self.date, self.datetime = wb.add_format({"num_format": DATE}), wb.add_format({"num_format": DATETIME})

    def __call__(self, style: str, fmt: str | None = None):
        key = (style, fmt)
        if key not in self.made:
            self.made[key] = self.wb.add_format(self.BASE | self.STYLES[style] | ({"num_format": fmt} if fmt else {}))
        return self.made[key]


def _put(ws, r: int, c: int, value: Any, fmt) -> None:
    """One cell by its type: text always as text (never a formula), dates as date serials."""
    if value is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, xlsx_text(value), fmt)
    elif isinstance(value, (date, datetime)):
        ws.write_number(r, c, serial(value), fmt)
    else:
        ws.write_number(r, c, value, fmt)


def _print_setup(ws, header_row: int) -> None:
    """Landscape A4, one page wide (as many pages down as it takes), the header row on each."""
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


# ------------------------------------------------------------------ progress table


class Column(NamedTuple):
    """One column of the progress table."""
    head: str
    width: float
    fmt: str | None
    get: Callable[[Row], Any]
    total: str = "whole"  # "sum": the rows added up; "whole": get(totals); "status": the count of each; "none"
    constant: bool = False  # the same on every row: said once in the title block instead


def _yes_no(lang: str, ok: bool | None) -> str | None:
    return None if ok is None else t(lang, "summary-yes" if ok else "summary-no")


def _status_cells(lang: str, row: Row, tz) -> tuple[str | None, str | None, datetime | None, str | None]:
    s = row.submission
    if s is None:
        return None, None, None, None
    who = s.submitter or "、".join(s.contacts) or None
    at = s.submitted_at.astimezone(tz).replace(tzinfo=None) if s.submitted_at else None
    return status_label(lang, s), who, at, s.note or s.nil_reason


def _rate_columns(lang: str, rate_key: str, name: str, progress) -> list[Column]:
    """A rate's columns: the rate, its target, due day, expected pace and whether on pace
    (`progress(row)` gives the row's coverage or install progress)."""
    c = lambda key: t(lang, key)  # noqa: E731
    return [
        Column(c(rate_key), 8, PERCENT, lambda r: progress(r).rate),
        Column(c(f"col-{name}-target"), 9, PERCENT, lambda r: progress(r).target, constant=True),
        Column(c(f"col-{name}-due"), 11, DATE, lambda r: progress(r).due, constant=True),
        Column(c(f"col-{name}-expected"), 9, PERCENT, lambda r: progress(r).expected, constant=True),
        Column(c(f"col-{name}-pace"), 8, None, lambda r: _yes_no(lang, progress(r).on_pace)),
    ]


def _derived(lang: str, measure: str) -> list[Column]:
    """The columns that follow a measure's own: house numbers and coverage after households,
    the year's installs and their rate after installs, photo+place after the last poster
    measure, the pushes a week's target calls for after pushes."""
    c = lambda key: t(lang, key)  # noqa: E731
    if measure == "households":
        return [Column(c("col-listed"), 10, None, lambda r: r.households_listed, "sum"),
                Column(c("col-reached"), 11, None, lambda r: r.coverage.reached, "sum"),
                *_rate_columns(lang, "col-coverage", "coverage", lambda r: r.coverage)]
    if measure == "app_installs":
        return [Column(c("col-installs-ytd"), 10, None, lambda r: r.install.reached, "sum"),
                *_rate_columns(lang, "col-install-rate", "install", lambda r: r.install)]
    if measure == KINDS["poster"].measures[-1]:
        return [Column(c("col-placed"), 12, None, lambda r: r.placed_total, "sum")]
    if measure == "group_pushes":
        return [Column(c("col-pushes-quota"), 9, None, lambda r: quota_units(r.pushes_quota), "none", True)]
    return []


def _columns(summary: Summary, lang: str, tz) -> list[Column]:
    """Every column the table could have, in order (constant ones are taken out later)."""
    cols: list[Column] = []
    if len(summary.townships) > 1:
        cols.append(Column(t(lang, "col-township"), 12, None, lambda r: r.township, "none"))
    cols += [Column(t(lang, "col-area"), 16, None, lambda r: row_name(lang, r), "none"),
             Column(t(lang, "col-registered"), 9, None, lambda r: r.households_registered, "sum"),
             Column(t(lang, "col-population"), 9, None, lambda r: r.population, "sum")]
    for measure in measure_keys(summary):
        cols.append(Column(measure_header(lang, measure), 9, None, lambda r, m=measure: r.m(m), "sum"))
        cols += _derived(lang, measure)
    cols += [
        Column(t(lang, "col-evidence"), 9, None, lambda r: r.evidence, "sum"),
        Column(t(lang, "col-entries"), 8, None, lambda r: r.entries, "sum"),
        Column(t(lang, "col-flagged"), 8, None, lambda r: r.flagged, "sum"),
        Column(t(lang, "col-status"), 10, None, lambda r: _status_cells(lang, r, tz)[0], "status"),
        Column(t(lang, "col-submitter"), 14, None, lambda r: _status_cells(lang, r, tz)[1], "none"),
        Column(t(lang, "col-submitted-at"), 16, DATETIME, lambda r: _status_cells(lang, r, tz)[2], "none"),
        Column(t(lang, "col-note"), 30, None, lambda r: _status_cells(lang, r, tz)[3], "none"),
    ]
    return cols


def _constant_text(col: Column, value: Any, lang: str) -> str:
    if col.fmt == PERCENT:
        shown = pct(value)
    elif isinstance(value, date):
        shown = value.isoformat()
    else:
        shown = str(value)
    return t(lang, "xlsx-constant", name=col.head, value=shown)


def split_constants(cols: list[Column], rows: list[Row], lang: str) -> tuple[list[Column], list[str]]:
    """Take out the columns that would show one value on every row: they are said once, in the
    title block ('入户率目标：100%'); a column with no value on any row is dropped."""
    kept, said = [], []
    for col in cols:
        if not col.constant:
            kept.append(col)
            continue
        values = {col.get(r) for r in rows} - {None}
        if len(values) > 1:
            kept.append(col)
        elif values:
            said.append(_constant_text(col, values.pop(), lang))
    return kept, said


def _totals_status(lang: str, summary: Summary) -> str | None:
    if not summary.submitted:
        return None
    return "、".join(f"{t(lang, f'summary-status-label-{k}')} {v}" for k, v in summary.submitted.items() if v) or None


def _total_cell(col: Column, summary: Summary, lang: str) -> Any:
    if col.total == "status":
        return _totals_status(lang, summary)
    if col.total == "sum":
        return sum(col.get(r) or 0 for r in summary.rows)
    return col.get(summary.totals) if col.total == "whole" else None


def title_lines(summary: Summary, lang: str) -> list[str]:
    """The title (area, the deadline's title) and the period line under it."""
    root = summary.root_name or t(lang, "summary-all-orgs")
    title = t(lang, "xlsx-title-for", root=root, deadline=period_name(lang, summary)) if summary.period_title \
        else t(lang, "xlsx-title", root=root)
    period = t(lang, "xlsx-period", start=summary.start.isoformat(), end=summary.end.isoformat(),
               asof=summary.as_of.isoformat())
    return [title, period]


def tail_rows(summary: Summary, lang: str) -> list[str]:
    """Lines under the table (merged across it). THE place for more: figures that are no
    column of the table (the early-warning counts, say) append their lines here."""
    # the status column is one deadline's: each deadline's standing goes under the table
    return deadline_lines(summary, lang) + [t(lang, "xlsx-note")] + warning_lines(summary, lang)


def _progress_sheet(wb, styles: _Styles, summary: Summary, lang: str, tz) -> None:
    ws = wb.add_worksheet(t(lang, "xlsx-sheet-progress"))
    area_rows = [r for r in summary.rows if r.kind == "area"] or summary.rows
    cols, constants = split_constants(_columns(summary, lang, tz), area_rows, lang)
    if summary.totals.lectures_quota is not None:
        constants.append(t(lang, "xlsx-lectures-quota", n=quota_units(summary.totals.lectures_quota)))
    last = len(cols) - 1
    for index, col in enumerate(cols):
        ws.set_column(index, index, col.width)
    head = [*title_lines(summary, lang), *(["　".join(constants)] if constants else [])]
    for r, text in enumerate(head):
        ws.set_row(r, 30 if r != 1 else None)  # the title, and the targets line (it may wrap)
        ws.merge_range(r, 0, r, last, xlsx_text(text), styles.title if r == 0 else styles.info)
    header = len(head)
    ws.set_row(header, 42)
    for c, col in enumerate(cols):
        _put(ws, header, c, col.head, styles("head"))
    frozen = 2 if len(summary.townships) > 1 else 1  # keep the village name in view when scrolling right
    ws.freeze_panes(header + 1, frozen)
    _print_setup(ws, header)
    r = header + 1
    for row in summary.rows:
        for c, col in enumerate(cols):
            _put(ws, r, c, col.get(row), styles("cell", col.fmt))
        r += 1
    for c, col in enumerate(cols):
        value = t(lang, "xlsx-totals") if c == 0 else _total_cell(col, summary, lang)
        _put(ws, r, c, value, styles("total", col.fmt))
    r += 2
    for text in tail_rows(summary, lang):
        ws.merge_range(r, 0, r, last, xlsx_text(text), styles.info)
        ws.set_row(r, 30)
        r += 1


# ------------------------------------------------------------------------ ledger


def place_text(lat: float | None, lon: float | None, address: str | None) -> str | None:
    """An address if one was given, otherwise the coordinates ('28.100000, 108.200000')."""
    if address and address.strip():
        return address.strip()
    if lat is not None and lon is not None:
        return f"{lat:.6f}, {lon:.6f}"
    return None


LEDGER_BEFORE = (("ledger-id", 8), ("ledger-date", 11), ("ledger-recorded", 16), ("ledger-who", 12),
                 ("ledger-org", 20), ("ledger-kind", 12))
LEDGER_AFTER = (("ledger-place", 26), ("ledger-evidence", 9), ("ledger-listed", 9), ("ledger-flags", 16))


def _ledger_head(wb, styles: _Styles, measures: list[str], count: int, lang: str) -> str:
    """The ledger sheet with its header row, widths, filter (over its `count` rows) and print
    setup; the rows go in after the workbook is written (_fill_ledger). Returns the sheet's
    part name."""
    ws = wb.add_worksheet(t(lang, "xlsx-sheet-ledger"))
    heads = [(t(lang, k), w) for k, w in LEDGER_BEFORE] + [(measure_header(lang, m), 8) for m in measures] \
        + [(t(lang, k), w) for k, w in LEDGER_AFTER]
    for c, (text, width) in enumerate(heads):
        # a column's own format also gives the date formats their index in the workbook's styles
        ws.set_column(c, c, width, styles.date if c == 1 else styles.datetime if c == 2 else None)
        _put(ws, 0, c, text, styles("head"))
    ws.set_row(0, 30)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, count, len(heads) - 1)
    _print_setup(ws, 0)
    return f"sheet{ws.index + 1}"  # XlsxWriter names the parts by position


def _xml_text(text: str, cache: dict[str, str]) -> str:
    """A text cell's inner XML (cached: names and places repeat down a county's ledger)."""
    found = cache.get(text)
    if found is None:
        value = xlsx_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        space = ' xml:space="preserve"' if value != value.strip() else ""
        found = cache[text] = f'" t="inlineStr"><is><t{space}>{value}</t></is></c>'
        if len(cache) > 50_000:  # addresses may all differ: keep the cache bounded
            cache.clear()
    return found


# Where a row's date cells name their style; the style's number is known only once the
# workbook is written. Control characters: no text people typed can hold them (cell_value).
DATE_XF, TIME_XF = "\x01", "\x02"


def _ledger_rows(out, entries: Iterable[LedgerRow], measures: list[str], lang: str, tz) -> int:
    """Write the ledger's rows as sheet XML to `out`; returns how many.

    One row per live entry; one numeric column per measure (blank when the entry has none),
    so the office can sum and filter; the place as an address, else the coordinates. The XML
    is made here rather than cell by cell through XlsxWriter: a county's month is 80,000+
    rows, and XlsxWriter's per-cell cost made this sheet most of the export's time."""
    from xlsxwriter.utility import xl_col_to_name

    letters = [xl_col_to_name(c) for c in range(len(LEDGER_BEFORE) + len(measures) + len(LEDGER_AFTER))]
    column = {m: letters[len(LEDGER_BEFORE) + i] for i, m in enumerate(measures)}
    rank = {m: i for i, m in enumerate(measures)}
    order = lambda item: rank.get(item[0], -1)  # noqa: E731 - a row's cells must go left to right
    place, photos, listed, flagged = letters[len(LEDGER_BEFORE) + len(measures):]
    texts: dict[str, str] = {}
    days: dict[str, int] = {}
    kinds: dict[str, str] = {}
    r = 1
    for e in entries:
        r += 1
        recorded = datetime.fromisoformat(e.recorded_at)
        if recorded.tzinfo is not None:
            recorded = recorded.astimezone(tz)
        day = days.get(e.happened_on) or days.setdefault(e.happened_on, serial(date.fromisoformat(e.happened_on)))
        kind = kinds.get(e.kind) or kinds.setdefault(e.kind, kind_label(lang, e.kind))
        cells = [f'<row r="{r}"><c r="A{r}"><v>{e.id}</v></c><c r="B{r}" s="{DATE_XF}"><v>{day}</v></c>'
                 f'<c r="C{r}" s="{TIME_XF}"><v>{serial(recorded.replace(second=0))!r}</v></c>'
                 f'<c r="D{r}{_xml_text(e.user_name, texts)}<c r="E{r}{_xml_text(e.org_name, texts)}'
                 f'<c r="F{r}{_xml_text(kind, texts)}']
        cells += [f'<c r="{column[k]}{r}"><v>{v}</v></c>' for k, v in sorted(e.measures.items(), key=order)
                  if v and k in column]
        where = place_text(e.lat, e.lon, e.address)
        if where:
            cells.append(f'<c r="{place}{r}{_xml_text(where, texts)}')
        if e.evidence:
            cells.append(f'<c r="{photos}{r}"><v>{e.evidence}</v></c>')
        if e.households_listed:
            cells.append(f'<c r="{listed}{r}"><v>{e.households_listed}</v></c>')
        if e.flags:
            words = "、".join(_label(lang, f"summary-flag-{f}", f) for f in e.flags)
            cells.append(f'<c r="{flagged}{r}{_xml_text(words, texts)}')
        cells.append("</row>")
        out.write("".join(cells))
    return r - 1


def _fill_ledger(path: Path, sheet: str, rows, count: int, xf: tuple[int, int]) -> None:
    """Put the ledger's rows (sheet XML in the file `rows`) into the written workbook's `sheet`
    part, after its header row, with the sheet's dimension to match and the date styles'
    numbers in place; every other part is copied as it is."""
    part = f"xl/worksheets/{sheet}.xml"
    done = path.with_name(path.name + ".part")
    private_file(done)  # the table names workers and where they went: this user's only, whatever the umask
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(done, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename != part:
                new.writestr(info, data)
                continue
            head, tail = data.decode("utf-8").split("</sheetData>", 1)
            head = re.sub(r'<dimension ref="A1:([A-Z]+)1"/>', rf'<dimension ref="A1:\g<1>{count + 1}"/>', head, 1)
            with new.open(part, "w") as sink:
                sink.write(head.encode())
                rows.seek(0)
                while chunk := rows.read(1 << 20):
                    sink.write(chunk.replace(DATE_XF, str(xf[0])).replace(TIME_XF, str(xf[1])).encode())
                sink.write(("</sheetData>" + tail).encode())
    os.replace(done, path)


def write_progress_xlsx(summary: Summary, entries_iter: Iterable[LedgerRow], path: Path | str,
                        lang: str = "zh", tz=LOCAL_TZ) -> int:
    """Write the progress table (sheet 1) and the period's ledger (sheet 2); returns ledger rows written.

    The ledger's rows are made first (into a temporary file: a county's month stays off the
    heap), so that its filter can span them; then the workbook; then the rows go into it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    measures = measure_keys(summary)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as rows:
        count = _ledger_rows(rows, entries_iter, measures, lang, tz)
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                             "strings_to_urls": False, "strings_to_numbers": False})
        try:
            styles = _Styles(wb)
            _progress_sheet(wb, styles, summary, lang, tz)
            sheet = _ledger_head(wb, styles, measures, count, lang)
            wb.set_properties({"title": t(lang, "xlsx-sheet-progress"), "author": "antifraud-bot"})
        finally:
            wb.close()
        xf = styles.date.xf_index, styles.datetime.xf_index  # the formats' numbers, known once written
        _fill_ledger(path, sheet, rows, count, xf)
    return count


async def export_progress(storage, summary: Summary, path: Path | str, lang: str = "zh", tz=LOCAL_TZ) -> int:
    """Write the workbook for `summary` in a worker thread, reading the period's ledger there
    through its own read-only connection; returns ledger rows. Memory stays flat (rows stream
    in chunks) and the bot keeps answering while a county exports."""
    rows = ReportRepo(storage.db).ledger_rows(summary.org_ids, summary.start, summary.end)
    return await asyncio.to_thread(write_progress_xlsx, summary, rows, path, lang, tz)


# ------------------------------------------------------------------------ chart

FONT_FILE = "NotoSansCJKsc-Regular.otf"
MAX_BARS = 40  # more areas than this are charted per township (a picture must stay readable)
HORIZONTAL_ABOVE = 15  # more areas than this: bars lie down, names read left to right


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, str]:
    """(path, family name) of the Noto Sans CJK SC font shipped by the mplfonts package."""
    from matplotlib import font_manager

    path = str(importlib.resources.files("mplfonts") / "fonts" / FONT_FILE)
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: the mplfonts package is missing its Noto Sans CJK SC font")
    font_manager.fontManager.addfont(path)
    return path, font_manager.FontProperties(fname=path).get_name()


def chart_rows(summary: Summary, lang: str) -> tuple[list[Row], str]:
    """The bars to draw, the township total last ('合计'), and a title suffix."""
    rows = [r for r in summary.rows if r.kind == "area"]
    suffix = ""
    if len(rows) > MAX_BARS and len(summary.townships) > 1:
        rows, suffix = list(summary.townships), t(lang, "chart-by-township")
    rows = rows[:MAX_BARS * 3]
    total = summary.totals.model_copy(update={"name": t(lang, "xlsx-totals"), "kind": "total"})
    return [*rows, total], suffix


def render_chart(summary: Summary, path: Path | str, lang: str = "zh") -> Path:
    """Draw the chart (see chart_figure) into a PNG file."""
    from matplotlib import rc_context

    with rc_context(_chart_rc()):
        fig = chart_figure(summary, lang)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
    return Path(path)


def _chart_rc() -> dict:
    _, family = cjk_font()
    # parse_math off: an org name such as '$\frac{$' would otherwise be read as TeX, and fail the chart.
    return {"font.family": [family], "font.sans-serif": [family], "axes.unicode_minus": False,
            "text.parse_math": False}


def chart_figure(summary: Summary, lang: str = "zh"):
    """Bars of coverage and install rate per village and for the whole, each with a marker at
    the pace its target asks for on the day (应达进度); bars lie down past 15 areas.
    Call inside rc_context(_chart_rc()) (render_chart does)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # Agg: no display, thread-safe per figure
    from matplotlib.figure import Figure

    rows, suffix = chart_rows(summary, lang)
    n = len(rows)
    horizontal = n - 1 > HORIZONTAL_ABOVE
    colours = {"coverage": "#2f6db5", "install": "#e07b1a"}
    size = (10.0, min(max(6.0, 0.42 * n + 2.0), 60.0)) if horizontal else (min(max(8.0, 0.62 * n + 2.5), 30.0), 6.0)
    fig = Figure(figsize=size, dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    bar = 0.38
    # horizontal: the first area on top, the total at the bottom
    pos = [n - 1 - i for i in range(n)] if horizontal else list(range(n))
    peak = 100.0
    for offset, measure, label, pace_label, pace_colour in (
            (-bar / 2, "coverage", t(lang, "chart-coverage"), t(lang, "chart-coverage-pace"), "#b00020"),
            (bar / 2, "install", t(lang, "chart-install"), t(lang, "chart-install-pace"), "#222222")):
        offset = -offset if horizontal else offset  # coverage stays above install when lying down
        stats = [getattr(r, measure) for r in rows]
        values = [s.rate * 100 if s.rate is not None else math.nan for s in stats]
        peak = max([peak] + [v for v in values if not math.isnan(v)])
        at = [p + offset for p in pos]
        colors = [colours[measure]] * (n - 1) + ["#1b3f6b" if measure == "coverage" else "#9c4f0a"]
        draw = ax.barh if horizontal else ax.bar
        bars = draw(at, values, bar, label=label, color=colors)
        if n <= 25 or horizontal:
            ax.bar_label(bars, labels=[pct(s.rate) if s.rate is not None else "—" for s in stats],
                         fontsize=7, padding=2)
        paced = [(p, s.expected * 100) for p, s in zip(at, stats) if s.expected is not None]
        if paced:
            xs, ys = zip(*paced)
            if horizontal:
                xs, ys = ys, xs
            ax.scatter(xs, ys, marker="|" if horizontal else "_", s=150 if horizontal else 260, linewidths=2.5,
                       color=pace_colour, zorder=3, label=pace_label)
    names = [row_name(lang, r) for r in rows]
    if horizontal:
        ax.set_yticks(pos, names, fontsize=8)
        ax.set_xlim(0, peak * 1.15)
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
        ax.grid(axis="x", alpha=0.3)
    else:
        slant = n > 8 or sum(len(x) for x in names) > 40  # names that would run into each other
        ax.set_xticks(pos, names, rotation=45 if slant else 0, ha="right" if slant else "center")
        ax.set_ylim(0, peak * 1.12)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
        ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    fig.legend(loc="outside lower center", fontsize=9, ncols=4, frameon=False)
    fig.suptitle(t(lang, "chart-title", root=summary.root_name or t(lang, "summary-all-orgs"),
                   asof=summary.as_of.isoformat()) + suffix)
    return fig
