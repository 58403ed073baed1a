"""One-line reports: any text (or a captioned photo) outside a flow is read as a report.

    text ──parse──> card (保存 / 修改 / 取消), open until used or 2 h old
      │               ├─保存 (or 保存/确认 typed) ──(too large? 确认无误)──> one entry per kind;
      │               │        the card is marked used in the same transaction: saved once
      │               ├─修改 ──> its figures and day as buttons ──pick──> type the number
      │               │          (flow "quick") ──> the card again
      │               └─取消 ──> card marked used (void), nothing saved
      ├─保存/确认 or 取消 typed with no card's button to match ──> the newest open card
      ├─nothing read ──> a hint and the /log menu
      └─an edit of a sent message ──> its card still open: replaced (the text read afresh);
                                       its card saved already: said so, nothing new
    photo without words ──> onto the card shown within 10 min (still open), shown again;
                            else kept 10 min (up to 9) for the next report
    location outside a flow ──> a short hint (a live location's moves: nothing)
"""
from __future__ import annotations

import logging
import re
import secrets
from datetime import date, datetime, timedelta
from typing import Callable

from bot import logbook
from bot.kinds import KINDS, split_by_kind
from bot.quickparse import parse_quick_report, read_report
from storage.conversations import Card
from storage.models import NewEntry, NewPhoto

from .core import Button, Turn, action, canon, int_arg
from .evidence import MAX_PHOTOS_PER_REPORT, save_photo
from . import start
from .log import bad_day, day_question, kind_menu, save_entries, typed_day

log = logging.getLogger(__name__)
CARD_LIFE = timedelta(hours=2)       # a card not used by then expires (its buttons say so)
PHOTO_WAIT = timedelta(minutes=10)   # a bare photo waits this long for its report (or joins the card just shown)
TOKEN = re.compile(r"[0-9a-f]{8}", re.ASCII)
SAVE = canon("保存")                 # what 保存 / 确认 / 确定 / 提交 / ok typed come to
UNREAD_SHOWN, UNREAD_CHARS = 5, 40   # parts not understood quoted back, and characters of each


# --- reading a report ---------------------------------------------------------------------

async def on_free(turn: Turn) -> None:
    """Read text outside a flow as a one-line report; a bare photo joins the card just shown
    or waits for the next report."""
    if await start.join_if_pasted(turn, known_only=True):
        return  # a pasted invite code (bare, or inside a forwarded invite): join or move
    ev = turn.event
    text = ev.text or ""
    edited = await _card_of_message(turn) if ev.edited else None
    if edited is not None and edited.used_at is not None and not edited.data.get("void"):
        turn.say(turn.t("quick-already-saved"))  # a second card would save the work twice
        return
    if ev.photo is not None and not text.strip():
        return await bare_photo(turn)
    if ev.location is not None:
        if not ev.edited:  # a live location moving sends an edit every few seconds: no answer to each
            turn.say(turn.t("quick-location"))
        return
    if not ev.edited:  # an edit is read as a report, never as a word to act on
        said = canon(text)
        if said == SAVE:
            return await _typed_save(turn)
        if said and said == canon(turn.t("btn-cancel")):
            return await _typed_cancel(turn)
    old = edited if edited is not None and edited.used_at is None and await void(turn, edited) else None
    if old is not None:
        log.info("user %s edited a report; card %s replaced", turn.user.id, old.token)
    reading = read_report(text)
    figures, unread, not_added = reading.figures, shown_unread(reading.unread), shown_unread(reading.not_added)
    if not figures:
        hint = turn.t("quick-nothing")
        if not_added:
            hint = turn.t("quick-card-not-added", parts=logbook.quoted(turn.lang, not_added)) + "\n" + hint
        if unread:
            hint = turn.t("quick-unread-only", parts=logbook.quoted(turn.lang, unread)) + "\n" + hint
        if old is not None:
            hint = turn.t("quick-reread") + "\n" + hint
        turn.say(hint, kind_menu(turn))
        return
    photos = with_photos(old.data["photos"] if old else [], waiting_photos(turn))
    if ev.photo is not None:
        photos = with_photos(photos, [save_photo(turn)])
    day, unread = _said_day(turn, text, old.data["day"] if old else turn.now.date().isoformat(), unread)
    card = await new_card(turn, {"figures": figures, "photos": photos, "day": day, "unread": unread,
                                 "not_added": not_added, "approx": reading.approx})
    show_card(turn, card, lead=turn.t("quick-reread") if old else "")


