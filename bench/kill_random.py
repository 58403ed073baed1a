"""Kill -9 at random while people log one-line reports.

    python bench/kill_random.py                       # ~2,500 actions, ~50 kills
    python bench/kill_random.py --actions 500 --every 25 --people 5

`python -m bot` runs as its own process against the fake Bot API over HTTP (bench/killing.py).
Ten workers (joined by invite) each log in a loop, as people do: write '入户N户' (N new each
time), wait for the card, tap 保存, wait for the answer. Whoever gets no answer within
ANSWER_WAIT does what a person would: a report without its card is written again (a new N),
a 保存 without its answer is tapped again. Meanwhile the bot is killed with SIGKILL after a
random `every`/2 to 3·`every`/2 actions and a random 0-50 ms, and started again at once (it resumes
its inbox, and Telegram delivers again what was never confirmed). At the end it stops
cleanly and the database is read. Counted:

    actions      updates sent (messages and taps)
    unhandled    of those, never marked handled in the inbox (aim 0)
    unanswered   actions whose answer never came (aim 0; a kill between a save's commit
                 and its answer's sending can cost that answer, never the save)
    doubled      a card saved twice: two entries with one worker's N (aim 0)
    lost         a 保存 answered "saved" or "already handled" whose entry is missing (aim 0)

Figures only; nothing is asserted."""
from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from killing import BotAPIServer, Bot, FakeBotAPI, Person, already, button, setup

ANSWER_WAIT = 20.0   # seconds: a restart takes about two
FIRST_UID = 8001
MAX_N = 199          # households: above MAX_HOUSEHOLDS (200) a card asks to confirm twice


class Run:
    """The shared state: how many actions so far, the figures, and a lock for both."""

    def __init__(self, budget: int) -> None:
        self.budget, self.actions = budget, 0
        self.updates: list[int] = []
        self.tally: Counter = Counter()
        self.acked: set[tuple[int, int]] = set()  # (uid, N) whose 保存 was answered saved / already
        self.lock = threading.Lock()
        self.done = threading.Event()

    def act(self, update_id: int) -> None:
        """Count an action; the run is over once the budget is spent."""
        with self.lock:
            self.updates.append(update_id)
            self.actions += 1
            if self.actions >= self.budget:
                self.done.set()

    def count(self, what: str) -> None:
        with self.lock:
            self.tally[what] += 1


def worker(person: Person, run: Run, first_n: int) -> None:
    """Log '入户N户' and save it, again and again, until the run is over."""
    n = first_n
    while not run.done.is_set() and n < MAX_N:
        n += 1
        since = person.mark()
        run.act(person.send(f"入户{n}户"))
        card = person.wait_said(since, lambda c: button(c, "v1:quick:save:") and f"入户 {n}户" in c.params["text"],
                                ANSWER_WAIT)
        if card is None:
            run.count("unanswered")
            continue
        data = button(card, "v1:quick:save:")
        for _ in range(3):  # tap, and tap again while no answer comes
            since = person.mark()
            update_id, qid = person.tap(data)
            run.act(update_id)
            answer = person.wait_answer(qid, since, ANSWER_WAIT, expect=lambda t: "已保存" in t or already(t))
            if answer is None:
                run.count("unanswered")
                continue
            if answer == "" or "已保存" in answer or already(answer):  # saved now or before
                with run.lock:
                    run.acked.add((person.uid, n))
            break


def killer(bot: Bot, run: Run, every: int, rng: random.Random) -> None:
    """Kill the bot after a random number of actions, and start it again at once."""
    while not run.done.is_set():
        target = run.actions + rng.randint(max(1, every // 2), every + every // 2)
        while run.actions < target and not run.done.is_set():
            run.done.wait(0.005)
        if run.done.is_set():
            return
        time.sleep(rng.uniform(0, 0.05))
        bot.kill()
        bot.start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actions", type=int, default=2500)
    parser.add_argument("--every", type=int, default=40, help="actions between kills (about; a restart adds some)")
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    run = Run(args.actions)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder, BotAPIServer(FakeBotAPI()) as server:
        bot = Bot(server, Path(folder))
        codes = setup(bot, {"worker": ("BHQ-1", args.people)})
        people = [Person(server.api, FIRST_UID + i) for i in range(args.people)]
        bot.start()
        for person in people:
            since = person.mark()
            person.send(f"/start {codes['worker']}")
            if person.wait_said(since, lambda c: "欢迎" in c.params["text"], ANSWER_WAIT) is None:
                raise SystemExit(f"{person.uid} could not join\n{bot.tail()}")
        threads = [threading.Thread(target=worker, args=(p, run, 0)) for p in people]
        threads.append(threading.Thread(target=killer, args=(bot, run, args.every, rng)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        bot.stop()  # everything answered by now was handled; a clean stop drains the rest
        handled = {int(r[0]) for r in bot.query("SELECT event_id FROM inbox WHERE channel = 'telegram' "
                                                 "AND handled_at IS NOT NULL")}
        saved = Counter((int(uid), int(households)) for uid, households in bot.query(
            "SELECT a.external_id, json_extract(e.measures, '$.households') FROM entries e "
            "JOIN accounts a ON a.user_id = e.user_id WHERE e.source = 'quick'"))
    unhandled = [u for u in run.updates if u not in handled]
    doubled = sum(1 for key, times in saved.items() if times > 1)
    lost = sum(1 for key in run.acked if key not in saved)
    print(f"kill -9 at random while {args.people} people log ({bot.kills} kills, "
          f"{time.monotonic() - started:.0f} s)")
    print(f"actions {run.actions}  unhandled {len(unhandled)}  unanswered {run.tally['unanswered']}  "
          f"doubled {doubled}  lost {lost}  (entries {sum(saved.values())}, saves answered {len(run.acked)})")


if __name__ == "__main__":
    main()
