"""Clear what has expired: one-line cards nobody used within their life, used ones once their
message can no longer be edited (Telegram allows edits for 48 hours), and evidence files
nothing refers to any more (hourly: that lists the whole folder)."""
from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)
EDITABLE = timedelta(hours=48)
SWEEP_EVERY = timedelta(hours=1)
_swept: dict[Path, datetime] = {}  # per evidence folder; a restart sweeps at once, which harms nothing


async def run_tidy(services) -> int:
    from handlers.quick import CARD_LIFE

    now = services.clock.now()
    dropped = await services.storage.conversations.drop_old_cards(now - CARD_LIFE, now - EDITABLE)
    if dropped:
        log.info("%d old one-line cards cleared", dropped)
    await sweep(services)
    return dropped


async def sweep(services, force: bool = False) -> int:
    """Delete the evidence files that no entry, report, open card, draft or waiting photo
    refers to and that nobody has sent for CARD_LIFE (a photo is written before its event
    commits, and a card can take it until then); returns how many. At most hourly."""
    from handlers.evidence import evidence_dir, recount
    from handlers.quick import CARD_LIFE, PHOTO_WAIT

    now, folder = services.clock.now(), evidence_dir(services.settings)
    last = _swept.get(folder)
    if not folder.exists() or (not force and last is not None and now - last < SWEEP_EVERY):
        return 0
    _swept[folder] = now
    quiet_since = (now - max(CARD_LIFE, PHOTO_WAIT)).timestamp()
    old = [e.name for e in os.scandir(folder) if e.is_file() and e.stat().st_mtime < quiet_since]
    wanted = await services.storage.evidence.referenced([n.split(".")[0] for n in old]) if old else set()
    # No await from here on: an event cannot take one of these files while they are deleted,
    # and one it took during the query above was touched, so it is spared.
    gone = 0
    for name in old:
        path = folder / name
        if (name.endswith(".jpg") and name[:-4] in wanted) or path.stat().st_mtime >= quiet_since:
            continue
        path.unlink()
        gone += 1
    recount(folder)
    if gone:
        log.info("%d evidence files nothing refers to were deleted", gone)
    return gone
