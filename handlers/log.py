"""Guided logging: /log (kind menu) or /visit, /poster, … one question at a time.

    /log ──kind──┐
    /visit … ────┴─> number (each usual measure of the kind: a button, or typed 15 / 十五 / 没有)
                       ├─> place (required ones only: posters)
                       ├─> photo (required ones only: posters, lectures)
                       ├─> day   (今天 / 昨天 / 前天, or typed 11-28 / 11月28日, ≤ 7 days back)
                       └─> card: 确认 → (too large? recheck: 确认无误) → saved, the flow ends
                                 修改 → edit: pick one figure or the day → its question → card
                                 更多 → more: 承诺书 / 门牌号 / 位置 / 照片 → its question → card
                                 取消 → nothing saved
    A photo or a shared place is kept at any step of a kind that takes them. Wrong input
    re-asks the same question in one message. The draft lives in the person's conversation
    row (handlers/core.py), so a restart changes nothing; the entry is written in the same
    transaction that ends the flow, so a card can be confirmed only once.
    Buttons carry the draft's id: a tap on a card of an earlier draft changes nothing.
"""
from __future__ import annotations

import logging
import secrets
from datetime import date, timedelta
from typing import Callable

from bot import logbook
from bot.i18n import t
from bot.kinds import KINDS, MAX_FIGURE
from bot.quickparse import parse_quick_report
from storage.models import NewEntry, NewPhoto

from .common import describe_entry
from .core import FLOW_IDLE, Button, Turn, action, canon, int_arg
from .evidence import add_photo

log = logging.getLogger(__name__)
FLOW = "log"
QUICK_NUMBERS = {"leaflets": (50, 100, 200, 500)}
DEFAULT_NUMBERS = (1, 2, 3, 5, 10, 20)
MORE_MEASURES = {"visit": ("pledges",), "poster": ("slogans", "boards")}  # offered from the card
# Done in a chat, by text or over the loudspeaker: no place, no photo. A dissuasion is about a
# person who was nearly defrauded: no photo either.
ONLINE = ("push", "broadcast", "sms", "dissuade")
ANY_ONE = ("poster", "dissuade")        # kinds where any one of the measures will do
PICKS = ("card", "edit", "more", "recheck")  # steps that show the finished draft or a choice on it
ITEM_KEYS = {"day": "btn-day", "houses": "btn-houses", "place": "btn-place", "photo": "btn-photo"}
DAY_KEYS = ("day-today", "day-yesterday", "day-before")  # the day buttons: 0, 1 and 2 days back


# --- menus and receipts shared with one-line reports ----------------------------------------

def kind_menu(turn: Turn) -> list[list[Button]]:
    """The kinds as buttons, two a row."""
    codes = list(KINDS)
    return [[turn.button(f"kind-{c}", action(FLOW, "kind", c)) for c in codes[i:i + 2]]
            for i in range(0, len(codes), 2)]


async def save_entries(turn: Turn, entries: list[NewEntry]) -> list[int]:
    """Save the entries and say so, with what the office will look at and an undo button per entry."""
    ids, notes = await logbook.save(turn.storage, entries, turn.now)
    log.info("user %s saved entries %s", turn.user.id, ids)
    lines = [turn.t("saved", what=("；" if turn.lang == "zh" else "; ").join(describe_entry(turn.lang, e) for e in entries))]
    lines += [turn.t(f"flag-{f}") for f in sorted(notes)]
    lines.append(turn.t("saved-next"))
    undo = [[turn.button("btn-undo-id", action("mine", "undo", i), kind=turn.t(f"kind-{e.kind}"))
             for i, e in zip(ids, entries)][:4]]
    # a tapped card becomes the receipt; its 撤销 is typed as a word, never hit by a stray "1"
    turn.say("\n".join(lines), undo, replace=turn.tapped, numbered=False)
    return ids