def _said_day(turn: Turn, text: str, day: str, unread: list[str]) -> tuple[str, list[str]]:
    """The card's day: the one the report says ('昨天入户15户') if within the week, else `day`;
    a day said outside the week is shown as not understood, never silently taken as today."""
    said, words = logbook.day_in(text, turn.now.date())
    if said is not None and logbook.day_allowed(said, turn.now.date()):
        return said.isoformat(), unread
    return day, unread + [words] if words else unread


def shown_unread(parts: list[str]) -> list[str]:
    """What was not understood, as quoted back: the first few parts, each cut short (a pasted
    essay full of numbers is not echoed whole, over many messages)."""
    cut = [p if len(p) <= UNREAD_CHARS else p[:UNREAD_CHARS] + "…" for p in parts[:UNREAD_SHOWN]]
    return cut + ["…"] if len(parts) > UNREAD_SHOWN else cut


async def _typed_save(turn: Turn) -> None:
    """保存/确认 typed that matched no button: the newest open card is meant (too large: 确认无误 first)."""
    card = await newest_open(turn)
    if card is None:
        turn.say(turn.t("quick-expired"))
        return
    await _save(turn, card, [])


async def _typed_cancel(turn: Turn) -> None:
    """取消 typed that matched no button: the newest open card is dropped."""
    if not await cancel_newest(turn):
        turn.say(turn.t("nothing-to-cancel"))


async def cancel_newest(turn: Turn) -> bool:
    """Drop the person's newest open card and say so; False if none is open (nothing said)."""
    card = await newest_open(turn)
    if card is None:
        return False
    await _cancel(turn, card, [])
    return True


# --- photos ---------------------------------------------------------------------------------

async def bare_photo(turn: Turn) -> None:
    """A photo without words: onto the card shown within PHOTO_WAIT if it is still open (the
    card again, with its photo count), else kept for the next report."""
    card = await newest_open(turn)
    joins = card is not None and turn.now - card.created_at <= PHOTO_WAIT
    held = card.data["photos"] if joins else _fresh_photos(turn)
    if len(held) >= MAX_PHOTOS_PER_REPORT:
        turn.say(turn.t("quick-photo-full", most=MAX_PHOTOS_PER_REPORT))
        return
    photo = save_photo(turn)
    if joins:
        return await update(turn, card, "quick-photo-added", photos=with_photos(held, [photo]))
    held.append({"at": turn.now.isoformat(), "photo": photo})
    turn.conv.photo, turn.conv.photo_at = {"waiting": held}, turn.now
    turn.say(turn.t("quick-photo-kept", count=len(held)))


def _fresh_photos(turn: Turn) -> list[dict]:
    """The bare photos kept on the conversation, {at, photo}, that were sent within PHOTO_WAIT."""
    kept = (turn.conv.photo or {}).get("waiting", [])  # anything else there is from older code: dropped
    return [p for p in kept if turn.now - datetime.fromisoformat(p["at"]) <= PHOTO_WAIT]


def waiting_photos(turn: Turn) -> list[dict]:
    """The bare photos sent within PHOTO_WAIT, taken off the conversation (older ones: dropped)."""
    photos = [p["photo"] for p in _fresh_photos(turn)]
    turn.conv.photo, turn.conv.photo_at = None, None
    return photos


def with_photos(photos: list[dict], more: list[dict]) -> list[dict]:
    """Photos added once each (an edited message brings its photo again; the same picture may
    be sent twice), MAX_PHOTOS_PER_REPORT at most."""
    photos = list(photos)
    for photo in more:
        if not any(_same(photo, p) for p in photos):
            photos.append(photo)
    return photos[:MAX_PHOTOS_PER_REPORT]


