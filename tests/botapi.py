"""A stand-in for the Telegram Bot API, used in-process (RecordingRequest) and over HTTP.

It answers the methods the bot uses, records every call, hands out updates to
getUpdates, serves files for download, and can be told to answer Forbidden or
RetryAfter for chosen chats."""
from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 999000, "is_bot": True, "first_name": "反诈台账", "username": "antifraud_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    ok: bool = True  # False when the fake answered 403 or 429: nothing was delivered


class FakeBotAPI:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.files: dict[str, bytes] = {}          # file_id -> bytes served by getFile + download
        self.forbidden: set[int] = set()           # chat ids that "blocked the bot"
        self.retry_after: dict[int, int] = {}      # chat id -> how many 429s before success
        self.reject_token = False                  # answer 401 to everything, as for a revoked token
        self._ids = itertools.count(1000)
        self._updates: list[dict] = []
        self._cond = threading.Condition()

    # --- what tests look at -----------------------------------------------------------------
    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method and c.ok
                and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)]

    def texts(self, chat_id: int | None = None) -> list[str]:
        out = []
        for c in self.calls:
            if c.ok and c.method in ("sendMessage", "editMessageText") and (
                    chat_id is None or int(c.params.get("chat_id", 0)) == chat_id):
                out.append(c.params["text"])
        return out

    def last_markup(self, chat_id: int | None = None) -> list[list[dict]]:
        for c in reversed(self.calls):
            if c.method in ("sendMessage", "editMessageText", "editMessageReplyMarkup") and (
                    chat_id is None or int(c.params.get("chat_id", 0)) == chat_id):
                markup = c.params.get("reply_markup")
                if isinstance(markup, str):
                    markup = json.loads(markup)
                return (markup or {}).get("inline_keyboard", [])
        return []

    def wait_for(self, predicate, timeout: float = 20.0, abort=None) -> bool:
        """Block until predicate() is true (re-checked after every recorded call), `timeout`
        seconds pass, or abort() is true (checked a few times a second, e.g. "the bot's
        process died"). Returns whether the predicate came true."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0 or (abort is not None and abort()):
                    return False
                self._cond.wait(timeout=min(left, 0.25))
            return True

    def push_update(self, update: dict) -> None:
        with self._cond:
            self._updates.append(update)
            self._cond.notify_all()

    # --- the API ---------------------------------------------------------------------------
    def handle(self, method: str, params: dict[str, Any], files: dict[str, bytes] | None = None) -> tuple[int, dict]:
        if self.reject_token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        call = Call(method, params, files or {})
        chat = params.get("chat_id")
        if chat is not None and (int(chat) in self.forbidden or self.retry_after.get(int(chat), 0) > 0):
            call.ok = False
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
        if chat is not None and int(chat) in self.forbidden:
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        if chat is not None and self.retry_after.get(int(chat), 0) > 0:
            self.retry_after[int(chat)] -= 1
            # 1 s is the least the Bot API ever asks for (PTB ignores 0).
            return 429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
                         "parameters": {"retry_after": 1}}
        result = getattr(self, f"m_{method}", self.m_default)(params)
        return 200, {"ok": True, "result": result}

    def m_default(self, params: dict) -> Any:
        return True

    def m_getMe(self, params: dict) -> dict:
        return BOT_USER

    def _message(self, params: dict, **extra: Any) -> dict:
        chat_id = int(params["chat_id"])
        return {"message_id": next(self._ids), "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": BOT_USER, **extra}

    def m_sendMessage(self, params: dict) -> dict:
        return self._message(params, text=params["text"])

    def m_editMessageText(self, params: dict) -> dict:
        return self._message(params, text=params["text"]) if "chat_id" in params else True

    def m_sendDocument(self, params: dict) -> dict:
        return self._message(params, document={"file_id": "doc", "file_unique_id": "doc"})

    def m_sendPhoto(self, params: dict) -> dict:
        return self._message(params, photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}])

    def m_getFile(self, params: dict) -> dict:
        fid = params["file_id"]
        return {"file_id": fid, "file_unique_id": fid + "-u", "file_size": len(self.files.get(fid, b"")),
                "file_path": f"photos/{fid}.jpg"}

    def m_getUpdates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self._cond:
            if offset > 0:  # as Telegram does: an offset confirms (forgets) every earlier update
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset]
                if ready or time.monotonic() >= deadline:
                    return ready
                self._cond.wait(timeout=max(0.0, deadline - time.monotonic()))

    def download(self, file_path: str) -> bytes:
        fid = file_path.rsplit("/", 1)[-1].removesuffix(".jpg")
        return self.files.get(fid, b"")


def _method_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


class RecordingRequest(BaseRequest):
    """A BaseRequest that talks to a FakeBotAPI instead of the network."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if "/file/" in url:
            return 200, self.api.download(url.split("/file/", 1)[1])
        params = dict(request_data.parameters) if request_data else {}
        files = {}
        if request_data and request_data.contains_files:
            for name, part in request_data.multipart_data.items():
                content = part[1]
                files[name] = content if isinstance(content, bytes) else content.read()
        status, body = self.api.handle(_method_of(url), params, files)
        return status, json.dumps(body).encode()


class BotAPIServer:
    """The same FakeBotAPI over HTTP on 127.0.0.1, for end-to-end tests of `python -m bot`
    (`port`: a chosen one, e.g. where the bot has been failing to connect; 0: any free one)."""

    def __init__(self, api: FakeBotAPI, port: int = 0) -> None:
        self.api = api
        handler = self._handler_class()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/bot"

    def __enter__(self) -> "BotAPIServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler_class(self):
        api = self.api

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                if "/file/" in self.path:
                    self._send(200, api.download(self.path.split("/file/", 1)[1]))
                else:
                    self._answer({})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                ctype = self.headers.get("Content-Type", "")
                params: dict = {}
                files: dict[str, bytes] = {}
                if "json" in ctype and raw:
                    params = json.loads(raw)
                elif "x-www-form-urlencoded" in ctype:
                    from urllib.parse import parse_qsl
                    params = dict(parse_qsl(raw.decode(), keep_blank_values=True))
                elif "multipart" in ctype:
                    params, files = _parse_multipart(raw, ctype)
                self._answer(params, files)

            def _answer(self, params: dict, files: dict[str, bytes] | None = None) -> None:
                status, body = api.handle(_method_of(self.path), params, files)
                try:
                    self._send(status, json.dumps(body).encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot stopped while its long poll was still open

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _parse_multipart(raw: bytes, ctype: str) -> tuple[dict, dict[str, bytes]]:
    """Split a multipart/form-data body into text fields and uploaded files (PTB posts
    multipart only when a request carries a file; otherwise it posts a urlencoded form)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
    params: dict = {}
    files: dict[str, bytes] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename() is None:
            params[name] = part.get_payload(decode=True).decode("utf-8")
        else:
            files[name] = part.get_payload(decode=True)
    return params, files
