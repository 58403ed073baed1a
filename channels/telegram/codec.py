"""Callback data: 'v1:' + the core's action, at most 64 bytes. Anything else is not ours."""
from __future__ import annotations

from handlers.core import valid_action

VERSION = "v1:"


def encode(action: str) -> str:
    data = VERSION + action
    if len(data.encode()) > 64 or not valid_action(action):
        raise ValueError(f"callback data too long or malformed: {data!r}")
    return data


def decode(data: str | None) -> str:
    """The action inside; '' (which the core answers as an expired button) for anything
    forged, outdated or malformed."""
    if not data or not data.startswith(VERSION) or len(data.encode()) > 64:
        return ""
    action = data[len(VERSION):]
    return action if valid_action(action) else ""
