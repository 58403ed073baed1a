"""Files that hold personal data are this user's only (0600, folders 0700), whatever the umask."""
from __future__ import annotations

import os
import stat
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.evidence import evidence_dir
from schedules.backup import run_backup
from storage import Database

from .conftest import WORKER
from .helpers import Harness

NOW = datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)  # the usual default: new files 0644, folders 0755
    yield
    os.umask(old)


async def test_database_wal_evidence_and_backups_are_private(tmp_path, loose_umask):
    data = tmp_path / "data"
    async with Harness(tmp_path, NOW, database_path=data / "bot.sqlite3") as h:
        await h.import_orgs()
        await h.join(WORKER, "BHQ-1", "worker")
        await h.photo(WORKER, b"\xff\xd8 a poster", caption="海报1张")
        db = data / "bot.sqlite3"
        assert mode(data) == 0o700
        for path in (db, data / "bot.sqlite3-wal", data / "bot.sqlite3-shm"):
            assert mode(path) == 0o600, path.name
        [photo] = list(evidence_dir(h.settings).iterdir())
        assert mode(evidence_dir(h.settings)) == 0o700 and mode(photo) == 0o600
        nightly = await run_backup(h.svc, force=True)
        assert mode(nightly) == 0o600 and mode(nightly.parent) == 0o700
        copy = await h.storage.db.backup(tmp_path / "elsewhere" / "copy.sqlite3")   # `python -m bot backup`
        assert mode(copy) == 0o600 and mode(copy.parent) == 0o700


async def test_files_left_world_readable_by_an_older_version_are_tightened(tmp_path, loose_umask):
    db = await Database(tmp_path / "bot.sqlite3").connect()
    await db.close()
    for name in ("bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3-shm"):
        (tmp_path / name).touch()
        os.chmod(tmp_path / name, 0o644)
    os.chmod(tmp_path, 0o755)
    db = await Database(tmp_path / "bot.sqlite3").connect()
    assert [mode(tmp_path / n) for n in ("bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3-shm")] == [0o600] * 3
    await db.close()
    assert mode(tmp_path) == 0o755     # a folder we did not create (it may be the working folder) is left alone
