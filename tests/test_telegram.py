"""The Telegram adapter (channels/telegram): updates in, Bot API calls out, the outbox sender;
and the runner's scheduler ticker. Real PTB Application, a recording request (tests/botapi.py).

Conversations themselves are tested on the text channel; here a few test-only routes
(`probe`) stand in for the features, so that what is checked is the adapter."""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from types import SimpleNamespace

import pytest

from bot.runner import Ticker
from channels import decode, encode
from handlers.core import MAX_ACTION_BYTES, Button, Command, int_arg
from schedules.outbox import drain
from storage.outbox import body

from .conftest import CONTACT, OFFICE, STRANGER, TZ, WORKER
from .tg import Harness, message_json, update_json, user_json

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)


@pytest.fixture
async def tg(tmp_path):
    """The Telegram channel with the sample township, a worker, a contact and an office."""
    async with Harness(tmp_path, NOW) as h:
        await h.import_orgs()
        await h.join(WORKER, "BHQ-1", "worker")
        await h.join(CONTACT, "BHQ", "contact")
        await h.join(OFFICE, "WLS", "office")
        h.api.calls.clear()
        yield h


@pytest.fixture
def probe(tg):
    """Test-only routes on the live core: /probe and /where start flow 'probe' (whose input
    is recorded with the API calls made before it ran); buttons 'probe:…' edit, count, alert."""
    got: list[dict] = []

    async def start(turn):
        turn.start_flow("probe", {})
        turn.say("探针", buttons=[[Button("改", "probe:edit"), Button("五", "probe:n:5")]])

    async def where(turn):
        turn.start_flow("probe", {})
        turn.say("请发送位置", buttons=[[Button("跳过", "probe:n:0")]], ask_location=True)

    async def on_action(turn, verb, args):
        n = int_arg(args, 0, 1000)
        if verb == "edit":
            turn.say("改好了", buttons=[[Button("再改", "probe:edit")]], replace=True)
        elif verb == "n" and n is not None:
            turn.say(f"数字 {n}")
        elif verb == "alert":
            turn.alert("not-allowed")
            turn.say("另发一条")
        else:
            turn.alert("button-expired")

    async def on_input(turn):
        got.append({"event": turn.event, "calls": [c.method for c in tg.api.calls]})
        turn.say("收到")

    routes = tg.app.bot_data["core"].routes
    routes.commands.update(probe=Command(start), where=Command(where))
    routes.actions["probe"] = (on_action, "worker")
    routes.flows["probe"] = on_input
    return got


def calls(tg, method: str) -> list[dict]:
    return [c.params for c in tg.api.calls if c.method == method]


def parsed(value):
    """A parameter as the Bot API gets it: JSON text over HTTP, objects in-process."""
    return json.loads(value) if isinstance(value, str) else value


def markup(params: dict) -> dict:
    return parsed(params.get("reply_markup")) or {}


def no_trouble(tg, caplog) -> None:
    """Nothing went wrong: no error logged, no "出了点问题" sent."""
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert not any("出了点问题" in t for t in tg.api.texts())


# --- messages in, answers out -----------------------------------------------------------------

async def test_start_with_an_invite_joins_and_sets_that_chats_menu(tg):
    org = await tg.storage.orgs.by_code("CYB-1")
    inv = await tg.storage.users.create_invite(org.id, "worker", 2, 7, tg.clock.now())
    await tg.send(555, f"/start {inv.code.lower()}")
    assert "茶园坝社区第一网格" in tg.last_text(555) and "下一步" in tg.last_text(555)
    [menu] = calls(tg, "setMyCommands")
    assert parsed(menu["scope"]) == {"type": "chat", "chat_id": 555}
    names = [c["command"] for c in parsed(menu["commands"])]
    assert "log" in names and "summary" not in names
    user = await tg.user(555)
    [account] = await tg.storage.users.accounts(user.id)
    assert (account.channel, account.external_id, account.chat_id) == ("telegram", "555", "555")
    assert user.role == "worker" and user.org_id == org.id