def day_question(turn: Turn, act: Callable[[int], str]) -> tuple[str, list[list[Button]]]:
    """Which day: 今天 / 昨天 / 前天 as buttons (act(n): the action for n days back), or a typed
    date, with an example that lies inside the window whatever the month."""
    example = logbook.day_text(turn.lang, turn.now.date() - timedelta(days=2))
    return turn.t("log-ask-day", example=example), [[turn.button(k, act(n)) for n, k in enumerate(DAY_KEYS)]]


def typed_day(turn: Turn, text: str | None) -> date | None:
    """The day typed (今天, 11-28, 11月28日, 28号) if it may be logged: within the last week."""
    today = turn.now.date()
    day = logbook.parse_day(text, today)
    return day if day is not None and logbook.day_allowed(day, today) else None


def bad_day(turn: Turn) -> str:
    """Why a typed day was refused: the days that may be logged (said before the question again)."""
    today = turn.now.date()
    first = logbook.day_text(turn.lang, today - timedelta(days=logbook.MAX_DAYS_BACK))
    return turn.t("log-bad-day", first=first, today=logbook.day_text(turn.lang, today))


# --- commands ----------------------------------------------------------------------------------

async def show_menu(turn: Turn) -> None:
    """Show the kinds as buttons; any flow in progress ends (the number typed next picks a kind)."""
    turn.end_flow()
    turn.say(turn.t("log-pick-kind"), kind_menu(turn))


async def start_kind(turn: Turn) -> None:
    """Begin a draft of the kind named by the command (/visit, /poster, …)."""
    kind = turn.event.command[0]
    if kind not in KINDS:
        return turn.alert("button-expired")
    await _start(turn, kind)


async def _start(turn: Turn, kind: str) -> None:
    turn.start_flow(FLOW, {
        "id": secrets.token_hex(4), "kind": kind, "step": "number", "pending": list(_flow_measures(kind)),
        "asked": [], "measures": {}, "photos": [], "households": [], "day": turn.now.date().isoformat(),
        "dated": False, "seen": False})
    await _advance(turn)


# --- what the draft asks next ----------------------------------------------------------------

def _flow_measures(kind: str) -> tuple[str, ...]:
    return tuple(m for m in KINDS[kind].measures if m not in MORE_MEASURES.get(kind, ()))


def _optional(kind: str, measure: str) -> bool:
    """The first measure must be given, except where any one will do (posters, dissuasion or follow-up)."""
    return kind in ANY_ONE or measure != KINDS[kind].measures[0]


def _has_place(d: dict) -> bool:
    return bool(d.get("address")) or d.get("lat") is not None


def _next_step(d: dict) -> str:
    """The first open question; once the card was shown, every answer goes back to it."""
    kind = d["kind"]
    if d["pending"]:
        return "number"
    if d["seen"]:
        return "card"
    if logbook.kind_needs(kind, "place") and not _has_place(d):
        return "place"
    if logbook.kind_needs(kind, "photo") and not d["photos"]:
        return "photo"
    return "card" if d["dated"] else "day"


def _more_items(d: dict) -> list[str]:
    """What the card's 更多 offers: the rarer figures, house numbers, an optional place or photo."""
    kind = d["kind"]
    items = list(MORE_MEASURES.get(kind, ()))
    if kind == "visit":
        items.append("houses")
    if kind not in ONLINE:
        items += [w for w in ("place", "photo") if not logbook.kind_needs(kind, w)]
    return items


async def _advance(turn: Turn, prefix: str = "") -> None:
    turn.draft["step"] = _next_step(turn.draft)
    await _ask(turn, prefix)


async def _ask(turn: Turn, prefix: str = "") -> None:
    """Ask the question the draft stands at; `prefix` (why it is asked again) leads the same message."""
    d = turn.draft
    if d["step"] == "card":
        d["seen"] = True  # from now on every answer comes back to the card
    text, rows, where = QUESTIONS[d["step"]](turn, d, bool(prefix))
    turn.say(f"{prefix}\n{text}" if prefix else text, rows, ask_location=where)


def _act(d: dict, verb: str, *args: object) -> str:
    return action(FLOW, verb, d["id"], *args)


