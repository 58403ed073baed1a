"""The progress table (进展情况表, xlsx) and the chart (png) an office forwards upward.

Pure domain code (no chat library). Both are synchronous and CPU-bound: from the bot, call
``export_progress`` (fetches the ledger, writes in a worker thread) and run ``render_chart``
in ``asyncio.to_thread``.

The workbook uses openpyxl's write-only mode (streamed, low memory) and plain styles only
(bold headers, a grey fill, thin borders, number formats), so Excel and WPS open it alike.
"""
from __future__ import annotations

import asyncio
import importlib.resources
import math
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from storage.reports import LedgerRow, ReportRepo

from .deadlines import period_name, status_label
from .i18n import keys, t
from .kinds import MEASURES
from .summary import Row, Summary, pct, row_name

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FONT = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


# ------------------------------------------------------------------ text in cells

# Excel and WPS read a cell (or a CSV field) that starts with one of these as a formula:
# '=HYPERLINK(...)' or '=cmd|...' typed as a name would run when the office opens the file.
# OWASP's advice (CSV injection): start such text with an apostrophe, which makes it text.
# A CR is stored as LF in xlsx, so LF counts too.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell_value(value: Any) -> Any:
    """`value` as it may go into a spreadsheet cell or a CSV field: text never a formula, and
    without the control characters an xlsx cannot hold (openpyxl refuses them, and the whole
    export with them). Every text people typed or named (names, org names, addresses, notes)
    goes through here on its way to the xlsx, and to the evidence 清单.csv."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


# ------------------------------------------------------------------ progress table


def _yes_no(lang: str, ok: bool | None) -> str | None:
    return None if ok is None else t(lang, "summary-yes" if ok else "summary-no")


def _status_cells(lang: str, row: Row, tz) -> tuple[str | None, str | None, datetime | None]:
    s = row.submission
    if s is None:
        return None, None, None
    who = s.submitter or "、".join(s.contacts) or None
    at = s.submitted_at.astimezone(tz).replace(tzinfo=None) if s.submitted_at else None
    return status_label(lang, s), who, at


def _columns(summary: Summary) -> list[tuple[str, float, str | None, Any]]:
    """(header key, width, number format, getter(row, lang, tz)) for sheet 1, in order."""
    cols: list[tuple[str, float, str | None, Any]] = []
    if len(summary.townships) > 1:
        cols.append(("col-township", 12, None, lambda r, lang, tz: r.township))
    cols += [
        ("col-area", 16, None, lambda r, lang, tz: row_name(lang, r)),
        ("col-registered", 9, None, lambda r, lang, tz: r.households_registered),
        ("col-population", 9, None, lambda r, lang, tz: r.population),
        ("col-households", 10, None, lambda r, lang, tz: r.m("households")),
        ("col-listed", 10, None, lambda r, lang, tz: r.households_listed),
        ("col-unique", 10, None, lambda r, lang, tz: r.households_unique),
        ("col-people", 9, None, lambda r, lang, tz: r.m("people")),
        ("col-pledges", 9, None, lambda r, lang, tz: r.m("pledges")),
        ("col-reached", 11, None, lambda r, lang, tz: r.coverage.reached),
        ("col-coverage", 8, PERCENT, lambda r, lang, tz: r.coverage.rate),
        ("col-coverage-target", 9, PERCENT, lambda r, lang, tz: r.coverage.target),
        ("col-coverage-due", 11, DATE, lambda r, lang, tz: r.coverage.due),
        ("col-coverage-expected", 9, PERCENT, lambda r, lang, tz: r.coverage.expected),
        ("col-coverage-pace", 8, None, lambda r, lang, tz: _yes_no(lang, r.coverage.on_pace)),
        ("col-installs", 10, None, lambda r, lang, tz: r.m("app_installs")),
        ("col-installs-ytd", 10, None, lambda r, lang, tz: r.install.reached),
        ("col-install-rate", 8, PERCENT, lambda r, lang, tz: r.install.rate),
        ("col-install-target", 9, PERCENT, lambda r, lang, tz: r.install.target),
        ("col-install-due", 11, DATE, lambda r, lang, tz: r.install.due),
        ("col-install-expected", 9, PERCENT, lambda r, lang, tz: r.install.expected),
        ("col-install-pace", 8, None, lambda r, lang, tz: _yes_no(lang, r.install.on_pace)),
        ("col-posters", 8, None, lambda r, lang, tz: r.m("posters")),
        ("col-banners", 8, None, lambda r, lang, tz: r.m("banners")),
        ("col-slogans", 8, None, lambda r, lang, tz: r.m("slogans")),
        ("col-boards", 8, None, lambda r, lang, tz: r.m("boards")),
        ("col-placed", 12, None, lambda r, lang, tz: r.placed_total),
        ("col-leaflets", 9, None, lambda r, lang, tz: r.m("leaflets")),
        ("col-lectures", 9, None, lambda r, lang, tz: r.m("lectures")),
        ("col-attendees", 9, None, lambda r, lang, tz: r.m("attendees")),
        ("col-pushes", 9, None, lambda r, lang, tz: r.m("group_pushes")),
        ("col-pushes-quota", 9, "0.0", lambda r, lang, tz: r.pushes_quota),
        ("col-broadcasts", 8, None, lambda r, lang, tz: r.m("broadcasts")),
        ("col-evidence", 9, None, lambda r, lang, tz: r.evidence),
        ("col-entries", 8, None, lambda r, lang, tz: r.entries),
        ("col-flagged", 8, None, lambda r, lang, tz: r.flagged),
        ("col-status", 10, None, lambda r, lang, tz: _status_cells(lang, r, tz)[0]),
        ("col-submitter", 14, None, lambda r, lang, tz: _status_cells(lang, r, tz)[1]),
        ("col-submitted-at", 16, DATETIME, lambda r, lang, tz: _status_cells(lang, r, tz)[2]),
    ]
    return cols


# Columns whose totals-row value is the plain sum of the rows above it.
SUMMED_COLUMNS = (
    "col-registered", "col-population", "col-households", "col-listed", "col-unique", "col-people",
    "col-pledges", "col-reached", "col-installs", "col-installs-ytd", "col-posters", "col-banners",
    "col-slogans", "col-boards", "col-placed", "col-leaflets", "col-lectures", "col-attendees",
    "col-pushes", "col-broadcasts", "col-evidence", "col-entries", "col-flagged",
)


def _cell(ws, value: Any, fmt: str | None = None, *, head: bool = False, total: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=cell_value(value))
    cell.border = _BORDER
    if fmt and value is not None:
        cell.number_format = fmt
    if head:
        cell.font, cell.fill, cell.alignment = _HEAD_FONT, _HEAD_FILL, _WRAP
    elif total:
        cell.font, cell.fill = _HEAD_FONT, _TOTAL_FILL
    return cell


def _totals_status(lang: str, summary: Summary) -> str | None:
    if not summary.submitted:
        return None
    return "、".join(f"{t(lang, f'summary-status-label-{k}')} {v}" for k, v in summary.submitted.items() if v) or None


def _progress_sheet(wb: Workbook, summary: Summary, lang: str, tz) -> None:
    ws = wb.create_sheet(t(lang, "xlsx-sheet-progress"))
    cols = _columns(summary)
    frozen = 2 if len(summary.townships) > 1 else 1  # keep the village name in view when scrolling right
    ws.freeze_panes = f"{get_column_letter(frozen + 1)}3"
    ws.print_title_rows = "1:2"
    for index, (_, width, _, _) in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.row_dimensions[2].height = 42
    ws.append([cell_value(t(lang, "xlsx-caption", root=summary.root_name or t(lang, "summary-all-orgs"),
                            start=summary.start.isoformat(), end=summary.end.isoformat(),
                            asof=summary.as_of.isoformat(), period=period_name(lang, summary)))])
    ws.append([_cell(ws, t(lang, key), head=True) for key, _, _, _ in cols])
    for row in summary.rows:
        ws.append([_cell(ws, get(row, lang, tz), fmt) for _, _, fmt, get in cols])
    totals = summary.totals
    cells = []
    for index, (key, _, fmt, get) in enumerate(cols):
        if index == 0:
            value = t(lang, "xlsx-totals")
        elif key in ("col-township", "col-area"):
            value = None
        elif key == "col-status":
            value = _totals_status(lang, summary)
        elif key in ("col-submitter", "col-submitted-at"):
            value = None
        elif key in SUMMED_COLUMNS:
            value = sum(get(r, lang, tz) or 0 for r in summary.rows)
        else:
            value = get(totals, lang, tz)  # rates, targets and pace of the whole
        cells.append(_cell(ws, value, fmt, total=True))
    ws.append(cells)
    ws.append([])
    ws.append([t(lang, "xlsx-note")])


# ------------------------------------------------------------------------ ledger


@lru_cache(maxsize=None)
def _label(lang: str, key: str, fallback: str) -> str:
    return t(lang, key) if key in keys(lang) else fallback


@lru_cache(maxsize=None)
def _measure_template(lang: str, measure: str) -> str:
    key = f"summary-m-{measure}"
    return t(lang, key, n="\x00") if key in keys(lang) else f"{measure} \x00"


def measures_text(lang: str, measures: dict[str, int]) -> str:
    """{'households': 15, 'leaflets': 30} -> '入户15户，宣传单30份' (canonical order first)."""
    order = [k for k in MEASURES if k in measures] + [k for k in measures if k not in MEASURES]
    sep = "，" if lang == "zh" else ", "
    return sep.join(_measure_template(lang, k).replace("\x00", str(measures[k])) for k in order)


def _place(row: LedgerRow) -> str | None:
    parts = []
    if row.lat is not None and row.lon is not None:
        parts.append(f"{row.lat:.6f}, {row.lon:.6f}")
    if row.address and row.address.strip():
        parts.append(row.address.strip())
    return "；".join(parts) or None


_LEDGER_COLUMNS = (("ledger-id", 8), ("ledger-date", 11), ("ledger-recorded", 16), ("ledger-who", 12),
                   ("ledger-org", 20), ("ledger-kind", 12), ("ledger-measures", 36), ("ledger-place", 26),
                   ("ledger-evidence", 9), ("ledger-listed", 9), ("ledger-flags", 16))


def _ledger_sheet(wb: Workbook, entries: Iterable[LedgerRow], lang: str, tz) -> int:
    """Plain values only (no per-cell styles): this sheet can hold a county's month, 80,000+ rows,
    and openpyxl's cost is per cell, so blanks stay blank (no house numbers, no flags).
    openpyxl gives date and datetime values their own date formats."""
    ws = wb.create_sheet(t(lang, "xlsx-sheet-ledger"))
    ws.freeze_panes = "A2"
    for index, (_, width) in enumerate(_LEDGER_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.append([_cell(ws, t(lang, key), head=True) for key, _ in _LEDGER_COLUMNS])
    kinds: dict[str, str] = {}
    count = 0
    for e in entries:
        recorded = datetime.fromisoformat(e.recorded_at)
        if recorded.tzinfo is not None:
            recorded = recorded.astimezone(tz).replace(tzinfo=None)
        kind = kinds.get(e.kind) or kinds.setdefault(e.kind, _label(lang, f"summary-kind-{e.kind}", e.kind))
        ws.append((
            e.id, date.fromisoformat(e.happened_on), recorded.replace(second=0, microsecond=0),
            cell_value(e.user_name), cell_value(e.org_name), kind, measures_text(lang, e.measures),
            cell_value(_place(e)), e.evidence, e.households_listed or None,
            "、".join(_label(lang, f"summary-flag-{f}", f) for f in e.flags) if e.flags else None,
        ))
        count += 1
    return count


def write_progress_xlsx(summary: Summary, entries_iter: Iterable[LedgerRow], path: Path | str,
                        lang: str = "zh", tz=LOCAL_TZ) -> int:
    """Write the progress table (sheet 1) and the period's ledger (sheet 2); returns ledger rows written."""
    wb = Workbook(write_only=True)
    _progress_sheet(wb, summary, lang, tz)
    count = _ledger_sheet(wb, entries_iter, lang, tz)
    wb.properties.title = t(lang, "xlsx-sheet-progress")
    wb.properties.creator = "antifraud-bot"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
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


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, str]:
    """(path, family name) of the Noto Sans CJK SC font shipped by the mplfonts package."""
    from matplotlib import font_manager

    path = str(importlib.resources.files("mplfonts") / "fonts" / FONT_FILE)
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: the mplfonts package is missing its Noto Sans CJK SC font")
    font_manager.fontManager.addfont(path)
    return path, font_manager.FontProperties(fname=path).get_name()


