"""Command line: run the bot and the office's chores (python -m bot --help)."""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path

from pydantic import ValidationError

from .config import Settings

log = logging.getLogger("bot")


def _settings() -> Settings:
    """Load settings or stop with one line naming the bad variable (exit 2, no traceback)."""
    try:
        return Settings()
    except ValidationError as err:
        first = err.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        print(f"configuration error: {name}: {first['msg']}", file=sys.stderr)
        raise SystemExit(2) from None


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and a Bot API URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # websockets logs every frame at DEBUG, cut short: WeCom's subscription (a piece of the
    # secret) and what people write among them.
    logging.getLogger("websockets").setLevel(max(logging.INFO, logging.getLogger().level))
    # aiosqlite logs every operation at DEBUG from its own thread, even after the last word.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLogger().level))
    # PTB logs every Bot API call's parameters and answer at DEBUG: each message's text, so the
    # names and phones on early-warning cards, and whatever people write.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLogger().level))
    # PTB itself logs the API URL (token included) at DEBUG: mask the secrets in every log line.
    secrets = [s.get_secret_value() for s in (settings.telegram_bot_token, settings.wecom_bot_secret) if s]
    if secrets:
        for handler in logging.getLogger().handlers:
            handler.setFormatter(_Redacting(secrets, handler.formatter))


class _Redacting(logging.Formatter):
    def __init__(self, secrets: list[str], inner: logging.Formatter | None) -> None:
        super().__init__()
        self.secrets, self.inner = [s for s in secrets if s], inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record)
        for secret in self.secrets:
            text = text.replace(secret, "<secret>")
        return text


async def _with_storage(settings: Settings, work):
    from storage import Storage

    storage = await Storage.open(settings.database_path)
    try:
        return await work(storage)
    finally:
        await storage.close()


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    _setup_logging(settings)
    from .deadlines import CalendarError, load_calendar
    from .targets import TargetError, load_targets

    try:  # a bad calendar or targets file stops start-up with the file, entry and reason
        load_calendar(settings.deadlines_file)
        load_targets(settings.targets_file)
    except (CalendarError, TargetError) as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    from .runner import run

    return run(settings)


IMPORT_PROGRESS_ABOVE = 5000  # rows: a larger file says how far it has got, on stderr


def cmd_import_orgs(args: argparse.Namespace) -> int:
    from .orgs_import import ImportError_, load

    settings = _settings()
    began = time.monotonic()
    shown = [0]  # rows written when progress was last shown

    def progress(done: int, total: int) -> None:
        if total > IMPORT_PROGRESS_ABOVE and (done - shown[0] >= total / 10 or done == total):
            shown[0] = done
            print(f"import-orgs: {done} of {total} rows written ({time.monotonic() - began:.1f} s)",
                  file=sys.stderr, flush=True)

    async def work(storage):
        rows = load(Path(args.file), await storage.orgs.parent_codes(), await storage.orgs.kinds())
        if len(rows) > IMPORT_PROGRESS_ABOVE:
            print(f"import-orgs: {len(rows)} rows read and checked ({time.monotonic() - began:.1f} s)",
                  file=sys.stderr, flush=True)
        from datetime import datetime  # the APP install counts are as of today, local time
        return await storage.orgs.upsert_many(rows, progress, today=datetime.now(settings.tz).date())

    try:
        added, updated = asyncio.run(_with_storage(settings, work))
    except ImportError_ as err:
        print(f"import rejected: {err}", file=sys.stderr)
        return 1
    print(f"imported: {added} added, {updated} updated")
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    settings = _settings()

    async def work(storage):
        from .clock import SystemClock

        org = await storage.orgs.by_code(args.org)
        if org is None:
            return None
        return await storage.users.create_invite(org.id, args.role, args.uses, args.days,
                                                 SystemClock(settings.tz).now())

    invite = asyncio.run(_with_storage(settings, work))
    if invite is None:
        print(f"unknown org code {args.org!r} (import the tree first)", file=sys.stderr)
        return 1
    print(invite.code)
    username = asyncio.run(_bot_username(settings))
    if username:
        print(f"https://t.me/{username}?start={invite.code}")
    return 0


