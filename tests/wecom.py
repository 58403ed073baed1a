"""A stand-in for WeCom's 智能机器人 long-connection server, and a harness that drives the real
WeCom channel (channels/wecom, the real SDK) against it.

The server (`FakeWeCom`, a `websockets` server on 127.0.0.1, port 0) speaks the frames the
SDK speaks: aibot_subscribe (checks the bot id and secret), ping, the callbacks the tests
push (aibot_msg_callback: text, image, mixed; aibot_event_callback: a card tap, the
disconnected_event), the respond / update / send commands and the three upload frames,
each acknowledged with errcode 0 or a refusal. Proactive messages reach only people who
have written to the bot in a single chat, and groups the bot was written to in: others get
REFUSED. WeCom's rules are enforced (a breach is refused with BROKEN and kept in
`violations`, which every harness checks is empty at the end): a tap's card is updated once,
within UPDATE_WINDOW of the tap, with the tapped task_id; a message is replied to once; a
task_id is [0-9A-Za-z_-@], at most 128 bytes, never used twice; a button_interaction card has
1 to 6 buttons with distinct keys; markdown holds at most 4,096 bytes; a connection that stops
its pings (heartbeat) for `idle_limit` seconds is closed. Images are served over HTTP on the same port, encrypted as WeCom does
(AES-256-CBC, the key from the message's aeskey given without '=' padding, IV its first 16
bytes, PKCS#7 padding to 32 bytes): tests check that with the SDK's own decrypt_file.

Everything the bot sends is recorded with its arrival time. Waits wake on every frame and
are bounded; in-process tests await them, the end-to-end test (the bot in another process,
the server in a thread of its own: `ThreadedWeCom`) blocks on them."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import websockets
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from websockets.datastructures import Headers
from websockets.http11 import Response

from bot.app import open_services
from bot.clock import FakeClock
from bot.config import Settings
from bot.orgs_import import load
from channels.wecom import WeComChannel
from handlers import build_core
from schedules import run_due
from schedules.outbox import drain

from .helpers import FIXTURES

BOT_ID, SECRET = "aibot-test-0001", "wecom-secret-test-9f3c"
REFUSED = 81_013      # a proactive message to someone who never talked to the bot (a userid it cannot reach)
BUSY = -1             # WeCom's "system busy"
BROKEN = 40_058       # the fake's errcode for a frame that breaks one of WeCom's rules
BAD_SECRET = 40_001   # the fake's errcode for a subscription with a wrong bot id or secret
UPDATE_WINDOW = 5.0   # seconds after a tap within which WeCom takes its card update
MAX_MARKDOWN = 4096   # bytes of one markdown message
TASK_ID = re.compile(r"[0-9A-Za-z_\-@]{1,128}")
WAIT = 20.0           # seconds; generous for a slow machine, never slept through on success
RESPOND, UPDATE, SEND = "aibot_respond_msg", "aibot_respond_update_msg", "aibot_send_msg"
UPLOADS = ("aibot_upload_media_init", "aibot_upload_media_chunk", "aibot_upload_media_finish")
MEDIA_BYTES = {"file": 20 << 20, "image": 10 << 20}  # WeCom's upload limits per file (and at least 5 bytes)


def encrypt(data: bytes) -> tuple[bytes, str]:
    """The bytes as WeCom serves a file, and the aeskey that comes with them."""
    key = os.urandom(32)
    pad = 32 - len(data) % 32
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return (encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize(),
            base64.b64encode(key).decode().rstrip("="))


@dataclass
class Got:
    """A command the bot sent, as it arrived."""
    at: float          # time.monotonic() on arrival
    cmd: str
    req_id: str
    body: dict
    errcode: int = 0


@dataclass
class Upload:
    init: dict
    chunks: dict[int, bytes] = field(default_factory=dict)


class FakeWeCom:
    def __init__(self, bot_id: str = BOT_ID, secret: str = SECRET, port: int = 0) -> None:
        self.bot_id, self.secret, self.listen = bot_id, secret, port
        self.got: list[Got] = []
        self.subscribed = 0                     # successful subscriptions (connections) so far
        self.chat_of: dict[str, str] = {}       # a callback's req_id -> its chat (userid or chatid)
        self.talked: set[str] = set()           # userids and group chatids the bot may write to
        self.files: dict[str, bytes] = {}       # path -> encrypted bytes served over HTTP
        self.names: dict[str, str] = {}         # path -> a file's name
        self.uploads: dict[str, Upload] = {}
        self.media: dict[str, tuple[str, str, bytes]] = {}  # media_id -> (type, filename, bytes)
        self.live: list = []                    # authenticated connections, newest last
        self.callbacks: dict[str, tuple[float, str | None]] = {}  # req_id -> (pushed at, tapped task_id)
        self.replied: set[str] = set()          # callbacks answered (a reply or a card update)
        self.task_ids: set[str] = set()         # every card's task_id so far
        self.violations: list[str] = []         # WeCom's rules the bot broke
        self.refuse: dict[str, int] = {}        # cmd -> errcode to answer it with (once each), for tests
        self.silent: set[str] = set()           # cmds to leave unacknowledged (once each)
        self.drop_after: str | None = None      # close the connection after acknowledging this cmd (once)
        self.update_window = UPDATE_WINDOW
        self.answer_subscribe = True            # False: subscriptions go unanswered
        self.idle_limit: float | None = None    # close a connection without a ping for this long
        self.pings = 0
        self._ids = itertools.count(1)
        self._sync = threading.Condition()      # blocking waits (the end-to-end test's thread)
        self._async: asyncio.Condition | None = None
        self.server = None

    # --- running ---------------------------------------------------------------------------
    async def start(self) -> "FakeWeCom":
        self._async = asyncio.Condition()
        self.server = await websockets.serve(self._serve, "127.0.0.1", self.listen, process_request=self._http)
        return self

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()

    @property
    def port(self) -> int:
        return self.server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def drop(self, code: int = 1011) -> None:
        """Close every live connection: 1011 as a crash would, 1000 as a clean close."""
        for ws in list(self.live):
            await ws.close(code=code, reason="fake drop")

    async def kick(self) -> str:
        """What WeCom does when a second process connects with the same bot: tell the old
        connection (disconnected_event), then close it."""
        ws = self.live[-1]
        frame, req_id = self._callback("aibot_event_callback", "nobody", None,
                                       {"msgtype": "event", "event": {"eventtype": "disconnected_event"}})
        await ws.send(json.dumps(frame))
        await ws.close(code=1000, reason="replaced by a new connection")
        return req_id

    # --- what the tests push -----------------------------------------------------------------
    async def text(self, userid: str, content: str, chatid: str | None = None) -> str:
        return await self._push("aibot_msg_callback", userid, chatid,
                                {"msgtype": "text", "text": {"content": content}})

    async def voice(self, userid: str, content: str) -> str:
        return await self._push("aibot_msg_callback", userid, None,
                                {"msgtype": "voice", "voice": {"content": content}})

    async def file(self, userid: str, data: bytes, name: str, chatid: str | None = None) -> str:
        return await self._push("aibot_msg_callback", userid, chatid, {"msgtype": "file", "file": self.serve(data, name)})

    async def image(self, userid: str, data: bytes) -> str:
        return await self._push("aibot_msg_callback", userid, None, {"msgtype": "image", "image": self.serve(data)})

    async def mixed(self, userid: str, *items: str | bytes) -> str:
        """A mixed message: each item a text (str) or an image (bytes), in order."""
        msg_item = [{"msgtype": "text", "text": {"content": i}} if isinstance(i, str)
                    else {"msgtype": "image", "image": self.serve(i)} for i in items]
        return await self._push("aibot_msg_callback", userid, None, {"msgtype": "mixed", "mixed": {"msg_item": msg_item}})

    async def tap(self, userid: str, task_id: str, key: str, chatid: str | None = None) -> str:
        return await self._push("aibot_event_callback", userid, chatid, {"msgtype": "event", "event": {
            "eventtype": "template_card_event",
            "template_card_event": {"card_type": "button_interaction", "event_key": key, "task_id": task_id}}})

    async def raw(self, frame: object) -> None:
        """Push any frame as it is (odd ones too); a callback's req_id is known as such."""
        req_id = frame.get("headers", {}).get("req_id") if isinstance(frame, dict) and isinstance(
            frame.get("headers"), dict) else None
        if isinstance(req_id, str):
            body = frame.get("body") if isinstance(frame.get("body"), dict) else {}
            event = body.get("event") if isinstance(body.get("event"), dict) else {}
            tap = event.get("template_card_event") if isinstance(event.get("template_card_event"), dict) else {}
            self.callbacks[req_id] = (time.monotonic(), tap.get("task_id") if event else None)
        await self.live[-1].send(json.dumps(frame, ensure_ascii=False))

    def serve(self, data: bytes, name: str | None = None) -> dict:
        """Put the image or file up, encrypted: its url and aeskey, as a message carries them
        (a file's name comes in the download's Content-Disposition)."""
        encrypted, aeskey = encrypt(data)
        path = f"/files/{next(self._ids)}"
        self.files[path] = encrypted
        if name:
            self.names[path] = name
        return {"url": f"http://127.0.0.1:{self.port}{path}", "aeskey": aeskey}

    async def _push(self, cmd: str, userid: str, chatid: str | None, payload: dict) -> str:
        frame, req_id = self._callback(cmd, userid, chatid, payload)
        self.talked.add(chatid or userid)  # a person who writes in a group has not opened a chat with the bot
        await self.live[-1].send(json.dumps(frame, ensure_ascii=False))
        return req_id

    def _callback(self, cmd: str, userid: str, chatid: str | None, payload: dict) -> tuple[dict, str]:
        n = next(self._ids)
        req_id = f"{cmd}_{n}"
        body = {"msgid": f"msg{n:06d}", "aibotid": self.bot_id, "create_time": int(time.time()),
                "chattype": "group" if chatid else "single", "from": {"userid": userid}, **payload}
        if chatid:
            body["chatid"] = chatid
        self.chat_of[req_id] = chatid or userid
        tapped = payload.get("event", {}).get("template_card_event", {}).get("task_id")
        self.callbacks[req_id] = (time.monotonic(), tapped)
        return {"cmd": cmd, "headers": {"req_id": req_id}, "body": body}, req_id

    # --- the server ----------------------------------------------------------------------------
    async def _http(self, connection, request) -> Response | None:
        """Plain HTTP on the same port: the encrypted files."""
        if not request.path.startswith("/files/"):
            return None
        data = self.files.get(request.path, b"")
        headers = Headers([("Content-Type", "application/octet-stream"), ("Content-Length", str(len(data)))])
        if request.path in self.names:
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(self.names[request.path])}"
        return Response(200 if data else 404, "OK" if data else "Not Found", headers, data)

    async def _serve(self, ws) -> None:
        pinged = time.monotonic()
        try:
            while True:
                limit = self.idle_limit  # None: look again now and then (a test may set it)
                try:
                    frame = json.loads(await asyncio.wait_for(
                        ws.recv(), 0.1 if limit is None else pinged + limit - time.monotonic()))
                except TimeoutError:
                    if limit is None:
                        continue
                    self.violations.append("no heartbeat")
                    await ws.close(code=1000, reason="no heartbeat")
                    return await self._record(None)
                if frame.get("cmd") == "ping":
                    pinged = time.monotonic()
                await self._frame(ws, frame)
        except websockets.ConnectionClosed:
            pass
        finally:
            if ws in self.live:
                self.live.remove(ws)

    async def _frame(self, ws, frame: dict) -> None:
        cmd, req_id, body = frame.get("cmd"), frame["headers"]["req_id"], frame.get("body") or {}
        if cmd == "aibot_subscribe":
            if not self.answer_subscribe:
                return await self._record(None)
            ok = body.get("bot_id") == self.bot_id and body.get("secret") == self.secret
            await self._ack(ws, req_id, 0 if ok else BAD_SECRET)
            if not ok:
                return await ws.close(code=1000, reason="bad credentials")
            self.live.append(ws)
            self.subscribed += 1
            return await self._record(None)
        if cmd == "ping":
            self.pings += 1
            await self._ack(ws, req_id, 0)
            return await self._record(None)
        broken = self._broken(cmd, req_id, body)
        if broken:
            self.violations.append(f"{cmd}: {broken}")
        errcode, answer = (BROKEN, None) if broken else (self.refuse.pop(cmd), None) if cmd in self.refuse \
            else self._answer(cmd, body)
        await self._record(Got(time.monotonic(), cmd, req_id, body, errcode))
        if cmd in self.silent:
            return self.silent.discard(cmd)
        await self._ack(ws, req_id, errcode, answer)
        if cmd == self.drop_after:
            self.drop_after = None
            await ws.close(code=1011, reason="fake drop")

    def _broken(self, cmd: str, req_id: str, body: dict) -> str | None:
        """Which of WeCom's rules the frame breaks, if any."""
        if cmd in (RESPOND, UPDATE):
            if req_id not in self.callbacks:
                return "not the req_id of a callback"
            pushed, tapped = self.callbacks[req_id]
            if req_id in self.replied:
                return "a callback answered twice"
            if (cmd == UPDATE) != (tapped is not None):
                return "a tap is answered by updating its card, a message by a reply"
            if cmd == UPDATE and time.monotonic() - pushed > self.update_window:
                return f"the card updated more than {self.update_window} s after the tap"
            if cmd == UPDATE and (body.get("template_card") or {}).get("task_id") != tapped:
                return "the update names another card"
            self.replied.add(req_id)
        card = body.get("template_card")
        if card is not None:
            task_id = card.get("task_id", "")
            if not TASK_ID.fullmatch(task_id) or len(task_id.encode()) > 128:
                return f"task_id {task_id!r}"
            if cmd != UPDATE and task_id in self.task_ids:
                return f"task_id {task_id} used before"
            self.task_ids.add(task_id)
            keys = [b.get("key") for b in card.get("button_list", [])]
            if card.get("card_type") == "button_interaction" and not 1 <= len(keys) <= 6:
                return f"{len(keys)} buttons"
            if card.get("card_type") not in ("button_interaction", "text_notice") or len(set(keys)) < len(keys):
                return "a card of another kind, or two buttons with one key"
        if body.get("msgtype") == "markdown" and len(body["markdown"]["content"].encode()) > MAX_MARKDOWN:
            return "markdown over 4,096 bytes"
        if cmd == UPLOADS[0] and not 5 <= body.get("total_size", 0) <= MEDIA_BYTES.get(body.get("type"), 0):
            return f"a {body.get('type')} of {body.get('total_size')} bytes"
        if cmd == UPLOADS[1] and len(base64.b64decode(body.get("base64_data", ""))) > 512 * 1024:
            return "a chunk over 512 KiB"
        return None

    def _answer(self, cmd: str, body: dict) -> tuple[int, dict | None]:
        if cmd == SEND:
            return (0 if body.get("chatid") in self.talked else REFUSED), None
        if cmd == UPLOADS[0]:
            upload_id = f"up{next(self._ids)}"
            self.uploads[upload_id] = Upload(body)
            return 0, {"upload_id": upload_id}
        if cmd == UPLOADS[1]:
            self.uploads[body["upload_id"]].chunks[body["chunk_index"]] = base64.b64decode(body["base64_data"])
            return 0, None
        if cmd == UPLOADS[2]:
            up = self.uploads[body["upload_id"]]
            data = b"".join(up.chunks[i] for i in sorted(up.chunks))
            if len(up.chunks) != up.init["total_chunks"] or hashlib.md5(data).hexdigest() != up.init["md5"]:
                return 40_002, None
            media_id = f"media{next(self._ids)}"
            self.media[media_id] = (up.init["type"], up.init["filename"], data)
            return 0, {"type": up.init["type"], "media_id": media_id, "created_at": str(int(time.time()))}
        return 0, None

    async def _ack(self, ws, req_id: str, errcode: int, body: dict | None = None) -> None:
        ack = {"headers": {"req_id": req_id}, "errcode": errcode, "errmsg": "ok" if errcode == 0 else "refused"}
        if body is not None:
            ack["body"] = body
        try:
            await ws.send(json.dumps(ack))
        except websockets.ConnectionClosed:
            pass

    async def _record(self, got: Got | None) -> None:
        with self._sync:
            if got is not None:
                self.got.append(got)
            self._sync.notify_all()
        async with self._async:
            self._async.notify_all()

    # --- waiting ---------------------------------------------------------------------------------
    async def until(self, predicate, timeout: float = WAIT, what: str = "a condition") -> None:
        """Wait (in the server's own loop) until predicate() holds, re-checked on every frame."""
        try:
            async with self._async:
                await asyncio.wait_for(self._async.wait_for(predicate), timeout)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}; texts: {self.texts()[-5:]}") from None

    def wait_for(self, predicate, timeout: float = WAIT, abort=None) -> bool:
        """Block (another thread) until predicate() holds, `timeout` passes or abort() is true."""
        deadline = time.monotonic() + timeout
        with self._sync:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0 or (abort is not None and abort()):
                    return False
                self._sync.wait(timeout=min(left, 0.25))
            return True

    # --- what the bot sent --------------------------------------------------------------------------
    def messages(self, chat: str | None = None) -> list[Got]:
        """Messages (replies and proactive ones, not card updates or uploads) to a chat, in order."""
        return [g for g in self.got if g.errcode == 0 and (
            (g.cmd == RESPOND and (chat is None or self.chat_of.get(g.req_id) == chat))
            or (g.cmd == SEND and (chat is None or g.body.get("chatid") == chat)))]

    def updates(self, chat: str | None = None) -> list[Got]:
        return [g for g in self.got if g.cmd == UPDATE and (chat is None or self.chat_of.get(g.req_id) == chat)]

    def texts(self, chat: str | None = None) -> list[str]:
        return [text_of(g.body) for g in self.messages(chat)]

    def last_card(self, chat: str) -> dict:
        cards = [g.body["template_card"] for g in self.got if g.errcode == 0 and "template_card" in g.body and (
            self.chat_of.get(g.req_id) == chat or g.body.get("chatid") == chat)]
        assert cards, f"no card sent to {chat}; texts: {self.texts(chat)[-3:]}"
        return cards[-1]