async def test_a_message_goes_through_the_core_and_its_answer_is_sent(tg, caplog):
    update = await tg.send(WORKER, "/me")
    [sent] = calls(tg, "sendMessage")
    assert int(sent["chat_id"]) == WORKER and "武陵山乡 › 百花桥村 › 百花桥村第一网格" in sent["text"]
    assert await tg.storage.db.fetchall("SELECT channel FROM inbox WHERE event_id = ?",
                                        (str(update["update_id"]),)) != []
    await tg.send(WORKER, "/lang en")                    # the menu follows the language
    [menu] = calls(tg, "setMyCommands")
    assert {"command": "log", "description": "log work step by step"} in parsed(menu["commands"])
    no_trouble(tg, caplog)


async def test_plain_text_in_a_group_gets_silence(tg):
    await tg.send(STRANGER, "随便说说", chat_id=-500, chat_type="group")
    assert tg.api.calls == []                             # in groups only commands and own cards


async def test_redelivered_update_changes_nothing(tg):
    org = await tg.storage.orgs.by_code("BHQ-1")
    inv = await tg.storage.users.create_invite(org.id, "worker", 5, 7, tg.clock.now())
    update = update_json(message=message_json(900, f"/start {inv.code}"))
    await tg.feed(update)
    made = len(tg.api.calls)
    await tg.feed(update)
    assert len(tg.api.calls) == made
    rows = await tg.storage.db.fetchall("SELECT uses_left FROM invites WHERE code = ?", (inv.code,))
    assert rows[0][0] == 4
    assert len(await tg.storage.db.fetchall("SELECT 1 FROM memberships m JOIN accounts a ON a.user_id = "
                                            "m.user_id WHERE a.external_id = '900'")) == 1


# --- buttons and taps ---------------------------------------------------------------------------

async def test_buttons_carry_v1_actions_within_64_bytes(tg, probe):
    await tg.send(WORKER, "/probe")
    [[edit, five]] = markup(calls(tg, "sendMessage")[-1])["inline_keyboard"]
    assert (edit["callback_data"], five["callback_data"]) == ("v1:probe:edit", "v1:probe:n:5")
    longest = "abcdefghijkl:" + "x" * 40 + ":" + "y" * (MAX_ACTION_BYTES - 54)
    assert len(longest) == MAX_ACTION_BYTES and len(encode(longest).encode()) <= 64
    assert decode(encode(longest)) == longest
    with pytest.raises(ValueError):
        encode(longest + "x")


async def test_a_tap_is_answered_once_and_replace_edits_the_tapped_card(tg, probe):
    await tg.send(WORKER, "/probe")
    tg.api.calls.clear()
    update = await tg.press(WORKER, "v1:probe:edit")
    [answer] = calls(tg, "answerCallbackQuery")
    assert not answer.get("show_alert") and not answer.get("text")
    [edited] = calls(tg, "editMessageText")
    assert int(edited["chat_id"]) == WORKER and edited["text"] == "改好了"
    assert int(edited["message_id"]) == update["callback_query"]["message"]["message_id"]
    assert markup(edited)["inline_keyboard"][0][0]["callback_data"] == "v1:probe:edit"
    assert calls(tg, "sendMessage") == []                  # edited in place, not sent anew

    tg.api.calls.clear()
    await tg.press(WORKER, "v1:probe:alert")               # an alert is the pop-up; the rest a message
    [answer] = calls(tg, "answerCallbackQuery")
    assert answer["show_alert"] and "不能使用" in answer["text"]
    assert [c["text"] for c in calls(tg, "sendMessage")] == ["另发一条"]


@pytest.mark.parametrize("data", [
    "v1:probe:n:99999999999999999999",                     # a huge number: int_arg refuses it
    "v1:probe:n:²", "v1:probe:n:٣",                       # digits that are not ASCII
    "v1:probe:n:" + "9" * 41,                              # longer than an argument may be
    "v1:probe",                                            # no verb
    "v1:nosuch:do:1",                                      # no such feature
    "v2:probe:n:5", "probe:n:5", "zzz", "",                # another version, none, garbage
    "v1:" + "a" * 70,                                      # longer than Telegram allows
    None,                                                  # no data at all
])
async def test_forged_or_garbage_callback_data_is_an_expired_button(tg, probe, caplog, data):
    await tg.press(WORKER, data)
    [answer] = calls(tg, "answerCallbackQuery")
    assert answer["show_alert"] and "已失效" in answer["text"]
    assert calls(tg, "sendMessage") == [] and calls(tg, "editMessageText") == []
    no_trouble(tg, caplog)


