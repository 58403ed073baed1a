"""The command line: help, configuration errors, import-orgs, invite, users.

Help and configuration errors run `python -m bot` as a process (what the operator sees:
exit status and stderr). The chores run in-process through bot.cli.main for speed, in a
temporary directory so that no .env of the developer's interferes."""
from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings

from .helpers import FIXTURES

REPO = Path(__file__).resolve().parent.parent
ORGS_CSV = FIXTURES / "orgs.csv"
HEADER = "code,name,kind,parent,households,population"
SETTINGS_VARS = {name.upper() for name in Settings.model_fields}


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_VARS}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def run_bot(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=clean_env(**env),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


class Cli:
    """bot.cli.main in-process, in tmp_path, with only DATABASE_PATH configured."""

    def __init__(self, tmp_path: Path, monkeypatch, capsys) -> None:
        self.tmp, self.capsys, self.monkeypatch = tmp_path, capsys, monkeypatch
        monkeypatch.chdir(tmp_path)
        for name in SETTINGS_VARS:
            monkeypatch.delenv(name, raising=False)
        self.use_db("bot.sqlite3")

    def use_db(self, name: str) -> None:
        self.db = self.tmp / name
        self.monkeypatch.setenv("DATABASE_PATH", str(self.db))

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as stop:  # argparse and configuration errors
            code = stop.code if isinstance(stop.code, int) else 1
        out, err = self.capsys.readouterr()
        return code, out, err

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(query, params).fetchall()

    def orgs(self) -> list[tuple]:
        """The whole orgs table, for "the database was left exactly as it was"."""
        return self.sql("SELECT * FROM orgs ORDER BY id")

    def write(self, name: str, text: str, encoding: str = "utf-8") -> Path:
        path = self.tmp / name
        path.write_text(text, encoding=encoding)
        return path


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    return Cli(tmp_path, monkeypatch, capsys)


@pytest.fixture
def loaded(cli):
    """The sample township imported."""
    code, out, err = cli("import-orgs", str(ORGS_CSV))
    assert code == 0, err
    return cli


def fixture_lines() -> list[str]:
    return ORGS_CSV.read_text(encoding="utf-8-sig").splitlines()


# --- help and configuration -----------------------------------------------------------------

def test_help_lists_the_subcommands(tmp_path):
    done = run_bot(tmp_path, "--help")
    assert done.returncode == 0, done.stderr
    for command in ("run", "import-orgs", "invite", "users", "parse"):
        assert command in done.stdout


@pytest.mark.parametrize("variable, value, args", [
    ("TIMEZONE", "Mars/Base", ["run"]),
    ("LOG_LEVEL", "LOUD", ["run"]),
    ("TIMEZONE", "Mars/Base", ["import-orgs", str(ORGS_CSV)]),
    ("LOG_LEVEL", "LOUD", ["invite", "--org", "BHQ-1", "--role", "worker"]),
    ("ADMIN_TELEGRAM_IDS", "12,abc", ["run"]),
    ("QUIET_START", "25:99", ["users", "--deactivate", "1"]),
    ("BACKUP_KEEP", "0", ["run"]),
])
def test_bad_setting_is_one_line_and_exit_2(tmp_path, variable, value, args):
    done = run_bot(tmp_path, *args, **{variable: value, "TELEGRAM_BOT_TOKEN": "123:TEST",
                                       "DATABASE_PATH": str(tmp_path / "bot.sqlite3")})
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert variable in lines[0]
    assert "Traceback" not in done.stderr
    assert "123:TEST" not in done.stderr
    assert not (tmp_path / "bot.sqlite3").exists()  # stopped before touching anything


def test_bad_setting_in_dotenv_is_reported_the_same_way(tmp_path):
    (tmp_path / ".env").write_text("TIMEZONE=Mars/Base\n", encoding="utf-8")
    done = run_bot(tmp_path, "run", TELEGRAM_BOT_TOKEN="123:TEST")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "TIMEZONE" in done.stderr


def test_run_without_token_exits_2_naming_it(tmp_path):
    done = run_bot(tmp_path, "run", DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0] and "WECOM_BOT_ID" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_half_a_wecom_configuration_exits_2_naming_what_is_missing(tmp_path):
    done = run_bot(tmp_path, "run", WECOM_BOT_ID="aibot-1", DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line == "configuration error: WECOM_BOT_SECRET: required with WECOM_BOT_ID"
    assert not (tmp_path / "bot.sqlite3").exists()


# --- import-orgs ------------------------------------------------------------------------------

def test_fixture_imports_twelve_orgs(cli):
    code, out, err = cli("import-orgs", str(ORGS_CSV))
    assert code == 0, err
    assert "12 added, 0 updated" in out
    assert cli.sql("SELECT COUNT(*) FROM orgs") == [(12,)]
    rows = cli.sql("SELECT o.name, o.kind, p.code, o.households, o.population FROM orgs o "
                   "LEFT JOIN orgs p ON p.id = o.parent_id WHERE o.code = 'BHQ-1'")
    assert rows == [("百花桥村第一网格", "grid", "BHQ", 240, 720)]
    assert cli.sql("SELECT code FROM orgs WHERE parent_id IS NULL") == [("WLS",)]


def test_reimport_updates_and_never_duplicates(loaded):
    before = loaded.orgs()
    code, out, err = loaded("import-orgs", str(ORGS_CSV))
    assert code == 0, err
    assert "0 added, 12 updated" in out
    assert loaded.orgs() == before  # same ids, same everything


def test_reimport_with_changes_updates_in_place(loaded):
    ids = dict(loaded.sql("SELECT code, id FROM orgs"))
    lines = [line.replace("百花桥村第一网格,grid,BHQ,240,720", "百花桥一组网格,grid,BHQ,255,731")
             for line in fixture_lines()]
    lines.append("BHQ-3,百花桥村第三网格,网格,BHQ,12,40")  # a new grid, kind given in Chinese
    code, out, err = loaded("import-orgs", str(loaded.write("changed.csv", "\n".join(lines) + "\n")))
    assert code == 0, err
    assert "1 added, 12 updated" in out
    assert loaded.sql("SELECT COUNT(*) FROM orgs") == [(13,)]
    assert loaded.sql("SELECT id, name, households, population FROM orgs WHERE code = 'BHQ-1'") == [
        (ids["BHQ-1"], "百花桥一组网格", 255, 731)]
    assert loaded.sql("SELECT kind, parent_id FROM orgs WHERE code = 'BHQ-3'") == [("grid", ids["BHQ"])]


def _bad(*extra: str, header: str = HEADER) -> str:
    """The fixture with the root renamed (so a partial write would show) plus bad lines."""
    lines = [header] + [line.replace("武陵山乡,", "武陵山乡（改名）,") for line in fixture_lines()[1:]]
    return "\n".join(lines + list(extra)) + "\n"


BAD_FILES = {
    # name: (file text, row number in the message, reason in the message)
    "unknown parent": (_bad("X1,某网格,grid,NOPE,1,1"), 14, "unknown parent 'NOPE'"),
    "duplicate code": (_bad("BHQ-1,又一个网格,grid,BHQ,1,1"), 14, "duplicate code 'BHQ-1'"),
    "cycle": (_bad("CA,甲网格,grid,CB,1,1", "CB,乙网格,grid,CA,1,1"), 14, "cycle"),
    "cycle through stored orgs": (HEADER + "\nWLS,武陵山乡,township,BHQ-1,1,1\n", 2, "cycle"),
    "own parent": (_bad("X1,某网格,grid,X1,1,1"), 14, "cycle"),
    "negative figure": (_bad("X1,某网格,grid,BHQ,-5,10"), 14, "households must be a whole number"),
    "non-numeric figure": (_bad("X1,某网格,grid,BHQ,12,很多"), 14, "population must be a whole number"),
    "nan figure": (_bad("X1,某网格,grid,BHQ,nan,1"), 14, "households must be a whole number"),
    "fractional figure": (_bad("X1,某网格,grid,BHQ,1.5,1"), 14, "households must be a whole number"),
    "unknown kind": (_bad("X1,某网格,planet,BHQ,1,1"), 14, "unknown kind 'planet'"),
    "empty name": (_bad("X1,,grid,BHQ,1,1"), 14, "name is empty"),
    "row after a blank line": (_bad("", "X1,某网格,grid,NOPE,1,1"), 15, "unknown parent"),
    "missing column": (_bad(header=HEADER.removesuffix(",population")), 1, "missing column(s): population"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_rejected_whole(loaded, case):
    text, row, reason = BAD_FILES[case]
    before = loaded.orgs()
    code, out, err = loaded("import-orgs", str(loaded.write("bad.csv", text)))
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert f"row {row}:" in lines[0] and reason in lines[0], lines[0]
    assert loaded.orgs() == before


def test_bad_file_into_empty_database_leaves_it_empty(cli):
    code, out, err = cli("import-orgs", str(cli.write("bad.csv", _bad("X1,某网格,grid,NOPE,1,1"))))
    assert code == 1 and "row 14:" in err
    assert cli.orgs() == []


def test_missing_file_and_broken_xlsx_are_rejected(cli):
    code, out, err = cli("import-orgs", str(cli.tmp / "nowhere.csv"))
    assert code == 1 and "no such file" in err
    code, out, err = cli("import-orgs", str(cli.write("broken.xlsx", "this is not a workbook")))
    assert code == 1 and "XLSX" in err


def _import_into_fresh(cli, path: Path, db_name: str) -> list[tuple]:
    cli.use_db(db_name)
    code, out, err = cli("import-orgs", str(path))
    assert code == 0, err
    assert "12 added" in out
    return cli.orgs()


def test_xlsx_imports_the_same_as_csv(cli):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    kinds_zh = {"township": "乡镇", "community": "社区", "village": "村", "grid": "网格"}
    for number, line in enumerate(fixture_lines()):
        cells = line.split(",")
        if number:  # real spreadsheet cells: numbers as numbers, no parent as an empty cell
            code, name, kind, parent, households, population = cells
            cells = [code, name, kinds_zh[kind], parent or None, int(households), float(population)]
        sheet.append(cells)
    xlsx = cli.tmp / "orgs.xlsx"
    book.save(xlsx)

    from_csv = _import_into_fresh(cli, ORGS_CSV, "csv.sqlite3")
    from_xlsx = _import_into_fresh(cli, xlsx, "xlsx.sqlite3")
    assert from_xlsx == from_csv


def test_gbk_csv_from_excel_imports_the_same(cli):
    gbk = cli.write("orgs-gbk.csv", ORGS_CSV.read_text(encoding="utf-8-sig"), encoding="gbk")
    assert _import_into_fresh(cli, gbk, "gbk.sqlite3") == _import_into_fresh(cli, ORGS_CSV, "utf8.sqlite3")


# --- invite -----------------------------------------------------------------------------------

def test_invite_for_unknown_org_fails(loaded):
    code, out, err = loaded("invite", "--org", "NOWHERE", "--role", "worker")
    assert code != 0
    assert "NOWHERE" in err and out == ""
    assert loaded.sql("SELECT COUNT(*) FROM invites") == [(0,)]


def test_invite_with_uses_and_days(loaded):
    code, out, err = loaded("invite", "--org", "BHQ-1", "--role", "worker", "--uses", "3", "--days", "2")
    assert code == 0, err
    invite_code = out.splitlines()[0]  # no token configured: the code only, no link
    assert out.splitlines() == [invite_code]
    [(org_code, role, uses_left, created, expires)] = loaded.sql(
        "SELECT o.code, i.role, i.uses_left, i.created_at, i.expires_at FROM invites i "
        "JOIN orgs o ON o.id = i.org_id WHERE i.code = ?", (invite_code,))
    assert (org_code, role, uses_left) == ("BHQ-1", "worker", 3)
    assert datetime.fromisoformat(expires) - datetime.fromisoformat(created) == timedelta(days=2)

    from storage import InviteError, Storage

    async def redeem() -> list[str]:
        storage = await Storage.open(loaded.db)
        outcomes = []
        try:
            now = datetime.fromisoformat(created) + timedelta(hours=1)
            for uid in (501, 502, 503, 504):
                try:
                    await storage.users.join(invite_code, "telegram", str(uid), str(uid), f"网格员{uid}", now)
                    outcomes.append("joined")
                except InviteError as err:
                    outcomes.append(err.reason)
        finally:
            await storage.close()
        return outcomes

    assert asyncio.run(redeem()) == ["joined", "joined", "joined", "used_up"]


def test_invite_rejects_an_unknown_role(loaded):
    code, out, err = loaded("invite", "--org", "BHQ-1", "--role", "mayor")
    assert code == 2 and "mayor" in err


# --- users ------------------------------------------------------------------------------------

def test_deactivate_unknown_user_exits_1(loaded):
    code, out, err = loaded("users", "--deactivate", "987654")
    assert code == 1
    assert err.strip()


def test_deactivate_and_reactivate_a_person(loaded):
    code, out, err = loaded("invite", "--org", "BHQ-2", "--role", "worker")
    invite_code = out.splitlines()[0]

    async def join() -> int:
        from storage import Storage
        storage = await Storage.open(loaded.db)
        try:
            user = await storage.users.join(invite_code, "telegram", "777", "777", "网格员777",
                                            datetime.now().astimezone())
        finally:
            await storage.close()
        return user.id

    user_id = asyncio.run(join())
    assert user_id != 777                      # our own id (what /users shows), not the Telegram one
    active = ("SELECT u.active FROM users u JOIN accounts a ON a.user_id = u.id "
              "WHERE a.channel = 'telegram' AND a.external_id = '777'")
    assert loaded("users", "--deactivate", "777")[0] == 1      # a Telegram id is not a user id
    assert loaded.sql(active) == [(1,)]
    assert loaded("users", "--deactivate", str(user_id)) == (0, "done\n", "")
    assert loaded.sql(active) == [(0,)]
    assert loaded("users", "--activate", str(user_id))[0] == 0
    assert loaded.sql(active) == [(1,)]


def test_users_without_a_flag_exits_2(loaded):
    code, out, err = loaded("users")
    assert code == 2 and "--deactivate" in err


@pytest.mark.parametrize("variable, text, expected", [
    ("DEADLINES_FILE", '[[deadline]]\nid = "m5"\nday = 40\ntitle = "x"\ncovers = "previous_month"\n'
                       'who = "contact"\nremind = ["0d 09:00"]\n', "entry 1 (m5): day must be 1..31 or -1"),
    ("TARGETS_FILE", '[[target]]\nmeasure = "coverage"\nvalue = "half"\ndue = "06-30"\n', "entry 1"),
])
def test_bad_calendar_or_targets_stops_start_up(tmp_path, variable, text, expected):
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    result = run_bot(tmp_path, "run", TELEGRAM_BOT_TOKEN="123:TEST", **{variable: str(bad)})
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert str(bad) in line and expected in line and "Traceback" not in result.stderr
