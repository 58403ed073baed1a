"""The period's evidence photos (佐证材料) as zip files the office forwards with the table.

Each zip holds photos named ``村/日期_类别_填报人_编号.jpg`` and a ``清单.csv`` listing them
(entry, figures, place, time, whether the same photo was used elsewhere). Past the size cap
(EVIDENCE_ZIP_MAX_MB: what the chat can carry) the photos are spread over several parts,
each with its own 清单.csv. Photos are stored, not compressed: a JPEG does not shrink.

Pure domain code: ``collect`` reads what goes in (async, storage), ``write_zips`` writes
(synchronous, run it in a worker thread)."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable

from storage.db import private_dir, private_file
from storage.reports import EvidenceRow, ReportRepo

from . import obligations
from .deadlines import occurrences
from .export import cell_value, kind_label, measures_text, place_text
from .i18n import t

LIST_NAME = "清单.csv"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_ENTRY_OVERHEAD = 200  # bytes a member costs beyond its data (headers, the 清单.csv line), roughly


@dataclass(frozen=True)
class Item:
    """One photo and its line of 清单.csv."""
    source: Path
    name: str                   # its path inside the zip
    size: int
    fields: tuple               # the 清单.csv line, file name first


def safe_part(text: str, most: int = 24) -> str:
    """A piece of a file name from what people typed: no path separators, no control or
    reserved characters, no leading dot (a name like '../x' stays inside its folder)."""
    cleaned = _UNSAFE.sub("_", text or "").strip().lstrip(".").strip()
    return cleaned[:most] or "_"


def csv_header(lang: str) -> list[str]:
    return [t(lang, k) for k in ("csv-file", "csv-entry", "csv-area", "csv-date", "csv-kind", "csv-who",
                                 "csv-figures", "csv-place", "csv-recorded", "csv-reused")]


def period_keys(services, start: date, end: date) -> list[str]:
    """The deadlines' periods that overlap [start, end]: their reports' photos belong to it."""
    s = services.settings
    occs = occurrences(obligations.calendar_of(services), start - timedelta(days=62), end + timedelta(days=62),
                       s.tz, obligations.quiet_hours(s))
    return sorted({o.period_key for o in occs if o.period_start <= end and o.period_end >= start})


async def collect(services, root_org_id: int | None, start: date, end: date,
                  lang: str = "zh") -> tuple[list[Item], int]:
    """The photos of live entries dated in [start, end] and of the standing reports for the
    periods overlapping it, of every org under `root_org_id` (None: all); and how many
    photos have no stored file (kept as the channel's references only) and so stay out."""
    storage = services.storage
    orgs, area_of = await obligations.areas_by_org(storage)
    scope = [o.id for o in await storage.orgs.subtree(root_org_id)] if root_org_id is not None else list(orgs)
    rows = await ReportRepo(storage.db).evidence_rows(scope, start, end, period_keys(services, start, end))
    folder = services.settings.data_dir / "evidence"
    items, missing, seen = [], 0, {}
    for row in rows:
        source = _file(row, folder)
        if source is None:
            missing += 1
            continue
        items.append(_item(row, source, area_of[row.org_id].name, lang, services.settings.tz, seen))
    return items, missing


def _file(row: EvidenceRow, folder: Path) -> Path | None:
    """The photo's file in the evidence folder (named by its SHA-256); never a file elsewhere,
    whatever path a row holds."""
    for candidate in (folder / f"{row.sha256}.jpg" if row.sha256 else None, Path(row.path) if row.path else None):
        if candidate and candidate.resolve().parent == folder.resolve() and candidate.is_file():
            return candidate
    return None


def _item(row: EvidenceRow, source: Path, area: str, lang: str, tz, seen: dict[str, int]) -> Item:
    recorded = datetime.fromisoformat(row.recorded_at)
    recorded = recorded.astimezone(tz) if recorded.tzinfo else recorded
    day = row.happened_on or recorded.date().isoformat()
    kind = t(lang, "evidence-report-kind") if row.entry_id is None else \
        kind_label(lang, row.kind)
    number = str(row.entry_id) if row.entry_id is not None else f"R{row.submission_id}"
    stem = f"{safe_part(area)}/{day}_{safe_part(kind)}_{safe_part(row.user_name)}_{number}"
    seen[stem] = seen.get(stem, 0) + 1
    name = f"{stem}.jpg" if seen[stem] == 1 else f"{stem}-{seen[stem]}.jpg"
    figures = "；".join(x for x in (measures_text(lang, row.measures), row.note) if x)  # a report: its note too
    fields = (name, number, area, day, kind, row.user_name, figures,
              place_text(row.lat, row.lon, row.address) or "", f"{recorded:%Y-%m-%d %H:%M}",
              t(lang, "summary-yes" if row.reused else "summary-no"))
    return Item(source=source, name=name, size=source.stat().st_size, fields=fields)


def plan_parts(items: list[Item], cap_bytes: int) -> list[list[Item]]:
    """Spread the photos over parts of at most `cap_bytes` each, in their order (a photo
    larger than the cap goes alone)."""
    parts: list[list[Item]] = [[]]
    size = 0
    for item in items:
        cost = item.size + _ENTRY_OVERHEAD + 2 * len(item.name.encode())
        if parts[-1] and size + cost > cap_bytes:
            parts.append([])
            size = 0
        parts[-1].append(item)
        size += cost
    return parts if parts[0] else []


def part_paths(out: Path, count: int) -> list[Path]:
    """out.zip alone; out-1.zip, out-2.zip, ... when there are several parts."""
    if count <= 1:
        return [out][:count]
    return [out.with_name(f"{out.stem}-{i}{out.suffix or '.zip'}") for i in range(1, count + 1)]


def _listing(items: list[Item], lang: str) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(csv_header(lang))
    writer.writerows([cell_value(v) if isinstance(v, str) else v for v in item.fields] for item in items)
    return text.getvalue().encode("utf-8-sig")  # the BOM: Excel and WPS then read the Chinese right


def write_zips(items: list[Item], out: Path, cap_bytes: int, lang: str = "zh",
               progress: Callable[[int, int], None] | None = None) -> list[tuple[Path, int]]:
    """Write the photos and their 清单.csv into one zip, or several past `cap_bytes`; returns
    the files written, each with its number of photos. `progress(done, total)` is called
    after each photo."""
    parts = plan_parts(items, cap_bytes)
    paths = part_paths(out, len(parts))
    if not out.parent.exists():
        private_dir(out.parent)
    done = 0
    for path, part in zip(paths, parts):
        # the photos of people's homes and the workers' names: this user's only, whatever the umask
        with zipfile.ZipFile(private_file(path), "w", zipfile.ZIP_STORED) as zf:
            zf.writestr(LIST_NAME, _listing(part, lang), zipfile.ZIP_DEFLATED)
            for item in part:
                zf.write(item.source, item.name)
                done += 1
                if progress:
                    progress(done, len(items))
    return [(path, len(part)) for path, part in zip(paths, parts)]
