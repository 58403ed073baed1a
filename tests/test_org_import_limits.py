"""The org import refuses what it cannot hold (a tree deeper than the hierarchy, huge or hidden
text, absurd figures) with the row and the reason, shows progress on a large file, and
commits in batches so the bot's writes go on beside it."""
from __future__ import annotations

import sqlite3

import pytest
from openpyxl import Workbook

from bot.orgs_import import MAX_NAME
from storage import Storage
from storage.orgs import BATCH

from .test_cli import HEADER, ORGS_CSV, Cli

FIXTURE = ORGS_CSV.read_text(encoding="utf-8-sig").rstrip("\n")   # 12 rows: the next is row 14


@pytest.fixture
def loaded(tmp_path, monkeypatch, capsys):
    cli = Cli(tmp_path, monkeypatch, capsys)
    assert cli("import-orgs", str(ORGS_CSV))[0] == 0
    return cli


def rejected(cli: Cli, text: str, name: str = "bad.csv") -> str:
    """Import the file; it must be refused whole, in one line, with no traceback."""
    before = cli.orgs()
    code, out, err = cli("import-orgs", str(cli.write(name, text)))
    assert code == 1 and out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert cli.orgs() == before
    return err.strip()


HOSTILE_ROWS = {
    # the row added to the fixture: what the message must say
    "X1,某网格,grid,BHQ,99999999999999999999,1": "households must be a whole number from 0 to 100,000,000",
    "X1,某网格,grid,BHQ,1e19,1": "households must be a whole number",
    "X1,某网格,grid,BHQ,1,1e400": "population must be a whole number",
    "X1,某网格,grid,BHQ,100000001,1": "households must be a whole number",
    "X1," + "名" * 131_073 + ",grid,BHQ,1,1": "not readable as CSV (field larger than field limit",
    "X1," + "名" * (MAX_NAME + 1) + ",grid,BHQ,1,1": f"name is longer than {MAX_NAME} characters",
    "X" * 65 + ",某网格,grid,BHQ,1,1": "code is longer than 64 characters",
    "X1,某\x00网格,grid,BHQ,1,1": "(U+0000)",
    "X1,某\x07网格,grid,BHQ,1,1": "(U+0007)",
    "X1,某\x1b[31m网格,grid,BHQ,1,1": "(U+001B)",
    "X1,某\u202e格网,grid,BHQ,1,1": "(U+202E)",
    "X1,某\u200f网格,grid,BHQ,1,1": "(U+200F)",
    "X1,某\u2066网格,grid,BHQ,1,1": "(U+2066)",
    "X1,某\u200b网格,grid,BHQ,1,1": "(U+200B)",
    "X\u202e1,某网格,grid,BHQ,1,1": "code holds an invisible or control character (U+202E)",
    "X1,某网格," + "g" * 20_000 + ",BHQ,1,1": "unknown kind 'gggggggggggggggggggg…'",
}


@pytest.mark.parametrize("row", list(HOSTILE_ROWS), ids=range(len(HOSTILE_ROWS)))
def test_hostile_cells_are_rejected_with_the_row_and_why(loaded, row):
    err = rejected(loaded, f"{FIXTURE}\n{row}\n")
    assert err.startswith("import rejected: row 14: ") and HOSTILE_ROWS[row] in err, err
    assert len(err) < 200                                          # a huge cell is not echoed back


def test_hostile_xlsx_cells_are_rejected_too(loaded):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["WLS", "武陵山乡", "乡镇", None, 3290, 9870])
    sheet.append(["X1", "某村", "村", "WLS", 1e19, 1])
    book.save(loaded.tmp / "bad.xlsx")
    before = loaded.orgs()
    code, _, err = loaded("import-orgs", str(loaded.tmp / "bad.xlsx"))
    assert code == 1 and "row 3: households must be a whole number" in err and loaded.orgs() == before
    sheet.cell(3, 5, 1)
    sheet.cell(3, 2, "村" * 200_000)                                 # beyond what CSV would even read
    book.save(loaded.tmp / "bad.xlsx")
    code, _, err = loaded("import-orgs", str(loaded.tmp / "bad.xlsx"))
    assert code == 1 and f"row 3: name is longer than {MAX_NAME}" in err and len(err) < 200


PLACES = {
    # rows after the fixture: (row of the message, what it says); BHQ is a village, BHQ-1 a grid
    "a grid under a grid": (["G1,某网格,grid,BHQ-1,1,1"], 14, "a grid belongs under a village or community, "
                                                            "not under 'BHQ-1' (a grid)"),
    "a village under a village": (["V1,某村,village,BHQ,1,1"], 14, "a village belongs under a township or street"),
    "a grid under a township": (["G1,某网格,grid,WLS,1,1"], 14, "a grid belongs under a village or community"),
    "a department under a village": (["D1,某部门,department,BHQ,1,1"], 14, "a department belongs under a township"),
    "a township under a village": (["T2,某乡,township,BHQ,1,1"], 14, "a township is the top of the tree"),
    "a street under a township": (["S1,某街道,street,WLS,1,1"], 14, "a street is the top of the tree"),
    "a chain in the file": (["G1,网格甲,grid,BHQ,1,1", "G2,网格乙,grid,G1,1,1"], 15,
                            "a grid belongs under a village or community, not under 'G1' (a grid)"),
}