def _q_number(turn: Turn, d: dict, again: bool):
    kind, measure = d["kind"], d["pending"][0]
    rows = [[Button(str(n), _act(d, "n", n)) for n in QUICK_NUMBERS.get(measure, DEFAULT_NUMBERS)]]
    if _optional(kind, measure):
        rows.append([Button(turn.t("btn-zero"), _act(d, "n", 0)), turn.button("btn-skip", _act(d, "skip"))])
    key = "ask-number" if again or not d["asked"] else "ask-number-short"  # the hint once is enough
    return turn.t(key, measure=turn.t(f"m-{measure}"), unit=turn.t(f"u-{measure}")), rows, False


def _skip_row(turn: Turn, d: dict, what: str) -> list[list[Button]]:
    return [] if logbook.kind_needs(d["kind"], what) else [[turn.button("btn-skip", _act(d, "skip"))]]


def _q_place(turn: Turn, d: dict, again: bool):
    required = logbook.kind_needs(d["kind"], "place")
    return turn.t("ask-place-required" if required else "ask-place"), _skip_row(turn, d, "place"), True


def _q_photo(turn: Turn, d: dict, again: bool):
    required = logbook.kind_needs(d["kind"], "photo")
    return turn.t("ask-photo-required" if required else "ask-photo"), _skip_row(turn, d, "photo"), False


def _q_houses(turn: Turn, d: dict, again: bool):
    return turn.t("ask-houses"), [[turn.button("btn-skip", _act(d, "skip"))]], False


def _q_day(turn: Turn, d: dict, again: bool):
    return (*day_question(turn, lambda n: _act(d, "day", n)), False)


def _q_card(turn: Turn, d: dict, again: bool):
    rows = [[turn.button("btn-confirm", _act(d, "ok")), turn.button("btn-edit", _act(d, "edit"))]]
    rows.append(([turn.button("btn-more", _act(d, "more"))] if _more_items(d) else [])
                + [turn.button("btn-cancel", _act(d, "cancel"))])
    return logbook.card(turn.lang, d, turn.now.date()), rows, False


def _q_recheck(turn: Turn, d: dict, again: bool):
    big = {k: d["measures"][k] for k in logbook.over_bounds(d["measures"], turn.svc.settings)}
    rows = [[turn.button("btn-sure", _act(d, "sure")), turn.button("btn-edit", _act(d, "edit"))]]
    return turn.t("recheck", figures=logbook.format_measures(turn.lang, big)), rows, False


def _item_button(turn: Turn, d: dict, item: str) -> Button:
    label = turn.t(ITEM_KEYS[item]) if item in ITEM_KEYS else turn.t(f"m-{item}")
    return Button(label, _act(d, "fig", item))


def _pick(turn: Turn, d: dict, key: str, items: list[str]):
    buttons = [_item_button(turn, d, i) for i in items] + [turn.button("btn-back", _act(d, "card"))]
    return turn.t(key), [buttons[i:i + 3] for i in range(0, len(buttons), 3)], False


def _q_edit(turn: Turn, d: dict, again: bool):
    return _pick(turn, d, "log-edit-pick", [*KINDS[d["kind"]].measures, "day"])


def _q_more(turn: Turn, d: dict, again: bool):
    return _pick(turn, d, "log-more-pick", _more_items(d))


QUESTIONS = {"number": _q_number, "place": _q_place, "photo": _q_photo, "houses": _q_houses, "day": _q_day,
             "card": _q_card, "recheck": _q_recheck, "edit": _q_edit, "more": _q_more}


# --- answers -----------------------------------------------------------------------------------

