"""The Telegram channel: a PTB Application that long-polls, feeds updates to the conversation
core and renders its replies, plus the outbox's Telegram sender. Storage and the scheduler
belong to the runner (bot/runner.py), shared by every channel: PTB only polls and sends."""
from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot.config import Settings
from handlers.core import Caps, Core

from .. import Refused
from .adapter import NAME, to_event
from .processor import PerChatUpdates
from .render import render
from .sender import TelegramSender

log = logging.getLogger(__name__)


def caps(app: Application) -> Caps:
    username = app.bot.username if app.bot._bot_user else None  # known once initialised
    return Caps(buttons=True, edits=True, location=True,
                invite_link=lambda code: f"https://t.me/{username}?start={code}" if username else None)


def build_application(settings: Settings, request: BaseRequest | None = None,
                      token: str | None = None) -> Application:
    """Assemble PTB's Application, without a JobQueue: the runner ticks the scheduler for
    every channel. Tests pass a recording `request`; the core goes in bot_data['core']."""
    secret = token or (settings.telegram_bot_token.get_secret_value()
                       if settings.telegram_bot_token else None)
    if not secret:
        raise ValueError("TELEGRAM_BOT_TOKEN is required")
    builder: ApplicationBuilder = (
        Application.builder().token(secret).job_queue(None)
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.rate_limit_per_second,
                                     overall_time_period=1, max_retries=3))
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


class TelegramChannel:
    """Telegram for the runner: PTB's manual lifecycle (initialize, start, poll; stop in reverse)."""

    name = NAME

    def __init__(self, settings: Settings, request: BaseRequest | None = None) -> None:
        self.app = build_application(settings, request)
        self.sender = TelegramSender(self.app.bot)
        self.caps = Caps()  # the real ones once the bot's name is known (start)
        self.online = False

    async def start(self, core: Core) -> None:
        """Ask Telegram who we are, then long-poll; a rejected token is Refused."""
        from telegram.error import InvalidToken

        self.app.bot_data["core"] = core
        try:
            await self.app.initialize()
        except InvalidToken:  # PTB's message quotes the token: never let it reach the terminal
            raise Refused("TELEGRAM_BOT_TOKEN: rejected by the Bot API") from None
        self.caps = caps(self.app)
        core.add_channel(NAME, self.caps)
        await self.app.start()
        await self.app.updater.start_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
        self.online = True
        log.info("Telegram connected as @%s (long polling)", self.app.bot.username)

    async def stop(self) -> None:
        self.online = False
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()


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
