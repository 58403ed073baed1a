"""Two townships side by side: an office sees and acts on its own township only (warnings,
their buttons, /summary, /missing, /export, the 佐证材料 zip)."""
from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

from openpyxl import load_workbook

from storage.models import NewEntry

from .conftest import OFFICE, WORKER
from .test_evidence_zip import stored_photo
from .test_warnings import csv_file

OFFICE2, WORKER3, CONTACT3 = 302, 103, 203
OTHER = ("code,name,kind,parent,households,population\n"
         "SLX,石林乡,township,,900,2700\nSLC,石林村,village,SLX,300,900\nSLC-1,石林村第一网格,grid,SLC,300,900\n")
SECRET = ("赵秘密", "13566667777")


async def two_townships(bot, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text(OTHER, encoding="utf-8")
    await bot.import_orgs(path)
    await bot.join(OFFICE2, "SLX", "office")
    await bot.join(WORKER3, "SLC-1", "worker")
    await bot.join(CONTACT3, "SLC", "contact")
    await bot.document(OFFICE, "预警.csv", csv_file(f"{SECRET[0]},{SECRET[1]},BHQ-1,百花桥村3组,,刷单,2026-11-24 09:30",
                                                   "钱某,13511112222,不存在村,,,贷款,2026-11-24 09:40"))
    await bot.tick()
    return await bot.storage.warnings._select("1 = 1")


def said(bot, uid) -> str:
    return "\n".join(bot.texts(uid))


async def test_warnings_of_one_township_stay_with_it(bot, tmp_path):
    ws = await two_townships(bot, tmp_path)
    grid2 = await bot.storage.orgs.by_code("SLC-1")
    await bot.send(OFFICE2, "/warnings")
    for w in ws:
        for forged in (f"warn:re:{w.id}", f"warn:to:{w.id}:{grid2.id}", f"warn:met:{w.id}:0",
                       f"warn:fu:{w.id}", f"warn:undo:{w.id}", f"warn:away:{w.id}:0"):
            await bot.act(OFFICE2, forged)
            await bot.act(WORKER3, forged)
            await bot.act(CONTACT3, forged)
        await bot.send(OFFICE2, f"/warnings {w.id} SLC-1")
    assert [(w.org_id, w.status, w.round) for w in await bot.storage.warnings._select("1 = 1")] == \
        [(w.org_id, w.status, w.round) for w in ws]
    for uid in (OFFICE2, WORKER3, CONTACT3):
        assert SECRET[0] not in said(bot, uid) and SECRET[1] not in said(bot, uid)
        assert "钱" not in said(bot, uid) and "1351111" not in said(bot, uid)
    # the other office's file naming this township's grid stays unassigned in its own township
    await bot.document(OFFICE2, "预警.csv", csv_file("孙某,13599990000,BHQ-1,,,刷单,2026-11-24 09:50"))
    [w] = await bot.storage.warnings._select("phone = ?", ("13599990000",))
    assert w.org_id is None and w.office_id == (await bot.storage.orgs.by_code("SLX")).id
    await bot.send(OFFICE, "/warnings")
    assert "孙某" not in said(bot, OFFICE)


async def test_office_views_and_files_hold_only_their_township(bot, tmp_path):
    await two_townships(bot, tmp_path)
    org = {o.code: o.id for o in await bot.storage.orgs.all()}
    worker = (await bot.user(WORKER)).id
    await bot.storage.entries.add([NewEntry(
        user_id=worker, org_id=org["BHQ-1"], kind="visit", measures={"households": 7}, happened_on=date(2026, 11, 20),
        source="flow", address="百花桥秘密地址", photos=[stored_photo(bot, b"\xff\xd8bhq")])], bot.clock.now())
    await bot.send(OFFICE2, "/summary")
    await bot.send(OFFICE2, "/missing")
    await bot.send(OFFICE2, "/export 2026-11")
    await bot.act(OFFICE2, "proof:zip:2026-11")
    text = said(bot, OFFICE2)
    assert "百花桥" not in text and "武陵山" not in text
    for name, data in bot.documents(OFFICE2):
        if name.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(data))
            cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row)
            assert "百花桥" not in cells and "武陵山" not in cells and "秘密" not in cells
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                assert all("百花桥" not in n for n in zf.namelist())
    # a nudge from the other office reaches nobody of this township
    bot.clock.advance(timedelta(days=12))
    await bot.send(OFFICE2, "/missing")
    await bot.act(OFFICE2, "missing:nudge")
    rows = await bot.storage.db.fetchall("SELECT recipient FROM outbox WHERE topic LIKE 'nudge%'")
    mine = {(await bot.user(u)).address for u in (WORKER3, CONTACT3)}
    assert {r[0] for r in rows} <= mine


