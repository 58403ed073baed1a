"""The channel-neutral half of start-up: storage, calendars, the conversation core."""
from __future__ import annotations

import logging

from storage import Storage

from .clock import Clock
from .config import Settings
from .services import Services

log = logging.getLogger(__name__)
TICK_SECONDS = 60  # how often the scheduler looks at what is due


async def open_services(settings: Settings, clock: Clock) -> Services:
    """Open the database and read the calendar and targets once (a bad file fails here)."""
    from .obligations import calendar_of
    from .progress import targets_of

    storage = await Storage.open(settings.database_path)
    services = Services(settings=settings, storage=storage, clock=clock)
    calendar_of(services), targets_of(services)
    unknown = targets_of(services).orgs() - set(await storage.orgs.parent_codes())
    if unknown:  # a typo in TARGETS_FILE would silently fall back to the defaults
        log.warning("targets name org codes the tree does not have: %s", ", ".join(sorted(unknown)))
    # At least once: a message in flight at the last stop may or may not have gone out, and a
    # missed reminder costs more than a doubled one. Before any sender runs (see the repo).
    again, gave_up = await storage.outbox.requeue_in_flight(clock.now())
    if again:
        log.warning("%d scheduled messages were in flight at the last stop: sending them again "
                    "(some may arrive twice)", again)
    if gave_up:
        log.warning("%d scheduled messages were in flight at the last stop once too often: given up", gave_up)
    return services
