"""Guessing invite codes: N guesses spread evenly over a few minutes from K accounts, through
the conversation core (text channel), against a township with a few live codes.

    python bench/invite_guessing.py                  # 3,000 guesses in 2 minutes from 7 accounts
    python bench/invite_guessing.py --guesses 10000 --minutes 60 --accounts 20

Prints how many guesses were looked up (answered "wrong code") and how many were refused
unread, the events per second, and how long a guesser would need, at the throttle's pace,
to have even odds of hitting one of the live codes. No timing asserts.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from handlers.start import WRONG_CODES, WRONG_PAUSE  # noqa: E402
from storage.users import _ALPHABET  # noqa: E402
from tests.helpers import Harness  # noqa: E402


async def run(guesses: int, minutes: float, accounts: int, live: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with Harness(Path(tmp), datetime(2026, 11, 24, 10, tzinfo=ZoneInfo("Asia/Shanghai"))) as h:
            await h.import_orgs()
            org = await h.storage.orgs.by_code("BHQ-1")
            for _ in range(live):
                await h.storage.users.create_invite(org.id, "worker", 20, 7, h.clock.now())
            step = timedelta(minutes=minutes) / guesses
            read = refused = joined = 0
            began = time.perf_counter()
            for n in range(guesses):
                uid = 50_000 + n % accounts
                await h.send(uid, "/start " + "".join(secrets.choice(_ALPHABET) for _ in range(8)))
                said = h.last_text(uid)
                read += "邀请码不对" in said
                refused += "分钟后再试" in said
                joined += "欢迎" in said
                h.clock.advance(step)
            took = time.perf_counter() - began
    space = len(_ALPHABET) ** 8
    per_hour = accounts * WRONG_CODES * (timedelta(hours=1) / WRONG_PAUSE)  # at most, per the throttle
    years = space / live / 2 / per_hour / 24 / 365
    print(f"{guesses:,} guesses in {minutes:g} min from {accounts} accounts, {live} live codes:")
    print(f"  looked up (answered 'wrong code'): {read:,}")
    print(f"  refused unread (told to wait):     {refused:,}")
    print(f"  joined:                            {joined}")
    print(f"  {guesses / took:,.0f} events/s through the core")
    print(f"  at the throttle's pace ({per_hour:,.0f} looked up an hour from {accounts} accounts), even odds of "
          f"hitting one of {live} live codes among {space:,.0f} take {years:,.0f} years")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guesses", type=int, default=3000)
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--accounts", type=int, default=7)
    parser.add_argument("--live", type=int, default=50)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # each wrong try logs a warning: thousands here
    asyncio.run(run(args.guesses, args.minutes, args.accounts, args.live))


if __name__ == "__main__":
    main()