async def _bot_username(settings: Settings) -> str | None:
    from channels.telegram import bot_username

    return await bot_username(settings)


def cmd_users(args: argparse.Namespace) -> int:
    settings = _settings()
    from .clock import SystemClock

    async def work(storage):
        now = SystemClock(settings.tz).now()
        if args.deactivate is not None:
            return await storage.users.set_active(args.deactivate, False, now)
        return await storage.users.set_active(args.activate, True, now)

    if args.deactivate is None and args.activate is None:
        print("give --deactivate USER_ID or --activate USER_ID (the id /users shows)", file=sys.stderr)
        return 2
    if not asyncio.run(_with_storage(settings, work)):
        print("no such user", file=sys.stderr)
        return 1
    print("done")
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    from .quickparse import parse_quick_report

    print(json.dumps(parse_quick_report(args.text), ensure_ascii=False))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the live database with SQLite's online backup API (safe while the bot runs)."""
    settings = _settings()
    if not settings.database_path.exists():
        print(f"no database at {settings.database_path}", file=sys.stderr)
        return 1
    target = asyncio.run(_with_storage(settings, lambda storage: storage.db.backup(Path(args.out))))
    print(target)
    return 0


def _office_services(settings: Settings, storage):
    from .clock import SystemClock
    from .services import Services

    return Services(settings=settings, storage=storage, clock=SystemClock(settings.tz))


def _month(settings: Settings, text: str):
    from .clock import SystemClock
    from .office import month_bounds

    bounds = month_bounds(text, SystemClock(settings.tz).now().date())
    if bounds is None:
        print(f"--month must be YYYY-MM, got {text!r}", file=sys.stderr)
        raise SystemExit(2)
    return bounds


async def _root(storage, code: str | None) -> int | None | bool:
    """The org id to summarise: the one named, else the tree's single root, else None (all).
    False when the named code is unknown."""
    if code:
        org = await storage.orgs.by_code(code)
        return org.id if org else False
    roots = [o for o in await storage.orgs.all() if o.parent_id is None]
    return roots[0].id if len(roots) == 1 else None


def _office_run(args: argparse.Namespace, work) -> object | None:
    """Run `work(services, root_id, start, end)` for --month and --org; None for an unknown org."""
    settings = _settings()
    bounds = _month(settings, args.month)

    async def run(storage):
        root = await _root(storage, args.org)
        if root is False:
            print(f"unknown org code {args.org!r}", file=sys.stderr)
            return None
        return await work(_office_services(settings, storage), root, *bounds)

    return asyncio.run(_with_storage(settings, run))


def cmd_summary(args: argparse.Namespace) -> int:
    """Print the month's summary for the whole tree (or one org's subtree)."""
    from .office import month_text

    texts = _office_run(args, lambda services, root, start, end: month_text(services, root, start, end, "zh"))
    if texts is None:
        return 1
    print("\n\n".join(texts))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the month's progress table (and chart) to files."""
    from .office import export_month

    chart = Path(args.chart) if args.chart else None
    done = _office_run(args, lambda services, root, start, end: export_month(
        services, root, start, end, Path(args.out), chart))
    if done is None:
        return 1
    print(args.out if not args.chart else f"{args.out}\n{args.chart}")
    return 0


