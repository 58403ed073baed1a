"""Early warnings (预警劝阻) in the chat.

    a file sent by the office (.xlsx/.csv)   imported, dispatched at once (bot/warnings.py)
    /warn [姓名 电话 网格 类型 [住址]]        one warning, guided step by step without arguments
    /warnings                                the office: open, overdue and unassigned, with 改派;
                                             others: the warnings sent to them, with 回访
    /warnings 12 BHQ-2                       the office moves warning 12 to another grid
    warn:<outcome>:<id>:<round>              已见面劝阻 / 已电话劝阻 / 联系不上 / 已被骗 / 不在本网格
    then the flow 'warn' takes an amount (已被骗), a note or a photo, all optional.

Full names and phones go only to a warning's assignees (its card) and the office; every
other answer shows the masked form (张* 138****1234)."""
from __future__ import annotations

import asyncio
import json
import logging
import re
import unicodedata
from datetime import timedelta

from bot import warnings as domain
from schedules.warnings import card_text, dispatch_due, office_addresses, outcome_buttons, window
from storage.outbox import body
from storage.warnings import BATCH, Warning_

from .core import Button, Turn, action, canon, int_arg
from .evidence import save_photo

log = logging.getLogger(__name__)
KINDS = ("刷单", "冒充客服", "投资理财", "冒充公检法", "贷款")
STEPS = ("name", "phone", "area", "kind", "address")
SHOWN = 15                 # warnings listed at once
AREA_BUTTONS = 24
UNDO_WITHIN = timedelta(hours=2)   # an outcome tapped by mistake can be taken back this long
OWN_DAYS = 14              # a worker's closed warnings stay in /warnings this long (for 回访)
VERBS = {"met": "met", "phone": "phone", "lost": "defrauded"}
OUTCOME_VERBS = ("met", "phone", "nr", "lost", "away")   # the card's buttons (warn-btn-<verb>)


# --- in: a file, /warn ---------------------------------------------------------------------

async def on_document(turn: Turn) -> None:
    """Import the office's warning file; the file itself is not kept (only its rows)."""
    doc = turn.event.document
    if not turn.user.can("office"):
        turn.say(turn.t("warn-office-only"))
        return
    if doc.data is None:
        turn.say(turn.t("warn-file-too-big"))
        return
    try:  # outside any transaction (a heavy event) and off the event loop: others go on meanwhile
        rows = await asyncio.to_thread(domain.parse, doc.name, doc.data, turn.svc.settings.tz, turn.now)
    except domain.WarningFileError as err:
        log.info("warning file from user %s rejected at row %s (%s)", turn.user.id, err.row, err.key)
        turn.say(err.text(turn.lang))
        return
    async with turn.storage.db.transaction():
        await _import(turn, rows)


async def _import(turn: Turn, rows: list[dict]) -> None:
    office = await turn.storage.orgs.get(turn.user.org_id)
    settings = turn.svc.settings
    added, known, unassigned, old = await domain.import_rows(turn.storage, rows, office, turn.user.id, turn.now,
                                                             settings.warning_window_hours,
                                                             settings.warning_retention_days)
    # A big file is dispatched by the next tick, BATCH per transaction: inside this event's one
    # transaction it would hold everyone else's taps for seconds.
    sent = await dispatch_due(turn.svc) if added <= BATCH else 0
    log.info("user %s imported %d warnings (%d known, %d unassigned, %d too old); %d dispatched",
             turn.user.id, added, known, unassigned, old, sent)
    old_line = "\n" + turn.t("warn-imported-old", old=old, days=settings.warning_retention_days) if old else ""
    turn.say(turn.t("warn-imported", added=added, known=known, unassigned=unassigned) + old_line)


async def warn(turn: Turn) -> None:
    """Enter one warning: all on one line, or step by step."""
    if len(turn.args) >= 4:
        cells = dict(zip(("name", "phone", "grid", "kind"), turn.args[:4]))
        return await _save_one(turn, cells | ({"address": " ".join(turn.args[4:])} if turn.args[4:] else {}))
    turn.start_flow("warn", {"step": "name", "cells": {}})
    turn.say(turn.t("warn-ask-name"))