async def test_the_office_file_is_imported_while_a_warn_entry_is_going(bot):
    """An office that typed /warn and then sends the file (the more usual way in) gets it
    imported, not "这一项必填" with the file dropped; the entry stays open to go on."""
    from .test_warnings import ROWS

    await bot.send(OFFICE, "/warn")
    await bot.document(OFFICE, "预警.csv", csv_file(*ROWS))
    assert len(await bot.storage.warnings._select("1 = 1")) == 3
    assert "已导入预警 3 条" in bot.last_text(OFFICE)


FORGED_ARGS = ["", "1", "2", "99999999999999999999", "x", "2026-11", "BHQ-1"]
FORGED_VERBS = {"warn": ["met", "phone", "nr", "lost", "away", "fu", "undo", "re", "to", "skip", "kind"],
                "proof": ["zip"], "missing": ["nudge"], "report": ["nil", "nilok", "back", "ok", "pick"],
                "users": ["off"]}


async def test_forged_taps_from_another_township_change_nothing_and_break_nothing(bot, tmp_path, caplog):
    import itertools
    import logging

    caplog.set_level(logging.WARNING)
    await two_townships(bot, tmp_path)
    before = [w.model_dump() for w in await bot.storage.warnings._select("1 = 1")]
    people = [tuple(r) for r in await bot.storage.db.fetchall("SELECT id, active, role, org_id FROM users")]
    for feature, verbs in FORGED_VERBS.items():
        for verb, a, b in itertools.product(verbs, FORGED_ARGS, ["", "0", "1", "99999999999999999999"]):
            act = ":".join([feature, verb, *(x for x in (a, b) if x)])
            for uid in (WORKER3, CONTACT3, OFFICE2):
                for reply in await bot.act(uid, act):
                    assert "出了点问题" not in (reply.text or ""), (uid, act)
    assert [w.model_dump() for w in await bot.storage.warnings._select("1 = 1")] == before
    assert [tuple(r) for r in await bot.storage.db.fetchall("SELECT id, active, role, org_id FROM users")] == people
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert SECRET[1] not in said(bot, OFFICE2) + said(bot, WORKER3) + said(bot, CONTACT3)


async def test_a_worker_moved_to_another_township_loses_the_warnings_of_the_old_grid(bot, tmp_path):
    """A worker who joins another grid (a new invite) no longer sees or answers the open
    warnings sent to them in the old one: not by /warnings, a tap or a typed outcome."""
    ws = await two_townships(bot, tmp_path)
    w = next(w for w in ws if w.org_id is not None)
    assert (await bot.user(WORKER)).id in w.assignees
    grid2 = await bot.storage.orgs.by_code("SLC-1")
    invite = await bot.storage.users.create_invite(grid2.id, "worker", 1, 7, bot.clock.now())
    await bot.send(WORKER, f"/start {invite.code}")
    seen = len(bot.texts(WORKER))
    await bot.send(WORKER, "/warnings")
    await bot.act(WORKER, f"warn:met:{w.id}:0")
    await bot.send(WORKER, "已见面劝阻")
    await bot.send(WORKER, "/visit")                    # typed in the middle of a flow too
    await bot.send(WORKER, "已见面劝阻")
    await bot.act(WORKER, f"warn:fu:{w.id}")
    for _ in range(3):                                  # the half-window reminder, the overdue list
        bot.clock.advance(timedelta(hours=12))
        await bot.tick()
    later = "\n".join(bot.texts(WORKER)[seen:])
    assert SECRET[0] not in later and SECRET[1] not in later
    assert (await bot.storage.warnings.get(w.id)).status == "open"