def _same(a: dict, b: dict) -> bool:
    return a["file_unique_id"] == b["file_unique_id"] or (a["sha256"] is not None and a["sha256"] == b["sha256"])


# --- edited messages -------------------------------------------------------------------------

def source(turn: Turn) -> str | None:
    """The message a card was read from, so an edit of that message finds its card."""
    ev = turn.event
    return f"{ev.channel}:{ev.message_ref}" if ev.message_ref else None


async def _card_of_message(turn: Turn) -> Card | None:
    """The card read from the message being edited (open, saved or void), if any."""
    ref = source(turn)
    return await turn.storage.conversations.card_from(turn.user.id, ref) if ref else None


# --- cards ----------------------------------------------------------------------------------

async def new_card(turn: Turn, data: dict) -> Card:
    cards = turn.storage.conversations  # old ones are cleared by the scheduler (schedules/tidy.py)
    card = Card(token=secrets.token_hex(4), user_id=turn.user.id, data=data, source=source(turn),
                created_at=turn.now)
    await cards.add_card(card)
    return card


async def void(turn: Turn, card: Card) -> bool:
    """Use a card up without saving it (cancelled, replaced, expired): marked so, an edit of its
    message is read afresh instead of being told it was saved. False if it was used already."""
    if not await turn.storage.conversations.use_card(card.token, turn.now):
        return False
    card.data["void"] = True
    await turn.storage.conversations.update_card(card)
    return True


def card_text(turn: Turn, data: dict) -> str:
    """What was read, one line per kind, the figures taken from a range, the day, the photos,
    what was read but not added (累计, 其中) and what was not understood: nothing silently."""
    figures = data["figures"]
    by_kind = split_by_kind(figures)
    lines = [turn.t("quick-card-title")]
    lines += [f"· {logbook.format_measures(turn.lang, measures)}" for measures in by_kind.values()]
    approx = {m: figures[m] for m in data.get("approx", []) if m in figures}  # older cards have none
    if approx:
        lines.append(turn.t("quick-card-approx", figures=logbook.format_measures(turn.lang, approx)))
    lines.append(turn.t("card-day", day=logbook.format_day(turn.lang, date.fromisoformat(data["day"]),
                                                          turn.now.date())))
    if data["photos"]:
        lines.append(turn.t("card-photos", count=len(data["photos"])))
    if data.get("not_added"):
        lines.append(turn.t("quick-card-not-added", parts=logbook.quoted(turn.lang, data["not_added"])))
    if data.get("unread"):
        lines.append(turn.t("quick-card-missed", parts=logbook.quoted(turn.lang, data["unread"])))
    placed = [k for k in by_kind if KINDS[k].place == "required"]
    if placed:  # posters' hint first (it was the only one); a site alone has its own
        lines.append(turn.t("quick-place-hint" if placed[0] == "poster" else "quick-place-hint-site"))
    lines.append(turn.t("quick-card-check"))
    return "\n".join(lines)


def show_card(turn: Turn, card: Card, lead: str = "", replace: bool = False) -> None:
    text = card_text(turn, card.data)
    turn.say(f"{lead}\n{text}" if lead else text, [[
        turn.button("btn-save", action("quick", "save", card.token)),
        turn.button("btn-edit", action("quick", "edit", card.token)),
        turn.button("btn-cancel", action("quick", "cancel", card.token))]], replace=replace)


async def open_card(turn: Turn, token: str) -> Card | None:
    """The person's own card if still valid; else None (an expired one is voided)."""
    if not TOKEN.fullmatch(token):
        return None
    return await _unexpired(turn, await turn.storage.conversations.card(turn.user.id, token))


async def newest_open(turn: Turn) -> Card | None:
    """The person's newest card still open, if it has not expired."""
    return await _unexpired(turn, await turn.storage.conversations.newest_card(turn.user.id))


async def _unexpired(turn: Turn, card: Card | None) -> Card | None:
    if card is not None and turn.now - card.created_at > CARD_LIFE:
        await void(turn, card)
        return None
    return card