async def test_a_tap_without_its_message_is_answered(tg, probe, caplog):
    await tg.press(WORKER, "zzz", message=False)
    [answer] = calls(tg, "answerCallbackQuery")
    assert answer["show_alert"] and "已失效" in answer["text"]
    await tg.press(WORKER, "v1:probe:edit", message=False)  # nothing to edit: said anew
    assert [c["text"] for c in calls(tg, "sendMessage")] == ["改好了"]
    assert len(calls(tg, "answerCallbackQuery")) == 2
    no_trouble(tg, caplog)


async def test_a_strangers_tap_gets_the_how_to_join_alert(tg, probe):
    await tg.press(STRANGER, "v1:probe:n:5")
    [answer] = calls(tg, "answerCallbackQuery")
    assert answer["show_alert"] and "邀请码" in answer["text"]
    assert await tg.user(STRANGER) is None


# --- other kinds of update ---------------------------------------------------------------------

async def test_an_edited_message_is_read_again_as_a_report(tg, probe, caplog):
    """An edit is never a flow's answer (nor a typed button): it is the report, corrected."""
    await tg.send(WORKER, "/probe")
    original = message_json(WORKER, "入户5户")
    await tg.feed(update_json(message=original))
    await tg.feed(update_json(edited_message={**original, "text": "入户6户", "edit_date": 1_790_000_100}))
    [first] = probe                                        # the flow took the message, not its edit
    assert not first["event"].edited and first["event"].text == "入户5户"
    assert "入户 6户" in tg.last_text(WORKER)              # the edit became a one-line card
    no_trouble(tg, caplog)


UNKNOWN = {
    "channel_post": {"message_id": 1, "date": 1_790_000_000, "text": "频道消息",
                     "chat": {"id": -1001, "type": "channel", "title": "频道"}},
    "inline_query": {"id": "iq", "from": user_json(WORKER), "query": "入户", "offset": ""},
    "business_message": {**message_json(WORKER, "你好"), "business_connection_id": "bc"},
    "poll": {"id": "p", "question": "?", "options": [], "total_voter_count": 0, "is_closed": False,
             "is_anonymous": True, "type": "regular", "allows_multiple_answers": False,
             "allows_revoting": False, "members_only": False},
}


@pytest.mark.parametrize("kind", list(UNKNOWN))
async def test_updates_the_bot_does_not_take_get_silence(tg, caplog, kind):
    handled = (await tg.storage.db.fetchone("SELECT COUNT(*) FROM inbox"))[0]
    with caplog.at_level(logging.DEBUG):
        await tg.feed(update_json(**{kind: UNKNOWN[kind]}))
    assert tg.api.calls == []
    assert (await tg.storage.db.fetchone("SELECT COUNT(*) FROM inbox"))[0] == handled  # the core never saw it
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


async def test_a_photo_is_downloaded_before_the_core_runs(tg, probe):
    tg.api.files["big"] = b"\xff\xd8 a real poster"
    await tg.send(WORKER, "/probe")
    sizes = [{"file_id": "small", "file_unique_id": "small-u", "width": 90, "height": 90},
             {"file_id": "big", "file_unique_id": "big-u", "width": 1280, "height": 960}]
    await tg.feed(update_json(message=message_json(WORKER, None, photo=sizes, caption="海报3张")))
    [got] = probe
    photo = got["event"].photo
    assert (photo.ref, photo.unique, photo.data) == ("big", "big-u", b"\xff\xd8 a real poster")
    assert got["event"].text == "海报3张"
    assert "getFile" in got["calls"]                         # fetched before the handler ran


def document_json(file_id: str, name: str | None, size: int | None) -> dict:
    doc = {"file_id": file_id, "file_unique_id": file_id + "-u", "mime_type": "text/csv"}
    doc |= {"file_name": name} if name is not None else {}
    return doc | ({"file_size": size} if size is not None else {})


