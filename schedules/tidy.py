"""Clear what has expired: one-line cards nobody used within their life, used ones once their
message can no longer be edited (Telegram allows edits for 48 hours), evidence files nothing
refers to any more, and the inbox's marks of events done long ago (these two hourly: each
goes through all it has)."""
from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

log = logging.getLogger(__name__)
EDITABLE = timedelta(hours=48)
SWEEP_EVERY = timedelta(hours=1)
# An inbox row is the mark that recognises an event delivered again; Telegram redelivers
# within a day at most (updates are kept 24 hours), WeCom within seconds: a week is ample.
INBOX_KEEP = timedelta(days=7)
_swept: dict[Path, datetime] = {}  # per evidence folder; a restart sweeps at once, which harms nothing
_pruned: dict[Path, datetime] = {}  # per database, the same way


async def run_tidy(services) -> int:
    from handlers.quick import CARD_LIFE

    now = services.clock.now()
    dropped = await services.storage.conversations.drop_old_cards(now - CARD_LIFE, now - EDITABLE)
    if dropped:
        log.info("%d old one-line cards cleared", dropped)
    await sweep(services)
    await prune_inbox(services)
    return dropped


async def prune_inbox(services, force: bool = False) -> int:
    """Delete the inbox marks of events handled more than INBOX_KEEP ago; at most hourly."""
    now, path = services.clock.now(), services.settings.database_path
    last = _pruned.get(path)
    if not force and last is not None and now - last < SWEEP_EVERY:
        return 0
    _pruned[path] = now
    gone = await services.storage.inbox.prune(now - INBOX_KEEP)
    if gone:
        log.info("%d inbox marks of events done over %d days ago were deleted", gone, INBOX_KEEP.days)
    return gone


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
