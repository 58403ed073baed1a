"""The SQLite connection: WAL, foreign keys, versioned migrations, serialised transactions.
And the files that hold personal data (the database, backups, evidence): this user's only."""
from __future__ import annotations

import asyncio
import contextvars
import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Iterable

import aiosqlite

from .migrations import MIGRATIONS

log = logging.getLogger(__name__)
# "column IN this list of ids", the list passed as one JSON parameter: one placeholder
# whatever its length (no SQL built from the list), and an empty list simply matches nothing.
IN_IDS = "IN (SELECT value FROM json_each(?))"
# The Database whose transaction the current task is inside: a repository call made while
# the conversation core holds an event's transaction joins it instead of deadlocking.
_inside: contextvars.ContextVar["Database | None"] = contextvars.ContextVar("inside_transaction", default=None)


# --- files only this user may read -----------------------------------------------------------
# They hold names, phones and photos of people's homes: 0600 files in 0700 folders, set
# explicitly because the umask (often 022) would leave what we create world-readable.

def private_dir(path: Path) -> Path:
    """Create the folder (and its parents) if missing and make it this user's only."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create the file empty if missing (its content kept if not) and make it this user's only."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    try:
        os.chmod(path, 0o600)
    except PermissionError as err:  # someone else's file we may write: say so, and go on
        log.warning("%s: cannot make it private: %s", path, err.strerror)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write the file whole or not at all (a crash leaves a '.part', never half a file), 0600."""
    part = path.with_name(path.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(fd, 0o600)  # a leftover .part may have been created looser
        f.write(data)
    os.replace(part, path)


def _new_folder(path: Path) -> None:
    """A folder we create is private; one that exists (maybe the working folder) is left as it is."""
    if not path.exists():
        private_dir(path)


class Database:
    """Two connections. Writes go through `transaction()` on the writer, which holds a lock so
    that a scheduler job and an event handler never interleave statements of two transactions.
    A transaction opened inside another (same task) joins it: one event, one transaction.

    Reads outside a transaction go through a second, read-only connection: on the writer they
    would see whatever another task's open transaction has written so far (half a save), as
    the writer is one SQLite connection shared by every task. WAL gives the reader the last
    committed state only, and never blocks on the writer. Reads inside the current task's
    transaction stay on the writer: they must see its own uncommitted writes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def connect(self) -> "Database":
        _new_folder(self.path.parent)
        # SQLite creates the -wal and -shm files with the database file's mode, so that one is
        # made 0600 first; older ones left looser by earlier versions are tightened too.
        private_file(self.path)
        for extra in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + extra)
            if side.exists():
                private_file(side)
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._conn.row_factory = aiosqlite.Row
        await self._conn.execute("PRAGMA journal_mode=WAL")
        await self._conn.execute("PRAGMA busy_timeout=5000")
        await self._conn.execute("PRAGMA synchronous=NORMAL")
        # What is erased (a warning's name and phone after the retention) is overwritten, not
        # left readable in the file's free space.
        await self._conn.execute("PRAGMA secure_delete=ON")
        await self.migrate()  # with foreign keys off: a table rebuild needs it (see migration 6)
        await self._conn.execute("PRAGMA foreign_keys=ON")
        # Opened after the writer has made the file, its WAL and -shm (0600) and migrated it;
        # mode=ro: it can neither write nor create a file.
        self._reader = await aiosqlite.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True,
                                               isolation_level=None)
        self._reader.row_factory = aiosqlite.Row
        await self._reader.execute("PRAGMA busy_timeout=5000")  # a WAL reader waits only on recovery
        return self

    async def close(self) -> None:
        # The reader first: the writer, closing last, checkpoints the WAL and removes it.
        for name in ("_reader", "_conn"):
            conn = getattr(self, name)
            if conn is not None:
                setattr(self, name, None)
                await conn.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not connected")
        return self._conn

    async def migrate(self) -> None:
        """Apply every migration newer than the file's user_version, each in its own transaction."""
        (version,) = await (await self.conn.execute("PRAGMA user_version")).fetchone()
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            log.info("applying migration %d", number)
            # executescript commits first; BEGIN/COMMIT inside keeps each step atomic.
            await self.conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
        broken = await self.fetchall("PRAGMA foreign_key_check")
        if broken:
            raise RuntimeError(f"migration left {len(broken)} rows with dangling references")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        if _inside.get() is self:
            yield self.conn
            return
        async with self._lock:
            token = _inside.set(self)
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
            finally:
                _inside.reset(token)

    @property
    def reader(self) -> aiosqlite.Connection:
        """Where this task's reads go: the writer inside its own transaction (to see its own
        writes), else the read-only connection (committed data only). The writer also before
        the reader is open (migrations)."""
        if _inside.get() is self or self._reader is None:
            return self.conn
        return self._reader

    async def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One statement that is a transaction of its own: one trip instead of three (BEGIN,
        it, COMMIT). Inside the task's own transaction it simply joins it. Returns rowcount."""
        if _inside.get() is self:
            return (await self.conn.execute(sql, tuple(params))).rowcount
        async with self._lock:  # never between another task's BEGIN and COMMIT
            return (await self.conn.execute(sql, tuple(params))).rowcount

    # execute_fetchall is one trip to aiosqlite's thread; execute + fetch + close would be three.
    # The cursor is closed at once, so each read outside a transaction is its own snapshot.
    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self.reader.execute_fetchall(sql, tuple(params)))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """The first row of a query that yields at most one (by key or LIMIT 1)."""
        rows = await self.reader.execute_fetchall(sql, tuple(params))
        return rows[0] if rows else None

    async def checkpoint(self) -> None:
        """Write the WAL into the database and empty it: its older frames still hold what was
        just erased. Best effort (a reader in the middle of a query keeps some frames); not
        inside a transaction."""
        if _inside.get() is self:
            return
        async with self._lock:
            await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def backup(self, target: Path | str) -> Path:
        """Copy the live database with SQLite's online backup API (safe while the bot runs)."""
        target = Path(target)
        _new_folder(target.parent)
        private_file(target)
        # Its own connection: it copies committed data only, and the bot's queries go on meanwhile.
        async with aiosqlite.connect(self.path) as source, aiosqlite.connect(target) as dest:
            await source.backup(dest)
        return target
