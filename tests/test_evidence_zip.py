"""佐证材料: the month's evidence photos zipped with their 清单.csv, from the CLI and after /export."""
from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.evidence_zip import LIST_NAME, Item, plan_parts, safe_part, write_zips
from bot.export import cell_value
from bot.i18n import t
from storage.models import NewEntry, NewPhoto

from .conftest import CONTACT, OFFICE, WORKER
from .helpers import Harness
from .test_cli import SETTINGS_VARS

TZ = ZoneInfo("Asia/Shanghai")
EVIL = "../../=HYPERLINK(\"x\")"   # a display name: must neither leave the zip's folder nor run in the CSV


def stored_photo(h: Harness, data: bytes) -> NewPhoto:
    """A photo as handlers/evidence.py keeps it: data/evidence/<sha256>.jpg."""
    sha = hashlib.sha256(data).hexdigest()
    folder = h.settings.data_dir / "evidence"
    folder.mkdir(exist_ok=True)
    (folder / f"{sha}.jpg").write_bytes(data)
    return NewPhoto(file_id="F" + sha[:8], file_unique_id="U" + sha[:8], sha256=sha, path=str(folder / f"{sha}.jpg"))


async def user_id(h: Harness, uid: int) -> int:
    return (await h.user(uid)).id


async def november(h: Harness) -> dict[str, int]:
    """Entries with photos in November (one photo used twice), one in October, one undone, one
    by a person with a hostile name; the contact's report for the 5 December deadline."""
    org = {o.code: o.id for o in await h.storage.orgs.all()}
    worker = await user_id(h, WORKER)
    await h.send(777, "hi")  # nobody yet
    invite = await h.storage.users.create_invite(org["CYB-1"], "worker", 1, 7, h.clock.now())
    await h.send(778, f"/start {invite.code}", name=EVIL)
    evil = await user_id(h, 778)
    now = h.clock.now()
    same = b"\xff\xd8same-photo"

    async def add(who, code, kind, measures, day, photos, **kw) -> int:
        (entry_id,) = await h.storage.entries.add([NewEntry(
            user_id=who, org_id=org[code], kind=kind, measures=measures, happened_on=day, source="flow",
            photos=photos, **kw)], now)
        return entry_id

    ids = {
        "poster": await add(worker, "BHQ-1", "poster", {"posters": 3}, date(2026, 11, 6),
                            [stored_photo(h, b"\xff\xd8poster-1"), stored_photo(h, b"\xff\xd8poster-2")],
                            lat=28.1, lon=108.2),
        "visit": await add(worker, "BHQ-2", "visit", {"households": 5}, date(2026, 11, 8),
                           [stored_photo(h, same)], address="3组村委会"),
        "again": await add(worker, "BHQ-1", "visit", {"households": 2}, date(2026, 11, 9), [stored_photo(h, same)]),
        "evil": await add(evil, "CYB-1", "lecture", {"lectures": 1, "attendees": 30}, date(2026, 11, 10),
                          [stored_photo(h, b"\xff\xd8lecture")]),
        "october": await add(worker, "BHQ-1", "visit", {"households": 1}, date(2026, 10, 30),
                             [stored_photo(h, b"\xff\xd8october")]),
        "undone": await add(worker, "BHQ-1", "visit", {"households": 1}, date(2026, 11, 11),
                            [stored_photo(h, b"\xff\xd8undone")]),
        "no_file": await add(worker, "BHQ-1", "app", {"app_installs": 2}, date(2026, 11, 12),
                             [NewPhoto(file_id="Fref", file_unique_id="Uref")]),
    }
    await h.storage.entries.undo(ids["undone"], worker, now)
    sub = await h.storage.submissions.submit(
        deadline_id="monthly-5", period_key="monthly-5:2026-12", org_id=org["BHQ"],
        user_id=await user_id(h, CONTACT), now=datetime(2026, 12, 3, 9, tzinfo=TZ), late=False, figures={},
        evidence_count=0, note="亮点：进校园", photos=[stored_photo(h, b"\xff\xd8report")])
    ids["report"] = sub.id
    return ids


