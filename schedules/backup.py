"""Nightly database backup with SQLite's online backup API; the last N are kept."""
from __future__ import annotations

import logging
from pathlib import Path

from storage.db import private_dir

log = logging.getLogger(__name__)
PREFIX = "bot-"


def backup_dir(settings) -> Path:
    return settings.data_dir / "backups"


def _taken_on(path: Path) -> str:
    return path.stem[len(PREFIX):len(PREFIX) + 8]  # bot-YYYYMMDD-HHMMSS


async def run_backup(services, force: bool = False) -> Path | None:
    """Back up once a day after the configured time (derived from the files, not the scheduler)."""
    now = services.clock.now()
    folder = backup_dir(services.settings)
    today = now.strftime("%Y%m%d")
    existing = sorted(folder.glob(f"{PREFIX}*.sqlite3")) if folder.exists() else []
    if not force and (now.time() < services.settings.backup_time or any(_taken_on(p) == today for p in existing)):
        return None
    private_dir(folder)  # the backups hold everyone's names and phones (an older one may be 0755)
    target = await services.storage.db.backup(folder / f"{PREFIX}{now:%Y%m%d-%H%M%S}.sqlite3")
    prune(folder, services.settings.backup_keep)
    log.info("database backed up to %s", target)
    return target


def prune(folder: Path, keep: int) -> list[Path]:
    old = sorted(folder.glob(f"{PREFIX}*.sqlite3"))[:-keep]
    for path in old:
        path.unlink()
    return old
