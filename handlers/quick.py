"""Being ported to the conversation core (handlers/core.py); the earlier PTB version is
`git show HEAD:handlers/quick.py`."""
from __future__ import annotations

from .core import Turn


async def _todo(turn: Turn, *args) -> None:
    raise NotImplementedError("handlers/quick.py is being ported")

on_free = on_input = on_action = _todo
