"""A read never sees another task's uncommitted writes (issue 12: 1,525 of 7,116 reads saw
half a save on the shared connection), and a transaction still sees its own."""
from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.orgs_import import load
from storage import Storage
from storage.models import NewEntry

from .helpers import FIXTURES

NOW = datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = NOW.date()


@pytest.fixture
async def storage(tmp_path):
    storage = await Storage.open(tmp_path / "bot.sqlite3")
    await storage.orgs.upsert_many(load(FIXTURES / "orgs.csv", await storage.orgs.parent_codes()))
    yield storage
    await storage.close()


async def worker(storage) -> tuple[int, int]:
    org = await storage.orgs.by_code("BHQ-1")
    async with storage.db.transaction() as conn:
        cur = await conn.execute("INSERT INTO users (name, org_id, role, created_at, updated_at) "
                                 "VALUES ('网格员', ?, 'worker', ?, ?)", (org.id, NOW.isoformat(), NOW.isoformat()))
        return cur.lastrowid, org.id


def entry(user_id: int, org_id: int, kind: str, measures: dict) -> NewEntry:
    return NewEntry(user_id=user_id, org_id=org_id, kind=kind, measures=measures, happened_on=DAY, source="quick")


async def test_a_read_sees_nothing_of_a_save_until_it_commits(storage):
    user_id, org_id = await worker(storage)
    half_way, go_on = asyncio.Event(), asyncio.Event()
    seen_inside = []

    async def save() -> None:
        """One report of two entries, pausing between them as a handler awaits between statements."""
        async with storage.db.transaction():
            await storage.entries.add([entry(user_id, org_id, "visit", {"households": 3})], NOW)
            seen_inside.append(await storage.entries.totals([org_id], DAY, DAY))   # its own write
            half_way.set()
            await go_on.wait()
            await storage.entries.add([entry(user_id, org_id, "poster", {"posters": 1})], NOW)

    saving = asyncio.create_task(save())
    await half_way.wait()
    # Half the save is written and not committed; the read neither sees it nor waits for it
    # (wait_for: a read queued behind the transaction's lock would hang here, not pass).
    assert await asyncio.wait_for(storage.entries.totals([org_id], DAY, DAY), 5) == {}
    assert (await storage.db.fetchone("SELECT COUNT(*) FROM entries"))[0] == 0
    go_on.set()
    await saving
    assert seen_inside == [{"households": 3}]
    assert await storage.entries.totals([org_id], DAY, DAY) == {"households": 3, "posters": 1}


async def test_a_rolled_back_save_is_never_seen(storage):
    user_id, org_id = await worker(storage)
    half_way, go_on = asyncio.Event(), asyncio.Event()

    async def save() -> None:
        async with storage.db.transaction():
            await storage.entries.add([entry(user_id, org_id, "visit", {"households": 3})], NOW)
            half_way.set()
            await go_on.wait()
            raise RuntimeError("the handler failed")

    saving = asyncio.create_task(save())
    await half_way.wait()
    assert await storage.entries.totals([org_id], DAY, DAY) == {}
    go_on.set()
    with pytest.raises(RuntimeError):
        await saving
    assert await storage.entries.totals([org_id], DAY, DAY) == {}


async def test_reads_outside_a_transaction_cannot_write(storage):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await storage.db.fetchall("DELETE FROM orgs")
    assert (await storage.db.fetchone("SELECT COUNT(*) FROM orgs"))[0] > 0
