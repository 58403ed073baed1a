"""Run the bot: one process, one database, one scheduler, any set of channels.

    settings ──> the channels they turn on (Telegram, WeCom, or both)
             ──> open storage, build the conversation core, start each channel: one try to
                 reach its service (refused credentials stop start-up: exit 2; no route is one
                 line, and the channel keeps trying in the background)
             ──> one Ticker: schedules.run_due every TICK_SECONDS, sending through every channel
             ──> SIGINT / SIGTERM: stop the ticker, the channels (in reverse), close storage; exit 0

A channel is anything with `name`, `caps`, `sender`, `async start(core)` and `async stop()`
(channels.Channel); one whose service can refuse the credentials later (a token revoked, or
first checked once a route is found) also has `refusal`, a future that raises Refused.
Every event a channel takes goes through the inbox (channels.Inbound): recorded on arrival,
handled from there. When a channel first reaches its service in a run, it
handles what the last run left in the inbox (a crash) before it takes anything new, so a
restart resumes before new events, and answers where the channel can be reached. Only the
chosen channels' packages are imported: a WeCom-only office needs nothing of Telegram's,
and the other way round."""
from __future__ import annotations

import asyncio
import logging
import signal
import sys
from contextlib import contextmanager
from typing import Iterator

from channels import Channel, Refused

from .app import TICK_SECONDS, open_services
from .clock import Clock, SystemClock
from .config import Settings

log = logging.getLogger(__name__)
FIRST_TICK = 2.0  # seconds after start-up: let the channels settle first


class ConfigError(Exception):
    """A setting that stops start-up, as one line naming it."""


def channels_of(settings: Settings) -> list[Channel]:
    """The channels the settings turn on."""
    wecom = (settings.wecom_bot_id, settings.wecom_bot_secret)
    if any(wecom) and not all(wecom):
        have, missing = (("WECOM_BOT_ID", "WECOM_BOT_SECRET") if settings.wecom_bot_id
                         else ("WECOM_BOT_SECRET", "WECOM_BOT_ID"))
        raise ConfigError(f"{missing}: required with {have}")
    chosen: list[Channel] = []
    if settings.telegram_bot_token is not None:
        from channels.telegram import TelegramChannel
        chosen.append(TelegramChannel(settings))
    if all(wecom):
        from channels.wecom import WeComChannel
        chosen.append(WeComChannel(settings))
    if not chosen:
        raise ConfigError("TELEGRAM_BOT_TOKEN or WECOM_BOT_ID + WECOM_BOT_SECRET: set at least one to run the bot")
    return chosen


class Ticker:
    """The scheduler's clock for every channel: `run_due` every `every` seconds. A round still
    running (a long fan-out) makes the next one skip."""

    def __init__(self, services, senders: dict, every: float = TICK_SECONDS) -> None:
        self.services, self.senders, self.every = services, senders, every
        self.lock = asyncio.Lock()

    async def tick(self) -> dict | None:
        """One round; None when the last one is still running."""
        from schedules import run_due

        if self.lock.locked():
            log.info("a scheduler round is still running; this tick skipped")
            return None
        async with self.lock:
            done = await run_due(self.services, self.senders)
        log.debug("scheduler round done")
        return done

    async def run(self, first: float = FIRST_TICK) -> None:
        """Tick until cancelled; each round is a task of its own, so a slow one never holds
        the clock back (the next tick finds it running and skips)."""
        rounds: set[asyncio.Task] = set()
        try:
            await asyncio.sleep(first)
            while True:
                task = asyncio.create_task(self.tick())
                rounds.add(task)
                task.add_done_callback(rounds.discard)
                await asyncio.sleep(self.every)
        finally:
            for task in rounds:
                task.cancel()
            await asyncio.gather(*rounds, return_exceptions=True)


async def serve(settings: Settings, channels: list[Channel], clock: Clock | None = None,
                stop: asyncio.Event | None = None) -> int:
    """Run until SIGINT or SIGTERM (or `stop` is set): 0 then, 2 when a chat service refuses
    our credentials, 1 on another failure. Channels are stopped and storage closed in every case."""
    stop = stop or asyncio.Event()
    refused: Refused | None = None
    with _signals(stop):
        try:
            services = await open_services(settings, clock or SystemClock(settings.tz))
            try:
                await _run(services, channels, stop)
            finally:
                await services.storage.close()
        except Refused as err:
            refused = err
        except Exception:
            log.exception("the bot stopped on an error")  # through the redacting formatter
            return 1
    if refused is not None:  # the last word, after whatever stopping logged
        print(f"configuration error: {refused}", file=sys.stderr)
        return 2
    return 0


async def _run(services, channels: list[Channel], stop: asyncio.Event) -> None:
    """Start the channels, then the ticker; wait for `stop`; stop them all, in reverse."""
    from handlers import build_core

    core = build_core(services)
    started: list[Channel] = []
    ticker: asyncio.Task | None = None
    try:
        for channel in channels:
            started.append(channel)  # stopped below even if its start fails half-way
            await channel.start(core)
        state = [c.name + ("" if c.online else " (not yet connected)") for c in channels]
        log.info("running on %s; database %s", ", ".join(state), services.settings.database_path)
        ticker = asyncio.create_task(Ticker(services, {c.name: c.sender for c in channels}).run())
        await _until_stopped(stop, channels)
        log.info("stopping")
    finally:
        if ticker is not None:
            ticker.cancel()
            await asyncio.gather(ticker, return_exceptions=True)
        for channel in reversed(started):
            try:
                await channel.stop()
            except Exception:
                log.exception("stopping %s failed", channel.name)


async def _until_stopped(stop: asyncio.Event, channels: list[Channel]) -> None:
    """Wait for `stop`, or for a channel whose service refuses our credentials after start-up
    (its `refusal` future, if it has one, raises Refused: the bot stops, exit 2)."""
    stopped = asyncio.ensure_future(stop.wait())
    refusals = [r for r in (getattr(c, "refusal", None) for c in channels) if r is not None]
    try:
        done, _ = await asyncio.wait([stopped, *refusals], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    for future in done:
        if future is not stopped:
            future.result()  # raises the channel's Refused


@contextmanager
def _signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT (Ctrl-C) and SIGTERM (a service manager) ask for a clean stop."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def run(settings: Settings) -> int:
    """Start-up from the command line: 2 (one line) when no channel is configured."""
    try:
        channels = channels_of(settings)
    except ConfigError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    return asyncio.run(serve(settings, channels))
