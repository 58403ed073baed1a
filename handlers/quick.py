"""One-line reports: any text (or a captioned photo) outside a flow is read as a report.

    text ──parse──> card (保存 / 修改 / 取消), kept in `cards` until used or 2 h old
      │               ├─保存 (or typed 保存/确认) ──(too large? 确认无误)──> one entry per kind;
      │               │        the card is dropped in the same transaction: saved once
      │               ├─修改 ──> its figures and day as buttons ──pick──> type the number
      │               │          (flow "quick") ──> the card again
      │               └─取消 ──> card dropped, nothing saved
      ├─nothing read ──> a hint and the /log menu
      └─an edit of a sent message ──> its card (if still open) dropped, the text read afresh
    photo without caption ──> kept 10 min for the next report (the card says so)
    location outside a flow ──> a short hint
"""
from __future__ import annotations

import logging
import re
import secrets
from datetime import date, timedelta

from bot import logbook
from bot.kinds import KINDS, split_by_kind
from bot.quickparse import parse_quick_report, unread_parts
from storage.conversations import Card
from storage.models import NewEntry, NewPhoto

from .core import Button, Turn, action, int_arg
from .evidence import save_photo
from .log import kind_menu, save_entries

log = logging.getLogger(__name__)
CARD_LIFE = timedelta(hours=2)       # a card not used by then expires (its buttons say so)
PHOTO_WAIT = timedelta(minutes=10)   # a bare photo waits this long for its report
TOKEN = re.compile(r"[0-9a-f]{8}", re.ASCII)
SAVE_WORDS = {"保存", "确认", "确定", "提交"}  # typed when no card is open: say it was used


# --- reading a report ---------------------------------------------------------------------

async def on_free(turn: Turn) -> None:
    """Read text outside a flow as a one-line report; keep a bare photo for the next one."""
    ev = turn.event
    if ev.photo is not None and not (ev.text or "").strip():
        return keep_photo(turn)
    if ev.location is not None:
        turn.say(turn.t("quick-location"))
        return
    text = ev.text or ""
    old = await _edited_card(turn)
    figures = parse_quick_report(text)
    unread = unread_parts(text)
    if not figures:
        if text.strip().strip("。.!！") in SAVE_WORDS:
            return await _typed_save(turn)
        hint = turn.t("quick-nothing")
        if unread:
            hint = turn.t("quick-unread-only", parts=logbook.quoted(turn.lang, unread)) + "\n" + hint
        if old is not None:
            hint = turn.t("quick-reread") + "\n" + hint
        turn.say(hint, kind_menu(turn))
        return
    photos = (old.data["photos"] if old else []) + waiting_photos(turn)
    if ev.photo is not None:
        photos.append(save_photo(turn))
    day = old.data["day"] if old else turn.now.date().isoformat()
    card = await new_card(turn, {"figures": figures, "photos": photos, "day": day, "unread": unread})
    show_card(turn, card, lead=turn.t("quick-reread") if old else "")


async def _typed_save(turn: Turn) -> None:
    """保存/确认 typed that matched no button: a yes to 确认无误 if asked, else nothing is left."""
    sure = next((a for _, a in turn.conv.menu if a.startswith("quick:sure:")), None)
    card = await open_card(turn, sure.split(":")[2]) if sure else None
    if card is None:
        turn.say(turn.t("quick-expired"))
        return
    await _save(turn, card, [], sure=True)


def keep_photo(turn: Turn) -> None:
    """A photo without words: keep it for the person's next report, and say what to do."""
    turn.conv.photo, turn.conv.photo_at = save_photo(turn), turn.now
    turn.say(turn.t("quick-photo-kept"))


def waiting_photos(turn: Turn) -> list[dict]:
    """The bare photo sent within PHOTO_WAIT, taken off the conversation (older: dropped)."""
    conv = turn.conv
    fresh = conv.photo is not None and conv.photo_at is not None and turn.now - conv.photo_at <= PHOTO_WAIT
    photos = [conv.photo] if fresh else []
    conv.photo, conv.photo_at = None, None
    return photos


def source(turn: Turn) -> str | None:
    """The message a card was read from, so an edit of that message finds its card."""
    ev = turn.event
    return f"{ev.channel}:{ev.message_ref}" if ev.message_ref else None