async def test_a_file_sent_to_the_bot_is_downloaded_into_the_event(tg, caplog):
    """The office's spreadsheet of early warnings: its name and bytes on Event.document,
    fetched before the core runs and kept in the inbox with the event; over the Bot API's
    20 MB getFile limit it comes without bytes (never fetched); in a group, not at all."""
    from telegram import Update

    from channels.telegram.adapter import MAX_DOWNLOAD, to_event
    from handlers.core import Document, Event

    sheet = "预警名单,电话\n张三,138\n".encode()
    tg.api.files["warn"] = sheet

    async def event_of(message: dict) -> Event:
        return await to_event(Update.de_json(update_json(message=message), tg.app.bot))

    got = await event_of(message_json(OFFICE, None, document=document_json("warn", "预警.csv", len(sheet)),
                                      caption="本周预警"))
    assert got.document == Document("预警.csv", sheet) and got.text == "本周预警"
    assert [c.params["file_id"] for c in tg.api.calls if c.method == "getFile"] == ["warn"]
    assert Event.from_json(got.to_json()).document == Document("预警.csv", sheet)   # the inbox keeps it whole
    tg.api.calls.clear()
    big = await event_of(message_json(OFFICE, None, document=document_json("huge", "大.xlsx", MAX_DOWNLOAD + 1)))
    assert big.document == Document("大.xlsx", None) and not calls(tg, "getFile")
    unnamed = await event_of(message_json(OFFICE, None, document=document_json("warn", None, None)))
    assert unnamed.document == Document("warn-u", sheet)
    tg.api.calls.clear()
    grouped = await event_of(message_json(OFFICE, None, chat_id=-100, chat_type="group",
                                          document=document_json("warn", "预警.csv", len(sheet))))
    assert grouped.document is None and not calls(tg, "getFile")
    await tg.feed(update_json(message=message_json(OFFICE, None, document=document_json("warn", "预警.csv", None))))
    no_trouble(tg, caplog)                                   # through the whole way in, whatever the core makes of it


async def test_the_location_keyboard_and_a_shared_place(tg, probe):
    await tg.send(WORKER, "/where")
    keyboard = markup(calls(tg, "sendMessage")[-1])
    first, second = keyboard["keyboard"]
    assert first[0]["request_location"] and "位置" in first[0]["text"]
    assert second[0]["text"] == "跳过"                      # the choices as words to tap
    assert keyboard.get("one_time_keyboard")
    await tg.feed(update_json(message=message_json(WORKER, None, location={"latitude": 29.5,
                                                                           "longitude": 107.4})))
    [got] = probe
    assert got["event"].location == (29.5, 107.4)
    assert markup(calls(tg, "sendMessage")[-1]) == {"remove_keyboard": True}   # the keyboard goes


async def test_a_typed_place_takes_the_keyboard_away_even_before_buttons(tg, probe):
    await tg.send(WORKER, "/where")
    await tg.send(WORKER, "/probe")                           # the next reply has inline buttons
    sent = calls(tg, "sendMessage")[-1]
    assert sent["text"] == "探针" and markup(sent) == {"remove_keyboard": True}
    [edit] = calls(tg, "editMessageReplyMarkup")               # its buttons go on the same message
    assert [b["text"] for b in markup(edit)["inline_keyboard"][0]] == ["改", "五"]
    await tg.send(WORKER, "/probe")                            # once only
    assert markup(calls(tg, "sendMessage")[-1])["inline_keyboard"]


# --- the outbox over Telegram, and the runner's ticker ---------------------------------------------

async def test_outbox_sender_records_a_block_and_waits_out_retry_after(tg):
    worker, contact = await tg.user(WORKER), await tg.user(CONTACT)
    await tg.storage.outbox.enqueue("test:1", {
        worker.address: body(["第一段", "第二段"], [[("立即报送", "report:pick:monthly-28:2026-11")]]),
        contact.address: body("提醒")}, tg.clock.now())
    tg.api.forbidden.add(CONTACT)
    tg.api.retry_after[WORKER] = 1                           # the rate limiter waits 1 s and retries
    counts = await drain(tg.svc, tg.senders())
    assert counts == {"sent": 1, "blocked": 1}
    assert await tg.storage.outbox.statuses("test:1") == {worker.address: "sent", contact.address: "blocked"}
    [blocked] = await tg.storage.users.accounts(contact.id)
    assert blocked.blocked_at is not None
    first, second = tg.api.sent(WORKER)                     # each part once; buttons on the last
    assert (first.params["text"], second.params["text"]) == ("第一段", "第二段")
    assert "reply_markup" not in first.params
    assert markup(second.params)["inline_keyboard"][0][0]["callback_data"] == "v1:report:pick:monthly-28:2026-11"