def test_an_xlsx_unpacking_to_too_much_is_refused_before_it_is_read(loaded, monkeypatch):
    """A zip bomb (a small file that unpacks to gigabytes) is refused by its unpacked size."""
    import zipfile

    import bot.orgs_import as orgs_import

    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(["WLS", "武陵山乡", "乡镇", None, 3290, 9870])
    book.save(loaded.tmp / "bomb.xlsx")
    with zipfile.ZipFile(loaded.tmp / "bomb.xlsx", "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/padding.bin", b"\0" * (3 << 20))
    monkeypatch.setattr(orgs_import, "MAX_UNPACKED", 2 << 20)
    before = loaded.orgs()
    code, _, err = loaded("import-orgs", str(loaded.tmp / "bomb.xlsx"))
    assert code == 1 and "unpacks to more than 2 MB" in err and loaded.orgs() == before


@pytest.mark.parametrize("case", list(PLACES))
def test_a_tree_deeper_than_the_hierarchy_is_refused(loaded, case):
    rows, row, reason = PLACES[case]
    err = rejected(loaded, "\n".join([FIXTURE, *rows]) + "\n")
    assert f"row {row}: {reason}" in err, err


def test_a_parent_stored_earlier_is_checked_by_its_kind(loaded):
    """A file naming only new grids under a grid imported last month is refused as well."""
    err = rejected(loaded, f"{HEADER}\nG9,某网格,grid,BHQ-1,1,1\n")
    assert "row 2: a grid belongs under a village or community, not under 'BHQ-1' (a grid)" in err
    code, out, _ = loaded("import-orgs", str(loaded.write("ok.csv", f"{HEADER}\nD1,派出所,部门,WLS,0,0\n")))
    assert code == 0 and "1 added" in out                        # a department under the township is fine


def test_a_3000_level_chain_is_refused_at_its_fourth_level(loaded):
    lines = [HEADER, "C0,链乡,township,,0,0", "C1,链村,village,C0,1,1"]
    lines += [f"C{i},链{i},grid,C{i - 1},1,1" for i in range(2, 3000)]
    err = rejected(loaded, "\n".join(lines) + "\n")
    assert "row 5: a grid belongs under a village or community, not under 'C2' (a grid)" in err
    reversed_chain = [HEADER] + lines[:0:-1]                         # children first: still one walk each
    assert "a grid belongs under" in rejected(loaded, "\n".join(reversed_chain) + "\n")


def _big(rows: int) -> str:
    lines = [HEADER, "T,某乡,township,,0,0", "V,某村,village,T,0,0"]
    lines += [f"G{i},网格{i},grid,V,1,1" for i in range(rows - 2)]
    return "\n".join(lines) + "\n"


def test_a_large_import_shows_progress_on_stderr(tmp_path, monkeypatch, capsys):
    cli = Cli(tmp_path, monkeypatch, capsys)
    code, out, err = cli("import-orgs", str(cli.write("big.csv", _big(6000))))
    assert code == 0 and out.strip() == "imported: 6000 added, 0 updated"
    lines = err.strip().splitlines()
    assert lines[0].startswith("import-orgs: 6000 rows read and checked")
    written = [int(line.split()[1]) for line in lines[1:]]
    assert all("rows written" in line for line in lines[1:]) and written[-1] == 6000 and len(written) >= 5
    code, out, err = cli("import-orgs", str(ORGS_CSV))                # a small file: no progress
    assert code == 0 and err == ""


async def test_upsert_commits_in_batches(tmp_path):
    """Between two batches another connection (the bot's, beside a CLI import) sees the rows
    written so far: the write lock was released there."""
    storage = await Storage.open(tmp_path / "bot.sqlite3")
    rows = [{"code": "T", "name": "某乡", "kind": "township", "parent": None, "households": 0, "population": 0}]
    rows += [{"code": f"V{i}", "name": f"村{i}", "kind": "village", "parent": "T", "households": 1,
              "population": 1} for i in range(2 * BATCH + 99)]
    seen = []

    def progress(done: int, total: int) -> None:
        with sqlite3.connect(tmp_path / "bot.sqlite3", timeout=0) as other:
            other.execute("BEGIN IMMEDIATE")                        # would fail if the import held the lock
            seen.append((done, total, other.execute("SELECT COUNT(*) FROM orgs").fetchone()[0]))
            other.rollback()

    try:
        assert await storage.orgs.upsert_many(rows, progress) == (len(rows), 0)
        assert await storage.orgs.upsert_many(rows) == (0, len(rows))
    finally:
        await storage.close()
    total = len(rows)
    assert seen == [(BATCH, total, BATCH), (2 * BATCH, total, 2 * BATCH), (total, total, total)]
