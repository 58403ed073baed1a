"""The WeCom (企业微信) channel: a 智能机器人 on its long connection, through the official SDK
(`aibot`). It needs no public URL, no callback encryption and no trusted IP, so it runs
from an office's own machine.

    WeCom ──callback──> _on_frame ──> adapter.to_events ──> recorded in the inbox (Inbound)
            │                     (images, files fetched, decrypted)  │
            │             its chat's lane, in arrival order, MOST_HANDLED at once ──Event──> core
          <─┼──respond / update card / send── sender.Answer <──Replies──┘
          <─┘ a tap's "处理中…" card after TAP_GRACE when the answer is late (sender.TapWindow)
    outbox ──> sender.WeComSender ──paced per chat──> send_message

WeCom's long connection has no acknowledgement of a callback to hold back: the SDK sends
none (a reply is optional), and nothing documented says WeCom sends a callback again
(should it, the inbox knows its msgid). A callback is therefore ours once it has reached
this process, and the window in which a crash loses it runs from its arrival to its inbox
row: fetching and decrypting its images, and one short write. Recording starts on arrival,
in a task of its own, never behind the chat's earlier messages still being handled. After
the row nothing is lost: the first connection of a run handles what the last run left
(Inbound.resume) before any new callback, and answers with new messages (a callback's
req_id does not outlive its connection).

The connection is kept here, not by the SDK (whose reconnection is switched off): the SDK
misses a clean close (its receive loop just ends) and nests each retry inside the last.
`_keep_connected` connects, notices a lost link (at once when the SDK reports it, within
WATCH_SECONDS when it does not) and connects again with backoff. A connection that cannot be
made is one line and a hint (channels.Reach); start-up goes on after that first try, and the
tries go on in the background. Messages queued in the
outbox meanwhile wait ('later'). One live connection per bot: when a second process
connects with the same bot, WeCom tells this one (disconnected_event) and closes it; this
one then stops using WeCom instead of taking the connection back."""
from __future__ import annotations

import asyncio
import logging

import aibot.ws
from aibot import WSClient, WSClientOptions

from bot.config import Settings
from handlers.core import Caps, Core, Event

from .. import Inbound, Reach, Refused, backoff
from .adapter import NAME, chat_of, obj, tapped_card, to_events
from .sender import Answer, Callback, Pacer, WeComSender

log = logging.getLogger(__name__)
# edits: a tapped card is updated. max_file_bytes: a zip planned to it (its size estimated)
# stays under WeCom's 20 MB a file, whichever MB WeCom means.
CAPS = Caps(buttons=True, edits=True, location=False, max_file_bytes=19 << 20)
WATCH_SECONDS = 5.0           # how soon a link the SDK lost quietly is noticed
BACKOFF = (1.0, 30.0)         # seconds between connection attempts: first, doubling up to the last
CONNECT_WAIT = 30.0           # start-up waits this long for the first connection, then goes on
SUBSCRIBE_WAIT = 10.0         # a connection whose subscription WeCom has not answered by then is given up
TAP_GRACE = 3.0               # a tap's card is updated by then (WeCom takes it within 5 s): "处理中…" if the answer is late
HEARTBEAT = 30.0              # seconds between the SDK's pings (WeCom closes a connection that stops them)
MOST_HANDLED = 16             # events handled at once, all chats together (each chat's one at a time)
HANDLERS_WAIT = 10.0          # on stop, messages being handled get this long to finish
HINT = ("WeCom: check that this machine may open a WebSocket to that address (a firewall or proxy "
        "may block it; WECOM_WS_URL sets another), or run on Telegram instead (TELEGRAM_BOT_TOKEN)")


