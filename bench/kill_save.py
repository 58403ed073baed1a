"""Kill -9 right after a save commits, then the same 保存 / 确认 tapped again.

    python bench/kill_save.py               # 20 rounds of each kind of card
    python bench/kill_save.py --rounds 5

`python -m bot` runs as its own process against the fake Bot API over HTTP (bench/killing.py),
with a worker and a contact who joined by invite. Each round drives one person to a card:

    one-line   '入户N户'                        → card → 保存      (an entry with N households)
    guided     '/visit', 'N', 没有…, 今天        → card → 确认      (an entry with N households)
    report     '/report' (its first period)    → card → 确认报送  (a submission)

then taps it and reads the database without pause until the save has committed, and kills
the bot with SIGKILL at once (its answer may or may not have gone out). The bot starts again
(and resumes its inbox), and the same button is tapped again: a new update, the same callback
data, as a person who saw no answer would. Counted per kind:

    doubled   the round saved twice (must be 0)
    lost      the round saved nothing (must be 0)
    false     "already handled" said of a card whose save is not in the database (must be 0)
    already   the second tap was answered "already handled" (expected: every round)

Figures only; nothing is asserted."""
from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from killing import BotAPIServer, Bot, FakeBotAPI, Person, already, button, setup

WORKER, CONTACT = 7001, 7002
WAIT = 30.0
COUNTS = {
    "one-line": ("SELECT COUNT(*) FROM entries e JOIN accounts a ON a.user_id = e.user_id "
                 "WHERE a.external_id = ? AND e.source = 'quick'", WORKER),
    "guided": ("SELECT COUNT(*) FROM entries e JOIN accounts a ON a.user_id = e.user_id "
               "WHERE a.external_id = ? AND e.source = 'flow'", WORKER),
    "report": ("SELECT COUNT(*) FROM submissions s JOIN accounts a ON a.user_id = s.user_id "
               "WHERE a.external_id = ?", CONTACT),
}


def count(bot: Bot, kind: str) -> int:
    sql, uid = COUNTS[kind]
    return bot.query(sql, (str(uid),))[0][0]


def card(kind: str, person: Person, n: int) -> str:
    """Drive the person to the card; return the save button's callback data."""
    if kind == "one-line":
        since = person.mark()
        person.send(f"入户{n}户")
        return _wait_button(person, since, "v1:quick:save:")
    if kind == "guided":
        since = person.mark()
        person.send("/visit")
        answers = iter([str(n)] + ["没有"] * 10)
        while True:
            call = person.wait_said(since, lambda c: "reply_markup" in c.params or "？" in c.params["text"], WAIT)
            if call is None:
                raise SystemExit("the guided flow stopped answering")
            ok = button(call, "v1:log:ok:")
            if ok:
                return ok
            since = person.mark()
            person.send("今天" if button(call, "v1:log:day:") else next(answers))
    since = person.mark()
    person.send("/report")
    pick = _wait_button(person, since, "v1:report:")
    if pick.startswith("v1:report:pick:"):  # several periods open: the first
        since = person.mark()
        person.tap(pick)
        return _wait_button(person, since, "v1:report:ok:")
    return pick


def _wait_button(person: Person, since: int, prefix: str) -> str:
    call = person.wait_said(since, lambda c: button(c, prefix), WAIT)
    if call is None:
        raise SystemExit(f"no button {prefix}… came")
    return button(call, prefix)


def one_round(bot: Bot, kind: str, person: Person, n: int, tally: Counter) -> None:
    data = card(kind, person, n)
    before = count(bot, kind)
    person.tap(data)
    sql, uid = COUNTS[kind]
    if not bot.until_db(sql, (str(uid),), lambda rows: rows[0][0] > before, WAIT):
        raise SystemExit(f"{kind}: the first tap saved nothing\n{bot.tail()}")
    bot.kill()                                            # right after the commit
    bot.start()                                           # resumes what it left
    since = person.mark()
    _, qid = person.tap(data)                             # the same button, again
    answer = person.wait_answer(qid, since, WAIT, expect=lambda t: "已保存" in t or "已报送" in t or already(t))
    saved = count(bot, kind) - before
    tally[f"{kind} rounds"] += 1
    tally[f"{kind} doubled"] += saved > 1
    tally[f"{kind} lost"] += saved < 1
    tally[f"{kind} already"] += already(answer)
    tally[f"{kind} false"] += already(answer) and saved < 1
    tally[f"{kind} unanswered"] += answer is None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    tally: Counter = Counter()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder, BotAPIServer(FakeBotAPI()) as server:
        bot = Bot(server, Path(folder))
        codes = setup(bot, {"worker": ("BHQ-1", 1), "contact": ("BHQ", 1)})
        worker, contact = Person(server.api, WORKER), Person(server.api, CONTACT)
        bot.start()
        for person, code in ((worker, codes["worker"]), (contact, codes["contact"])):
            since = person.mark()
            person.send(f"/start {code}")
            if person.wait_said(since, lambda c: "欢迎" in c.params["text"], WAIT) is None:
                raise SystemExit(f"{person.uid} could not join\n{bot.tail()}")
        for kind, person in (("one-line", worker), ("guided", worker), ("report", contact)):
            for n in range(1, args.rounds + 1):
                one_round(bot, kind, person, 20 + n, tally)
        bot.stop()
    print(f"kill -9 right after a save, then the same button again ({bot.kills} kills, "
          f"{time.monotonic() - started:.0f} s)")
    print(f"{'card':<10} {'rounds':>6} {'doubled':>8} {'lost':>5} {'already':>8} {'false already':>14} {'unanswered':>11}")
    for kind in COUNTS:
        print(f"{kind:<10} {tally[f'{kind} rounds']:>6} {tally[f'{kind} doubled']:>8} {tally[f'{kind} lost']:>5} "
              f"{tally[f'{kind} already']:>8} {tally[f'{kind} false']:>14} {tally[f'{kind} unanswered']:>11}")


if __name__ == "__main__":
    main()