async def _save_one(turn: Turn, cells: dict) -> None:
    cells = {k: v.strip() for k, v in cells.items() if v and v.strip()}
    cells.setdefault("warned_at", turn.now.strftime("%Y-%m-%d %H:%M"))
    try:
        row = domain.check_row(cells, 2, turn.svc.settings.tz, turn.now)
    except domain.WarningFileError as err:
        turn.say(turn.t(f"warn-err-{err.key}", **err.args_) + "\n" + turn.t("warn-one-usage"))
        return
    turn.end_flow()
    await _import(turn, [row])


async def _entry_step(turn: Turn, text: str) -> None:
    """The next answer of /warn's guided entry."""
    draft = turn.draft
    step = draft["step"]
    key = "grid" if step == "area" else step
    if text:
        draft["cells"][key] = text
    if step == "phone" and domain.clean_phone(text) is None:
        turn.say(turn.t("warn-err-phone"))
        return
    if step != "address" and not text:
        turn.say(turn.t("log-skip-required"))
        return
    if step == "area" and domain.find_area([text], domain.area_index(
            await turn.storage.orgs.subtree(turn.user.org_id))) is None:
        turn.say(turn.t("warn-bad-area", area=text[:20]))
        return
    if step == "address":
        return await _save_one(turn, draft["cells"])
    draft["step"] = STEPS[STEPS.index(step) + 1]
    _ask(turn, draft["step"])


def _ask(turn: Turn, step: str) -> None:
    if step == "kind":
        rows = [[Button(k, action("warn", "kind", n)) for n, k in enumerate(KINDS[i:i + 3], start=i)]
                for i in range(0, len(KINDS), 3)]
        turn.say(turn.t("warn-ask-kind"), rows)
    elif step == "address":
        turn.say(turn.t("warn-ask-address"), [[turn.button("warn-btn-skip", action("warn", "skip"))]])
    else:
        turn.say(turn.t(f"warn-ask-{step}"))


# --- the flow: guided entry, and the details after an outcome --------------------------------

async def on_input(turn: Turn) -> None:
    """Take the typed answer (or photo) the current step asks for."""
    draft, ev = turn.draft, turn.event
    text = (ev.text or "").strip()
    if draft.get("step") in STEPS:
        return await _entry_step(turn, text)
    w = await turn.storage.warnings.get(int(draft.get("id", 0)))
    if w is None or not await _may_act(turn, w):
        turn.end_flow()
        turn.alert("button-expired")
        return
    if draft["step"] == "amount":
        amount = _amount(text)
        if amount is None:
            turn.say(turn.t("warn-bad-amount"), [[turn.button("warn-btn-skip", action("warn", "skip"))]])
            return
        await turn.storage.warnings.mark(w.id, amount=amount)
        draft["step"] = "note"
        turn.say(turn.t("warn-ask-note"), [[turn.button("warn-btn-skip", action("warn", "skip"))]])
        return
    if ev.photo is not None:  # kept as an evidence file (the sweep spares it while photo_ref names it)
        await turn.storage.warnings.mark(w.id, photo_ref=json.dumps(save_photo(turn)))
    if text:
        await turn.storage.warnings.mark(w.id, note=text[:300])
    if ev.photo is None and not text:
        turn.say(turn.t("warn-ask-note"), [[turn.button("warn-btn-skip", action("warn", "skip"))]])
        return
    turn.end_flow()
    turn.say(turn.t("warn-note-saved", who=domain.masked(w)))


def _amount(text: str) -> int | None:
    """'5000', '5000元', '1.2万' → yuan; None for anything else."""
    text = unicodedata.normalize("NFKC", text).replace(",", "")
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*(万)?\s*元?", text)
    if not m:
        return None
    value = float(m.group(1)) * (10_000 if m.group(2) else 1)
    return int(value) if value <= 10**10 else None


async def typed_outcome(turn: Turn) -> bool:
    """An outcome word typed in the middle of a flow (/log, a warning's note) is for the
    warning card that came meanwhile, not that step's answer: record it on the newest one."""
    text = turn.event.text
    if not text or (turn.flow == "warn" and turn.draft.get("step") in STEPS):
        return False
    verb = next((v for v in OUTCOME_VERBS if canon(turn.t(f"warn-btn-{v}")) == canon(text)), None)
    newest = await turn.storage.warnings.newest_open_of(turn.user.id) if verb else None
    if newest is None or not await _may_act(turn, newest):  # moved away since: not theirs any more
        return False
    turn.by = "warn"
    await _outcome(turn, newest, verb)
    return True