async def _edited_card(turn: Turn) -> Card | None:
    """For an edited message: drop the card it made (if still open) and return it."""
    ref = source(turn)
    if not turn.event.edited or ref is None:
        return None
    old = await turn.storage.conversations.card_from(turn.user.id, ref)
    if old is None or not await turn.storage.conversations.use_card(old.token, turn.now):
        return None
    log.info("user %s edited a report; card %s dropped", turn.user.id, old.token)
    return old


async def new_card(turn: Turn, data: dict) -> Card:
    cards = turn.storage.conversations  # expired ones are cleared by the scheduler (schedules/tidy.py)
    card = Card(token=secrets.token_hex(4), user_id=turn.user.id, data=data, source=source(turn),
                created_at=turn.now)
    await cards.add_card(card)
    return card


def card_text(turn: Turn, data: dict) -> str:
    """What was read, one line per kind, the day, the photos, and what was not read."""
    figures = data["figures"]
    by_kind = split_by_kind(figures)
    lines = [turn.t("quick-card-title")]
    lines += [f"· {logbook.format_measures(turn.lang, measures)}" for measures in by_kind.values()]
    lines.append(turn.t("card-day", day=logbook.format_day(turn.lang, date.fromisoformat(data["day"]),
                                                          turn.now.date())))
    if data["photos"]:
        lines.append(turn.t("card-photos", count=len(data["photos"])))
    if data.get("unread"):
        lines.append(turn.t("quick-card-missed", parts=logbook.quoted(turn.lang, data["unread"])))
    if any(KINDS[k].place == "required" for k in by_kind):
        lines.append(turn.t("quick-place-hint"))
    lines.append(turn.t("quick-card-check"))
    return "\n".join(lines)


def show_card(turn: Turn, card: Card, lead: str = "", replace: bool = False) -> None:
    text = card_text(turn, card.data)
    turn.say(f"{lead}\n{text}" if lead else text, [[
        turn.button("btn-save", action("quick", "save", card.token)),
        turn.button("btn-edit", action("quick", "edit", card.token)),
        turn.button("btn-cancel", action("quick", "cancel", card.token))]], replace=replace)


# --- the card's buttons -------------------------------------------------------------------

async def open_card(turn: Turn, token: str) -> Card | None:
    """The person's own card if still valid; else None (an expired one is dropped)."""
    if not TOKEN.fullmatch(token):
        return None
    card = await turn.storage.conversations.card(turn.user.id, token)
    if card is not None and turn.now - card.created_at > CARD_LIFE:
        await turn.storage.conversations.use_card(token, turn.now)
        return None
    return card


async def on_action(turn: Turn, verb: str, args: list[str]) -> None:
    """保存 / 确认无误 / 修改 / a figure to change / its day / 返回 / 取消 on a card."""
    handler = VERBS.get(verb)
    if handler is None or not args:
        turn.alert("button-expired")
        return
    card = await open_card(turn, args[0])
    if card is None:
        turn.alert("quick-expired")
        return
    await handler(turn, card, args[1:])


async def _save(turn: Turn, card: Card, args: list[str], sure: bool = False) -> None:
    """Save once: the card is dropped in the event's transaction, with the entries."""
    figures = card.data["figures"]
    too_big = logbook.over_bounds(figures, turn.svc.settings)
    if too_big and not sure:
        turn.say(turn.t("recheck", figures=logbook.format_measures(turn.lang, {k: figures[k] for k in too_big})),
                 [[turn.button("btn-sure", action("quick", "sure", card.token)),
                   turn.button("btn-cancel", action("quick", "cancel", card.token))]], replace=turn.tapped)
        return
    if not await turn.storage.conversations.use_card(card.token, turn.now):
        turn.alert("quick-expired")
        return
    _leave_flow(turn)
    await save_entries(turn, report_entries(turn, card.data, too_big))


async def _sure(turn: Turn, card: Card, args: list[str]) -> None:
    await _save(turn, card, args, sure=True)


async def _cancel(turn: Turn, card: Card, args: list[str]) -> None:
    await turn.storage.conversations.use_card(card.token, turn.now)
    _leave_flow(turn)
    turn.say(turn.t("cancelled"), replace=turn.tapped)


async def _edit(turn: Turn, card: Card, args: list[str]) -> None:
    """Show the card's figures and its day as buttons: the one tapped is asked for again."""
    data, lang = card.data, turn.lang
    rows = [[Button(logbook.format_measures(lang, {m: v}), action("quick", "fig", card.token, m))]
            for m, v in data["figures"].items()]
    day = logbook.format_day(lang, date.fromisoformat(data["day"]), turn.now.date())
    rows.append([turn.button("btn-quick-day", action("quick", "fig", card.token, "day"), day=day)])
    rows.append([turn.button("btn-back", action("quick", "back", card.token))])
    turn.say(turn.t("quick-edit-pick"), rows, replace=turn.tapped)