def members(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        text = zf.read(LIST_NAME).decode("utf-8-sig")
        for info in zf.infolist():
            assert not info.filename.startswith(("/", "..")) and "/../" not in info.filename
    return names, list(csv.DictReader(io.StringIO(text)))


async def test_the_button_after_export_zips_the_months_photos(bot):
    ids = await november(bot)
    replies = await bot.send(OFFICE, "/export 2026-11")
    offer = replies[-1]
    assert not any(r.buttons for r in replies if r.photo or r.document)  # channels drop them there
    [action] = [b.action for row in offer.buttons for b in row if "佐证材料" in b.label]
    assert action == "proof:zip:2026-11"
    before = len(bot.documents(OFFICE))
    await bot.act(OFFICE, action)
    [(name, data)] = bot.documents(OFFICE)[before:]
    assert name == "佐证材料-2026-11.zip"
    assert any("共 6 张" in x for x in bot.texts(OFFICE))             # said before the packing starts
    assert "proof" in bot.core.routes.heavy                          # run outside the event's transaction
    assert any("1 张照片只存了链接" in x for x in bot.texts(OFFICE))   # the photo kept as a reference only
    names, listing = members(data)
    photos = [n for n in names if n != LIST_NAME]
    assert len(photos) == 6 and len(listing) == 6
    assert f"百花桥村/2026-11-06_张贴宣传品_用户{WORKER}_{ids['poster']}.jpg" in photos
    assert f"百花桥村/2026-11-06_张贴宣传品_用户{WORKER}_{ids['poster']}-2.jpg" in photos
    assert f"百花桥村/2026-12-03_报送_用户{CONTACT}_R{ids['report']}.jpg" in photos
    [evil] = [n for n in photos if n.startswith("茶园坝社区/")]
    assert evil.count("/") == 1 and "\\" not in evil  # the hostile name stays inside its folder
    rows = {r["文件"]: r for r in listing}
    poster = rows[f"百花桥村/2026-11-06_张贴宣传品_用户{WORKER}_{ids['poster']}.jpg"]
    assert (poster["编号"], poster["数量"], poster["位置"], poster["照片重复使用"]) == \
        (str(ids["poster"]), "海报3张", "28.100000, 108.200000", "否")
    assert poster["登记时间"] == "2026-11-24 10:00"
    reused = [r for r in listing if r["照片重复使用"] == "是"]
    assert sorted(int(r["编号"]) for r in reused) == sorted([ids["visit"], ids["again"]])
    assert rows[next(n for n in rows if n.startswith("百花桥村/2026-11-08"))]["位置"] == "3组村委会"
    assert next(r for r in listing if r["类别"] == "报送")["数量"] == "亮点：进校园"
    assert next(r for r in listing if r["村（社区）"] == "茶园坝社区")["填报人"] == cell_value(EVIL)  # text, not a formula
    assert not {str(ids["october"]), str(ids["undone"])} & {r["编号"] for r in listing}


async def test_only_the_office_may_tap_it_and_only_for_its_own_area(bot):
    await november(bot)
    for uid in (WORKER, CONTACT):
        await bot.act(uid, "proof:zip:2026-11")
        assert bot.documents(uid) == [] and bot.last_text(uid) == t("zh", "not-allowed")
    for forged in ("proof:zip:2026-13", "proof:zip:1", "proof:zip:2026-11:5", "proof:all:2026-11"):
        await bot.act(OFFICE, forged)
        assert bot.documents(OFFICE) == [] and bot.last_text(OFFICE) == t("zh", "button-expired")
    # an office below the township sees its own village only
    await bot.join(302, "BHQ", "office")
    await bot.act(302, "proof:zip:2026-11")
    [(_, data)] = bot.documents(302)
    names, _ = members(data)
    assert all(n.startswith("百花桥村/") for n in names if n != LIST_NAME)


async def test_a_month_without_photos_says_so(bot):
    await bot.act(OFFICE, "proof:zip:2026-09")
    assert bot.documents(OFFICE) == [] and "2026-09 没有存档的佐证照片" in bot.last_text(OFFICE)


def test_parts_keep_under_the_cap_and_each_has_its_list(tmp_path):
    items = []
    for i in range(7):
        path = tmp_path / f"{i}.jpg"
        path.write_bytes(bytes([i]) * 1000)
        items.append(Item(source=path, name=f"村/2026-11-0{i}_类_人_{i}.jpg", size=1000,
                          fields=(f"村/2026-11-0{i}_类_人_{i}.jpg", str(i), "村", "2026-11-01", "类", "=人", "",
                                  "", "2026-11-01 09:00", "否")))
    assert len(plan_parts(items, 2600)) == 4 and plan_parts([], 2600) == []  # two a part (each costs ~1260)
    assert [len(p) for p in plan_parts(items, 10)] == [1] * 7   # a photo larger than the cap goes alone
    written = write_zips(items, tmp_path / "out" / "佐证.zip", 2600)
    assert [p.name for p, _ in written] == ["佐证-1.zip", "佐证-2.zip", "佐证-3.zip", "佐证-4.zip"]
    seen = []
    for path, count in written:
        assert path.stat().st_size <= 2600 + 1024  # the cap, give or take the zip's own directory
        names, listing = members(path.read_bytes())
        assert len(listing) == count == len(names) - 1
        assert [r["文件"] for r in listing] == [n for n in names if n != LIST_NAME]
        assert all(r["填报人"] == "'=人" for r in listing)
        seen += names[1:]
    assert seen == [i.name for i in items]
    [(single, count)] = write_zips(items, tmp_path / "one.zip", 10**6)
    assert single.name == "one.zip" and count == 7


def test_safe_part():
    assert safe_part("../../a/b") == "_.._a_b"   # no separator left: '..' is then a plain name
    assert "/" not in safe_part("a/b") and "\\" not in safe_part("a\\b") and safe_part("") == "_"
    assert not safe_part("..").startswith(".") and len(safe_part("长" * 100)) == 24


async def test_the_cli_writes_the_zip(tmp_path, monkeypatch, capsys):
    async with Harness(tmp_path, datetime(2026, 12, 8, 10, tzinfo=TZ)) as h:
        await h.import_orgs()
        await h.join(WORKER, "BHQ-1", "worker")
        await h.join(CONTACT, "BHQ", "contact")
        await november(h)
    for name in SETTINGS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    monkeypatch.setenv("EVIDENCE_ZIP_MAX_MB", "1")
    out = tmp_path / "zips" / "nov.zip"
    assert await _cli("evidence", "--month", "2026-11", "--org", "BHQ", "--out", str(out)) == 0
    printed, err = capsys.readouterr()
    assert printed.strip().startswith(str(out)) and "5 photos" in printed
    names, listing = members(out.read_bytes())
    assert len(listing) == 5 and all(n.startswith("百花桥村/") for n in names if n != LIST_NAME)
    assert "5 of 5 photos packed" in err and "1 photos have no stored file" in err
    assert await _cli("evidence", "--month", "2026-11", "--org", "NOPE", "--out", str(out)) == 1
    assert await _cli("evidence", "--month", "11/2026", "--out", str(out)) == 2


async def _cli(*args: str) -> int:
    """bot.cli.main runs its own event loop: run it in a thread from this async test."""
    import asyncio

    def run() -> int:
        try:
            return main(list(args))
        except SystemExit as stop:
            return stop.code if isinstance(stop.code, int) else 1
    return await asyncio.to_thread(run)


async def test_only_files_of_the_evidence_folder_are_packed(bot, tmp_path):
    ids = await november(bot)
    outside = tmp_path / "secret.txt"
    outside.write_text("not evidence")
    await bot.storage.db.conn.execute("UPDATE evidence SET sha256 = NULL, path = ? WHERE entry_id = ?",
                                      (str(outside), ids["visit"]))
    await bot.storage.db.conn.commit()
    await bot.act(OFFICE, "proof:zip:2026-11")
    [(_, data)] = bot.documents(OFFICE)
    names, listing = members(data)
    assert len(listing) == 5 and str(ids["visit"]) not in {r["编号"] for r in listing}
    assert any("2 张照片只存了链接" in x for x in bot.texts(OFFICE))


@pytest.mark.parametrize("typed", ["佐证材料", "1"])
async def test_typing_the_buttons_word_or_number_after_export_works_as_the_tap(bot, typed):
    """/export runs outside the event's transaction; the 佐证材料 it offers is remembered all the
    same, so a person who types its word (or its number on a channel without buttons) gets the zip."""
    await november(bot)
    await bot.send(OFFICE, "/export 2026-11")
    conv = await bot.storage.conversations.load((await bot.user(OFFICE)).id)
    assert [a for _, a, _ in conv.menu] == ["proof:zip:2026-11"] and conv.menu_by is None
    before = len(bot.documents(OFFICE))
    await bot.send(OFFICE, typed)
    [(name, _)] = bot.documents(OFFICE)[before:]
    assert name == "佐证材料-2026-11.zip"


async def test_parts_go_out_one_at_a_time_not_held_until_the_end(bot, monkeypatch):
    """Hundreds of MB of parts must not sit in memory together: each is sent as soon as it is
    read (Turn.tell), so the event's own replies hold none of them."""
    from bot import evidence_zip
    await november(bot)
    monkeypatch.setattr(evidence_zip, "plan_parts", lambda items, cap: [[i] for i in items])  # a part a photo
    replies = await bot.act(OFFICE, "proof:zip:2026-11")
    assert not any(r.document for r in replies)
    docs = bot.documents(OFFICE)
    assert len(docs) == 6 and all(name.startswith("佐证材料-2026-11") for name, _ in docs)
    assert all(len(members(data)[1]) == 1 for _, data in docs)
