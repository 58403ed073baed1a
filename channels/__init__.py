"""Chat channels: thin adapters between a chat service and the conversation core.

Each adapter turns what its service delivers into `handlers.core.Event`s, renders the
core's `Reply`s with what the service can show, and sends the outbox's messages
(`Sender`). Only code under channels/<name>/ imports that service's library."""
from __future__ import annotations

from typing import Protocol

from bot.i18n import t
from handlers.core import Button, Reply, numbered


class Sender(Protocol):
    """What the outbox needs of a channel: 'sent', 'blocked' (recorded, never retried),
    'unreachable' (refused, not retried) or 'failed' (tried again later)."""

    async def send(self, chat_id: str, texts: list[str], buttons: list[list[Button]]) -> str: ...
    # A message nobody asked for is read later, out of its context: its choices are words
    # to type (numbered=False), never numbers a stray reply could hit.


def choices_text(lang: str, buttons: list[list[Button]], by_number: bool = True) -> str:
    """Buttons as text for a channel without them: '回复 1 保存 / 2 修改 / 3 取消', or the
    labels alone when they are numbers already, or must be typed ('可回复：1 / 2 / 没有')."""
    labels = [b.label for row in buttons for b in row]
    if not labels:
        return ""
    if by_number and numbered(labels):
        return t(lang, "choices-numbered", choices=" / ".join(f"{n} {label}" for n, label in enumerate(labels, 1)))
    return t(lang, "choices-words", choices=" / ".join(labels))


def as_text(reply: Reply) -> str:
    """The whole reply as plain text: its text, then its choices."""
    choices = choices_text(reply.lang, reply.buttons, reply.numbered)
    return f"{reply.text}\n{choices}" if choices and reply.text else (reply.text or choices)
