"""Being ported to the conversation core (handlers/core.py); the earlier PTB version is
`git show HEAD:handlers/admin.py`."""
from __future__ import annotations

from .core import Turn


async def _todo(turn: Turn, *args) -> None:
    raise NotImplementedError("handlers/admin.py is being ported")

invite = users = bind_office = on_action = _todo
