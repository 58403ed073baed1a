"""Clear what has expired: one-line cards nobody used within their life."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


async def run_tidy(services) -> int:
    from handlers.quick import CARD_LIFE

    dropped = await services.storage.conversations.drop_cards_before(services.clock.now() - CARD_LIFE)
    if dropped:
        log.info("%d expired one-line cards cleared", dropped)
    return dropped