async def _figure(turn: Turn, card: Card, args: list[str]) -> None:
    """Ask for the new number of one figure (or the day); the answer goes to on_input."""
    what = args[0] if args else ""
    if what != "day" and what not in card.data["figures"]:
        turn.alert("button-expired")
        return
    turn.start_flow("quick", {"token": card.token, "measure": what})
    if what == "day":
        turn.say(turn.t("quick-ask-day"), day_buttons(turn, card), replace=turn.tapped)
        return
    turn.say(turn.t("quick-ask-figure", measure=turn.t(f"m-{what}"), unit=turn.t(f"u-{what}"),
                    now=card.data["figures"][what]), replace=turn.tapped)


def day_buttons(turn: Turn, card: Card) -> list[list[Button]]:
    return [[turn.button(key, action("quick", "day", card.token, back))
             for back, key in enumerate(("day-today", "day-yesterday", "day-before"))]]


async def _day(turn: Turn, card: Card, args: list[str]) -> None:
    """今天 / 昨天 / 前天 tapped for the card's day."""
    back = int_arg(args, 0, most=2)
    if back is None:
        turn.alert("button-expired")
        return
    await update(turn, card, day=(turn.now.date() - timedelta(days=back)).isoformat())


async def _back(turn: Turn, card: Card, args: list[str]) -> None:
    _leave_flow(turn)
    show_card(turn, card, replace=turn.tapped)


def _leave_flow(turn: Turn) -> None:
    """A figure being asked for is no longer wanted once the card moves on."""
    if turn.flow == "quick":
        turn.end_flow()


VERBS = {"save": _save, "sure": _sure, "cancel": _cancel, "edit": _edit, "fig": _figure,
         "day": _day, "back": _back}


# --- flow "quick": the new number of one figure -------------------------------------------

async def on_input(turn: Turn) -> None:
    """Take the new number (or day) of the figure picked on the card, then show the card."""
    draft = turn.draft
    card = await open_card(turn, str(draft.get("token", "")))
    text = turn.event.text if turn.event.photo is None else None
    if card is None:
        turn.end_flow()
        turn.say(turn.t("quick-expired"))
        return
    measure = draft.get("measure")
    if measure == "day":
        day = logbook.parse_day(text, turn.now.date())
        if day is None or not logbook.day_allowed(day, turn.now.date()):
            return await _not_a_figure(turn, "bad-day", day_buttons(turn, card))
        return await update(turn, card, day=day.isoformat())
    value = logbook.parse_number(text)
    if value is None or measure not in card.data["figures"]:
        return await _not_a_figure(turn, "bad-number")
    figures = {**card.data["figures"], measure: value}
    figures = {k: v for k, v in figures.items() if v}
    if not figures:
        turn.say(turn.t("need-one-figure"))
        return
    await update(turn, card, figures=figures)


async def _not_a_figure(turn: Turn, key: str, buttons: list[list[Button]] | None = None) -> None:
    """A whole new report typed instead of the number is read as one; else ask again."""
    text = turn.event.text or ""
    if turn.event.photo is not None or turn.event.location is not None or parse_quick_report(text):
        turn.end_flow()
        return await on_free(turn)
    turn.say(turn.t(key), buttons)


async def update(turn: Turn, card: Card, **changes) -> None:
    card.data.update(changes)
    await turn.storage.conversations.update_card(card)
    _leave_flow(turn)
    show_card(turn, card, lead=turn.t("quick-changed"), replace=turn.tapped)


def report_entries(turn: Turn, data: dict, too_big: list[str]) -> list[NewEntry]:
    """One entry per kind; the photos back the kind that needs them most."""
    user = turn.user
    by_kind = split_by_kind(data["figures"])
    photo_kind = next((k for k in by_kind if KINDS[k].photo == "required"), next(iter(by_kind)))
    return [NewEntry(user_id=user.id, org_id=user.org_id, kind=kind, measures=measures,
                     happened_on=date.fromisoformat(data["day"]), source="quick",
                     flags=[logbook.FLAG_REVIEW] if set(too_big) & set(measures) else [],
                     photos=[NewPhoto(**p) for p in data["photos"]] if kind == photo_kind else [])
            for kind, measures in by_kind.items()]
