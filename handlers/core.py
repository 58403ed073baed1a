"""The conversation core: one inbound event in, replies out, for every chat channel.

    channel adapter ──Event──> Core.handle ──> [Reply, …] ──> adapter renders them
    (recorded in the inbox        │
     on arrival: channels.Inbound)│ one transaction: the inbox row marked handled (the
                                  │ redelivery mark) with the replies to send, the person,
                                  │ their conversation state, what the feature writes
                                  │ (heavy commands and taps, long and read-only: /summary,
                                  │ /export, 佐证材料: marked handled first, run outside it)
                                  ▼
        action (button, or its word / number typed)  ──> ACTIONS[feature]
        command (/report, or 报送)                    ──> COMMANDS[name]   (role checked here)
        text / photo / location in a live flow         ──> FLOWS[flow]
        a file (in a flow too: no step takes one)      ──> DOCUMENT (warnings import)
        anything else                                  ──> FREE (one-line report)

Features never see a chat library: they read `turn.event` and call `turn.say(…)`.
Adapters never see features: they turn updates into Events and Replies into API calls."""
from __future__ import annotations

import base64
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from bot.i18n import t
from bot.services import Services
from storage.conversations import Conversation
from storage.models import Role, User

log = logging.getLogger(__name__)
FLOW_IDLE = timedelta(hours=2)   # a flow untouched this long is over; its next step is not taken
MENU_IDLE = timedelta(hours=2)   # typed button words stay valid as long as a card does
SEEN_EVERY = timedelta(hours=1)  # how fresh "last used this channel" is kept (it picks the channel)
ACTION = re.compile(r"[a-z]{2,12}(?::[A-Za-z0-9_-]{1,40}){0,4}", re.ASCII)  # the one action grammar
MAX_ACTION_BYTES = 60            # Telegram allows 64 bytes of callback data; the adapter adds "v1:"
# Command words for people who will not type a slash (every channel).
WORDS = {"帮助": "help", "我的": "mine", "统计": "stats", "报送": "report", "截止": "deadlines",
         "汇总": "summary", "未报": "missing", "导出": "export", "取消": "cancel", "登记": "log",
         "撤销": "mine"}  # 撤销 matching no one button (two kinds just saved): the list to pick from
# Typed words that mean the same as a button's label.
ALIASES = {"保存": "确认", "确定": "确认", "提交": "确认", "确认无误": "确认", "确认报送": "确认", "save": "确认", "confirm": "确认", "ok": "确认",
           "无": "没有", "0": "没有", "skip": "跳过",
           # a warning card's outcomes, as people say them
           "见面劝阻": "已见面劝阻", "见面劝阻了": "已见面劝阻", "电话劝阻": "已电话劝阻", "电话劝阻了": "已电话劝阻",
           "联系不上了": "联系不上", "打不通": "联系不上", "没联系上": "联系不上", "被骗了": "已被骗"}


@dataclass(frozen=True)
class Photo:
    """A picture as the channel gave it: its reference there and, when fetched, its bytes."""
    ref: str
    unique: str
    data: bytes | None = None


@dataclass(frozen=True)
class Document:
    """A file sent to the bot (an office's spreadsheet of warnings): its name and bytes.
    The adapter fetches it; files over the channel's limit arrive with data None."""
    name: str
    data: bytes | None = None


ATTACHED = {"photo": Photo, "document": Document}  # what an event may carry, its bytes kept with it


