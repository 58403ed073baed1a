"""Guided logging: /log (kind menu) or /visit, /poster, … one question at a time.

    /log ──kind──┐
    /visit … ────┴─> NUMBER (each measure of the kind; buttons or typed, 十五 too)
                       │
                       ├─(visit)─> HOUSES (house numbers, optional)
                       ├─> PLACE (location button or typed address; required for posters)
                       ├─> PHOTO (required for posters and lectures, else 跳过)
                       ├─> DAY (今天 / 昨天 / 前天 / typed date, ≤ 7 days back)
                       └─> CONFIRM card: 确认 → (too large? RECHECK) → saved
                                         修改 → NUMBER again, 取消 → nothing saved
    /cancel anywhere leaves and saves nothing; wrong input re-asks the same question.
"""
from __future__ import annotations

import functools
import logging
import re
import warnings
from datetime import date, timedelta

from telegram import (InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup,
                      ReplyKeyboardRemove, Update)
from telegram.warnings import PTBUserWarning
from telegram.ext import (Application, CallbackQueryHandler, CommandHandler, ContextTypes,
                          ConversationHandler, MessageHandler, filters)

from bot import logbook
from bot.i18n import t
from bot.kinds import KINDS
from storage.models import NewEntry, NewPhoto, User

from .common import button, cb, current_user, parse_cb, requires, stranger, svc
from .evidence import save_photo
from .flows import DRAFT_KEYS, Flow, drop_other_drafts

log = logging.getLogger(__name__)
NUMBER, HOUSES, PLACE, PHOTO, DAY, CONFIRM, RECHECK = range(7)
QUICK_NUMBERS = (1, 2, 3, 5, 10, 20)
KIND_COMMANDS = {"visit": "visit", "poster": "poster", "app": "app", "leaflet": "leaflet",
                 "lecture": "lecture", "push": "push", "broadcast": "broadcast"}


def kind_menu(lang: str) -> InlineKeyboardMarkup:
    codes = list(KINDS)
    rows = [[button(lang, f"kind-{c}", cb("log", "kind", c)) for c in codes[i:i + 2]]
            for i in range(0, len(codes), 2)]
    return InlineKeyboardMarkup(rows)