# --- outcomes ------------------------------------------------------------------------------

async def _may_act(turn: Turn, w: Warning_) -> bool:
    """Its assignees while still over its area; the office above it; the contact of its
    village. Checked on every tap."""
    user, orgs = turn.user, turn.storage.orgs
    if await domain.still_assigned(turn.storage, w, turn.user):
        return True
    if user.role == "office":
        return await orgs.is_within(w.office_id, user.org_id)
    return user.role == "contact" and w.org_id is not None and await orgs.is_within(w.org_id, user.org_id)


async def on_action(turn: Turn, verb: str, args: list[str]) -> None:
    """warn:<verb>:<id>[:…] — an outcome, 回访, 改派, or a step of /warn."""
    if verb == "skip":
        if turn.flow == "warn" and turn.draft.get("step") == "address":
            return await _save_one(turn, turn.draft["cells"])
        if turn.flow != "warn":  # an old message's 跳过 must not end the /log the person is in
            return turn.alert("button-expired")
        turn.end_flow()
        return turn.say(turn.t("warn-skipped"))
    if verb == "kind" and turn.flow == "warn" and turn.draft.get("step") == "kind":
        n = int_arg(args, 0, len(KINDS) - 1)
        return await _entry_step(turn, KINDS[n]) if n is not None else turn.alert("button-expired")
    w = await turn.storage.warnings.get(int_arg(args, 0) or 0)
    if w is None or w.purged_at is not None or not await _may_act(turn, w):
        turn.alert("button-expired" if w is None or w.purged_at else "not-allowed")
        return
    if verb in ("met", "phone", "lost", "nr", "away"):
        if int_arg(args, 1) != w.round or w.status == "returned":
            turn.alert("button-expired")
            return
        return await _outcome(turn, w, verb)
    if verb == "fu":
        return await _follow_up(turn, w)
    if verb == "undo":
        return await _undo(turn, w)
    if verb in ("re", "to") and turn.user.role == "office":
        return await _reassign(turn, w, int_arg(args, 1)) if verb == "to" else await _area_choices(turn, w)
    turn.alert("button-expired")


async def _outcome(turn: Turn, w: Warning_, verb: str) -> None:
    storage, now, user = turn.storage, turn.now, turn.user
    if w.status == "closed":
        turn.say(turn.t("warn-already", who=domain.masked(w), outcome=turn.t(f"warn-out-{w.outcome}")),
                 [[turn.button("warn-btn-fu", action("warn", "fu", w.id))]], replace=turn.tapped)
        return
    if verb == "away":
        await storage.warnings.mark(w.id, status="returned", assignees=[], retry_at=None)
        office = await office_addresses(storage, w.office_id)
        await storage.outbox.enqueue(f"warn:{w.id}:{w.round}:back", {
            a: body(turn.t("warn-returned-office", who=domain.masked(w), by=user.name)) for a in office}, now, urgent=True)
        log.info("warning %s returned to the office by user %s", w.id, user.id)
        turn.say(turn.t("warn-returned", who=domain.masked(w)), replace=turn.tapped)
        return
    if verb == "nr":
        tries = w.tries + 1
        if tries < domain.TRIES:
            await storage.warnings.mark(w.id, tries=tries, retry_at=now + domain.RETRY_AFTER)
            turn.say(turn.t("warn-try-later", who=domain.masked(w), tries=tries, most=domain.TRIES))
            return
        await storage.warnings.mark(w.id, tries=tries, retry_at=None, status="closed", outcome="unreachable",
                                    outcome_at=now, outcome_by=user.id)
        log.info("warning %s unreachable after %d tries", w.id, tries)
        turn.say(turn.t("warn-unreachable", who=domain.masked(w), most=domain.TRIES),
                 [[turn.button("warn-btn-fu", action("warn", "fu", w.id)),
                   turn.button("warn-btn-undo", action("warn", "undo", w.id))]], replace=turn.tapped)
        return
    await storage.warnings.mark(w.id, status="closed", outcome=VERBS[verb], outcome_at=now, outcome_by=user.id,
                                first_contact_at=w.first_contact_at or now, retry_at=None)
    log.info("warning %s: %s by user %s", w.id, VERBS[verb], user.id)
    done = turn.t("warn-recorded", who=domain.masked(w), outcome=turn.t(f"warn-out-{VERBS[verb]}"))
    undo = turn.button("warn-btn-undo", action("warn", "undo", w.id))
    if turn.busy and turn.flow != "warn":  # tapped in the middle of /log or /report: that one goes on
        turn.say(done + "\n" + turn.t("warn-flow-kept"), [[undo]], replace=turn.tapped, numbered=False)
        return
    skip = [[turn.button("warn-btn-skip", action("warn", "skip")), undo]]
    turn.start_flow("warn", {"step": "amount" if verb == "lost" else "note", "id": w.id})
    # replace: the tapped card's outcome buttons go (on WeCom its card is updated within 5 s)
    turn.say(done + "\n" + turn.t("warn-ask-amount" if verb == "lost" else "warn-ask-note"), skip, replace=turn.tapped)


