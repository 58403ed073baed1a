"""The Telegram channel: long polling, updates to the conversation core through the inbox,
its replies rendered, plus the outbox's Telegram sender. Storage and the scheduler belong to
the runner (bot/runner.py), shared by every channel: PTB only talks to the Bot API.

    getUpdates(offset) ──batch──> events (photos downloaded) ──record in the inbox──┐
          ^                                                                          │
          └─── the next offset, which confirms the batch to Telegram, only now ◄─────┘
                                      └──> each event in its chat's lane ──> core ──> render

The polling loop is ours, not PTB's Updater, because of what confirms a batch. Telegram
forgets every update below the offset of the next getUpdates, and the Updater asks for that
offset as soon as it has queued a batch, before any of it is handled or stored: a crash then
lost the batch (15.7 % of actions over 87 kills). A custom update processor cannot close
that window (it runs after the Updater has moved on), and a request wrapper that holds the
next getUpdates back would have to guess which updates are still on their way. Here the loop
records the whole batch (channels.Inbound.record) before it asks for the next offset, so
whatever Telegram has forgotten is in the inbox; what it delivers again is recognised there.

At start-up one try reaches the Bot API: a rejected token stops start-up (Refused, exit 2);
no route is one line and a hint (channels.Reach), and the channel keeps trying with backoff
in the background while the scheduler and the other channels run. A token rejected later
(once a route is found, or revoked while running) stops the bot the same way, through
`refusal`, which the runner watches. Once connected it first handles what the last run left
in the inbox, then polls. Another process polling the same bot (409 Conflict) is said once,
plainly, and polling goes on trying with backoff."""
from __future__ import annotations

import asyncio
import logging
import warnings

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot.config import Settings
from handlers.core import Caps, Core, Event, Reply

from .. import Inbound, Reach, Refused, backoff
from .adapter import NAME, to_event
from .pace import Pace
from .render import render
from .sender import TelegramSender

log = logging.getLogger(__name__)
POLL_SECONDS = 10             # a long poll waits this long for updates
BACKOFF = (1.0, 60.0)         # seconds between tries while the Bot API cannot be reached
HANDLERS_WAIT = 10.0          # on stop, updates being handled get this long to finish
DEFAULT_ADDRESS = "https://api.telegram.org/bot"
HINT = ("Telegram: where api.telegram.org is blocked, set BOT_API_BASE_URL to a Bot API server this "
        "machine can reach (e.g. http://127.0.0.1:8081/bot for a local telegram-bot-api), or run on "
        "WeCom instead (WECOM_BOT_ID and WECOM_BOT_SECRET)")


def caps(app: Application) -> Caps:
    username = app.bot.username if app.bot._bot_user else None  # known once initialised
    return Caps(buttons=True, edits=True, location=True,
                invite_link=lambda code: f"https://t.me/{username}?start={code}" if username else None)