@requires("worker")
async def show_menu(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> int:
    """Show the kinds as buttons."""
    context.user_data.pop("draft", None)
    await update.effective_chat.send_message(t(user.lang, "log-pick-kind"), reply_markup=kind_menu(user.lang))
    return NUMBER


async def start_kind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """Begin a draft of one kind (from its command or the menu button)."""
    user = await current_user(update, context)
    if user is None:
        await stranger(update)
        return ConversationHandler.END
    query = update.callback_query
    if query:
        parsed = parse_cb(query.data)
        kind = parsed[2][0] if parsed and parsed[2] else ""
    else:
        kind = update.message.text.split()[0].lstrip("/").split("@")[0]
    if kind not in KINDS:  # a forged or outdated button: a flow in progress stays as it was
        await query.answer(t(user.lang, "button-expired"), show_alert=True)
        return None
    if query:
        await query.answer()
    today = svc(context).clock.now().date()
    context.user_data["draft"] = {"kind": kind, "measures": {}, "pending": list(KINDS[kind].measures),
                                  "asked": [], "photos": [], "households": [], "day": today.isoformat()}
    return await ask_next(update, context, user)


async def ask_next(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, prefix: str = "") -> int:
    """Ask the next open question of the draft, or show the card. `prefix` leads the
    question in the same message (why it is asked again), so a slip costs one message."""
    draft = context.user_data["draft"]
    chat = update.effective_chat
    lang = user.lang
    lead = f"{prefix}\n" if prefix else ""
    if draft["pending"]:
        measure = draft["pending"][0]
        rows = [[button(lang, "n", cb("log", "n", n), n=n) for n in QUICK_NUMBERS]]
        if _optional(draft, measure):
            rows.append([button(lang, "btn-none", cb("log", "n", 0))])
        first = len(draft["pending"]) == len(KINDS[draft["kind"]].measures)  # the hint once is enough
        key = "ask-number" if first or prefix else "ask-number-short"
        await chat.send_message(lead + t(lang, key, measure=t(lang, f"m-{measure}"), unit=t(lang, f"u-{measure}")),
                                reply_markup=InlineKeyboardMarkup(rows))
        return NUMBER
    for step, state in (("houses", HOUSES), ("place", PLACE), ("photo", PHOTO), ("day", DAY)):
        if step not in draft["asked"] and _wants(draft, step):
            draft["asked"].append(step)
            text, markup = _question(lang, draft, step)
            await chat.send_message(lead + text, reply_markup=markup)
            return state
    return await show_card(update, context, user)


def _optional(draft: dict, measure: str) -> bool:
    """The first measure must be given, except for posters where any one of the four will do."""
    return draft["kind"] == "poster" or measure != KINDS[draft["kind"]].measures[0]


def _wants(draft: dict, step: str) -> bool:
    return step != "houses" or draft["kind"] == "visit"


def _question(lang: str, draft: dict, step: str) -> tuple[str, object]:
    kind = draft["kind"]
    skip = InlineKeyboardMarkup([[button(lang, "btn-skip", cb("log", "skip"))]])
    if step == "houses":
        return t(lang, "ask-houses"), skip
    if step == "place":
        keys = [[KeyboardButton(t(lang, "btn-share-location"), request_location=True)]]
        required = logbook.kind_needs(kind, "place")
        if not required:
            keys.append([KeyboardButton(t(lang, "btn-skip"))])
        return (t(lang, "ask-place-required" if required else "ask-place"),
                ReplyKeyboardMarkup(keys, resize_keyboard=True, one_time_keyboard=True))
    if step == "photo":
        required = logbook.kind_needs(kind, "photo")
        return t(lang, "ask-photo-required" if required else "ask-photo"), (None if required else skip)
    rows = [[button(lang, "day-today", cb("log", "day", 0)), button(lang, "day-yesterday", cb("log", "day", 1)),
             button(lang, "day-before", cb("log", "day", 2))]]
    return t(lang, "ask-day"), InlineKeyboardMarkup(rows)


async def _user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> User | None:
    """The person, or None after telling a stranger; answers the button press either way."""
    user = await current_user(update, context)
    if update.callback_query:
        await update.callback_query.answer()
    if user is None or "draft" not in context.user_data:
        await update.effective_chat.send_message(t(user.lang if user else "zh", "log-expired"))
        return None
    return user


def step(func):
    """A flow step: runs only for a registered person whose draft is still there."""
    @functools.wraps(func)
    async def inner(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
        user = await _user(update, context)
        if user is None:
            return ConversationHandler.END
        return await func(update, context, user)

    return inner


@step
async def got_number(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> int:
    """Take a figure from a number button or typed text (15, １５, 十五)."""
    draft = context.user_data["draft"]
    if not draft["pending"]:
        return await ask_next(update, context, user)
    measure = draft["pending"][0]
    if update.callback_query:
        value = int(update.callback_query.data.split(":")[3])
    else:
        value = logbook.parse_number(update.message.text)
    if value is None or (value == 0 and not _optional(draft, measure)):
        return await ask_next(update, context, user, prefix=t(user.lang, "bad-number"))
    draft["pending"].pop(0)
    if value:
        draft["measures"][measure] = value
    if not draft["pending"] and not any(draft["measures"].values()):
        draft["pending"] = list(KINDS[draft["kind"]].measures)  # posters: at least one figure
        return await ask_next(update, context, user, prefix=t(user.lang, "need-one-figure"))
    return await ask_next(update, context, user)


@step
async def got_houses(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> int:
    """Take the house numbers visited: one message, separated by commas or lines."""
    text = update.message.text
    houses = list(dict.fromkeys(h.strip() for h in re.split(r"[,，、;；\n]+", text) if h.strip()))[:500]
    draft = context.user_data["draft"]
    draft["households"] = houses
    if len(houses) > draft["measures"].get("households", 0):
        # More doors named than counted: the count follows the doors (said, and shown on the card),
        # so coverage never loses visits logged without numbers elsewhere.
        draft["measures"]["households"] = len(houses)
        return await ask_next(update, context, user, prefix=t(user.lang, "houses-raised", count=len(houses)))
    return await ask_next(update, context, user)


@step
async def got_place(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> int:
    """Take a shared location or a typed address (跳过 where the kind allows it)."""
    draft = context.user_data["draft"]
    msg = update.message
    if msg.location:
        draft["lat"], draft["lon"] = msg.location.latitude, msg.location.longitude
    elif msg.text and msg.text.strip() == t(user.lang, "btn-skip") and not logbook.kind_needs(draft["kind"], "place"):
        pass
    elif msg.text and msg.text.strip():
        draft["address"] = msg.text.strip()[:200]
    await msg.reply_text(t(user.lang, "got-it"), reply_markup=ReplyKeyboardRemove())
    return await ask_next(update, context, user)


@step
async def got_photo(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> int:
    """Keep the photo as evidence; warn at once if it was used before."""
    photo = await save_photo(update.message, context)
    draft = context.user_data["draft"]
    draft["photos"].append(photo)
    if await svc(context).storage.entries.evidence_used(NewPhoto(**photo)):
        await update.effective_chat.send_message(t(user.lang, "photo-duplicate"))
    return await ask_next(update, context, user)


@step
async def skipped(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> int:
    """Go on without the optional item (house numbers or photo)."""
    draft = context.user_data["draft"]
    if "photo" in draft["asked"] and logbook.kind_needs(draft["kind"], "photo") and not draft["photos"]:
        await update.effective_chat.send_message(t(user.lang, "ask-photo-required"))
        return PHOTO
    return await ask_next(update, context, user)


@step
async def got_day(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> int:
    """Take the day: a button (today / yesterday / the day before) or a typed date."""
    today = svc(context).clock.now().date()
    if update.callback_query:
        day = today - timedelta(days=int(update.callback_query.data.split(":")[3]))
    else:
        day = logbook.parse_day(update.message.text, today)
    if day is None or not logbook.day_allowed(day, today):
        await update.effective_chat.send_message(t(user.lang, "bad-day"))
        return DAY
    context.user_data["draft"]["day"] = day.isoformat()
    return await show_card(update, context, user)


async def show_card(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> int:
    """Show everything the entry will hold, with 确认 / 修改 / 取消."""
    today = svc(context).clock.now().date()
    rows = [[button(user.lang, "btn-confirm", cb("log", "ok")), button(user.lang, "btn-edit", cb("log", "edit")),
             button(user.lang, "btn-cancel", cb("log", "cancel"))]]
    await update.effective_chat.send_message(logbook.card(user.lang, context.user_data["draft"], today),
                                             reply_markup=InlineKeyboardMarkup(rows))
    return CONFIRM


@step
async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> int:
    """Save the entry (after one more confirmation when a figure is implausibly large)."""
    draft = context.user_data["draft"]
    s = svc(context)
    too_big = logbook.over_bounds(draft["measures"], s.settings)
    if too_big and update.callback_query.data != cb("log", "sure"):
        rows = [[button(user.lang, "btn-sure", cb("log", "sure")), button(user.lang, "btn-edit", cb("log", "edit"))]]
        await update.effective_chat.send_message(
            t(user.lang, "recheck", figures=logbook.format_measures(user.lang, {k: draft["measures"][k] for k in too_big})),
            reply_markup=InlineKeyboardMarkup(rows))
        return RECHECK
    entry = draft_to_entry(draft, user, [logbook.FLAG_REVIEW] if too_big else [])
    await save_entries(update, context, user, [entry])
    context.user_data.pop("draft", None)
    return ConversationHandler.END


def draft_to_entry(draft: dict, user: User, flags: list[str]) -> NewEntry:
    return NewEntry(user_id=user.id, org_id=user.org_id, kind=draft["kind"], measures=draft["measures"],
                    happened_on=date.fromisoformat(draft["day"]), lat=draft.get("lat"), lon=draft.get("lon"),
                    address=draft.get("address"), source="flow", flags=flags,
                    households=draft.get("households", []), photos=[NewPhoto(**p) for p in draft["photos"]])


def describe_entry(lang: str, entry) -> str:
    """'入户走访 入户 15户': how a saved, undone or restored entry is named to its author."""
    return f"{t(lang, f'kind-{entry.kind}')} {logbook.format_measures(lang, entry.measures)}"


async def save_entries(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User,
                       entries: list[NewEntry]) -> list[int]:
    """Apply the truthfulness flags, save in one transaction with the update id, and say so."""
    s = svc(context)
    now = s.clock.now()
    notes: set[str] = set()
    for entry in entries:
        notes.update(await logbook.add_truth_flags(s.storage, entry, now.date()))
        notes.update(f for f in entry.flags if f == logbook.FLAG_REVIEW)
    ids = await s.storage.entries.add(entries, now, update.update_id)
    log.info("user %s saved entries %s", user.id, ids)
    what = "；".join(describe_entry(user.lang, e) for e in entries)
    lines = [t(user.lang, "saved", what=what)]
    lines += [t(user.lang, f"flag-{f}") for f in sorted(notes)]
    lines.append(t(user.lang, "saved-next"))
    undo = InlineKeyboardMarkup([[button(user.lang, "btn-undo-id", cb("mine", "undo", i), kind=t(user.lang, f"kind-{e.kind}"))
                                  for i, e in zip(ids, entries)][:4]])
    if update.callback_query:  # the card itself becomes the receipt: one message, not two
        await update.callback_query.edit_message_text("\n".join(lines), reply_markup=undo)
    else:
        await update.effective_chat.send_message("\n".join(lines), reply_markup=undo)
    return ids


@step
async def edit(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> int:
    """Start the figures again, keeping the kind."""
    draft = context.user_data["draft"]
    draft.update(measures={}, pending=list(KINDS[draft["kind"]].measures), asked=[], photos=[], households=[])
    draft.pop("address", None), draft.pop("lat", None), draft.pop("lon", None)
    return await ask_next(update, context, user)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Leave the flow; nothing is saved."""
    if update.callback_query:
        await update.callback_query.answer()
    user = await current_user(update, context)
    had_draft = any(k in context.user_data for k in DRAFT_KEYS)
    drop_other_drafts(context.user_data)
    await update.effective_chat.send_message(t(user.lang if user else "zh", "cancelled" if had_draft else "nothing-to-cancel"),
                                             reply_markup=ReplyKeyboardRemove())
    return ConversationHandler.END


@step
async def wrong_input(update: Update, context: ContextTypes.DEFAULT_TYPE, user: User) -> int | None:
    """Explain briefly and ask the same question again; the flow is not lost."""
    draft = context.user_data["draft"]
    if draft["asked"] and not draft["pending"]:
        draft["asked"].pop()  # so that ask_next asks the current step once more
    return await ask_next(update, context, user, prefix=t(user.lang, "wrong-input"))


# What each flow button may carry; anything else (forged, outdated) falls through to the
# catch-all that says the button has expired.
ARGS = {"kind": r":[a-z]+", "n": r":\d{1,4}", "day": r":[0-2]"}


def _cbq(action: str) -> CallbackQueryHandler:
    return CallbackQueryHandler(_guarded, pattern=rf"^v1:log:{action}{ARGS.get(action, '')}$")


async def _guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    """Route a flow button to its step, after checking the presser is a registered worker."""
    action = update.callback_query.data.split(":")[2]
    route = {"kind": start_kind, "n": got_number, "skip": skipped, "day": got_day,
             "ok": confirm, "sure": confirm, "edit": edit, "cancel": cancel}[action]
    return await route(update, context)


def build() -> Flow:
    text = filters.TEXT & ~filters.COMMAND
    other = filters.ALL & ~filters.COMMAND
    with warnings.catch_warnings():
        # Buttons here belong to the person's flow, not to one message: per_message=False is meant.
        warnings.filterwarnings("ignore", message=r".*per_message=False", category=PTBUserWarning)
        return _conversation(text, other)


def _conversation(text: filters.BaseFilter, other: filters.BaseFilter) -> Flow:
    return Flow(
        entry_points=[CommandHandler("log", show_menu), _cbq("kind"),
                      *(CommandHandler(c, start_kind) for c in KIND_COMMANDS)],
        states={
            NUMBER: [_cbq("kind"), _cbq("n"), MessageHandler(text, got_number)],
            HOUSES: [_cbq("skip"), MessageHandler(text, got_houses)],
            PLACE: [MessageHandler(filters.LOCATION | text, got_place)],
            PHOTO: [_cbq("skip"), MessageHandler(filters.PHOTO, got_photo)],
            DAY: [_cbq("day"), MessageHandler(text, got_day)],
            CONFIRM: [_cbq("ok"), _cbq("edit"), _cbq("cancel")],
            RECHECK: [_cbq("sure"), _cbq("edit")],
        },
        fallbacks=[CommandHandler("cancel", cancel), _cbq("cancel"),
                   MessageHandler(other, wrong_input)],
        allow_reentry=True,
        name="log", persistent=True, draft_key="draft",
    )


def register(app: Application) -> None:
    app.add_handler(build().bind(app))