async def test_the_sender_itself_waits_out_retry_after_and_gives_up_in_the_end(tg, monkeypatch):
    """Past the rate limiter (a plain Bot here), RetryAfter is waited out a few times."""
    from telegram import Bot

    from channels.telegram import sender as sender_module

    from .botapi import RecordingRequest
    waited: list[float] = []

    async def sleep(seconds):
        waited.append(seconds)
    monkeypatch.setattr(sender_module, "asyncio", SimpleNamespace(sleep=sleep))
    async with Bot("123:TEST", request=RecordingRequest(tg.api),
                   get_updates_request=RecordingRequest(tg.api)) as bot:
        send = sender_module.TelegramSender(bot).send
        tg.api.retry_after[WORKER] = 2
        assert await send(str(WORKER), ["提醒"], []) == "sent"
        assert waited == [1.0, 1.0] and len(tg.api.sent(WORKER)) == 1
        tg.api.retry_after[CONTACT] = sender_module.MAX_ATTEMPTS
        assert await send(str(CONTACT), ["提醒"], []) == "failed"
        assert tg.api.sent(CONTACT) == []


async def test_answers_take_the_budget_before_bulk_sends_and_bulk_only_what_is_left():
    """One budget of 8 a second (a burst of 8): an answer waiting goes before every bulk
    send, whenever either came; bulk fills at most a fifth of the bucket (1.6 here: one send
    each time it has leaked nearly empty), so the rest of the burst stays for answers. The clock stands still here and moves only
    when told (by binary fractions of a second: exact sums)."""
    from channels.telegram.pace import Budget

    now = [1000.0]
    budget = Budget(8, clock=lambda: now[0])
    order: list[str] = []

    async def one(kind: str) -> None:
        await budget.take(bulk=kind == "bulk")
        order.append(kind)

    async def after(seconds: float) -> None:
        now[0] += seconds
        budget._grant()
        for _ in range(3):
            await asyncio.sleep(0)

    def settled(tasks) -> int:
        return sum(t.done() for t in tasks)

    bulk = [asyncio.create_task(one("bulk")) for _ in range(30)]       # a reminder round
    await after(0)
    assert settled(bulk) == 1                                          # into the empty bucket only
    answers = [asyncio.create_task(one("answer")) for _ in range(15)]  # then people write
    await after(0)
    assert settled(answers) == 7 and settled(bulk) == 1               # the rest of the burst, at once
    await after(0.25)                                                  # 2 slots leak out
    assert settled(answers) == 9 and settled(bulk) == 1               # all to the answers waiting
    await after(0.5)
    assert settled(answers) == 13 and settled(bulk) == 1
    await after(0.25)
    assert settled(answers) == 15 and settled(bulk) == 1
    await after(0.5)
    assert settled(bulk) == 1                                          # the bucket is not empty yet
    await after(0.5)
    assert settled(bulk) == 2
    for _ in range(4):
        await after(0.125)                                             # nobody writes: the full rate
    assert settled(bulk) == 6
    assert order == ["bulk"] + ["answer"] * 15 + ["bulk"] * 5
    for task in bulk:
        task.cancel()
    await asyncio.gather(*bulk, return_exceptions=True)


async def test_outbox_sends_are_marked_bulk_and_answers_are_not(tg, probe):
    """The rate limiter tells them apart by rate_limit_args: the outbox's sends give way."""
    pace = tg.app.bot.rate_limiter
    seen: list[tuple[str, object]] = []
    take = pace.budget.take

    async def spy(bulk):
        seen.append(("bulk" if bulk else "answer"))
        await take(bulk)
    pace.budget.take = spy
    await tg.send(WORKER, "/probe")                                    # an answer
    assert seen and set(seen) == {"answer"}
    seen.clear()
    worker = await tg.user(WORKER)
    await tg.storage.outbox.enqueue("test:1", {worker.address: body("提醒")}, tg.clock.now())
    await drain(tg.svc, tg.senders())
    assert seen == ["bulk"] and tg.api.texts(WORKER)[-1] == "提醒"
    await tg.app.bot.send_message(-100, "群里")                         # a group: 20 a minute as well
    assert pace.groups[-100].max_rate == 20 and WORKER not in pace.groups


