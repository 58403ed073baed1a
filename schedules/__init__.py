"""Scheduled work under PTB's JobQueue: one repeating tick that derives what is due.

APScheduler forgets its jobs on restart and by default drops a run that starts more
than a second late, so no job carries state: each tick asks the calendar, the clock
and the database what is due now (reminders, office summaries, the nightly backup)."""
from __future__ import annotations

import asyncio
import logging

from telegram.ext import Application, ContextTypes

log = logging.getLogger(__name__)
TICK_SECONDS = 60


async def run_due(services, sender) -> dict:
    """Do everything that is due now. Each part logs and survives the others' failures."""
    from .backup import run_backup
    from .reminders import run_reminders
    from .summaries import run_summaries

    results = {}
    for name, work in (("reminders", lambda: run_reminders(services, sender)),
                       ("summaries", lambda: run_summaries(services, sender)),
                       ("backup", lambda: run_backup(services))):
        try:
            results[name] = await work()
        except Exception:
            log.exception("scheduled %s failed; will try again next tick", name)
    return results


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One scheduler round; a round still running (a long fan-out) makes the next one skip."""
    from handlers.sender import TelegramSender

    app = context.application
    lock: asyncio.Lock = app.bot_data.setdefault("tick_lock", asyncio.Lock())
    if lock.locked():
        return
    async with lock:
        svc = app.bot_data["svc"]
        await run_due(svc, TelegramSender(app.bot, svc.storage, svc.clock))


def install(app: Application) -> None:
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is required")
    app.job_queue.run_repeating(tick, interval=TICK_SECONDS, first=2, name="tick",
                                job_kwargs={"misfire_grace_time": TICK_SECONDS, "coalesce": True})