async def _undo(turn: Turn, w: Warning_) -> None:
    """改一下: a wrong outcome tap is taken back by who recorded it (or the office) within
    UNDO_WITHIN; the warning is open again and its card shown to choose again."""
    if w.status != "closed" or w.follow_up_at is not None or turn.now - w.outcome_at > UNDO_WITHIN or (
            w.outcome_by != turn.user.id and turn.user.role != "office"):
        turn.alert("button-expired")
        return
    tries = w.tries - 1 if w.outcome == "unreachable" else w.tries
    await turn.storage.warnings.mark(w.id, status="open", outcome=None, outcome_at=None, outcome_by=None,
                                     first_contact_at=None, amount=None, tries=tries,
                                     retry_at=turn.now + domain.RETRY_AFTER if tries else None)
    if turn.flow == "warn":  # its note step is over; a /log going on meanwhile is not
        turn.end_flow()
    log.info("warning %s: outcome taken back by user %s", w.id, turn.user.id)
    w = await turn.storage.warnings.get(w.id)
    area = await turn.storage.orgs.get(w.org_id) if w.org_id else None
    full = await domain.still_assigned(turn.storage, w, turn.user) or turn.user.role == "office"   # the card only to whom it may show
    shown = card_text(turn.lang, w, area.name if area else "—", turn.svc.settings.warning_window_hours) \
        if full else domain.masked(w)
    turn.say(turn.t("warn-undone") + "\n" + shown,
             [[Button(label, act) for label, act in row] for row in outcome_buttons(turn.lang, w)], numbered=False)


async def _follow_up(turn: Turn, w: Warning_) -> None:
    """回访: recorded on a closed warning (once; a second tap says so)."""
    if w.status != "closed":
        turn.alert("warn-fu-open")
        return
    if w.follow_up_at is None:
        await turn.storage.warnings.mark(w.id, follow_up_at=turn.now, follow_up_by=turn.user.id)
        log.info("warning %s: follow-up by user %s", w.id, turn.user.id)
    turn.start_flow("warn", {"step": "note", "id": w.id})
    turn.say(turn.t("warn-fu-done", who=domain.masked(w)) + "\n" + turn.t("warn-ask-note"),
             [[turn.button("warn-btn-skip", action("warn", "skip"))]])


# --- the lists and reassignment ------------------------------------------------------------

async def warnings(turn: Turn) -> None:
    """The office's open warnings (or, typed with an id and an area, move one); others' own."""
    if turn.user.role != "office":
        return await _own(turn)
    if len(turn.args) == 2 and turn.args[0].isdigit():
        w = await turn.storage.warnings.get(int(turn.args[0]) if len(turn.args[0]) < 10 else 0)
        subtree = await turn.storage.orgs.subtree(turn.user.org_id)
        area = domain.find_area([turn.args[1]], domain.area_index(subtree))
        if w is None or not await _may_act(turn, w) or area is None:
            turn.say(turn.t("warn-move-usage"))
            return
        return await _reassign(turn, w, area.id)
    await _office_view(turn)