async def on_input(turn: Turn) -> None:
    """Take what was typed, sent or shared for the question the draft stands at."""
    d, ev = turn.draft, turn.event
    step, text = d.get("step"), (ev.text or "").strip()
    if step not in QUESTIONS:  # a draft this code never wrote
        turn.end_flow()
        return turn.say(turn.t("log-gone"))
    takes_evidence = d["kind"] not in ONLINE
    if ev.photo is not None and takes_evidence:
        photo = add_photo(turn, d["photos"])
        if photo is None:  # enough photos already: said so, the question stands
            return await _took(turn, "photo", "")
        used = await turn.storage.entries.evidence_used(NewPhoto(**photo))
        return await _took(turn, "photo", turn.t("photo-duplicate") if used else "")
    if ev.location is not None and takes_evidence:
        d["lat"], d["lon"] = ev.location
        d.pop("address", None)
        return await _took(turn, "place", "")
    if text and ev.photo is None and ev.location is None:
        if canon(text) == "跳过":  # a step that shows no 跳过 button (the core maps it where shown)
            return await _skip(turn, d)
        if step in TEXT_STEPS:
            return await TEXT_STEPS[step](turn, d, text)
    await _ask(turn, turn.t("wrong-input"))


async def _took(turn: Turn, what: str, note: str) -> None:
    """A photo or place was kept: go on if it was asked; else say so and ask the same again."""
    d = turn.draft
    if d["step"] == what:
        return await _advance(turn, note)
    if d["step"] in PICKS:
        d["step"] = "card"  # the card shows it
    else:
        note = "\n".join(filter(None, [note, turn.t(f"log-{what}-kept")]))
    await _ask(turn, note)


async def _typed_number(turn: Turn, d: dict, text: str) -> None:
    await _take_number(turn, d, logbook.parse_number(text))


async def _take_number(turn: Turn, d: dict, value: int | None) -> None:
    """Take a figure (15, 十五, 没有 …); 0 only where the measure may be left out."""
    kind, measure = d["kind"], d["pending"][0]
    if value is None or (value == 0 and not _optional(kind, measure)):
        return await _ask(turn, turn.t("bad-number"))
    d["pending"].pop(0)
    d["asked"] = list(dict.fromkeys([*d["asked"], measure]))
    if value:
        d["measures"][measure] = value
    else:
        d["measures"].pop(measure, None)
    if d["pending"] or any(d["measures"].values()):
        return await _advance(turn)
    # Posters: none of the usual two. Ask the others before giving up on this draft.
    rest = [m for m in KINDS[kind].measures if m not in d["asked"]]
    if rest:
        d["pending"] = rest
        return await _advance(turn)
    d["pending"], d["asked"] = list(_flow_measures(kind)), []
    await _advance(turn, turn.t("need-one-figure"))


async def _typed_houses(turn: Turn, d: dict, text: str) -> None:
    """Take the house numbers visited: one message, separated by commas, 、, ；, spaces or lines."""
    houses = logbook.split_houses(text)
    d["households"] = houses
    if len(houses) > d["measures"].get("households", 0):
        # More doors named than counted: the count follows the doors (said, and shown on the card),
        # so coverage never loses visits logged without numbers elsewhere.
        d["measures"]["households"] = len(houses)
        return await _advance(turn, turn.t("houses-raised", count=len(houses)))
    await _advance(turn)


async def _typed_place(turn: Turn, d: dict, text: str) -> None:
    d["address"] = text[:200]
    d.pop("lat", None), d.pop("lon", None)
    await _advance(turn)


async def _typed_day(turn: Turn, d: dict, text: str) -> None:
    """Take the day if it is within the week; else say which days are allowed and ask again."""
    day = typed_day(turn, text)
    if day is None:  # a day out of the week; or a report typed here ("短信200条"), no day at all
        report = parse_quick_report(text)
        return await _ask(turn, turn.t("log-day-unread", text=text[:20]) if report else bad_day(turn))
    await _take_day(turn, d, day)


async def _take_day(turn: Turn, d: dict, day: date) -> None:
    d["day"], d["dated"] = day.isoformat(), True
    await _advance(turn)


TEXT_STEPS = {"number": _typed_number, "houses": _typed_houses, "place": _typed_place, "day": _typed_day}


async def _skip(turn: Turn, d: dict) -> None:
    """Go on without an optional answer; a required one is asked again."""
    step = d["step"]
    if step == "number":
        if _optional(d["kind"], d["pending"][0]):
            return await _take_number(turn, d, 0)
        return await _ask(turn, turn.t("log-skip-required"))
    if step in ("place", "photo"):
        if logbook.kind_needs(d["kind"], step):
            return await _ask(turn, turn.t("log-skip-required"))
        return await _advance(turn)
    if step == "houses":
        return await _advance(turn)
    await _ask(turn)


