"""Small pieces several features share."""
from __future__ import annotations

from bot import logbook
from bot.i18n import t
from bot.kinds import KINDS

from .core import Turn


def describe_entry(lang: str, entry) -> str:
    """'入户走访 入户 15户': how a saved, undone or restored entry is named to its author.
    A kind of one measure is named once: '广播 2次', not '广播 广播 2次'."""
    name = t(lang, f"kind-{entry.kind}")
    measures = KINDS[entry.kind].measures
    given = [k for k, v in entry.measures.items() if v]
    if len(measures) == 1 and given == list(measures):
        m = measures[0]
        return t(lang, "measure-value", measure=name, value=entry.measures[m], unit=t(lang, f"u-{m}"))
    return f"{name} {logbook.format_measures(lang, entry.measures)}"


async def cancel(turn: Turn) -> None:
    """Leave whatever flow is in progress, or else drop the newest open card; nothing is saved."""
    from .quick import cancel_newest  # here: quick imports log, which imports this module

    had = turn.flow is not None
    turn.end_flow()
    if not had and await cancel_newest(turn):  # 取消 typed after the card's buttons were replaced
        return
    turn.say(turn.t("cancelled" if had else "nothing-to-cancel"))