async def _office_view(turn: Turn) -> None:
    storage, user = turn.storage, turn.user
    offices = [o.id for o in await storage.orgs.subtree(user.org_id)]
    ws = await storage.warnings.of_offices(offices)
    if not ws:
        turn.say(turn.t("warn-none-open"))
        return
    orgs = {o.id: o.name for o in await storage.orgs.all()}
    late_before = turn.now - window(turn.svc)
    groups = {"unassigned": [], "overdue": [], "open": []}
    for w in ws:
        group = ("unassigned" if w.org_id is None or w.status == "returned" or (w.dispatched_at and not w.assignees)
                 else "overdue" if w.assigned_at and w.assigned_at <= late_before else "open")
        groups[group].append(w)
    lines, rows = [turn.t("warn-view-head", count=len(ws))], []
    for group, items in groups.items():
        if items:
            lines.append(turn.t(f"warn-view-{group}", count=len(items)))
        for w in items[:SHOWN]:
            lines.append(turn.t("warn-view-line", id=str(w.id), name=w.name or "—", phone=w.phone or "—", kind=w.kind,
                                area=orgs.get(w.org_id) or w.area_text or "—", tries=w.tries))
            if len(rows) < SHOWN:
                rows.append([turn.button("warn-btn-move", action("warn", "re", w.id), id=str(w.id))])
    turn.say("\n".join(lines + [turn.t("warn-move-hint")]), rows, numbered=False)


async def _area_choices(turn: Turn, w: Warning_) -> None:
    places = [o for o in await turn.storage.orgs.subtree(turn.user.org_id) if domain.is_place(o)]
    rows = [[Button(o.name, action("warn", "to", w.id, o.id))] for o in places[:AREA_BUTTONS]]
    turn.say(turn.t("warn-move-ask", who=domain.masked(w)), rows)


async def _reassign(turn: Turn, w: Warning_, org_id: int | None) -> None:
    """Give the warning another area: a new round, sent at once to that area's people."""
    org = await turn.storage.orgs.get(org_id) if org_id is not None else None
    # a forged 改派 may name any org: only a place in the office's own subtree
    if org is None or not domain.is_place(org) or not await turn.storage.orgs.is_within(org.id, turn.user.org_id) \
            or w.status == "closed":
        turn.alert("button-expired")
        return
    await turn.storage.warnings.mark(w.id, org_id=org.id, status="open", round=w.round + 1, assigned_at=turn.now,
                                     dispatched_at=None, assignees=[], half_at=None, overdue_at=None, tries=0,
                                     retry_at=None)
    await dispatch_due(turn.svc)
    log.info("warning %s moved to org %s by user %s", w.id, org.id, turn.user.id)
    turn.say(turn.t("warn-moved", who=domain.masked(w), area=org.name), replace=True)


async def _own(turn: Turn) -> None:
    """The warnings sent to this person: each open one as its card, closed ones with 回访."""
    storage, user = turn.storage, turn.user
    ws = [w for w in await storage.warnings.of_assignee(user.id, turn.now - timedelta(days=OWN_DAYS))
          if await domain.still_assigned(turn.storage, w, turn.user)]
    if not ws:
        turn.say(turn.t("warn-none-mine"))
        return
    orgs = {o.id: o.name for o in await storage.orgs.all()}
    hours = turn.svc.settings.warning_window_hours
    for w in [w for w in ws if w.status == "open"][:5]:
        turn.say(card_text(turn.lang, w, orgs.get(w.org_id, "—"), hours),
                 [[Button(label, act) for label, act in row] for row in outcome_buttons(turn.lang, w)], numbered=False)
    closed = [w for w in ws if w.status == "closed"]
    if closed:
        lines = [turn.t("warn-own-closed")] + [
            turn.t("warn-own-line", who=domain.masked(w), outcome=turn.t(f"warn-out-{w.outcome}"),
                   fu=turn.t("warn-fu-mark") if w.follow_up_at else "") for w in closed]
        turn.say("\n".join(lines), [[turn.button("warn-btn-fu-id", action("warn", "fu", w.id), id=str(w.id))]
                                    for w in closed[:SHOWN]], numbered=False)