# --- the card's buttons -------------------------------------------------------------------

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
    """Save once: the card is marked used in the event's transaction, with the entries."""
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
    await void(turn, card)
    _leave_flow(turn)
    turn.say(turn.t("cancelled"), replace=turn.tapped)


async def _edit(turn: Turn, card: Card, args: list[str]) -> None:
    """Show the card's figures and its day as buttons: the one tapped is asked for again."""
    rows = _edit_rows(turn, card)
    turn.start_flow("quick", {"token": card.token, "measure": None})  # a number typed now: see on_input
    turn.say(turn.t("quick-edit-pick"), rows, replace=turn.tapped)


def _edit_rows(turn: Turn, card: Card) -> list[list[Button]]:
    data, lang = card.data, turn.lang
    rows = [[Button(logbook.format_measures(lang, {m: v}), action("quick", "fig", card.token, m))]
            for m, v in data["figures"].items()]
    day = logbook.format_day(lang, date.fromisoformat(data["day"]), turn.now.date())
    rows.append([turn.button("btn-quick-day", action("quick", "fig", card.token, "day"), day=day)])
    rows.append([turn.button("btn-back", action("quick", "back", card.token))])
    return rows


async def _figure(turn: Turn, card: Card, args: list[str]) -> None:
    """Ask for the new number of one figure (or the day); the answer goes to on_input."""
    what = args[0] if args else ""
    if what != "day" and what not in card.data["figures"]:
        turn.alert("button-expired")
        return
    turn.start_flow("quick", {"token": card.token, "measure": what})
    if what == "day":
        turn.say(*day_question(turn, _day_action(card)), replace=turn.tapped)
        return
    turn.say(turn.t("quick-ask-figure", measure=turn.t(f"m-{what}"), unit=turn.t(f"u-{what}"),
                    now=card.data["figures"][what]), replace=turn.tapped)


def _day_action(card: Card) -> Callable[[int], str]:
    """The action of a day button on this card: n days back."""
    return lambda back: action("quick", "day", card.token, back)


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
    if text and canon(text) == SAVE:  # 保存 typed instead of the number: the card as it stands
        return await _save(turn, card, [])
    measure = draft.get("measure")
    if measure is None:  # asked which figure to change, the new number came at once
        figures = card.data["figures"]
        if len(figures) != 1 or logbook.parse_number(text) is None:
            return await _not_a_figure(turn, turn.t("quick-edit-pick"), _edit_rows(turn, card))
        measure = next(iter(figures))
    if measure == "day":
        day = typed_day(turn, text)
        if day is None:
            question, rows = day_question(turn, _day_action(card))
            return await _not_a_figure(turn, f"{bad_day(turn)}\n{question}", rows)
        return await update(turn, card, day=day.isoformat())
    value = logbook.parse_number(text)
    if value is None or measure not in card.data["figures"]:
        return await _not_a_figure(turn, turn.t("bad-number"))
    figures = {**card.data["figures"], measure: value}
    figures = {k: v for k, v in figures.items() if v}
    if not figures:
        turn.say(turn.t("need-one-figure"))
        return
    approx = [m for m in card.data.get("approx", []) if m != measure]  # a number typed is exact
    await update(turn, card, figures=figures, approx=approx)


async def _not_a_figure(turn: Turn, why: str, buttons: list[list[Button]] | None = None) -> None:
    """A whole new report typed instead of the number is read as one; else ask again."""
    text = turn.event.text or ""
    if turn.event.photo is not None or turn.event.location is not None or parse_quick_report(text):
        turn.end_flow()
        return await on_free(turn)
    turn.say(why, buttons)


async def update(turn: Turn, card: Card, lead: str = "quick-changed", **changes) -> None:
    """Change the card, and show it again under `lead`."""
    card.data.update(changes)
    await turn.storage.conversations.update_card(card)
    _leave_flow(turn)
    show_card(turn, card, lead=turn.t(lead), replace=turn.tapped)


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
