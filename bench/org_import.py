"""Org-tree import at county scale, a hostile chain and hostile cells, through the real CLI.

    python bench/org_import.py                    # 100,000 rows, a 3,000-level chain, hostile cells
    python bench/org_import.py --rows 30000 --chain 500

Each case runs `python -m bot import-orgs FILE` as its own process on a fresh SQLite file
in a temp folder (the operator's view: wall time, exit status, what stderr said, the
progress lines). While the big file imports, a second connection (as the running bot
would) writes one row every 20 ms with a 5 s busy timeout and records how long each write
waited for the lock: the longest wait is how long the import held it.

Files:
- big: 50 townships, 40 villages each, then grids up to --rows, parents first; imported
  twice (all added, then all updated);
- chain: a township, a village, then grids each under the one before, --chain levels in all;
- hostile: the fixture's 12 rows plus one bad row each: households 99999999999999999999 and
  1e19, a 131,073-character name, a NUL byte, a control character, an RTL override.
No timing asserts.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEADER = "code,name,kind,parent,households,population"


def big_tree(rows: int) -> str:
    lines = [HEADER]
    villages = []
    for t in range(50):
        lines.append(f"T{t:02d},第{t}乡,township,,0,0")
        for v in range(40):
            villages.append(f"T{t:02d}V{v:02d}")
            lines.append(f"{villages[-1]},第{t}乡第{v}村,village,T{t:02d},100,300")
    for g in range(rows - len(lines) + 1):
        parent = villages[g % len(villages)]
        lines.append(f"{parent}G{g},{parent}第{g}网格,grid,{parent},20,60")
    return "\n".join(lines) + "\n"


def chain(depth: int) -> str:
    lines = [HEADER, "C0,链乡,township,,0,0", "C1,链村,village,C0,1,1"]
    lines += [f"C{i},链{i},grid,C{i - 1},1,1" for i in range(2, depth)]
    return "\n".join(lines) + "\n"


def hostile() -> dict[str, str]:
    fixture = (REPO / "tests" / "fixtures" / "orgs.csv").read_text(encoding="utf-8-sig").rstrip("\n")
    bad = {
        "households 99999999999999999999": "X1,某网格,grid,BHQ,99999999999999999999,1",
        "households 1e19": "X1,某网格,grid,BHQ,1e19,1",
        "a 131,073-character name": "X1," + "名" * 131_073 + ",grid,BHQ,1,1",
        "a NUL byte in a name": "X1,某\x00网格,grid,BHQ,1,1",
        "a control character in a name": "X1,某\x07网格,grid,BHQ,1,1",
        "an RTL override in a name": "X1,某\u202e网格,grid,BHQ,1,1",
    }
    return {name: f"{fixture}\n{row}\n" for name, row in bad.items()}


class LockProbe(threading.Thread):
    """Writes as the bot would, beside the import, and keeps the longest wait for the lock."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db, self.stop, self.waits, self.errors = db, threading.Event(), [], 0

    def run(self) -> None:
        while not self.db.exists():
            time.sleep(0.01)
        conn = sqlite3.connect(self.db, isolation_level=None, timeout=5.0)
        while not self.stop.is_set():
            began = time.perf_counter()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("UPDATE orgs SET households = households WHERE id = -1")
                conn.execute("COMMIT")
                self.waits.append(time.perf_counter() - began)
            except sqlite3.OperationalError as err:  # "database is locked" (or no table yet)
                self.errors += "locked" in str(err)
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            time.sleep(0.02)
        conn.close()


def run(folder: Path, name: str, text: str, db: str = "bot.sqlite3", probe: bool = False) -> None:
    path = folder / f"{name.replace(' ', '_')[:40]}.csv"
    path.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_PATH"} | {
        "DATABASE_PATH": str(folder / db), "PYTHONPATH": str(REPO)}
    watcher = LockProbe(folder / db) if probe else None
    if watcher:
        watcher.start()
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", "import-orgs", str(path)], cwd=folder, env=env,
                          capture_output=True, text=True)
    took = time.perf_counter() - began
    if watcher:
        watcher.stop.set()
        watcher.join()
    err = done.stderr.strip().splitlines()
    progress = [line for line in err if "rows written" in line]
    last = (done.stdout.strip() or (err[-1] if err else "")).replace("\n", " ")
    print(f"{name:<34} {took:7.2f} s  exit {done.returncode}  {len(err):5d} stderr lines "
          f"({len(progress)} progress)  {'traceback' if 'Traceback' in done.stderr else ''}")
    print(f"{'':<34} → {last[:110]}")
    if watcher:
        longest = max(watcher.waits, default=0.0)
        print(f"{'':<34} a writer beside it: {len(watcher.waits)} writes, longest wait {longest:.2f} s, "
              f"{watcher.errors} 'locked' errors")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chain", type=int, default=3_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tree = big_tree(args.rows)
        run(folder, f"{args.rows:,} rows (new)", tree, "big.sqlite3", probe=True)
        run(folder, f"{args.rows:,} rows (again: updates)", tree, "big.sqlite3", probe=True)
        run(folder, f"a {args.chain:,}-level chain", chain(args.chain), "chain.sqlite3")
        for name, text in hostile().items():
            run(folder, name, text, "hostile.sqlite3")


if __name__ == "__main__":
    main()