@dataclass(frozen=True)
class Event:
    """One thing a person did in a chat: wrote, sent a photo or place, tapped a button."""
    channel: str
    event_id: str                       # unique per channel: a redelivered event is ignored
    sender: str                         # the person's id on the channel
    chat: str                           # where to answer
    name: str = ""
    group: bool = False
    chat_title: str = ""
    lang: str | None = None             # the person's app language, a hint for strangers
    text: str | None = None             # the text, or a photo's caption
    photo: Photo | None = None
    document: Document | None = None
    location: tuple[float, float] | None = None
    action: str | None = None           # a button tap
    edited: bool = False                # an edit of an earlier message (message_ref)
    message_ref: str | None = None      # the message this event is, or the card tapped

    @property
    def command(self) -> tuple[str, list[str]] | None:
        """('report', ['2026-11']) for '/report 2026-11' or '/report@bot 2026-11'."""
        text = (self.text or "").strip()
        if not text.startswith("/"):
            return None
        head, *args = text[1:].split() or [""]
        name = head.split("@")[0].lower()
        return (name, args) if re.fullmatch(r"[a-z_]{1,32}", name) else None

    @property
    def word_command(self) -> tuple[str, list[str]] | None:
        """('summary', ['2026-11']) for '汇总 2026-11' (WORDS). In a group only the word alone
        counts: people there talk to each other ('汇总一下…' is not for the bot)."""
        words = (self.text or "").split()
        if not words or words[0] not in WORDS or (self.group and len(words) > 1):
            return None
        return WORDS[words[0]], words[1:]

    def to_json(self) -> str:
        """The event as the inbox keeps it until handled: a restart handles it from this,
        so a photo's bytes go with it (base64): what a person sent is never lost."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ATTACHED:
            item = getattr(self, name)
            if item is not None:
                data[name] = {f.name: getattr(item, f.name) for f in fields(item)} | {
                    "data": _b64(item.data) if item.data is not None else None}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Event":
        data = json.loads(text)
        for name, kind in ATTACHED.items():
            if data.get(name):
                raw = data[name].get("data")
                data[name] = kind(**data[name] | {"data": base64.b64decode(raw) if raw is not None else None})
        if data.get("location"):
            data["location"] = tuple(data["location"])
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Button:
    label: str
    action: str


@dataclass
class Reply:
    """What to show. Adapters render what their channel can and fall back for the rest:
    no buttons → numbered choices; no edits → a new message; no alert → a message."""
    text: str = ""
    buttons: list[list[Button]] = field(default_factory=list)
    lang: str = "zh"
    replace: bool = False               # replace the card that was tapped
    alert: bool = False                 # a short answer to a tap (a pop-up where there is one)
    ask_location: bool = False          # offer the channel's share-location control
    document: tuple[str, bytes] | None = None   # (file name, bytes); text is its caption
    photo: bytes | None = None                  # text is its caption
    commands: list[tuple[str, str]] | None = None  # this person's command menu, where channels have one
    numbered: bool = True               # without buttons, may its choices be picked by number?
                                        # (not for undo/deactivate: a stray "1" must not do those)

    def to_dict(self) -> dict:
        """As the inbox keeps it until sent (bytes as base64)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["buttons"] = [[[b.label, b.action] for b in row] for row in self.buttons]
        if self.document is not None:
            data["document"] = [self.document[0], _b64(self.document[1])]
        if self.photo is not None:
            data["photo"] = _b64(self.photo)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Reply":
        data = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        data["buttons"] = [[Button(label, act) for label, act in row] for row in data.get("buttons") or []]
        if data.get("document"):
            data["document"] = (data["document"][0], base64.b64decode(data["document"][1]))
        if data.get("photo"):
            data["photo"] = base64.b64decode(data["photo"])
        if data.get("commands") is not None:
            data["commands"] = [tuple(c) for c in data["commands"]]
        return cls(**data)


def replies_json(replies: list[Reply]) -> str:
    return json.dumps([r.to_dict() for r in replies], ensure_ascii=False)


def replies_of(text: str) -> list[Reply]:
    return [Reply.from_dict(r) for r in json.loads(text)]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass(frozen=True)
class Caps:
    """What a channel can show."""
    buttons: bool = True
    edits: bool = True
    location: bool = True
    invite_link: Callable[[str], str | None] = lambda code: None
    max_file_bytes: int | None = None   # one file the channel can send (None: as large as settings allow)


