"""Scheduled work, channel-independent: `run_due` does whatever is due now.

No job carries state (a scheduler library forgets its jobs on restart, and may drop a run
that starts late): each tick (bot/runner.py's Ticker, one for every channel) asks the
calendar, the clock and the database what is due now
(reminders, office summaries, the nightly backup, clearing expired cards), queues the messages in the outbox,
and sends what the outbox holds through `senders`: {channel name: Sender}."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


async def run_due(services, senders: dict) -> dict:
    """Do everything that is due now. Each part logs and survives the others' failures."""
    from .backup import run_backup
    from .outbox import drain
    from .reminders import run_reminders
    from .summaries import run_summaries
    from .tidy import run_tidy
    from .warnings import run_warnings

    results = {}
    for name, work in (("reminders", lambda: run_reminders(services)),
                       ("summaries", lambda: run_summaries(services)),
                       ("warnings", lambda: run_warnings(services)),
                       ("sent", lambda: drain(services, senders)),
                       ("backup", lambda: run_backup(services)),
                       ("tidy", lambda: run_tidy(services))):
        try:
            results[name] = await work()
        except Exception:
            log.exception("scheduled %s failed; will try again next tick", name)
    return results
