"""Clear what has expired: one-line cards nobody used within their life, and used ones
once their message can no longer be edited (Telegram allows edits for 48 hours)."""
from __future__ import annotations

import logging
from datetime import timedelta

log = logging.getLogger(__name__)
EDITABLE = timedelta(hours=48)


async def run_tidy(services) -> int:
    from handlers.quick import CARD_LIFE

    now = services.clock.now()
    dropped = await services.storage.conversations.drop_old_cards(now - CARD_LIFE, now - EDITABLE)
    if dropped:
        log.info("%d old one-line cards cleared", dropped)
    return dropped