async def test_the_runners_ticker_runs_what_is_due_and_skips_while_a_round_runs(tmp_path):
    async with Harness(tmp_path, datetime(2026, 11, 26, 9, 0, 30, tzinfo=TZ)) as h:
        await h.import_orgs()
        await h.join(CONTACT, "BHQ", "contact")
        ticker = Ticker(h.svc, h.senders())
        async with ticker.lock:                               # a round still running: the next skips
            assert await ticker.tick() is None
        assert await h.storage.outbox.last_queued("remind:") is None
        await ticker.tick()
        [reminder] = [c for c in h.api.sent(CONTACT) if c.params["text"].startswith("⏰")]
        assert markup(reminder.params)["inline_keyboard"][0][0]["callback_data"] == \
            "v1:report:pick:monthly-28:2026-11"
        await ticker.tick()
        assert len([c for c in h.api.sent(CONTACT) if c.params["text"].startswith("⏰")]) == 1


async def test_the_ticker_ticks_on_its_own_and_never_runs_two_rounds_at_once(tmp_path, monkeypatch):
    """Ticker.run starts a round every `every` seconds; a round that outlasts it makes the
    next ones skip (waits on events, never on the clock)."""
    import asyncio

    import bot.runner as runner
    started, release = asyncio.Event(), asyncio.Event()
    rounds: list[str] = []

    async def slow_round(services, senders):
        rounds.append("start")
        started.set()
        await release.wait()
        rounds.append("end")
        return {}

    monkeypatch.setattr("schedules.run_due", slow_round)
    ticker = runner.Ticker(None, {}, every=0.01)
    skipped = asyncio.Event()
    tick = ticker.tick

    async def counting_tick():
        result = await tick()
        if result is None:
            skipped.set()
        return result
    ticker.tick = counting_tick
    task = asyncio.create_task(ticker.run(first=0))
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.wait_for(skipped.wait(), 5)              # the next tick came while the round ran
    assert rounds == ["start"]
    release.set()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_events_of_one_chat_keep_their_order_while_chats_run_side_by_side():
    """channels.Inbound: a chat's second event waits for its first; another chat does not."""
    import asyncio

    from channels import Inbound
    from handlers.core import Event

    order: list[str] = []
    first_may_finish, other_chat_done = asyncio.Event(), asyncio.Event()

    class Core:
        async def handle(self, event, send):
            order.append(f"{event.event_id} start")
            if event.event_id == "a1":
                await first_may_finish.wait()
            order.append(f"{event.event_id} end")
            if event.event_id == "b1":
                other_chat_done.set()
            return []

    class Answer:
        async def now(self, reply):
            pass

        async def render(self, replies):
            pass

    core = Core()
    inbound = Inbound("telegram", lambda: core)
    for chat, n in (("1", "a1"), ("1", "a2"), ("2", "b1")):
        inbound.spawn(Event(channel="telegram", event_id=n, sender=chat, chat=chat, text="t"), Answer())
    await asyncio.wait_for(other_chat_done.wait(), 5)       # chat 2 is not held up by chat 1
    assert order == ["a1 start", "b1 start", "b1 end"]
    first_may_finish.set()
    await inbound.drain(5)
    assert order[3:] == ["a1 end", "a2 start", "a2 end"]   # chat 1 in order
    assert len(inbound.lanes) == 0 and not inbound.tasks    # nothing left behind


# --- the inbox: nothing Telegram has forgotten is lost ---------------------------------------------

class PollingRequest:
    """A recording request whose getUpdates hands out the batches a test queues (and waits,
    really suspended, while there are none), and notes what the inbox held whenever an
    offset was asked for: an offset tells Telegram to forget every update below it."""

    def __init__(self, api, db_path) -> None:
        import asyncio

        from .botapi import RecordingRequest

        self.inner, self.db_path = RecordingRequest(api), db_path
        self.batches: asyncio.Queue = asyncio.Queue()
        self.offsets: list[tuple[int, set[str]]] = []  # (offset asked, event ids then in the inbox)
        self.polled = asyncio.Condition()

    def __getattr__(self, name):
        return getattr(self.inner, name)

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        if not url.endswith("/getUpdates"):
            return await self.inner.do_request(url, method, request_data, *args, **kwargs)
        import sqlite3

        offset = int((request_data.parameters if request_data else {}).get("offset") or 0)
        with sqlite3.connect(self.db_path) as db:
            kept = {r[0] for r in db.execute("SELECT event_id FROM inbox WHERE channel = 'telegram'")}
        async with self.polled:
            self.offsets.append((offset, kept))
            self.polled.notify_all()
        batch = await self.batches.get()
        return 200, json.dumps({"ok": True, "result": batch}).encode()


