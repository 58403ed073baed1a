"""Build the Telegram Application: storage, handlers, rate limiter, scheduled jobs."""
from __future__ import annotations

import asyncio
import logging

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

from storage import Storage

from .clock import Clock, SystemClock
from .config import Settings
from .services import Services

log = logging.getLogger(__name__)
TICK_SECONDS = 60  # how often the scheduler looks at what is due


def build_application(settings: Settings, clock: Clock | None = None,
                      request: BaseRequest | None = None, token: str | None = None) -> Application:
    """Assemble the bot. Tests pass a recording `request` and a fake `clock`."""
    from handlers import register_all
    from handlers.persistence import SqlitePersistence

    clock = clock or SystemClock(settings.tz)
    secret = token or (settings.telegram_bot_token.get_secret_value()
                       if settings.telegram_bot_token else None)
    if not secret:
        raise ValueError("TELEGRAM_BOT_TOKEN is required")
    builder: ApplicationBuilder = (
        Application.builder().token(secret)
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.rate_limit_per_second,
                                     overall_time_period=1, max_retries=3))
        .post_init(_open(settings, clock)).post_shutdown(_close)
        .persistence(SqlitePersistence(settings.database_path))
    )
    if settings.bot_api_base_url:
        builder = builder.base_url(settings.bot_api_base_url)
    if settings.file_url:
        builder = builder.base_file_url(settings.file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    register_all(app)
    app.job_queue.run_repeating(tick, interval=TICK_SECONDS, first=2, name="tick",
                                job_kwargs={"misfire_grace_time": TICK_SECONDS, "coalesce": True})
    return app


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One scheduler round; a round still running (a long fan-out) makes the next one skip."""
    from handlers.sender import TelegramSender
    from schedules import run_due

    app = context.application
    lock: asyncio.Lock = app.bot_data.setdefault("tick_lock", asyncio.Lock())
    if lock.locked():
        return
    async with lock:
        svc = app.bot_data["svc"]
        await run_due(svc, TelegramSender(app.bot, svc.storage, svc.clock))


def _open(settings: Settings, clock: Clock):
    async def post_init(app: Application) -> None:
        from .obligations import calendar_of
        from .progress import targets_of

        storage = await Storage.open(settings.database_path)
        services = Services(settings=settings, storage=storage, clock=clock)
        calendar_of(services), targets_of(services)  # read once; a bad file fails here, not mid-round
        app.bot_data["svc"] = services
        unknown = targets_of(services).orgs() - set(await storage.orgs.parent_codes())
        if unknown:  # a typo in TARGETS_FILE would silently fall back to the defaults
            log.warning("targets name org codes the tree does not have: %s", ", ".join(sorted(unknown)))
        lost = await storage.ledger.pending()
        if lost:  # at most once: a message that may or may not have gone out is not sent again
            log.warning("%d scheduled messages were in flight at the last stop and are not resent", len(lost))
        log.info("bot @%s ready; database %s", app.bot.username, settings.database_path)

    return post_init


async def _close(app: Application) -> None:
    svc = app.bot_data.get("svc")
    if svc is not None:
        await svc.storage.close()