async def _confirm(turn: Turn, d: dict, sure: bool) -> None:
    """Save the entry; an implausibly large figure needs 确认无误 first and is flagged for review."""
    if d["step"] not in PICKS or d["pending"]:
        return await _ask(turn)
    too_big = logbook.over_bounds(d["measures"], turn.svc.settings)
    if too_big and not (sure and d["step"] == "recheck"):
        d["step"] = "recheck"
        return await _ask(turn)
    entry = _entry(turn, d, [logbook.FLAG_REVIEW] if too_big else [])
    turn.end_flow()  # in the same transaction as the entry: the card cannot be confirmed twice
    await save_entries(turn, [entry])


def _entry(turn: Turn, d: dict, flags: list[str]) -> NewEntry:
    user = turn.user
    return NewEntry(user_id=user.id, org_id=user.org_id, kind=d["kind"],
                    measures={k: v for k, v in d["measures"].items() if v},
                    happened_on=date.fromisoformat(d["day"]), lat=d.get("lat"), lon=d.get("lon"),
                    address=d.get("address"), source="flow", flags=flags, households=d["households"],
                    photos=[NewPhoto(**p) for p in d["photos"]])


async def _choose(turn: Turn, d: dict, item: str) -> None:
    """修改 or 更多 picked one thing (a measure, the day, houses, place, photo): ask just that."""
    if item in KINDS[d["kind"]].measures:
        d["pending"] = [item]
        d["step"] = "number"
    else:
        d["step"] = item
    await _ask(turn)


# --- buttons -----------------------------------------------------------------------------------

ARITY = {"n": 2, "day": 2, "fig": 2, "skip": 1, "ok": 1, "sure": 1, "edit": 1, "more": 1, "card": 1, "cancel": 1}


async def on_action(turn: Turn, verb: str, args: list[str]) -> None:
    """Run a flow button (or its word typed); forged, outdated or finished ones change nothing."""
    if verb == "kind":
        if len(args) != 1 or args[0] not in KINDS:
            return turn.alert("button-expired")
        return await _start(turn, args[0])
    if len(args) != ARITY.get(verb, -1):
        return turn.alert("button-expired")
    value = int_arg(args, 1, 2 if verb == "day" else MAX_FIGURE) if verb in ("n", "day") else 0
    if value is None:
        return turn.alert("button-expired")
    d = _live_draft(turn, args[0])
    if d is None:
        return turn.alert("log-gone")
    if verb == "cancel":
        turn.end_flow()
        return turn.say(turn.t("cancelled"))
    if verb in ("ok", "sure"):
        return await _confirm(turn, d, sure=verb == "sure")
    if verb == "skip":
        return await _skip(turn, d)
    if verb == "n":
        return await (_take_number(turn, d, value) if d["step"] == "number" else _ask(turn))
    if verb == "day":
        day = turn.now.date() - timedelta(days=value)
        return await (_take_day(turn, d, day) if d["step"] == "day" else _ask(turn))
    if verb == "fig" and args[1] not in (*KINDS[d["kind"]].measures, "day", *_more_items(d)):
        return turn.alert("button-expired")
    if not d["seen"]:  # 修改 / 更多 / 返回 belong to the card
        return await _ask(turn)
    d["pending"] = []
    if verb == "fig":
        return await _choose(turn, d, args[1])
    d["step"] = verb  # edit, more or card
    await _ask(turn)


def _live_draft(turn: Turn, draft_id: str) -> dict | None:
    """The person's draft this button belongs to, if it is still going (else it is over)."""
    conv = turn.conv
    if turn.flow != FLOW:
        return None
    if not conv.touched_at or turn.now - conv.touched_at > FLOW_IDLE:
        turn.end_flow()
        return None
    return turn.draft if turn.draft.get("id") == draft_id else None