def polling_request(api, db_path):
    """PollingRequest as a telegram BaseRequest (PTB checks the type)."""
    from telegram.request import BaseRequest

    class Request(PollingRequest, BaseRequest):
        read_timeout = 1.0

        async def initialize(self):
            pass

        async def shutdown(self):
            pass

    return Request(api, db_path)


async def test_a_batch_is_confirmed_only_once_in_the_inbox_and_a_restart_handles_what_was_left(tmp_path):
    """kill -9 after Telegram was told (the next offset) but before the updates were handled:
    they are in the inbox, and the next run handles them, in order per chat, once."""
    import asyncio

    from bot.app import open_services
    from bot.clock import FakeClock
    from bot.config import Settings
    from channels.telegram import TelegramChannel
    from handlers import build_core

    from .botapi import FakeBotAPI

    settings = Settings(_env_file=None, database_path=tmp_path / "bot.sqlite3", telegram_bot_token="123:TEST")
    svc = await open_services(settings, FakeClock(NOW))
    core = build_core(svc)
    handle, entered = core.handle, asyncio.Event()

    async def stuck(event, send=None):  # the process dies before any update is handled
        entered.set()
        await asyncio.Event().wait()
    core.handle = stuck

    api = FakeBotAPI()
    request = polling_request(api, settings.database_path)
    first = TelegramChannel(settings, request)
    await first.start(core)
    batch = [update_json(message=message_json(uid, text)) for uid, text in
             ((701, "你好"), (702, "在吗"), (701, "/help"))]
    await request.batches.put(batch)
    last = batch[-1]["update_id"]
    async with request.polled:
        await asyncio.wait_for(request.polled.wait_for(lambda: request.offsets and request.offsets[-1][0] == last + 1), 5)
    await asyncio.wait_for(entered.wait(), 5)
    told, kept = request.offsets[-1]
    assert {str(u["update_id"]) for u in batch} <= kept      # in the inbox before Telegram was told

    for task in [first._task, *first.inbound.tasks]:         # the crash: nothing more runs
        task.cancel()
    await asyncio.gather(first._task, *first.inbound.tasks, return_exceptions=True)
    await first.app.shutdown()
    rows = await svc.storage.db.fetchall("SELECT event_id FROM inbox WHERE handled_at IS NULL ORDER BY seq")
    assert [r[0] for r in rows] == [str(u["update_id"]) for u in batch]

    core.handle = handle                                      # the next run; Telegram has forgotten the batch
    api2 = FakeBotAPI()
    request2 = polling_request(api2, settings.database_path)
    second = TelegramChannel(settings, request2)
    await second.start(core)
    async with request2.polled:                               # it polls only once the inbox is resumed
        await asyncio.wait_for(request2.polled.wait_for(lambda: request2.offsets), 5)
    assert await svc.storage.db.fetchall("SELECT event_id FROM inbox WHERE handled_at IS NULL") == []
    assert await svc.storage.db.fetchall("SELECT event_id FROM inbox WHERE payload IS NOT NULL") == []
    to_701 = [c for c in api2.calls if c.method == "sendMessage" and int(c.params["chat_id"]) == 701]
    to_702 = [c for c in api2.calls if c.method == "sendMessage" and int(c.params["chat_id"]) == 702]
    assert len(to_701) == 2 and len(to_702) == 1                # each answered once, as new messages
    await request2.batches.put(batch)                          # delivered again after all: nothing new
    async with request2.polled:
        await asyncio.wait_for(request2.polled.wait_for(lambda: request2.offsets[-1][0] == last + 1), 5)
    await second.stop()
    assert len([c for c in api2.calls if c.method == "sendMessage"]) == 3
    await svc.storage.close()