class WeComChannel:
    name = NAME
    caps = CAPS

    def __init__(self, settings: Settings, watch: float = WATCH_SECONDS,
                 backoff: tuple[float, float] = BACKOFF, connect_wait: float = CONNECT_WAIT,
                 subscribe_wait: float = SUBSCRIBE_WAIT, tap_grace: float = TAP_GRACE,
                 heartbeat: float = HEARTBEAT) -> None:
        url = settings.wecom_ws_url or ""
        if url.startswith("ws://"):
            # The SDK passes its TLS context to websockets.connect for every address, and
            # websockets refuses one for a plain ws:// address (tests, a local relay).
            aibot.ws._SSL_CONTEXT = None
        self.client = WSClient(WSClientOptions(
            bot_id=settings.wecom_bot_id or "", secret=settings.wecom_bot_secret.get_secret_value(),
            ws_url=url, max_reconnect_attempts=0, heartbeat_interval=int(heartbeat * 1000), logger=SdkLog()))
        _guard_frames(self.client)
        self.watch, self.backoff, self.connect_wait = watch, backoff, connect_wait
        self.subscribe_wait, self.tap_grace = subscribe_wait, tap_grace
        self.tasks: set[asyncio.Task] = set()  # card updates sent on their own (TapWindow)
        self.pacer = Pacer()
        self.sender = WeComSender(self)
        self.inbound = Inbound(NAME, lambda: self.core, most=MOST_HANDLED)
        self.reach = Reach("WeCom", url or aibot.ws.DEFAULT_WS_URL, HINT)
        self._attempt_error: BaseException | None = None  # why the connection now being made failed
        self._connecting = False
        self._resumed = False      # the inbox was resumed (on the first connection of this run)
        self.online = False        # authenticated on a live connection
        self.refused = False       # WeCom turned the bot id / secret down
        self.kicked = False        # another process took the connection over
        self.stopping = False
        self.core: Core | None = None
        self._keeper: asyncio.Task | None = None
        self._started = False      # the SDK client was told to connect (and not yet to disconnect)

    async def start(self, core: Core) -> None:
        """Connect (in the background from now on); wait for the first try's outcome (a while
        at most). A bot id / secret WeCom refuses is Refused."""
        self.core = core
        core.add_channel(NAME, CAPS)
        self._changed = asyncio.Event()  # the link came up, went down, or was refused
        for name, handler in (("authenticated", self._on_authenticated), ("disconnected", self._on_disconnected),
                              ("error", self._on_error), ("message", self._on_frame), ("event", self._on_frame)):
            self.client.on(name, handler)
        self._keeper = asyncio.create_task(self._keep_connected())
        try:
            await asyncio.wait_for(self._first_answer(), self.connect_wait)
        except TimeoutError:
            log.warning("WeCom: not connected yet; still trying in the background")
        if self.refused:
            raise Refused("WECOM_BOT_ID / WECOM_BOT_SECRET: rejected by WeCom")

    async def _first_answer(self) -> None:
        while not (self.online or self.refused or self.reach.down):
            self._changed.clear()
            await self._changed.wait()

    async def stop(self) -> None:
        """Let messages being handled finish (a while), then close the connection."""
        self.stopping = True  # the SDK swallows a cancellation that hits it while it cleans up
        if self._keeper is not None:
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
        try:
            await asyncio.wait_for(self.client.wait_for_complete(), HANDLERS_WAIT)
        except TimeoutError:
            log.warning("WeCom: messages still being handled at stop were cut short; left for the next start")
            self.client.cancel()
        await self.inbound.drain(HANDLERS_WAIT)  # a resume still going
        if self.tasks:  # card updates on their way
            await asyncio.wait(set(self.tasks), timeout=HANDLERS_WAIT)
        await self._disconnect()
        self.online = False

    # --- the connection ------------------------------------------------------------------
    async def _keep_connected(self) -> None:
        delays, attempted = backoff(*self.backoff), False
        while not (self.kicked or self.stopping):
            if self.client.is_connected:
                if self.online:
                    delays = backoff(*self.backoff)
                self._changed.clear()
                try:  # wake at once when the SDK reports the loss; look anyway now and then
                    await asyncio.wait_for(self._changed.wait(), self.watch)
                except TimeoutError:
                    pass
                continue
            if self.online:
                self._lost("closed")
            if attempted:
                await self._disconnect()  # the SDK's state of the last link, before a new one
                await asyncio.sleep(next(delays))
            attempted = self._started = True
            await self._attempt()

    async def _attempt(self) -> None:
        """One connection attempt (the SDK's own retries are off); a failure is said once."""
        self._attempt_error, self._connecting = None, True
        try:
            await self.client.connect()
        finally:
            self._connecting = False
        if self.client.is_connected and not await self._subscribed():
            self._attempt_error = self._attempt_error or "no answer to the subscription"
            await self._disconnect()  # a failed connection: the keeper backs off and tries again
        if not self.client.is_connected and not self.refused:
            self.reach.failed(self._attempt_error or "the connection closed at once")
            self._changed.set()

    async def _subscribed(self) -> bool:
        """Whether WeCom answered the subscription (either way) in time."""
        async def answered() -> None:
            while not (self.online or self.refused or not self.client.is_connected):
                self._changed.clear()
                await self._changed.wait()
        try:
            await asyncio.wait_for(answered(), self.subscribe_wait)
        except TimeoutError:
            return False
        return True

    async def _disconnect(self) -> None:
        """The SDK's disconnect() only schedules the closing: wait for it, so that it cannot
        close the next connection instead."""
        if not self._started:
            return
        self._started = False
        before = asyncio.all_tasks()
        self.client.disconnect()
        closing = asyncio.all_tasks() - before
        if closing:
            await asyncio.wait(closing, timeout=5)

    def _on_authenticated(self) -> None:
        self.online = True
        self.reach.reached()
        self._changed.set()
        log.info("WeCom connected (long connection)")
        if not self._resumed:  # what the last run left, before any callback of this one
            self._resumed = True
            self.inbound.resume(lambda event: Answer(self, None, event))

    def _on_disconnected(self, reason: str) -> None:
        self._lost(reason)

    def _lost(self, reason: str) -> None:
        if self.online:
            log.warning("WeCom connection lost (%s); reconnecting", reason)
        self.online = False
        self._changed.set()

    def _on_error(self, error: BaseException) -> None:
        """The SDK's errors are in its log already (SdkLog); a refused bot id / secret stops
        start-up; an exception a handler of ours let out is logged here."""
        if str(error).startswith("Authentication failed"):
            log.error("WeCom refused the bot id / secret")
            self.refused = True
            self._changed.set()
        elif str(error).startswith("Max reconnect attempts"):
            pass  # its retries are off: _keep_connected tries again
        elif self._connecting:  # the connection could not be made: said once, by _attempt
            self._attempt_error = self._attempt_error or error
        elif error.__traceback__ is not None:
            log.error("WeCom: error in a callback handler", exc_info=error)

    async def _kicked_out(self) -> None:
        log.error("WeCom: another process connected with this bot and took the connection over; "
                  "this one stops using WeCom (one live connection per bot)")
        self.kicked, self.online = True, False
        self._changed.set()
        await self._disconnect()

    # --- inbound -------------------------------------------------------------------------
    async def _on_frame(self, frame: dict) -> None:
        """Record one callback's events at once; handle them in its chat's lane, in order. A
        tap's card update has a deadline of its own (Callback.tap), kept outside the lane."""
        if not isinstance(frame, dict):
            return
        body = obj(frame.get("body"))
        if obj(body.get("event")).get("eventtype") == "disconnected_event":
            return await self._kicked_out()
        callback = Callback(self, frame, tapped_card(frame))
        arrived = asyncio.ensure_future(self._record(frame))
        await self.inbound.take(chat_of(body) or "", arrived, lambda event: Answer(self, callback, event))

    async def _record(self, frame: dict) -> list[Event]:
        received = self.core.svc.clock.now()  # the arrival orders a restart's resume, not the download
        return await self.inbound.record(await to_events(self.client, frame), received)