def cmd_import_warnings(args: argparse.Namespace) -> int:
    """Import the office's warnings file and queue them for the grids at once (the running bot
    sends them on its next tick). The file is only read, never copied."""
    from datetime import datetime

    from .warnings import WarningFileError, import_rows, parse
    from schedules.warnings import dispatch_due

    settings = _settings()
    path = Path(args.file)
    try:
        rows = parse(path.name, path.read_bytes(), settings.tz, datetime.now(settings.tz))
    except WarningFileError as err:
        print(f"import rejected: {err.text('en')}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"import rejected: {path}: {err.strerror}", file=sys.stderr)
        return 1

    async def work(storage):
        office = await _root(storage, args.office)
        office = await storage.orgs.get(office) if office else None
        if office is None:
            return None
        services = _office_services(settings, storage)
        done = await import_rows(storage, rows, office, None, services.clock.now(), settings.warning_window_hours,
                                 settings.warning_retention_days)
        return (*done, await dispatch_due(services))

    done = asyncio.run(_with_storage(settings, work))
    if done is None:
        print("an org code is needed: --office CODE (the township or street the warnings are for)", file=sys.stderr)
        return 1
    added, known, unassigned, old, dispatched = done
    print(f"imported: {added} warnings added, {known} already known, {unassigned} with no known area, "
          f"{old} older than {settings.warning_retention_days} days (not imported); {dispatched} queued for dispatch")
    return 0


def cmd_evidence(args: argparse.Namespace) -> int:
    """Zip the month's evidence photos with their 清单.csv (several parts past the size cap)."""
    from .evidence_zip import collect, write_zips

    settings = _settings()
    began = time.monotonic()
    shown = [0]

    def progress(done: int, total: int) -> None:
        if done - shown[0] >= max(total / 10, 1) or done == total:
            shown[0] = done
            print(f"evidence: {done} of {total} photos packed ({time.monotonic() - began:.1f} s)",
                  file=sys.stderr, flush=True)

    async def work(services, root, start, end):
        items, missing = await collect(services, root, start, end)
        if missing:
            print(f"evidence: {missing} photos have no stored file (references only); left out", file=sys.stderr)
        return await asyncio.to_thread(write_zips, items, Path(args.out),
                                       settings.evidence_zip_max_mb * 1024 * 1024, "zh", progress)

    paths = _office_run(args, work)
    if paths is None:
        return 1
    if not paths:
        print(f"no stored evidence photos for {args.month}", file=sys.stderr)
        return 0
    print("\n".join(f"{path}\t{count} photos" for path, count in paths))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="反诈宣传工作台账机器人")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the bot on its channels; the default").set_defaults(func=cmd_run)

    p = sub.add_parser("import-orgs", help="load or update the organisation tree from CSV/XLSX")
    p.add_argument("file")
    p.set_defaults(func=cmd_import_orgs)

    p = sub.add_parser("import-warnings", help="import early warnings (.xlsx/.csv) and dispatch them")
    p.add_argument("file")
    p.add_argument("--office", help="the org code of the office they are for (default: the tree's root)")
    p.set_defaults(func=cmd_import_warnings)

    p = sub.add_parser("invite", help="create an invite code (first line) and link (second)")
    p.add_argument("--org", required=True, help="org code, e.g. BHQ-1")
    p.add_argument("--role", required=True, choices=["worker", "contact", "office"])
    p.add_argument("--uses", type=int, default=1, help="how many people may join with it")
    p.add_argument("--days", type=int, default=7, help="days until it expires")
    p.set_defaults(func=cmd_invite)

    p = sub.add_parser("users", help="deactivate or reactivate a person")
    p.add_argument("--deactivate", type=int, metavar="USER_ID")
    p.add_argument("--activate", type=int, metavar="USER_ID")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("parse", help="read a one-line report and print its figures as JSON")
    p.add_argument("text")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("backup", help="copy the database now (safe while the bot runs)")
    p.add_argument("--out", required=True, help="the backup file to write")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("summary", help="print a month's summary")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--org", help="an org code (default: the whole tree)")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("export", help="write a month's progress table (.xlsx) and chart (.png)")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--out", required=True, help="the .xlsx file to write")
    p.add_argument("--chart", help="also write the chart to this .png")
    p.add_argument("--org", help="an org code (default: the whole tree)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("evidence", help="zip a month's evidence photos and their list (清单.csv)")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--out", required=True, help="the .zip to write (name-1.zip, name-2.zip, ... past the cap)")
    p.add_argument("--org", help="an org code (default: the whole tree)")
    p.set_defaults(func=cmd_evidence)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func = getattr(args, "func", cmd_run)
    return func(args)
