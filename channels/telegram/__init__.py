"""The Telegram channel: a PTB Application that feeds updates to the conversation core,
renders its replies, sends the outbox and ticks the scheduler (PTB's JobQueue)."""
from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot.app import TICK_SECONDS, open_services
from bot.clock import Clock, SystemClock
from bot.config import Settings
from handlers.core import Caps

from .adapter import NAME, to_event
from .processor import PerChatUpdates
from .render import render
from .sender import TelegramSender

log = logging.getLogger(__name__)


def caps(app: Application) -> Caps:
    username = app.bot.username if app.bot._bot_user else None  # known once initialised
    return Caps(buttons=True, edits=True, location=True,
                invite_link=lambda code: f"https://t.me/{username}?start={code}" if username else None)


def build_application(settings: Settings, clock: Clock | None = None,
                      request: BaseRequest | None = None, token: str | None = None) -> Application:
    """Assemble the bot. Tests pass a recording `request` and a fake `clock`."""
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
        .concurrent_updates(PerChatUpdates())
    )
    if settings.bot_api_base_url:
        builder = builder.base_url(settings.bot_api_base_url)
    if settings.file_url:
        builder = builder.base_file_url(settings.file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    app.add_handler(TypeHandler(Update, on_update))
    app.add_error_handler(on_error)
    app.job_queue.run_repeating(tick, interval=TICK_SECONDS, first=2, name="tick",
                                job_kwargs={"misfire_grace_time": TICK_SECONDS, "coalesce": True})
    return app


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hand the update to the core as an event and render what it answers."""
    event = await to_event(update)
    if event is None:
        return
    keyboards = context.application.bot_data.setdefault("keyboards", set())

    async def send_now(reply) -> None:
        await render(context.bot, event, None, [reply], keyboards)

    replies = await context.application.bot_data["core"].handle(event, send_now)
    await render(context.bot, event, update.callback_query, replies, keyboards)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what escaped the core (rendering, the network); nothing is swallowed."""
    log.error("error while handling a Telegram update", exc_info=context.error)


def senders(app: Application) -> dict:
    return {NAME: TelegramSender(app.bot)}


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One scheduler round; a round still running (a long fan-out) makes the next one skip."""
    from schedules import run_due

    app = context.application
    lock: asyncio.Lock = app.bot_data.setdefault("tick_lock", asyncio.Lock())
    if lock.locked():
        return
    async with lock:
        await run_due(app.bot_data["svc"], senders(app))


def _open(settings: Settings, clock: Clock):
    async def post_init(app: Application) -> None:
        from handlers import build_core

        services = await open_services(settings, clock)
        core = build_core(services)
        core.add_channel(NAME, caps(app))
        app.bot_data.update(svc=services, core=core)
        log.info("bot @%s ready; database %s", app.bot.username, settings.database_path)

    return post_init


async def _close(app: Application) -> None:
    svc = app.bot_data.get("svc")
    if svc is not None:
        await svc.storage.close()


def run(settings: Settings) -> int:
    """Long polling until stopped; 2 for a token the Bot API rejects, 1 for another failure."""
    import sys

    from telegram.error import InvalidToken

    app = build_application(settings)
    log.info("starting long polling")
    try:
        app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    except InvalidToken:  # PTB's message quotes the token: never let it reach the terminal
        print("configuration error: TELEGRAM_BOT_TOKEN: rejected by the Bot API", file=sys.stderr)
        return 2
    except Exception:
        log.exception("the bot stopped on an error")  # through the redacting formatter
        return 1
    return 0


async def bot_username(settings: Settings) -> str | None:
    """Ask the Bot API who we are; quietly None when there is no token or no network."""
    from telegram import Bot
    from telegram.error import TelegramError

    if settings.telegram_bot_token is None:
        return None
    kwargs = {"base_url": settings.bot_api_base_url} if settings.bot_api_base_url else {}
    try:
        async with Bot(settings.telegram_bot_token.get_secret_value(), **kwargs) as bot:
            return bot.username
    except (TelegramError, OSError):
        return None