def _guard_frames(client: WSClient) -> None:
    """Drop a frame that is not an object with an object of headers (and a string req_id)
    before the SDK reads it: the SDK's receive loop ends on one (an AttributeError), which
    would leave the connection open and deaf."""
    manager = client._ws_manager
    handle = manager._handle_frame

    def guarded(frame: object) -> None:
        headers = frame.get("headers", {}) if isinstance(frame, dict) else None
        if not isinstance(headers, dict) or not isinstance(headers.get("req_id", ""), str):
            log.warning("WeCom: a malformed frame ignored (%s)", type(frame).__name__)
            return
        handle(frame)
    manager._handle_frame = guarded


class SdkLog:
    """The SDK's log lines into ours, a level lower: this channel itself says what matters
    (connected, lost, refused), and a network error is a warning until it lasts. The SDK's
    debug lines print whole message bodies (what people write): those go below DEBUG,
    never shown by LOG_LEVEL."""

    log = logging.getLogger("aibot")

    def debug(self, message: str, *args: object) -> None:
        self.log.log(5, " ".join(map(str, (message, *args))))

    def info(self, message: str, *args: object) -> None:
        self.log.debug(" ".join(map(str, (message, *args))))

    def warn(self, message: str, *args: object) -> None:
        self.log.warning(" ".join(map(str, (message, *args))))

    def error(self, message: str, *args: object) -> None:
        if message.startswith(("Max reconnect attempts reached", "Failed to create WebSocket connection")):
            return self.log.debug(message)  # its retries are off; the channel says what failed, once
        if message.startswith("File download"):  # aiohttp's text names the file's signed URL (someone's
            return self.log.debug(message.partition(":")[0])  # photo); the adapter says which file failed
        self.log.warning(" ".join(map(str, (message, *args))))