def build_application(settings: Settings, request: BaseRequest | None = None,
                      token: str | None = None) -> Application:
    """Assemble PTB's Application, without a JobQueue (the runner ticks the scheduler for
    every channel) and without an Updater (TelegramChannel polls). Tests pass a recording
    `request` and feed updates to `process_update`; the core goes in bot_data['core']."""
    secret = token or (settings.telegram_bot_token.get_secret_value()
                       if settings.telegram_bot_token else None)
    if not secret:
        raise ValueError("TELEGRAM_BOT_TOKEN is required")
    builder: ApplicationBuilder = (
        Application.builder().token(secret).job_queue(None).updater(None)
        .rate_limiter(Pace(settings.rate_limit_per_second))
    )
    if settings.bot_api_base_url:
        builder = builder.base_url(settings.bot_api_base_url)
    if settings.file_url:
        builder = builder.base_file_url(settings.file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    app.bot_data["inbound"] = Inbound(NAME, lambda: app.bot_data["core"])
    app.bot_data["keyboards"] = set()
    app.add_handler(TypeHandler(Update, on_update))
    app.add_error_handler(on_error)
    return app


class Answer:
    """Where the replies to one update go: its chat, and for a tap the pop-up and the card it
    edits. An event handled after a restart has no tap to answer: its replies are new messages."""

    def __init__(self, app: Application, event: Event, query=None) -> None:
        self.app, self.event, self.query = app, event, query

    async def now(self, reply: Reply) -> None:
        await render(self.app.bot, self.event, None, [reply], self.app.bot_data["keyboards"])

    async def render(self, replies: list[Reply]) -> None:
        await render(self.app.bot, self.event, self.query, replies, self.app.bot_data["keyboards"])


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An update fed to the Application (tests, benches): recorded, then handled, as polled ones are."""
    event = await to_event(update)
    if event is None:
        return
    inbound: Inbound = context.application.bot_data["inbound"]
    if await inbound.record([event]):
        await inbound.handle(event, Answer(context.application, event, update.callback_query))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what escaped the core (rendering, the network); nothing is swallowed."""
    log.error("error while handling a Telegram update", exc_info=context.error)


def address(settings: Settings) -> str:
    """The Bot API address as it may be logged: the base URL, which never holds the token."""
    return settings.bot_api_base_url or DEFAULT_ADDRESS


class TelegramChannel:
    """Telegram for the runner: connect (getMe), resume the inbox, poll; stop in reverse."""

    name = NAME

    def __init__(self, settings: Settings, request: BaseRequest | None = None,
                 retry: tuple[float, float] = BACKOFF) -> None:
        self.app = build_application(settings, request)
        self.inbound: Inbound = self.app.bot_data["inbound"]
        self.sender = TelegramSender(self.app.bot, ready=lambda: self.online)
        self.caps = Caps()  # the real ones once the bot's name is known
        self.online = False
        self.reach = Reach("Telegram", address(settings), HINT)
        self.retry = retry
        self._task: asyncio.Task | None = None
        self.refusal: asyncio.Future | None = None  # Refused, once the token is rejected after start

    async def start(self, core: Core) -> None:
        """Try the Bot API once; a rejected token is Refused. Then connect (if that try failed),
        resume and poll in the background."""
        self.app.bot_data["core"] = core
        core.add_channel(NAME, self.caps)
        self.refusal = asyncio.get_running_loop().create_future()
        connected = await self._connect()
        self._task = asyncio.create_task(self._run(connected))

    async def _connect(self) -> bool:
        try:
            await self.app.initialize()  # getMe: who we are (the invite link needs the name)
        except InvalidToken:  # PTB's message quotes the token: never let it reach the terminal
            raise Refused("TELEGRAM_BOT_TOKEN: rejected by the Bot API") from None
        except TelegramError as err:  # no route, a timeout, the server's own trouble
            self.reach.failed(err)
            return False
        self.reach.reached()
        self.online = True
        self.caps = caps(self.app)
        self.app.bot_data["core"].add_channel(NAME, self.caps)
        log.info("Telegram connected as @%s (long polling)", self.app.bot.username)
        return True

    async def _run(self, connected: bool) -> None:
        delays = backoff(*self.retry)
        while not connected:
            await asyncio.sleep(next(delays))
            try:
                connected = await self._connect()
            except Refused as err:  # reachable at last, and the token is wrong: stop the bot
                self._refused(err)
                return
        # shielded: a stop while resuming lets it finish (Inbound.drain), as any handling
        await asyncio.shield(self.inbound.resume(lambda event: Answer(self.app, event)))
        await self._poll()

    async def _poll(self) -> None:
        """Long-poll for ever. A batch is confirmed (the next offset) only once it is recorded."""
        offset: int | None = None  # None: whatever Telegram has not seen confirmed
        delays, conflict = None, False
        while True:
            try:
                updates = await self.app.bot.get_updates(offset=offset, timeout=POLL_SECONDS,
                                                         allowed_updates=Update.ALL_TYPES)
            except InvalidToken:  # revoked while running
                self.online = False
                self._refused(Refused("TELEGRAM_BOT_TOKEN: rejected by the Bot API"))
                return
            except RetryAfter as err:
                await asyncio.sleep(_seconds(err))
                continue
            except Conflict:  # sending still works: only the updates go to the other process
                delays = delays or backoff(*self.retry)
                delay = next(delays)
                if not conflict:
                    conflict = True
                    log.error("Telegram: another process is polling this bot (409 Conflict): updates go to it, "
                              "not to this one; stop the other one (one process per bot token). Trying again "
                              "in %.0f s, and on with backoff", delay)
                await asyncio.sleep(delay)
                continue
            except TelegramError as err:  # lost the route, timed out
                self.online = False
                delays = delays or backoff(*self.retry)
                delay = next(delays)
                self.reach.failed(err, delay)
                await asyncio.sleep(delay)
                continue
            if conflict:
                log.warning("Telegram: polling again; the other process has stopped")
                conflict = False
            if delays is not None:
                self.reach.reached()
                delays = None
            self.online = True
            if not updates:
                continue
            try:
                await self._take(updates)
            except Exception:  # not recorded, so not confirmed: Telegram delivers the batch again
                log.exception("Telegram: a batch of updates could not be taken; asking for it again")
                await asyncio.sleep(self.retry[0])
                continue
            offset = updates[-1].update_id + 1

    def _refused(self, err: Refused) -> None:
        """Stop the bot on a rejected token (the runner says it, last, and exits 2)."""
        self.online = False
        if self.refusal is not None and not self.refusal.done():
            self.refusal.set_exception(err)

    async def _take(self, updates: list[Update]) -> None:
        """Record the batch (its photos downloaded first), then hand each new event to its lane."""
        events = await asyncio.gather(*(_event(u) for u in updates))
        taken = [(u, e) for u, e in zip(updates, events) if e is not None]
        new = {e.event_id for e in await self.inbound.record([e for _, e in taken])}
        for update, event in taken:
            if event.event_id in new:
                self.inbound.spawn(event, Answer(self.app, event, update.callback_query))

    async def stop(self) -> None:
        """Stop polling (a batch not yet recorded is not confirmed: Telegram delivers it again),
        let what is being handled finish a while, then close."""
        self.online = False
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.inbound.drain(HANDLERS_WAIT)
        if self.app._initialized:
            await self.app.shutdown()
        else:
            await self.app.bot.shutdown()


async def _event(update: Update) -> Event | None:
    """The update as an event; one the adapter cannot read is logged and left out."""
    try:
        return await to_event(update)
    except Exception:
        log.exception("Telegram update %s could not be read; skipped", update.update_id)
        return None


def _seconds(err: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
        warnings.simplefilter("ignore")
        value = err.retry_after
        return float(value.total_seconds() if hasattr(value, "total_seconds") else value)


async def bot_username(settings: Settings) -> str | None:
    """Ask the Bot API who we are; quietly None when there is no token or no network."""
    from telegram import Bot

    if settings.telegram_bot_token is None:
        return None
    kwargs = {"base_url": settings.bot_api_base_url} if settings.bot_api_base_url else {}
    try:
        async with Bot(settings.telegram_bot_token.get_secret_value(), **kwargs) as bot:
            return bot.username
    except (TelegramError, OSError):
        return None
