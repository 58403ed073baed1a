"""Evidence on disk: files nothing refers to are deleted, photos per report and the folder's size
are capped, and a full folder is said plainly."""
from __future__ import annotations

import hashlib
import os
from datetime import timedelta

import pytest

import handlers.evidence as evidence
from handlers.core import Event, Photo, Turn
from handlers.quick import CARD_LIFE
from schedules.tidy import sweep
from storage.conversations import Card

from .conftest import CONTACT, WORKER

JPEG = b"\xff\xd8\xff\xe0"


def files(bot) -> list[str]:
    folder = evidence.evidence_dir(bot.settings)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_photos_of_cards_never_saved_are_deleted_once_the_cards_expire(bot):
    for i in range(60):
        await bot.photo(WORKER, JPEG + b"orphan %d" % i, caption="入户3户")   # a card each, never saved
    await bot.photo(WORKER, JPEG + b"kept", caption="海报2张")
    await bot.tap(WORKER, "保存")
    [(saved,)] = await bot.storage.db.fetchall("SELECT sha256 FROM evidence")
    assert len(files(bot)) == 61
    await bot.tick()
    assert len(files(bot)) == 61                       # the cards are still open: nothing goes
    bot.clock.advance(CARD_LIFE + timedelta(minutes=1))
    await bot.tick()
    assert files(bot) == [f"{saved}.jpg"]              # the saved entry's photo stays


async def test_a_photo_that_something_still_holds_is_kept_however_old(bot):
    """An open card (an edited report carries its photos to a new card), a flow's draft and a
    waiting photo all keep their files; the same photo sent again is wanted again."""
    folder = evidence.evidence_dir(bot.settings)
    folder.mkdir()
    old = (bot.clock.now() - CARD_LIFE * 3).timestamp()
    names = {}
    for what in ("card", "draft", "waiting", "resent", "nothing"):
        digest = hashlib.sha256(JPEG + what.encode()).hexdigest()
        (folder / f"{digest}.jpg").write_bytes(JPEG + what.encode())
        os.utime(folder / f"{digest}.jpg", (old, old))
        names[what] = digest
    (folder / f"{names['nothing']}.jpg.part").write_bytes(b"half")   # a crash mid-write
    os.utime(folder / f"{names['nothing']}.jpg.part", (old, old))
    user = await bot.user(WORKER)
    photo = lambda what: {"file_id": what, "file_unique_id": what, "sha256": names[what], "path": None}
    await bot.storage.conversations.add_card(Card(token="c0ffee00", user_id=user.id, created_at=bot.clock.now(),
                                                  data={"photos": [photo("card")]}))
    conv = await bot.storage.conversations.load(user.id)
    conv.flow, conv.data, conv.touched_at = "log", {"photos": [photo("draft")]}, bot.clock.now()
    conv.photo = {"waiting": [{"at": bot.clock.now().isoformat(), "photo": photo("waiting")}]}
    await bot.storage.conversations.save(conv)
    turn = _turn(bot, JPEG + b"resent")
    assert evidence.save_photo(turn)["sha256"] == names["resent"]
    assert await sweep(bot.svc, force=True) == 2
    assert files(bot) == sorted(f"{names[w]}.jpg" for w in ("card", "draft", "waiting", "resent"))


def _turn(bot, data: bytes, uid: int = WORKER) -> Turn:
    ev = Event(channel="text", event_id="t", sender=str(uid), chat=str(uid),
               photo=Photo(ref="r", unique="u", data=data))
    return Turn(bot.core, ev, None, None, bot.clock.now())


async def test_a_full_evidence_folder_keeps_the_references_and_says_so(tmp_path, monkeypatch):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from .helpers import Harness

    async with Harness(tmp_path, datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
                       evidence_max_mb=1) as bot:
        await bot.import_orgs()
        await bot.join(WORKER, "BHQ-1", "worker")
        big = 600 * 1024
        await bot.photo(WORKER, JPEG + b"a" * big, caption="海报1张")
        await bot.tap(WORKER, "保存")
        await bot.photo(WORKER, JPEG + b"b" * big, caption="海报2张")
        said = bot.texts(WORKER)[-2:]
        assert "照片存储空间已满" in said[0] and "海报" in said[1]   # told, and the report goes on
        await bot.tap(WORKER, "保存")
        rows = await bot.storage.db.fetchall("SELECT file_id, sha256, path FROM evidence ORDER BY id")
        assert [r["path"] is None for r in rows] == [False, True]
        assert rows[1]["file_id"] and rows[1]["sha256"]        # its references: fetchable later
        assert len(files(bot)) == 1


async def test_add_photo_stops_at_the_cap_without_writing(bot):
    photos: list[dict] = []
    for i in range(evidence.MAX_PHOTOS_PER_REPORT + 3):
        evidence.add_photo(turn := _turn(bot, JPEG + b"%d" % i), photos)
    assert len(photos) == evidence.MAX_PHOTOS_PER_REPORT
    assert len(files(bot)) == evidence.MAX_PHOTOS_PER_REPORT
    assert "最多 9 张" in turn.replies[-1].text


async def test_a_report_keeps_at_most_its_cap_of_photos(bot):
    await bot.send(CONTACT, "/report")
    await bot.tap(CONTACT, "11月25日")
    for i in range(20):
        await bot.tap(CONTACT, "添加说明")
        await bot.photo(CONTACT, JPEG + b"report %d" % i)
    conv = await bot.storage.conversations.load((await bot.user(CONTACT)).id)
    assert len(conv.data["photos"]) == evidence.MAX_PHOTOS_PER_REPORT
    assert len(files(bot)) == evidence.MAX_PHOTOS_PER_REPORT