def _chart_rows(summary: Summary, lang: str) -> tuple[list[Row], str]:
    rows = [r for r in summary.rows if r.kind == "area"]
    if len(rows) > MAX_BARS and len(summary.townships) > 1:
        return list(summary.townships), t(lang, "chart-by-township")
    return rows[:MAX_BARS * 3], ""


def render_chart(summary: Summary, path: Path | str, lang: str = "zh") -> Path:
    """Per-village bars of coverage and install rate, each area's target as a dashed line."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # Agg: no display, thread-safe per figure
    from matplotlib.figure import Figure

    _, family = cjk_font()
    rows, suffix = _chart_rows(summary, lang)
    n = max(len(rows), 1)
    width = min(max(8.0, 0.62 * n + 2.5), 30.0)
    colours = {"coverage": "#2f6db5", "install": "#e07b1a"}
    # parse_math off: an org name such as '$\frac{$' would otherwise be read as TeX, and fail the chart.
    with rc_context({"font.family": [family], "font.sans-serif": [family], "axes.unicode_minus": False,
                     "text.parse_math": False}):
        fig = Figure(figsize=(width, 6.0), dpi=110, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        bar = 0.38
        xs = list(range(len(rows)))
        peak = 100.0
        for offset, measure, label, target_label in (
                (-bar / 2, "coverage", t(lang, "chart-coverage"), t(lang, "chart-coverage-target")),
                (bar / 2, "install", t(lang, "chart-install"), t(lang, "chart-install-target"))):
            stats = [getattr(r, measure) for r in rows]
            values = [s.rate * 100 if s.rate is not None else math.nan for s in stats]
            peak = max([peak] + [v for v in values if not math.isnan(v)])
            bars = ax.bar([x + offset for x in xs], values, bar, label=label, color=colours[measure])
            if n <= 25:
                ax.bar_label(bars, labels=[pct(s.rate) if s.rate is not None else "—" for s in stats],
                             fontsize=7, padding=2)
            first = True
            for x, s in zip(xs, stats):
                if s.target is None:
                    continue
                ax.hlines(s.target * 100, x + offset - bar / 2, x + offset + bar / 2, colors="#b00020",
                          linestyles="--" if measure == "coverage" else ":", linewidth=2,
                          label=target_label if first else None)
                first = False
        ax.set_xticks(xs, [row_name(lang, r) for r in rows],
                      rotation=45 if n > 8 else 0, ha="right" if n > 8 else "center")
        ax.set_ylim(0, peak * 1.12)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
        fig.legend(loc="outside lower center", fontsize=9, ncols=4, frameon=False)
        fig.suptitle(t(lang, "chart-title", root=summary.root_name or t(lang, "summary-all-orgs"),
                       asof=summary.as_of.isoformat()) + suffix)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
    return Path(path)
