"""Being ported to the conversation core (handlers/core.py); the earlier PTB version is
`git show HEAD:handlers/mine.py`."""
from __future__ import annotations

from .core import Turn


async def _todo(turn: Turn, *args) -> None:
    raise NotImplementedError("handlers/mine.py is being ported")

mine = stats = on_input = on_action = _todo
