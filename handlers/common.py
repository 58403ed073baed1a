"""Small pieces several features share."""
from __future__ import annotations

from bot import logbook

from .core import Turn


def describe_entry(lang: str, entry) -> str:
    """'入户走访 入户 15户': how a saved, undone or restored entry is named to its author."""
    from bot.i18n import t
    return f"{t(lang, f'kind-{entry.kind}')} {logbook.format_measures(lang, entry.measures)}"


async def cancel(turn: Turn) -> None:
    """Leave whatever flow is in progress; nothing is saved."""
    had = turn.flow is not None
    turn.end_flow()
    turn.say(turn.t("cancelled" if had else "nothing-to-cancel"))
