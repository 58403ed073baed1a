"""Being ported to the conversation core (handlers/core.py); the earlier PTB version is
`git show HEAD:handlers/log.py`."""
from __future__ import annotations

from .core import Turn


async def _todo(turn: Turn, *args) -> None:
    raise NotImplementedError("handlers/log.py is being ported")

show_menu = start_kind = on_input = _todo
on_action = _todo
