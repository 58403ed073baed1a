"""Submitting a period's figures (/report) and seeing the deadlines (/deadlines).

    /report, 报送, or 立即报送 (report:pick:<period>) ──> pick a period (if more than one is open)
        ──> CARD (flow "report", step card): figures of the period, evidence count
              确认报送 report:ok:<draft>   → saved (late after the due day; resent before it: replaces, old kept)
              添加说明/照片 report:note:<draft> → step note: text = the note, photos attach → CARD
              本期无活动 report:nil:<draft>  → step nil: the reason → CARD; when the period has
                  figures, first 仍报无活动？ report:nilok:<draft> (asked once per draft) / 返回 report:back:<draft>
              取消 report:cancel:<draft>   → nothing saved
    Other input while the card is shown is read as usual (a one-line report), the card stays.
A period whose entries moved since it was submitted ("changed") shows 报送后又登记了 … on
/deadlines (with 重新报送), on the pick list and on the card, and stays open after its due day.
Every step checks again, on the server, that the period is still open for this person
(bot/obligations.py decides which periods are, and files the submission).
Card buttons carry the draft's id: a tap on the card of an earlier draft (another period
opened since) changes nothing."""
from __future__ import annotations

import logging
import secrets

from bot import logbook, obligations
from bot.deadlines import Occurrence
from bot.progress import install_line
from storage.models import NewPhoto

from .core import Turn, action
from .evidence import add_photo

log = logging.getLogger(__name__)
FLOW = "report"
STATUS_ICON = {"on_time": "✅", "late": "⏰", "owed": "❗", "owed-late": "❗", "changed": "⚠️"}
MAX_NOTE, MAX_REASON = 1000, 500


async def deadlines(turn: Turn) -> None:
    """List the coming deadlines and this person's own status for each."""
    user = turn.user
    lines, mine, redo = [turn.t("deadlines-head")], False, []
    for occ, status in await obligations.agenda(turn.svc, user, turn.now):
        mine = mine or status is not None
        mark = f"{STATUS_ICON[status]} {turn.t(f'status-{status}')}" if status else turn.t("status-na")
        if status == "changed":
            mark = f"{STATUS_ICON[status]} {await _changes(turn, occ)}"
            redo.append([turn.button("btn-resubmit", action("report", "pick", occ.period_key),
                                     due=logbook.day_text(turn.lang, occ.due_date))])
        lines.append(f"{logbook.day_text(user.lang, occ.due_date)} {occ.title} · {mark}")
    if len(lines) == 1:
        lines.append(turn.t("deadlines-none"))
    lines.append(turn.t("deadlines-next" if mine else "deadlines-worker"))
    turn.say("\n".join(lines), redo or None)


async def _changes(turn: Turn, occ: Occurrence) -> str:
    """'报送后又登记了 入户 22户' for a period whose entries moved since it was submitted; else ''."""
    sub = await obligations.submission_for(turn.storage, occ, turn.user)
    delta = await obligations.drift(turn.storage, occ, sub) if sub else {}
    return turn.t("report-changed", changes=logbook.format_changes(turn.lang, delta)) if delta else ""


async def start_report(turn: Turn) -> None:
    """Show what this person owes; go straight to the card when there is only one."""
    turn.end_flow()  # the pick list wants the next word, whatever flow was going
    occs = await obligations.open_for(turn.svc, turn.user, turn.now)
    if not occs:
        turn.say(turn.t("report-none-worker" if turn.user.role == "worker" else "report-none"))
        return
    if len(occs) == 1:
        return await show_card(turn, occs[0][0], fresh=True)
    rows, lines = [], [turn.t("report-pick")]
    for o, state in occs:
        changes = await _changes(turn, o) if state == "changed" else ""  # what moved: only asked of those
        if changes:
            lines.append(turn.t("report-pick-changed", title=o.title, changes=changes))
        rows.append([turn.button("report-pick-redo-btn" if changes else "report-pick-btn",
                                 action("report", "pick", o.period_key), title=o.title,
                                 due=logbook.day_text(turn.lang, o.due_date), late="yes" if o.due_at <= turn.now else "no")])
    turn.say("\n".join(lines), rows)


async def show_card(turn: Turn, occ: Occurrence, fresh: bool = False) -> None:
    """The period's figures as they will be submitted, with what to do next."""
    if fresh:
        turn.start_flow(FLOW, {"id": secrets.token_hex(4), "period_key": occ.period_key, "step": "card",
                               "note": None, "nil": None, "nil_ok": False, "photos": []})
    draft = turn.draft
    draft["step"] = "card"
    figures, evidence, _ = await obligations.period_figures(turn.storage, occ, turn.user)
    lang = turn.lang
    lines = [turn.t("report-card", title=occ.title, start=logbook.day_text(lang, occ.period_start),
                    end=logbook.day_text(lang, occ.period_end), due=logbook.day_text(lang, occ.due_date)),
             logbook.format_measures(lang, figures, summed=True) or turn.t("card-no-figures"),
             turn.t("report-evidence", count=evidence + len(draft["photos"]))]
    if occ.who == "contact":  # the area's APP installs, a running total (宣传及APP安装情况)
        area = await logbook.area_of(turn.storage, turn.user.org_id)
        lines.append(await install_line(turn.storage, area, min(occ.period_end, turn.now.date()), lang))
    changes = await _changes(turn, occ)
    if changes:
        lines.append(f"⚠️ {changes}")
    if draft["note"]:
        lines.append(turn.t("report-note", note=draft["note"]))
    if draft["nil"]:
        lines.append(turn.t("report-nil", reason=draft["nil"]))
    if turn.now >= occ.due_at:
        lines.append(turn.t("report-will-be-late"))
    key = draft["id"]
    rows = [[turn.button("btn-submit", action(FLOW, "ok", key))],
            [turn.button("btn-add-note", action(FLOW, "note", key)), turn.button("btn-nil", action(FLOW, "nil", key))],
            [turn.button("btn-cancel", action(FLOW, "cancel", key))]]
    turn.say("\n".join(lines), rows)