def text_of(body: dict) -> str:
    """What a message body shows, as text."""
    kind = body.get("msgtype")
    if kind == "stream":
        return body["stream"]["content"]
    if kind == "markdown":
        return body["markdown"]["content"]
    if kind == "template_card" or "template_card" in body:
        card = body["template_card"]
        return "\n".join(filter(None, [card["main_title"].get("title"), card.get("sub_title_text")]))
    return f"[{kind}]"


def buttons(card: dict) -> list[str]:
    return [b["text"] for b in card.get("button_list", [])]


class ThreadedWeCom:
    """The fake in a thread with its own event loop, for a bot running in another process."""

    def __init__(self, port: int = 0) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.fake = FakeWeCom(port=port)

    def __enter__(self) -> "ThreadedWeCom":
        self.thread.start()
        self.call(self.fake.start())
        return self

    def call(self, coro, timeout: float = WAIT):
        """Run a coroutine of the fake's in its loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __exit__(self, *exc: object) -> None:
        self.call(self.fake.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


class Harness:
    """The WeCom channel (the real SDK) on the fake server, with storage, the core and a fake
    clock, as bot/runner.py assembles them. People are userids; `send` and friends push a
    callback and return once the channel has answered it."""

    def __init__(self, tmp_path: Path, now: datetime, channel: dict | None = None, **overrides) -> None:
        self.clock = FakeClock(now)
        self.fake = FakeWeCom()
        self.options = dict(watch=0.05, backoff=(0.05, 0.2), **(channel or {}))
        self.overrides = dict(_env_file=None, database_path=tmp_path / "bot.sqlite3",
                              wecom_bot_id=BOT_ID, wecom_bot_secret=SECRET, **overrides)

    async def __aenter__(self) -> "Harness":
        await self.fake.start()
        self.settings = Settings(wecom_ws_url=self.fake.url, **self.overrides)
        self.svc = await open_services(self.settings, self.clock)
        self.core = build_core(self.svc)
        self.channel = WeComChannel(self.settings, **self.options)
        self.done: set[str] = set()  # callbacks the channel has finished answering (req_ids)
        self._done = asyncio.Condition()
        handle = self.channel._on_frame

        async def observed(frame: dict) -> None:  # the channel's callback handler, watched
            try:
                await handle(frame)
            finally:
                async with self._done:
                    headers = frame.get("headers") if isinstance(frame, dict) else None
                    self.done.add(headers.get("req_id") if isinstance(headers, dict) else None)
                    self._done.notify_all()
        self.channel._on_frame = observed
        await self.channel.start(self.core)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.channel.stop()
        await self.svc.storage.close()
        await self.fake.stop()
        if exc[0] is None:
            assert self.fake.violations == [], self.fake.violations

    @property
    def storage(self):
        return self.svc.storage

    async def link(self, predicate, what: str = "the link") -> None:
        """Wait until predicate() holds of the channel's link, re-checked whenever it changes."""
        async def watch() -> None:
            while not predicate():
                self.channel._changed.clear()
                await self.channel._changed.wait()
        try:
            await asyncio.wait_for(watch(), WAIT)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None

    async def answered(self, req_id: str) -> None:
        """Wait until the channel has handled that callback and sent all it had to say."""
        async with self._done:
            await asyncio.wait_for(self._done.wait_for(lambda: req_id in self.done), WAIT)

    # --- what people do -----------------------------------------------------------------------
    async def send(self, uid: str | int, text: str, chat: str | None = None) -> str:
        req_id = await self.fake.text(str(uid), text, chat)
        await self.answered(req_id)
        return req_id

    async def press(self, uid: str | int, label: str, chat: str | None = None) -> str:
        """Tap the button whose text contains `label` on the last card sent to that chat."""
        card = self.fake.last_card(chat or str(uid))
        found = [b for b in card.get("button_list", []) if label in b["text"]]
        assert found, f"no button {label!r} on {buttons(card)}"
        req_id = await self.fake.tap(str(uid), card["task_id"], found[0]["key"], chat)
        await self.answered(req_id)
        return req_id

    async def image(self, uid: str | int, data: bytes) -> str:
        req_id = await self.fake.image(str(uid), data)
        await self.answered(req_id)
        return req_id

    async def mixed(self, uid: str | int, *items: str | bytes) -> str:
        req_id = await self.fake.mixed(str(uid), *items)
        await self.answered(req_id)
        return req_id

    async def import_orgs(self) -> None:
        await self.storage.orgs.upsert_many(load(FIXTURES / "orgs.csv", await self.storage.orgs.parent_codes()))

    async def invite(self, org_code: str, role: str, uses: int = 1) -> str:
        org = await self.storage.orgs.by_code(org_code)
        return (await self.storage.users.create_invite(org.id, role, uses, 7, self.clock.now())).code

    async def join(self, uid: str, org_code: str, role: str) -> None:
        await self.send(uid, await self.invite(org_code, role))

    async def user(self, uid: str):
        return await self.storage.users.by_account("wecom", uid)

    def texts(self, chat: str) -> list[str]:
        return self.fake.texts(chat)

    def last_text(self, chat: str) -> str:
        texts = self.texts(chat)
        assert texts, f"nothing sent to {chat}"
        return texts[-1]

    async def tick(self) -> dict:
        """One scheduler round, as the runner's ticker does."""
        return await run_due(self.svc, {"wecom": self.channel.sender})

    async def drain(self) -> dict:
        """Send what the outbox holds (and nothing else the scheduler would do)."""
        return dict(await drain(self.svc, {"wecom": self.channel.sender}))