Handler = Callable[["Turn"], Awaitable[None]]
Sender = Callable[[Reply], Awaitable[None]]
ActionHandler = Callable[["Turn", str, list[str]], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    run: Handler
    role: Role | None = "worker"        # None: strangers too
    heavy: bool = False                 # long read-only work: runs outside the event's transaction
    group: bool = False                 # also answered in group chats


@dataclass(frozen=True)
class Routes:
    commands: dict[str, Command]
    actions: dict[str, tuple[ActionHandler, Role]]
    flows: dict[str, Handler]           # flow name -> takes text / photo / location input
    free: Handler                       # input outside any flow (one-line reports)
    stranger: Handler                   # anything from someone not registered
    document: Handler | None = None     # a file sent (the office's warnings); a live flow stays as it is
    urgent: Callable[["Turn"], Awaitable[bool]] | None = None  # typed words that go before a flow's step
    heavy: frozenset[str] = frozenset()  # action features whose taps are long read-only work, as heavy commands


class Turn:
    """One event being handled: who, what, their conversation, and the replies so far."""

    def __init__(self, core: "Core", event: Event, user: User | None, conv: Conversation | None,
                 now: datetime) -> None:
        self.core, self.event, self.user, self.conv, self.now = core, event, user, conv, now
        self.conv_loaded = conv.model_copy(deep=True) if conv else None
        self.replies: list[Reply] = []
        self.caps: Caps = core.caps.get(event.channel, Caps())
        self.args: list[str] = []       # a command's arguments
        self.tapped = False             # the action came from a real tap (not its word typed)
        self.by: str | None = None      # the feature whose buttons these replies are (see _remember)
        self.send: Sender | None = None

    @property
    def svc(self) -> Services:
        return self.core.svc

    @property
    def storage(self):
        return self.core.svc.storage

    @property
    def lang(self) -> str:
        if self.user:
            return self.user.lang
        return "en" if (self.event.lang or "").startswith("en") else "zh"

    def t(self, key: str, **args: object) -> str:
        return t(self.lang, key, **args)

    def button(self, key: str, action: str, **args: object) -> Button:
        return Button(self.t(key, **args), action)

    def say(self, text: str, buttons: list[list[Button]] | None = None, **kw) -> Reply:
        reply = Reply(text=text, buttons=buttons or [], lang=self.lang, **kw)
        self.replies.append(reply)
        return reply

    async def tell(self, text: str, **kw) -> None:
        """Say it now, before the rest (long work's "working on it"), where the channel can;
        a big file sent so is not held until the end (佐证材料 parts, one at a time)."""
        reply = Reply(text=text, lang=self.lang, **kw)
        if self.send is not None:
            await self.send(reply)
        else:
            self.replies.append(reply)

    def alert(self, key: str, **args: object) -> None:
        """A short answer to a tap (expired, not allowed): a pop-up on Telegram, a message elsewhere."""
        self.say(self.t(key, **args), alert=True)

    # --- the person's flow ---------------------------------------------------------------
    @property
    def flow(self) -> str | None:
        return self.conv.flow if self.conv else None

    @property
    def busy(self) -> bool:
        """Another step is going (a flow not left idle): what is typed next is its answer."""
        return self.flow is not None and self.core._flow_live(self)

    @property
    def draft(self) -> dict:
        assert self.conv is not None
        return self.conv.data

    def start_flow(self, name: str, data: dict) -> dict:
        """Begin a flow; any other flow or pending edit ends (what is typed next belongs here)."""
        assert self.conv is not None
        self.conv.flow, self.conv.data = name, data
        return data

    def end_flow(self) -> None:
        if self.conv is not None:
            self.conv.flow, self.conv.data = None, {}


class Core:
    def __init__(self, svc: Services, routes: Routes, admins: dict[str, set[str]] | None = None) -> None:
        self.svc, self.routes = svc, routes
        self.admins = admins or {}
        self.caps: dict[str, Caps] = {}

    def add_channel(self, name: str, caps: Caps) -> None:
        self.caps[name] = caps

    async def handle(self, event: Event, send: Sender | None = None) -> list[Reply]:
        """Handle one event once. What it writes, its redelivery mark, the person's
        conversation state and the replies (kept in the inbox until the channel has sent
        them: storage/inbox.py) commit together or not at all; replies go out after. `send`
        lets long work (an export) say "working on it" at once (Turn.tell)."""
        storage, now = self.svc.storage, self.svc.clock.now()
        turn = Turn(self, event, None, None, now)
        try:
            if self._heavy(event):
                if not await storage.inbox.claim(event.channel, event.event_id, now):
                    return []
                turn = await self._turn(event, now, send)
                await self._route(turn)
                await self._remember_menu(turn)
                return turn.replies
            async with storage.db.transaction():
                if not await storage.inbox.claim(event.channel, event.event_id, now):
                    log.info("%s event %s already handled; skipped", event.channel, event.event_id)
                    return []
                turn = await self._turn(event, now, send)
                await self._route(turn)
                await self._remember(turn)
                await storage.inbox.handled(event.channel, event.event_id,
                                            replies_json(turn.replies) if turn.replies else None)
            return turn.replies
        except Exception:
            log.exception("error while handling %s event %s", event.channel, event.event_id)
            await self._done_badly(event, now)
            return [Reply(text=turn.t("error-generic"), lang=turn.lang)]

    async def _done_badly(self, event: Event, now: datetime) -> None:
        """Mark an event that failed (and was rolled back) handled all the same: the person is
        told to try again, and a restart must not run into the same failure. If even that
        cannot be written, the event stays in the inbox for the next start."""
        try:
            async with self.svc.storage.db.transaction():
                await self.svc.storage.inbox.claim(event.channel, event.event_id, now)
        except Exception as err:
            log.warning("%s event %s failed and could not be marked handled (%s); it is left for the next start",
                        event.channel, event.event_id, err)

    def _heavy(self, event: Event) -> bool:
        """Long work, run outside the event's transaction so nobody else waits for it: a heavy
        command (/export, or 导出), a tap of a heavy feature (佐证材料), or a file to read (the
        office's warnings: 20,000 rows take seconds; its handler writes in a transaction of its own)."""
        command = self._command(event)
        if command is not None:
            return command.heavy
        if event.document is not None:
            return self.routes.document is not None
        return event.action is not None and event.action.split(":", 1)[0] in self.routes.heavy

    def _command(self, event: Event) -> Command | None:
        """The command the event names, by slash or by word (导出 is as long as /export)."""
        parsed = (event.command or event.word_command) if event.action is None else None
        return self.routes.commands.get(parsed[0]) if parsed else None

    async def _turn(self, event: Event, now: datetime, send: Sender | None = None) -> Turn:
        storage = self.svc.storage
        found = await storage.conversations.of_account(event.channel, event.sender)
        user, account, conv = found if found else (None, None, None)
        if event.sender in self.admins.get(event.channel, ()) and (
                user is None or user.role != "office" or not user.active):
            root = await storage.orgs.root()
            if root is not None:
                chat = event.sender if event.group else event.chat
                user = await storage.users.ensure_admin(event.channel, event.sender, chat,
                                                        event.name or event.sender, root.id, now)
                conv = await storage.conversations.load(user.id)
        if user is not None and not user.active:
            user, conv = None, None
        if account is not None and not event.group and (
                account.chat_id != event.chat or account.blocked_at or not account.seen_at
                or now - account.seen_at > SEEN_EVERY):
            await storage.users.seen(event.channel, event.sender, event.chat, now)
        turn = Turn(self, event, user, conv, now)
        turn.send = send
        return turn

    async def _route(self, turn: Turn) -> None:
        event, routes = turn.event, self.routes
        if event.action is not None:
            return await self.act(turn, event.action, tapped=True)
        if event.edited:  # a report corrected in place is read again, and only that
            return await self._free(turn) if turn.user is not None and not event.group else None
        parsed = event.command
        if parsed is not None and self._run_if_command(turn, parsed):
            return await self._run_command(turn, routes.commands[parsed[0]], parsed[1])
        worded = event.word_command
        if event.group:  # in groups: commands, its own cards, and a command word from who may use it
            if worded is not None and self._run_if_command(turn, worded) and turn.user is not None \
                    and turn.user.can(routes.commands[worded[0]].role or "worker"):
                return await self._run_command(turn, routes.commands[worded[0]], worded[1])
            return None
        if turn.user is None:
            return await routes.stranger(turn)
        if event.document is not None and routes.document is not None:
            return await routes.document(turn)
        typed = self._typed_action(turn)
        if typed is not None:
            return await self.act(turn, typed, tapped=False)
        if worded is not None and self._run_if_command(turn, worded):
            return await self._run_command(turn, routes.commands[worded[0]], worded[1])
        if self._flow_live(turn) and routes.urgent is not None and await routes.urgent(turn):
            return None
        if self._flow_live(turn) and turn.flow in routes.flows:
            turn.conv.touched_at, turn.by = turn.now, turn.flow
            return await routes.flows[turn.flow](turn)
        turn.end_flow()  # over (or never started): the text is read afresh
        return await self._free(turn)

    async def _free(self, turn: Turn) -> None:
        turn.by = "quick"
        await self.routes.free(turn)

    def _run_if_command(self, turn: Turn, parsed: tuple[str, list[str]]) -> bool:
        command = self.routes.commands.get(parsed[0])
        return command is not None and (command.group or not turn.event.group)

    def _flow_live(self, turn: Turn) -> bool:
        conv = turn.conv
        return bool(conv and conv.flow and conv.touched_at and turn.now - conv.touched_at <= FLOW_IDLE)

    async def _run_command(self, turn: Turn, command: Command, args: list[str]) -> None:
        turn.args = args
        if command.role is not None and not await self._allowed(turn, command.role):
            return None
        flow = turn.flow
        await command.run(turn)
        turn.by = turn.flow if turn.flow != flow else None  # a command that starts a flow speaks for it

    async def act(self, turn: Turn, action: str, tapped: bool) -> None:
        """Run a button's action (tapped, or its word typed). Forged or outdated data expires quietly."""
        turn.tapped = tapped
        feature, *rest = action.split(":") if valid_action(action) else ("", "")
        route = self.routes.actions.get(feature)
        if route is None or not rest:
            turn.alert("button-expired")
            return None
        handler, role = route
        if not await self._allowed(turn, role):
            return None
        turn.by = feature
        await handler(turn, rest[0], rest[1:])

    async def _allowed(self, turn: Turn, role: Role) -> bool:
        """Checked here, on the server, for every command and every button."""
        if turn.user is None:
            await self.routes.stranger(turn)
            return False
        if not turn.user.can(role):
            log.info("refused %s to user %s (role %s)", role, turn.user.id, turn.user.role)
            turn.say(turn.t("not-allowed"), alert=turn.event.action is not None)
            return False
        return True

    def _typed_action(self, turn: Turn) -> str | None:
        """The action of the button whose word (or, without buttons, number) was typed.

        Only buttons still worth answering: shown within MENU_IDLE, and, while a flow is
        live, shown by that flow (a list from /mine must not take a flow step's "1")."""
        conv, text = turn.conv, turn.event.text
        if not conv or not conv.menu or not text or turn.event.photo or not conv.menu_at \
                or turn.now - conv.menu_at > MENU_IDLE:
            return None
        if self._flow_live(turn) and conv.menu_by != conv.flow:
            return None
        said = canon(text)
        for label, act, _ in conv.menu:
            if said and canon(label) == said:
                return act
        # "撤销" for the one button "撤销 短信提醒": a label's first word, when no other has it
        led = [act for label, act, _ in conv.menu if len(label.split()) > 1 and canon(label.split()[0]) == said]
        if said and not said.isdigit() and len(led) == 1:
            return led[0]
        digits = unicodedata.normalize("NFKC", text).strip()
        numbers = [act for label, act, by_number in conv.menu if by_number]
        if not turn.caps.buttons and digits.isdigit() and len(digits) <= 2 and numbers \
                and numbered([label for label, _, _ in conv.menu]) and 1 <= int(digits) <= len(conv.menu):
            label, act, by_number = conv.menu[int(digits) - 1]
            return act if by_number else None
        return None

    async def _remember_menu(self, turn: Turn) -> None:
        """After long work outside the transaction (/export): keep the buttons it showed, so
        their words typed work as taps. Only the menu is written, onto the conversation as it
        is now (the person may have gone on meanwhile)."""
        with_buttons = [r for r in turn.replies if r.buttons and not r.alert]
        if turn.conv is None or not with_buttons:
            return
        async with self.svc.storage.db.transaction():
            conv = await self.svc.storage.conversations.load(turn.conv.user_id)
            _keep_menu(conv, with_buttons[-1], turn)
            await self.svc.storage.conversations.save(conv)

    async def _remember(self, turn: Turn) -> None:
        """Save the person's conversation: the flow, and the buttons they can type back.

        The buttons shown last are remembered with the feature that showed them. A reply
        without buttons forgets them only inside a flow (its step now wants words), so a
        card's 保存 still works after a /stats or a photo."""
        conv = turn.conv
        if conv is None:
            return
        if turn.flow:
            conv.touched_at = turn.now
        shown = [r for r in turn.replies if not r.alert and (r.text or r.buttons)]
        with_buttons = [r for r in shown if r.buttons]
        # Another feature's buttons shown during a flow (a warning's 改一下) leave the flow's typeable.
        elsewhere = self._flow_live(turn) and turn.by not in (None, conv.flow)
        if with_buttons and not elsewhere:
            _keep_menu(conv, with_buttons[-1], turn)
        elif shown and self._flow_live(turn) and turn.by == conv.flow:
            conv.menu, conv.menu_at, conv.menu_by = [], None, None
        if conv != turn.conv_loaded:  # most events change nothing here: no write then
            await self.svc.storage.conversations.save(conv)


def _keep_menu(conv: Conversation, reply: Reply, turn: Turn) -> None:
    """Remember a reply's buttons as the ones the person may type back."""
    conv.menu = [[b.label, b.action, reply.numbered] for row in reply.buttons for b in row]
    conv.menu_at, conv.menu_by = turn.now, turn.by


def valid_action(action: str) -> bool:
    return len(action.encode()) <= MAX_ACTION_BYTES and ACTION.fullmatch(action) is not None


def canon(text: str) -> str:
    """A label or a typed word without emoji, spaces or punctuation, with aliases folded."""
    if any(unicodedata.category(ch) == "No" for ch in text):  # ² or ① is no button's number
        return ""
    plain = "".join(ch for ch in unicodedata.normalize("NFKC", text).lower()
                    if unicodedata.category(ch)[0] in "LN")
    return ALIASES.get(plain, plain)


def numbered(labels: list[str]) -> bool:
    """Choices shown with numbers on channels without buttons, unless the labels are numbers."""
    return not any(unicodedata.normalize("NFKC", label).strip().isdigit() for label in labels)


def action(*parts: object) -> str:
    """Build an action 'feature:verb:arg…'; refuses what the grammar or 60 bytes would not carry."""
    text = ":".join(map(str, parts))
    if not valid_action(text):
        raise ValueError(f"not a valid action: {text!r}")
    return text


def int_arg(args: list[str], index: int = 0, most: int = 10**9) -> int | None:
    """A button argument as a whole number: ASCII digits only, bounded; None otherwise."""
    if len(args) <= index or not re.fullmatch(r"[0-9]{1,10}", args[index], re.ASCII):
        return None
    value = int(args[index])
    return value if value <= most else None