async def _draft_occ(turn: Turn) -> Occurrence | None:
    """The period of this person's report draft, if there is one and it is still open."""
    key = turn.draft.get("period_key") if turn.flow == FLOW else None
    occ = await obligations.open_period(turn.svc, turn.user, turn.now, key) if key else None
    if occ is None:
        if turn.flow == FLOW:
            turn.end_flow()
        turn.say(turn.t("report-gone"))
    return occ


def _current(turn: Turn, draft_id: str) -> bool:
    """The button belongs to this person's report draft now going (not an earlier card)."""
    return turn.flow == FLOW and turn.draft.get("id") == draft_id


async def on_action(turn: Turn, verb: str, args: list[str]) -> None:
    """report:open, report:pick:<period key>, and the card's ok / note / nil / cancel :<draft id>."""
    if verb == "open" and not args:
        return await start_report(turn)
    if verb == "pick" and args:
        return await pick(turn, ":".join(args))
    if verb not in ("ok", "note", "nil", "nilok", "back", "cancel") or len(args) != 1:
        return turn.alert("button-expired")
    if not _current(turn, args[0]):
        return turn.alert("report-gone")  # an earlier card: the draft now going stays as it is
    if verb == "cancel":
        return cancel(turn)
    occ = await _draft_occ(turn)
    if occ is not None:
        await {"ok": confirm, "note": ask_note, "nil": ask_nil, "nilok": nil_confirmed,
               "back": show_card}[verb](turn, occ)


async def pick(turn: Turn, period_key: str) -> None:
    """Open the card of the chosen period (checked again: a forged key gets nothing)."""
    occ = await obligations.open_period(turn.svc, turn.user, turn.now, period_key)
    if occ is None:
        turn.say(turn.t("report-gone"))
        return
    await show_card(turn, occ, fresh=True)


async def confirm(turn: Turn, occ: Occurrence) -> None:
    """Submit the period with the draft's note, reason and photos, and say whether it was late."""
    draft = turn.draft
    sub = await obligations.submit(turn.storage, occ, turn.user, turn.now, draft["note"], draft["nil"],
                                   [NewPhoto(**p) for p in draft["photos"]])
    turn.end_flow()
    log.info("submission %s for %s by user %s (late=%s)", sub.id, occ.period_key, turn.user.id, sub.late)
    turn.say(turn.t("report-done-late" if sub.late else "report-done", title=occ.title,
                    due=logbook.day_text(turn.lang, occ.due_date)))


async def ask_note(turn: Turn, occ: Occurrence) -> None:
    """Ask for the note (photos welcome too)."""
    turn.draft["step"] = "note"
    turn.say(turn.t("report-ask-note"))


async def ask_nil(turn: Turn, occ: Occurrence) -> None:
    """Ask why there was no activity this period; if the period has figures, first ask
    (once) whether to report no activity all the same."""
    figures, _, _ = await obligations.period_figures(turn.storage, occ, turn.user)
    if any(figures.values()) and not turn.draft.get("nil_ok"):
        key = turn.draft["id"]
        turn.say(turn.t("report-nil-has-figures", figures=logbook.format_measures(turn.lang, figures, summed=True)),
                 [[turn.button("btn-nil-anyway", action(FLOW, "nilok", key)),
                   turn.button("btn-back", action(FLOW, "back", key))]])
        return
    turn.draft["step"] = "nil"
    turn.say(turn.t("report-ask-nil"))


async def nil_confirmed(turn: Turn, occ: Occurrence) -> None:
    """No activity all the same: the office will see it was reported over figures."""
    turn.draft["nil_ok"] = True
    await ask_nil(turn, occ)


def cancel(turn: Turn) -> None:
    """Drop the report draft; nothing is saved."""
    turn.end_flow()
    turn.say(turn.t("cancelled"))


async def on_input(turn: Turn) -> None:
    """Take the note (text, photos) or the no-activity reason, then show the card again."""
    step = turn.draft.get("step")
    if step == "card":
        return await turn.core.routes.free(turn)  # the card waits for a tap; this is a report of its own
    occ = await _draft_occ(turn)
    if occ is None:
        return
    ev, draft = turn.event, turn.draft
    text = (ev.text or "").strip()
    if step == "note" and (ev.photo or text):
        if ev.photo:
            add_photo(turn, draft["photos"])
        if text:
            draft["note"] = text[:MAX_NOTE]
        return await show_card(turn, occ)
    if step == "nil" and text and not ev.photo:
        draft["nil"] = text[:MAX_REASON]
        return await show_card(turn, occ)
    turn.say(turn.t("report-ask-note" if step == "note" else "report-ask-nil"))
