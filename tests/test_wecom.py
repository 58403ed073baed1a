"""The WeCom channel (channels/wecom) with the real SDK against a fake WeCom server
(tests/wecom.py): callbacks in, respond / update / send / upload frames out, the outbox's
sender, pacing per conversation, reconnection.

Conversations themselves are tested on the text channel; here the same flows run through
WeCom and must save the same figures."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import pathlib
import random
import re
import time
from datetime import date, datetime, timedelta

import pytest

from bot.app import open_services
from bot.clock import FakeClock
from bot.config import Settings
from channels import Refused
from channels.wecom import WeComChannel
from channels.wecom.render import MAX_TEXT_BYTES
from channels.wecom.sender import CHUNK, MAX_WAIT, Pacer, upload
from handlers import build_core
from storage.outbox import body

from .conftest import TZ
from .helpers import Harness as TextHarness
from .wecom import (BROKEN, BUSY, REFUSED, RESPOND, SEND, UPDATE, UPLOADS, FakeWeCom, Harness, buttons, encrypt,
                    text_of)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
WORKER, CONTACT, OFFICE = "zhangwei", "lina", "wangfang"   # WeCom userids
GROUP = "wrkSFfCgAAtest"                                     # a group chat's chatid
TASK_ID = re.compile(r"[0-9A-Za-z_\-@]{1,128}")


@pytest.fixture
async def wc(tmp_path):
    """The WeCom channel with the sample township, a worker, a contact and an office."""
    async with Harness(tmp_path, NOW) as h:
        await h.import_orgs()
        await h.join(WORKER, "BHQ-1", "worker")
        await h.join(CONTACT, "BHQ", "contact")
        await h.join(OFFICE, "WLS", "office")
        yield h


async def entries_of(h, uid: str) -> list:
    user = await h.user(uid)
    return await h.storage.entries.for_user(user.id, date(2026, 1, 1))


def no_card_too_big(fake: FakeWeCom) -> None:
    for got in fake.got:
        card = got.body.get("template_card")
        if card is not None:
            assert len(card.get("button_list", [])) <= 6 and TASK_ID.fullmatch(card["task_id"])


# --- joining, reports, taps ---------------------------------------------------------------------

async def test_joining_with_an_invite_code_typed_bare(tmp_path):
    async with Harness(tmp_path, NOW) as h:
        await h.import_orgs()
        code = await h.invite("CYB-1", "worker")
        req_id = await h.send("liuyang", code.lower())
        [reply] = h.fake.messages("liuyang")
        assert reply.cmd == RESPOND and reply.req_id == req_id          # the reply reuses the req_id
        assert reply.body["msgtype"] == "stream" and reply.body["stream"]["finish"]
        assert "茶园坝社区第一网格" in reply.body["stream"]["content"]
        user = await h.user("liuyang")
        [account] = await h.storage.users.accounts(user.id)
        assert (account.channel, account.external_id, account.chat_id) == ("wecom", "liuyang", "liuyang")
        assert user.role == "worker"
        await h.send("liuyang", f"/start {code}")                       # the same code again: in already
        assert len(await h.storage.db.fetchall("SELECT 1 FROM memberships WHERE user_id = ?", (user.id,))) == 1


async def test_a_one_line_report_becomes_a_card_and_a_tap_saves_it(wc):
    await wc.send(WORKER, "入户15户，海报3张")
    card = wc.fake.last_card(WORKER)
    assert card["card_type"] == "button_interaction" and TASK_ID.fullmatch(card["task_id"])
    assert [b["text"] for b in card["button_list"]] == ["✅ 保存", "✏️ 修改", "✖️ 取消"]
    assert all(b["key"].startswith("v1:quick:") for b in card["button_list"])
    assert "入户 15户" in card["sub_title_text"] and await entries_of(wc, WORKER) == []
    req_id = await wc.press(WORKER, "保存")
    saved = sorted((e.kind, e.measures, e.source) for e in await entries_of(wc, WORKER))
    assert saved == [("poster", {"posters": 3}, "quick"), ("visit", {"households": 15}, "quick")]
    [update] = wc.fake.updates(WORKER)                                   # the tapped card, updated
    assert update.req_id == req_id and update.body["response_type"] == "update_template_card"
    assert update.body["template_card"]["task_id"] == card["task_id"]
    assert any("撤销" in b for b in buttons(update.body["template_card"]))
    assert any("已保存" in t for t in wc.texts(WORKER))
    no_card_too_big(wc.fake)


async def test_the_tapped_card_is_updated_first_and_within_five_seconds(wc):
    await wc.send(WORKER, "入户15户，海报3张")
    card = wc.fake.last_card(WORKER)
    key = next(b["key"] for b in card["button_list"] if "保存" in b["text"])
    before, pushed = len(wc.fake.got), time.monotonic()
    req_id = await wc.fake.tap(WORKER, card["task_id"], key)
    await wc.answered(req_id)
    first = wc.fake.got[before]                                          # the first frame after the tap
    assert first.cmd == UPDATE and first.req_id == req_id
    assert first.at - pushed < 5.0
    assert [g.cmd for g in wc.fake.got[before + 1:]] == [SEND]           # the rest: sent to the chat


async def test_a_forged_or_stale_tap_is_an_expired_button_and_no_update(wc):
    await wc.send(WORKER, "/me")
    req_id = await wc.fake.tap(WORKER, "nosuchcard", "v2:quick:save:zz")
    await wc.answered(req_id)
    assert wc.fake.updates(WORKER) == []
    assert "已失效" in wc.last_text(WORKER)


async def test_a_guided_visit_through_typed_numbers_saves_what_the_text_channel_saves(wc, tmp_path):
    typed = ["/visit", "10", "二十", "８", "昨天"]
    for text in typed:
        await wc.send(WORKER, text)
    assert "11月23日" in wc.last_text(WORKER)
    await wc.press(WORKER, "确认")
    [entry] = await entries_of(wc, WORKER)

    async with TextHarness(tmp_path / "text", NOW) as text:             # the same on the text channel
        await text.import_orgs()
        await text.join(101, "BHQ-1", "worker")
        for said in typed:
            await text.send(101, said)
        await text.tap(101, "确认")
        [same] = await text.storage.entries.for_user((await text.user(101)).id, date(2026, 1, 1))
    assert (entry.kind, entry.measures, entry.happened_on, entry.source) == \
        (same.kind, same.measures, same.happened_on, same.source) == \
        ("visit", {"households": 10, "people": 20, "app_installs": 8}, date(2026, 11, 23), "flow")
    no_card_too_big(wc.fake)


async def test_more_than_six_choices_go_on_several_cards(wc):
    await wc.send(WORKER, "/log")
    first, second = [g.body["template_card"] for g in wc.fake.messages(WORKER)[-2:]]
    assert "要登记哪项工作" in first["main_title"]["title"] and second["main_title"]["title"] == "更多选择："
    assert len(buttons(first)) == 6 and buttons(second) == ["广播", "短信提醒", "宣传阵地", "收回回执", "劝阻回访"]  # kinds added by issue 11 go last
    await wc.press(WORKER, "广播")                                       # a choice on the second card
    conv = await wc.storage.conversations.load((await wc.user(WORKER)).id)
    assert conv.flow == "log" and conv.data["kind"] == "broadcast"
    no_card_too_big(wc.fake)


async def test_long_texts_go_as_markdown_in_parts(wc):
    big = "\n".join(f"第{n}行：" + "很长的说明" * 20 for n in range(60))
    assert await wc.channel.sender.send(WORKER, [big], []) == "sent"
    parts = [g.body for g in wc.fake.messages(WORKER) if g.cmd == SEND]
    assert len(parts) > 1 and {p["msgtype"] for p in parts} == {"markdown"}
    assert all(len(p["markdown"]["content"].encode()) <= MAX_TEXT_BYTES for p in parts)
    assert "\n".join(p["markdown"]["content"] for p in parts) == big


async def test_typed_text_cannot_become_markdown_links_tags_or_bold(wc):
    """Names and notes people typed reach others inside our texts: WeCom must show them as
    written, never as a link, a <font> tag, or a masked phone's ** turned bold."""
    hostile = "张* 138****1234 [点我](http://evil.example) <font color=\"warning\">急</font> `x`"
    assert await wc.channel.sender.send(WORKER, [hostile], []) == "sent"
    [sent] = [g.body["markdown"]["content"] for g in wc.fake.messages(WORKER) if g.cmd == SEND]
    assert not set("*[]<>`") & set(sent)
    assert "138＊＊＊＊1234" in sent and "［点我］(http://evil.example)" in sent and "＜font" in sent


# --- groups -----------------------------------------------------------------------------------------

async def test_bind_office_in_a_group_with_an_mention(wc):
    office = await wc.user(OFFICE)
    await wc.send(WORKER, "大家好，今天去百花桥", chat=GROUP)             # chatter: silence
    assert wc.fake.messages(GROUP) == []
    req_id = await wc.send(OFFICE, "@反诈台账 /bind_office", chat=GROUP)
    [chat] = await wc.storage.users.office_chats(office.org_id)
    assert (chat.channel, chat.chat_id, chat.address) == ("wecom", GROUP, f"c:wecom:{GROUP}")
    [reply] = wc.fake.messages(GROUP)
    assert reply.req_id == req_id                                        # answered in the group
    await wc.send(OFFICE, "@反诈台账 未报", chat=GROUP)                   # a command word, mentioned
    assert any("没报送" in t for t in wc.texts(GROUP))


# --- pictures ------------------------------------------------------------------------------------------

def test_the_fakes_encryption_is_what_the_sdk_decrypts():
    from aibot import decrypt_file

    for data in (b"x", b"\xff\xd8" + bytes(range(256)) * 7, b"p" * 64):
        encrypted, aeskey = encrypt(data)
        assert "=" not in aeskey and len(encrypted) % 32 == 0
        assert decrypt_file(encrypted, aeskey) == data


async def test_an_image_and_a_mixed_message_are_saved_as_evidence(wc):
    alone, captioned = b"\xff\xd8 poster on the wall", b"\xff\xd8 a village lecture"
    await wc.image(WORKER, alone)
    assert "照片" in wc.last_text(WORKER)                                 # kept for the next report
    await wc.mixed(WORKER, "宣讲1场，50人", captioned)
    assert "照片：2 张" in wc.fake.last_card(WORKER)["sub_title_text"]     # the kept one and this one
    await wc.press(WORKER, "保存")
    [entry] = await entries_of(wc, WORKER)
    assert entry.kind == "lecture" and entry.evidence_count == 2
    rows = await wc.storage.db.fetchall("SELECT sha256, path FROM evidence ORDER BY id")
    assert [r[0] for r in rows] == [hashlib.sha256(alone).hexdigest(), hashlib.sha256(captioned).hexdigest()]
    assert [pathlib.Path(r[1]).read_bytes() for r in rows] == [alone, captioned]   # decrypted


async def test_a_photo_sent_twice_is_known_by_its_bytes(wc):
    photo = b"\xff\xd8 the same poster"
    await wc.mixed(WORKER, "海报1张", photo)
    await wc.press(WORKER, "保存")
    await wc.mixed(WORKER, "海报1张", photo)                    # a new url and aeskey, the same bytes
    await wc.press(WORKER, "保存")
    first, second = sorted(await entries_of(wc, WORKER), key=lambda e: e.id)
    assert first.flags == [] and second.flags != []


async def test_one_chats_messages_are_handled_in_order(wc):
    """A photo and then its words, sent back to back: the photo (fetched over HTTP first) is
    kept before the words come, and goes on the card they make; the words do not overtake it."""
    before = len(wc.texts(WORKER))
    photo = await wc.fake.image(WORKER, b"\xff\xd8 door to door")
    words = await wc.fake.text(WORKER, "入户8户")
    await wc.answered(photo)
    await wc.answered(words)
    kept, card = wc.texts(WORKER)[before:]
    assert "照片已收到" in kept and "入户 8户" in card and "照片：1 张" in card


async def test_an_admin_userid_is_office_at_the_root_without_an_invite(tmp_path):
    async with Harness(tmp_path, NOW, admin_wecom_userids=["chief"]) as h:
        await h.import_orgs()
        await h.send("chief", "/me")
        user = await h.user("chief")
        assert user.role == "office" and "武陵山乡" in h.last_text("chief")


# --- the outbox over WeCom -------------------------------------------------------------------------

async def test_a_reminder_reaches_a_contact_and_one_who_never_talked_is_unreachable(tmp_path):
    async with Harness(tmp_path, datetime(2026, 11, 26, 9, 0, 30, tzinfo=TZ)) as h:
        await h.import_orgs()
        await h.join(CONTACT, "BHQ", "contact")
        await h.join(OFFICE, "WLS", "office")
        silent = await h.storage.users.join(await h.invite("JZS", "contact"), "wecom", "zhaolei", "zhaolei",
                                            "赵磊", h.clock.now())     # registered, never wrote to the bot
        await h.tick()
        text, card = [g.body for g in h.fake.messages(CONTACT) if g.cmd == SEND]
        assert text["chatid"] == card["chatid"] == CONTACT
        assert text["markdown"]["content"].startswith("⏰") and "11月28日" in text["markdown"]["content"]
        assert [b["key"] for b in card["template_card"]["button_list"]] == ["v1:report:pick:monthly-28:2026-11"]
        [refused] = [g for g in h.fake.got if g.cmd == SEND and g.body["chatid"] == "zhaolei"]
        assert refused.errcode == REFUSED                                # WeCom would not deliver it
        contact = await h.user(CONTACT)
        assert await h.storage.outbox.last_statuses(["remind:"]) == {contact.address: "sent",
                                                                      silent.address: "unreachable"}
        await h.send(OFFICE, "未报")                                      # /missing names him so
        [listing] = [t for t in h.texts(OFFICE) if "没报送" in t]
        assert "金子山村：赵磊（联系不上）" in listing and "电话" in listing
        assert "百花桥村：lina\n" in listing                              # reached: named plainly
        seen = len(h.texts(OFFICE))
        await h.press(OFFICE, "提醒他们")                                  # the nudge does not claim him
        [done] = [t for t in h.texts(OFFICE)[seen:] if "马上提醒" in t]
        reminded, unreachable = done.split("\n")
        assert "lina" in reminded and "赵磊" not in reminded and "赵磊" in unreachable and "电话" in unreachable
        assert set(await h.storage.outbox.recipients(next(iter(await _nudge_topics(h))))) >= {silent.address}


async def _nudge_topics(h) -> set[str]:
    return {r[0] for r in await h.storage.db.fetchall("SELECT topic FROM outbox WHERE topic LIKE 'nudge:%'")}


async def test_the_sender_paces_each_conversation(wc):
    """31 messages to one chat: 30 go at once, the 31st waits for the minute (none dropped);
    another chat is not held up; a slot more than a minute away: 'later' (kept queued)."""
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds
    wc.channel.pacer = Pacer(clock=lambda: now[0], sleep=sleep)
    sender = wc.channel.sender
    for n in range(31):
        assert await sender.send(WORKER, [f"第{n}条"], []) == "sent"
    assert slept == [pytest.approx(61.0)] and now[0] == pytest.approx(61.0)
    assert await sender.send(CONTACT, ["另一个人"], []) == "sent" and len(slept) == 1
    assert len([g for g in wc.fake.messages(WORKER) if g.cmd == SEND]) == 31

    slept.clear()
    for _ in range(60):                                                  # this minute's and the next's
        wc.channel.pacer.reserve(OFFICE)
    assert wc.channel.pacer.reserve(OFFICE, MAX_WAIT) is None           # two minutes away
    assert await sender.send(OFFICE, ["第61条"], []) == "later"          # not now, and not lost
    assert slept == [] and [g for g in wc.fake.messages(OFFICE) if g.cmd == SEND] == []


def test_pacer_windows():
    t = [0.0]
    pacer = Pacer(limits=((3, 10.0), (5, 100.0)), clock=lambda: t[0])
    assert [pacer.reserve("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert pacer.reserve("a") == 10.0                                    # the 4th after the window
    assert pacer.reserve("a") == 10.0
    assert pacer.reserve("a") == 100.0                                   # the 6th: the long window
    assert pacer.reserve("b") == 0.0                                     # other chats go on
    t[0] = 1000.0
    assert pacer.reserve("a") == 0.0 and len(pacer.slots["a"]) == 1      # old slots forgotten


async def test_export_uploads_the_table_and_the_chart_in_upload_frames(wc):
    await wc.send(WORKER, "入户15户")
    await wc.press(WORKER, "保存")
    before = len(wc.fake.got)
    req_id = await wc.send(OFFICE, "/export")
    sent = wc.fake.got[before:]
    assert sent[0].cmd == RESPOND and sent[0].req_id == req_id                   # "working on it" first
    assert "正在生成" in sent[0].body["stream"]["content"]
    kinds = [g.body["type"] for g in sent if g.cmd == UPLOADS[0]]
    assert kinds == ["file", "image"]
    files = [g.body for g in sent if g.cmd == SEND and g.body["msgtype"] in ("file", "image")]
    assert [f["msgtype"] for f in files] == ["file", "image"]
    kind, name, data = wc.fake.media[files[0]["file"]["media_id"]]
    assert kind == "file" and name.endswith(".xlsx") and data[:2] == b"PK"          # a real spreadsheet
    kind, name, data = wc.fake.media[files[1]["image"]["media_id"]]
    assert kind == "image" and data[:8] == b"\x89PNG\r\n\x1a\n"


async def test_upload_cuts_512_kib_chunks_and_refuses_more_than_wecom_takes(wc):
    data = bytes(range(256)) * (3 * CHUNK // 256) + b"tail"             # three full chunks and a bit
    media_id = await upload(wc.channel.client, "file", "big.bin", data)
    init, *chunks, finish = [g for g in wc.fake.got if g.cmd in UPLOADS]
    assert init.body == {"type": "file", "filename": "big.bin", "total_size": len(data), "total_chunks": 4,
                         "md5": hashlib.md5(data).hexdigest()}
    assert [c.body["chunk_index"] for c in chunks] == [0, 1, 2, 3]
    assert [len(base64.b64decode(c.body["base64_data"])) for c in chunks] == [CHUNK] * 3 + [4]
    assert finish.body == {"upload_id": init_id(wc.fake, init)} and wc.fake.media[media_id][2] == data
    with pytest.raises(ValueError):
        await upload(wc.channel.client, "file", "huge.bin", b"\0" * (100 * CHUNK + 1))
    sent = len(wc.fake.got)
    with pytest.raises(ValueError):                                      # WeCom's 20 MB a file, 10 MB an image
        await upload(wc.channel.client, "file", "big.zip", b"\0" * ((20 << 20) + 1))
    with pytest.raises(ValueError):
        await upload(wc.channel.client, "image", "big.png", b"\0" * ((10 << 20) + 1))
    assert len(wc.fake.got) == sent                                      # not a frame sent for them


def init_id(fake: FakeWeCom, init) -> str:
    return next(upload_id for upload_id, up in fake.uploads.items() if up.init is init.body)


# --- the connection -------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [1011, 1000], ids=["crash", "clean-close"])
async def test_reconnects_after_a_drop_and_loses_nothing_queued(wc, code):
    """The SDK reconnects by itself only after an abnormal close; the channel does it in both
    cases. What the outbox sends meanwhile stays queued ('later'), then goes once."""
    worker, contact = await wc.user(WORKER), await wc.user(CONTACT)
    await wc.storage.outbox.enqueue("test:drop", {worker.address: body("第一条"), contact.address: body("第二条")},
                                    wc.clock.now())
    await wc.fake.drop(code)
    await wc.link(lambda: not wc.channel.online, "the channel to notice the drop")
    assert await wc.drain() == {"later": 2}
    rows = await wc.storage.db.fetchall("SELECT status, attempts FROM outbox WHERE topic = 'test:drop'")
    assert [tuple(r) for r in rows] == [("queued", 0), ("queued", 0)]     # not counted as attempts
    await wc.link(lambda: wc.channel.online, "the reconnection")
    assert wc.fake.subscribed == 2
    assert await wc.drain() == {}                                         # tried again a minute later
    wc.clock.advance(timedelta(minutes=1))
    assert await wc.drain() == {"sent": 2}
    assert await wc.storage.outbox.statuses("test:drop") == {worker.address: "sent", contact.address: "sent"}
    assert [t for t in wc.fake.texts() if t in ("第一条", "第二条")] == ["第一条", "第二条"]
    await wc.send(WORKER, "/me")                                          # and people are answered again
    assert "百花桥村第一网格" in wc.last_text(WORKER)


async def test_a_second_connection_of_the_same_bot_takes_over_and_this_one_steps_back(wc):
    req_id = await wc.fake.kick()
    await wc.answered(req_id)
    assert wc.channel.kicked and not wc.channel.online
    await asyncio.wait_for(wc.channel._keeper, 10)                       # it stopped reconnecting
    assert wc.fake.subscribed == 1


async def test_a_wrong_secret_is_refused_at_start(tmp_path):
    fake = await FakeWeCom().start()
    try:
        settings = Settings(_env_file=None, database_path=tmp_path / "bot.sqlite3", wecom_bot_id="aibot-test-0001",
                            wecom_bot_secret="wrong", wecom_ws_url=fake.url)
        services = await open_services(settings, FakeClock(NOW))
        channel = WeComChannel(settings, watch=0.05, backoff=(0.05, 0.2))
        with pytest.raises(Refused, match="WECOM_BOT_ID / WECOM_BOT_SECRET"):
            await channel.start(build_core(services))
        await channel.stop()
        await services.storage.close()
    finally:
        await fake.stop()


# --- boundaries -----------------------------------------------------------------------------------------


def test_settings_read_the_wecom_variables(monkeypatch):
    monkeypatch.setenv("WECOM_BOT_ID", "aibot-1")
    monkeypatch.setenv("WECOM_BOT_SECRET", "s")
    monkeypatch.setenv("ADMIN_WECOM_USERIDS", "zhangwei, lina")
    settings = Settings(_env_file=None)
    assert settings.wecom_bot_id == "aibot-1" and settings.admin_wecom_userids == ["zhangwei", "lina"]
    assert "s" not in repr(settings.wecom_bot_secret)
    monkeypatch.setenv("WECOM_WS_URL", "http://example")
    with pytest.raises(Exception, match="ws://"):
        Settings(_env_file=None)


# --- the inbox -----------------------------------------------------------------------------------------

async def test_a_callback_is_recorded_on_arrival_and_the_next_run_answers_it(tmp_path):
    """kill -9 after a callback arrived but before it was handled: WeCom never sends it again,
    and the inbox has it. The next run's first connection handles it before anything new,
    with new messages (the callback's req_id died with its connection)."""
    async with Harness(tmp_path, NOW) as h:
        await h.import_orgs()
        await h.join(WORKER, "BHQ-1", "worker")
        handle, entered = h.core.handle, asyncio.Event()

        async def stuck(event, send=None):  # the process dies before the report is handled
            entered.set()
            await asyncio.Event().wait()
        h.core.handle = stuck
        seen = len(h.fake.messages(WORKER))
        await h.fake.text(WORKER, "入户15户")
        await asyncio.wait_for(entered.wait(), 5)
        [row] = await h.storage.db.fetchall("SELECT payload FROM inbox WHERE handled_at IS NULL")
        assert "入户15户" in row["payload"]

        h.channel.client.cancel()           # the crash: what was being handled dies with it
        await h.channel.stop()
        h.core.handle = handle
        h.channel = WeComChannel(h.settings, watch=0.05, backoff=(0.05, 0.2))
        await h.channel.start(h.core)       # the next run
        await h.fake.until(lambda: len(h.fake.messages(WORKER)) > seen, what="the card, after the restart")
        await h.channel.inbound.drain(5)    # the resume, done (and marked)
        [card] = h.fake.messages(WORKER)[seen:]
        assert card.cmd == SEND and "入户 15户" in card.body["template_card"]["sub_title_text"]
        assert await h.storage.db.fetchall("SELECT 1 FROM inbox WHERE handled_at IS NULL OR payload IS NOT NULL") == []
        key = next(b["key"] for b in card.body["template_card"]["button_list"] if "保存" in b["text"])
        await h.fake.tap(WORKER, card.body["template_card"]["task_id"], key)   # and the card it shows works
        await h.fake.until(lambda: h.fake.updates(WORKER), what="the tapped card, updated")
        assert [e.measures for e in await entries_of(h, WORKER)] == [{"households": 15}]


async def test_a_connection_that_cannot_be_made_is_one_line_and_start_up_goes_on(tmp_path, caplog):
    import socket

    with socket.socket() as s:              # a local port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(_env_file=None, database_path=tmp_path / "bot.sqlite3", wecom_bot_id="aibot-test-0001",
                        wecom_bot_secret="wecom-secret-test-9f3c", wecom_ws_url=f"ws://127.0.0.1:{port}")
    services = await open_services(settings, FakeClock(NOW))
    channel = WeComChannel(settings, watch=0.05, backoff=(0.05, 0.2))
    caplog.set_level("DEBUG")
    await channel.start(build_core(services))   # returns after the first try, not after CONNECT_WAIT
    assert not channel.online
    await asyncio.wait_for(_until_said(channel, caplog, "still unreachable"), 10)  # it keeps trying, quietly
    fake = FakeWeCom(port=port)
    await fake.start()                          # WeCom comes back where the channel keeps trying
    await asyncio.wait_for(_online(channel), 10)
    await channel.stop()
    await services.storage.close()
    await fake.stop()
    said = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in said if str(port) in r.getMessage()] == [
        f"WeCom: cannot reach ws://127.0.0.1:{port} (Connection refused); trying again in the background"]
    assert sum("WECOM_WS_URL" in r.getMessage() for r in said) == 1      # the hint, once
    assert not [r for r in caplog.records if r.exc_info]                   # no traceback
    assert all(r.levelno == logging.DEBUG for r in caplog.records if "still unreachable" in r.getMessage())
    assert any("reachable again" in r.getMessage() for r in caplog.records)


async def _online(channel) -> None:
    while not channel.online:
        channel._changed.clear()
        await channel._changed.wait()


async def _until_said(channel, caplog, text: str) -> None:
    """Wait (woken by each change of the channel's link) until a log record says `text`."""
    while not any(text in r.getMessage() for r in caplog.records):
        channel._changed.clear()
        await channel._changed.wait()


def test_mentions_are_stripped_wherever_they_stand():
    from channels.wecom.adapter import strip_mentions
    assert strip_mentions("@反诈台账 /bind_office") == "/bind_office"
    assert strip_mentions("/summary @反诈台账") == "/summary"
    assert strip_mentions("汇总 @反诈台账") == "汇总"
    assert strip_mentions("海报3张 a@b.com") == "海报3张 a@b.com"          # not a mention


# --- WeCom's rules: a tap's card update, refusals, parts, odd frames -----------------------------------

async def _blocked(h, text: str) -> asyncio.Event:
    """Make the chat busy: the event with this text is held in the core until the returned
    Event is set (the chat's later events wait behind it in its lane)."""
    handle, entered, release = h.core.handle, asyncio.Event(), asyncio.Event()

    async def slow(event, send=None):
        if event.text == text:
            entered.set()
            await release.wait()
        return await handle(event, send)
    h.core.handle = slow
    await h.fake.text(WORKER, text)
    await asyncio.wait_for(entered.wait(), 5)
    return release


async def test_a_tap_in_a_busy_chat_has_its_card_updated_within_five_seconds(tmp_path):
    """The chat is busy with an earlier message: the tapped card is closed ('收到，正在处理…',
    no buttons) within WeCom's window, outside the lane; the answer comes as new messages."""
    async with Harness(tmp_path, NOW, channel=dict(tap_grace=0.2)) as h:
        await h.import_orgs()
        await h.join(WORKER, "BHQ-1", "worker")
        await h.send(WORKER, "入户15户")
        card = h.fake.last_card(WORKER)
        key = next(b["key"] for b in card["button_list"] if "保存" in b["text"])
        release = await _blocked(h, "/me")
        req_id = await h.fake.tap(WORKER, card["task_id"], key)
        await h.fake.until(lambda: h.fake.updates(WORKER), timeout=4.0, what="the card update, chat still busy")
        [update] = h.fake.updates(WORKER)
        assert update.req_id == req_id and update.errcode == 0                  # within the window
        closed = update.body["template_card"]
        assert closed["task_id"] == card["task_id"] and "button_list" not in closed
        assert "正在处理" in closed["main_title"]["title"]
        assert await entries_of(h, WORKER) == []                                # not handled yet: in order
        release.set()
        await h.answered(req_id)
        assert [e.measures for e in await entries_of(h, WORKER)] == [{"households": 15}]
        assert len(h.fake.updates(WORKER)) == 1                                  # one update per tap
        assert "撤销" in " ".join(buttons(h.fake.last_card(WORKER)))           # the answer: a new card


async def test_a_late_card_update_is_refused_and_the_answer_comes_as_a_message(wc):
    await wc.send(WORKER, "入户15户")
    wc.fake.update_window = 0.0                                                 # every update late
    await wc.press(WORKER, "保存")
    [update] = wc.fake.updates(WORKER)
    assert update.errcode != 0 and wc.fake.violations == [f"{UPDATE}: the card updated more than 0.0 s after the tap"]
    wc.fake.violations.clear()
    assert "撤销" in " ".join(buttons(wc.fake.last_card(WORKER)))            # the saved card, as a new message
    assert [e.measures for e in await entries_of(wc, WORKER)] == [{"households": 15}]


async def test_a_tap_answered_without_buttons_closes_the_card(wc):
    await wc.send(WORKER, "入户15户")
    card = wc.fake.last_card(WORKER)
    await wc.press(WORKER, "取消")
    [update] = wc.fake.updates(WORKER)
    closed = update.body["template_card"]
    assert closed["task_id"] == card["task_id"] and closed["card_type"] == "text_notice"
    assert "button_list" not in closed and closed["main_title"]["title"] == "已取消，什么都没保存。"
    assert await entries_of(wc, WORKER) == []


async def test_the_fake_enforces_wecoms_rules(wc):
    """What WeCom refuses, the fake refuses: the bot's own tests then show it keeps the rules."""
    client = wc.channel.client
    good = {"card_type": "button_interaction", "main_title": {"title": "t"},
            "button_list": [{"text": "a", "style": 1, "key": "v1:x:y"}]}
    seven = [{"text": str(n), "style": 1, "key": f"v1:x:{n}"} for n in range(7)]
    cases = [dict(good, task_id="bad id!"), dict(good, task_id="a" * 129), dict(good, task_id="t1"),
             dict(good, task_id="t1"), dict(good, task_id="t2", button_list=seven)]
    codes = []
    for card in cases:
        try:
            await client.send_message(WORKER, {"msgtype": "template_card", "template_card": card})
            codes.append(0)
        except RuntimeError as err:
            codes.append(int(re.search(r"errcode=(-?\d+)", str(err)).group(1)))
    assert codes == [BROKEN, BROKEN, 0, BROKEN, BROKEN]
    with pytest.raises(RuntimeError):
        await client.send_message(WORKER, {"msgtype": "markdown", "markdown": {"content": "长" * 1366}})
    assert len(wc.fake.violations) == 5
    wc.fake.violations.clear()


async def test_the_bot_keeps_its_heartbeat_and_the_fake_closes_a_silent_connection(tmp_path):
    async with Harness(tmp_path, NOW, channel=dict(heartbeat=0.05)) as h:
        h.fake.idle_limit = 0.5
        await h.fake.until(lambda: h.fake.pings >= 10, what="ten pings")
        assert h.channel.online and h.fake.subscribed == 1 and h.fake.violations == []
    async with Harness(tmp_path / "silent", NOW, channel=dict(heartbeat=60)) as h:
        h.fake.idle_limit = 0.2                                                  # no ping in time: closed
        await h.fake.until(lambda: h.fake.violations, what="the silent connection closed")
        await h.link(lambda: h.fake.subscribed >= 2 and h.channel.online, "the reconnection")
        h.fake.idle_limit = None
        h.fake.violations.clear()


async def test_an_unacknowledged_message_is_not_sent_twice(wc):
    wc.channel.client._ws_manager._reply_ack_timeout = 0.2   # the SDK's 5 s, shortened
    worker = await wc.user(WORKER)
    await wc.storage.outbox.enqueue("test:ack", {worker.address: body("只发一次")}, wc.clock.now())
    wc.fake.silent.add(SEND)                                 # it arrives; its acknowledgement does not
    assert await wc.drain() == {"sent": 1}
    wc.clock.advance(timedelta(minutes=5))
    assert await wc.drain() == {}
    assert [text_of(g.body) for g in wc.fake.got].count("只发一次") == 1


async def test_a_busy_wecom_is_tried_again_later_and_every_refusal_is_logged(wc, caplog):
    worker, contact = await wc.user(WORKER), await wc.user(CONTACT)
    await wc.storage.outbox.enqueue("test:busy", {worker.address: body("忙时的消息")}, wc.clock.now())
    wc.fake.refuse[SEND] = BUSY
    assert await wc.drain() == {"later": 1}
    assert await wc.storage.outbox.statuses("test:busy") == {worker.address: "queued"}   # not unreachable
    assert any("aibot_send_msg" in r.getMessage() and "errcode -1" in r.getMessage() for r in caplog.records)
    wc.clock.advance(timedelta(minutes=1))
    assert await wc.drain() == {"sent": 1}
    await wc.storage.outbox.enqueue("test:odd", {contact.address: body("另一种拒绝")}, wc.clock.now())
    wc.fake.refuse[SEND] = 40_008                             # a refusal of the message, not of the person
    assert await wc.drain() == {"failed": 1}
    assert await wc.storage.outbox.statuses("test:odd") == {contact.address: "queued"}
    assert any("errcode 40008" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_message_in_parts_cut_by_a_disconnect_sends_the_rest_after_reconnecting(wc):
    """A reminder goes as its text, then its card; the connection drops between them: the
    card goes after the reconnection, and the text is not sent again."""
    contact = await wc.user(CONTACT)
    text = "⏰ 这是一条很长的提醒，第一行超过了卡片标题能放下的二十六个字，所以先单独发出\n请在11月28日前报送"
    await wc.storage.outbox.enqueue("test:parts", {contact.address: body(text, [[("立即报送", "report:pick:x")]])},
                                    wc.clock.now())
    wc.fake.drop_after = SEND
    assert await wc.drain() == {"later": 1}
    assert await wc.storage.outbox.statuses("test:parts") == {contact.address: "queued"}
    await wc.link(lambda: wc.channel.online and wc.fake.subscribed == 2, "the reconnection")
    wc.clock.advance(timedelta(minutes=1))
    assert await wc.drain() == {"sent": 1}
    sent = [g.body for g in wc.fake.messages(CONTACT) if g.cmd == SEND]
    assert [b["msgtype"] for b in sent] == ["markdown", "template_card"]            # each once, in order
    assert sent[0]["markdown"]["content"] == text
    assert buttons(sent[1]["template_card"]) == ["立即报送"]


async def test_odd_frames_are_ignored_quietly(wc, caplog):
    """Frames with fields missing or of the wrong type, and a few that are not even objects:
    ignored with a line below ERROR, never an exception; the bot goes on answering."""
    caplog.set_level("DEBUG")
    rng = random.Random(9)
    odd: list = [[], "x", 7, None, {"headers": "x"}, {"headers": {"req_id": 5}}, {"cmd": "aibot_msg_callback"}]

    def valid(n: int) -> dict:
        user = f"fz{n}"
        bodies = [{"msgtype": "text", "text": {"content": "入户3户"}},
                  {"msgtype": "image", "image": {"url": "http://127.0.0.1:1/x", "aeskey": "k"}},
                  {"msgtype": "mixed", "mixed": {"msg_item": [{"msgtype": "text", "text": {"content": "a"}}]}},
                  {"msgtype": "file", "file": {"url": "http://127.0.0.1:1/x", "aeskey": "k"}},
                  {"msgtype": "event", "event": {"eventtype": "template_card_event", "template_card_event": {
                      "card_type": "button_interaction", "event_key": "v1:quick:save:zz", "task_id": f"t{n}"}}}]
        kind = rng.choice(bodies)
        return {"cmd": "aibot_event_callback" if kind["msgtype"] == "event" else "aibot_msg_callback",
                "headers": {"req_id": f"fz_{n}"},
                "body": {"msgid": f"fz{n}", "chattype": rng.choice(["single", "group"]), "chatid": f"g{n}",
                         "from": {"userid": user}, **kind}}

    def spoil(value, depth=0):
        """One field somewhere replaced by something of another type, or dropped."""
        if isinstance(value, dict) and value and depth < 4:
            key = rng.choice(sorted(value))
            if rng.random() < 0.3:
                return {k: v for k, v in value.items() if k != key}
            return {**value, key: spoil(value[key], depth + 1)}
        if isinstance(value, list) and value:
            return [spoil(value[0], depth + 1)] + value[1:]
        return rng.choice([None, 0, -1, 3.5, "", "x" * 300, [], {}, [1, "a"], {"a": 1}, True])

    for n in range(300):  # req_ids stay unique, as WeCom's are
        frame = valid(n)
        odd.append({**frame, "body": spoil(frame["body"])} if n % 10 else {**frame, "cmd": spoil(frame["cmd"])})
    for frame in odd:
        await wc.fake.raw(frame)
    await wc.send(WORKER, "/me")                                               # still answered
    assert "百花桥村第一网格" in wc.last_text(WORKER)
    await wc.channel.client.wait_for_complete()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert wc.channel.online and wc.fake.subscribed == 1


async def test_a_refused_upload_is_one_short_line_to_the_person(wc, caplog):
    await wc.send(WORKER, "入户15户")
    await wc.press(WORKER, "保存")
    wc.fake.refuse[UPLOADS[2]] = 40_006
    await wc.send(OFFICE, "/export")
    assert "文件发送失败，请稍后再试。" in wc.texts(OFFICE)
    assert any(UPLOADS[2] in r.getMessage() and "40006" in r.getMessage() for r in caplog.records)
    assert [g.body["msgtype"] for g in wc.fake.messages(OFFICE)].count("image") == 1  # the chart still went


async def test_a_subscription_never_answered_is_a_failed_connection_and_backs_off(tmp_path, caplog):
    caplog.set_level("DEBUG")
    fake = await FakeWeCom().start()
    fake.answer_subscribe = False
    try:
        settings = Settings(_env_file=None, database_path=tmp_path / "bot.sqlite3", wecom_bot_id="aibot-test-0001",
                            wecom_bot_secret="wecom-secret-test-9f3c", wecom_ws_url=fake.url)
        services = await open_services(settings, FakeClock(NOW))
        channel = WeComChannel(settings, watch=0.05, backoff=(0.05, 0.2), subscribe_wait=0.2)
        await channel.start(build_core(services))           # the first try's outcome: no answer
        assert not channel.online
        await asyncio.wait_for(_until_said(channel, caplog, "still unreachable"), 10)   # tried again
        assert any("no answer to the subscription" in r.getMessage() for r in caplog.records)
        fake.answer_subscribe = True
        await asyncio.wait_for(_online(channel), 10)
        await channel.stop()
        await services.storage.close()
    finally:
        await fake.stop()


async def test_events_handled_at_once_are_capped():
    from channels import Inbound
    from handlers.core import Event

    entered, release = [], asyncio.Event()

    class Core:
        class svc:
            class storage:
                class inbox:
                    @staticmethod
                    async def answered(channel, event_id):
                        pass

        async def handle(self, event, send=None):
            entered.append(event.chat)
            await release.wait()
            return []

    class Nobody:
        async def now(self, reply):
            pass

        async def render(self, replies):
            pass

    inbound, core = Inbound("wecom", lambda: core, most=2), Core()
    for chat in "abc":
        inbound.spawn(Event(channel="wecom", event_id=chat, sender=chat, chat=chat, text="x"), Nobody())
    for _ in range(20):
        await asyncio.sleep(0)                                                   # let every task run
    assert len(entered) == 2                                                     # the third waits
    release.set()
    await inbound.drain(5)
    assert sorted(entered) == ["a", "b", "c"]


# --- files in, groups -----------------------------------------------------------------------------------

async def test_a_file_sent_to_the_bot_is_an_event_with_its_bytes(wc, monkeypatch):
    seen = []
    handle = wc.core.handle

    async def watch(event, send=None):
        seen.append(event)
        return await handle(event, send)
    wc.core.handle = watch
    data = b"PK\x03\x04 warnings " * 100
    req_id = await wc.fake.file(OFFICE, data, "预警名单.xlsx")
    await wc.answered(req_id)
    [event] = seen
    assert event.document.name == "预警名单.xlsx" and event.document.data == data
    [row] = await wc.storage.db.fetchall("SELECT payload FROM inbox WHERE event_id = ?", (event.event_id,))
    assert row is not None
    import channels.wecom.adapter as adapter
    monkeypatch.setattr(adapter, "MAX_FILE_BYTES", 100)                        # too big: the name, no bytes
    await wc.answered(await wc.fake.file(OFFICE, data, "big.xlsx"))
    assert seen[-1].document.name == "big.xlsx" and seen[-1].document.data is None
    inbox = len(await wc.storage.db.fetchall("SELECT 1 FROM inbox"))
    await wc.answered(await wc.fake.file(OFFICE, data, "群里的文件.xlsx", chatid=GROUP))  # in a group: not taken
    assert len(seen) == 2 and wc.fake.messages(GROUP) == []
    assert len(await wc.storage.db.fetchall("SELECT 1 FROM inbox")) == inbox           # neither fetched nor kept


async def test_the_office_group_gets_the_weekly_summary_and_the_export_as_files(wc):
    await wc.send(WORKER, "入户15户")
    await wc.press(WORKER, "保存")
    await wc.send(OFFICE, "@反诈台账 /bind_office", chat=GROUP)
    wc.clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=TZ))                      # Monday: this week's digest is due
    await wc.tick()
    sent = [g.body for g in wc.fake.messages(GROUP) if g.cmd == SEND]
    assert sent and {b["chatid"] for b in sent} == {GROUP}
    assert any(text_of(b).startswith("📅 上周工作周报") for b in sent), [text_of(b)[:30] for b in sent]
    before = len(wc.fake.got)
    await wc.send(OFFICE, "@反诈台账 /export", chat=GROUP)
    files = [g.body for g in wc.fake.got[before:] if g.cmd == SEND and g.body["msgtype"] in ("file", "image")]
    assert [(f["chatid"], f["msgtype"]) for f in files] == [(GROUP, "file"), (GROUP, "image")]
    kind, name, data = wc.fake.media[files[0]["file"]["media_id"]]
    assert name.endswith(".xlsx") and data[:2] == b"PK"


# --- features added since the channel was built, on WeCom ---------------------------------------------

async def test_an_office_xlsx_of_warnings_reaches_the_grid_worker_as_a_card_whose_tap_records_the_outcome(wc):
    """预警劝阻 on WeCom: the office sends the .xlsx in its private chat (a file message), it
    is imported and dispatched at once (urgent), the worker gets the details and a card of
    the five outcomes, and a tap records the outcome and is answered within WeCom's rules."""
    import io

    from openpyxl import Workbook
    book = Workbook()
    book.active.append(["姓名", "电话", "网格", "预警类型", "预警时间"])
    book.active.append(["张三丰", "13812341234", "BHQ-1", "刷单", datetime(2026, 11, 24, 9, 30)])
    out = io.BytesIO()
    book.save(out)
    await wc.answered(await wc.fake.file(OFFICE, b"not a spreadsheet", None))        # a download without a name
    assert "没有导入" in wc.last_text(OFFICE)
    await wc.answered(await wc.fake.file(OFFICE, out.getvalue(), None))              # still read as an .xlsx
    assert "已导入预警 1 条" in wc.last_text(OFFICE)
    [w] = await wc.storage.warnings._select("1 = 1")
    assert (w.name, w.phone, w.status) == ("张三丰", "13812341234", "open")
    assert await wc.drain() == {"sent": 1}
    details = [g.body for g in wc.fake.messages(WORKER) if g.cmd == SEND]
    assert any("张三丰" in text_of(b) and "13812341234" in text_of(b) for b in details)
    card = wc.fake.last_card(WORKER)
    assert buttons(card) == ["已见面劝阻", "已电话劝阻", "联系不上", "已被骗", "不在本网格"]
    no_card_too_big(wc.fake)
    req_id = await wc.press(WORKER, "已见面劝阻")
    [w] = await wc.storage.warnings._select("1 = 1")
    assert (w.status, w.outcome, w.outcome_by) == ("closed", "met", (await wc.user(WORKER)).id)
    [update] = wc.fake.updates(WORKER)                  # the tapped card: its outcomes gone, within 5 s
    assert update.req_id == req_id and update.errcode == 0 and update.at - wc.fake.callbacks[req_id][0] < 5.0
    assert update.body["template_card"]["task_id"] == card["task_id"]
    assert buttons(update.body["template_card"]) == ["跳过", "改一下"]
    assert "已记录" in " ".join(wc.texts(WORKER)[-2:])
    await wc.send(WORKER, "已劝阻，本人表示不再转账")          # the note the card asked for
    [w] = await wc.storage.warnings._select("1 = 1")
    assert w.note == "已劝阻，本人表示不再转账"
    assert "张三丰" not in wc.last_text(OFFICE)  # the office's own answer named no one in full


async def test_command_words_in_a_group_are_taken_alone_and_only_from_who_may_use_them(wc):
    await wc.send(OFFICE, "@反诈台账 /bind_office", chat=GROUP)
    before = len(wc.fake.messages(GROUP))
    await wc.send(OFFICE, "@反诈台账 汇总", chat=GROUP)
    assert any(t.startswith("📊 武陵山乡") for t in wc.fake.texts(GROUP)[before:])
    before = len(wc.fake.texts(GROUP))
    await wc.send(OFFICE, "@反诈台账 未报", chat=GROUP)
    assert any("没报送" in t for t in wc.fake.texts(GROUP)[before:])
    before = len(wc.fake.messages(GROUP))
    await wc.send(OFFICE, "汇总一下 本周 情况", chat=GROUP)     # people talking to each other
    await wc.send(WORKER, "我的", chat=GROUP)                  # not a group command
    await wc.send(WORKER, "@反诈台账 汇总", chat=GROUP)        # not the worker's to use
    assert len(wc.fake.messages(GROUP)) == before


async def test_the_evidence_zip_goes_in_parts_within_wecoms_20_mb_a_file(tmp_path):
    """佐证材料 after /export: a zip cap set for Telegram (50 MB) would make one 27 MB file,
    which WeCom refuses (20 MB a file); on WeCom the parts keep under its limit."""
    import os

    from storage.models import NewEntry, NewPhoto
    async with Harness(tmp_path, NOW, evidence_zip_max_mb=50) as h:
        await h.import_orgs()
        await h.join(WORKER, "BHQ-1", "worker")
        await h.join(OFFICE, "WLS", "office")
        folder = h.settings.data_dir / "evidence"
        folder.mkdir(parents=True, exist_ok=True)
        photos = []
        for n in range(3):                                                  # 3 photos of 9 MB
            data = os.urandom(9 << 20)
            sha = hashlib.sha256(data).hexdigest()
            (folder / f"{sha}.jpg").write_bytes(data)
            photos.append(NewPhoto(file_id=f"F{n}", file_unique_id=f"U{n}", sha256=sha, path=str(folder / f"{sha}.jpg")))
        worker, org = await h.user(WORKER), await h.storage.orgs.by_code("BHQ-1")
        await h.storage.entries.add([NewEntry(user_id=worker.id, org_id=org.id, kind="poster", measures={"posters": 3},
                                              happened_on=date(2026, 11, 20), source="flow", photos=photos)],
                                    h.clock.now())
        await h.send(OFFICE, "/export")
        before = len(h.fake.got)
        await h.press(OFFICE, "佐证材料")
        inits = [g.body for g in h.fake.got[before:] if g.cmd == UPLOADS[0]]
        assert len(inits) == 2 and all(i["total_size"] <= 20 << 20 for i in inits)
        files = [g.body for g in h.fake.got[before:] if g.cmd == SEND and g.body["msgtype"] == "file"]
        assert [h.fake.media[f["file"]["media_id"]][1] for f in files] == ["佐证材料-2026-11-1.zip",
                                                                            "佐证材料-2026-11-2.zip"]
        assert "文件发送失败，请稍后再试。" not in h.texts(OFFICE)


async def test_a_failed_download_never_logs_the_files_signed_url(wc, caplog):
    """A file's url is a signed link to someone's photo: neither we nor the SDK may log it."""
    caplog.set_level(5)
    item = wc.fake.serve(b"\xff\xd8photo")
    url = item["url"].replace("/files/", "/files/gone") + "?sign=SIGNED-LINK"     # WeCom answers 404
    req_id = await wc.fake._push("aibot_msg_callback", WORKER, None,
                                 {"msgtype": "image", "image": {"url": url, "aeskey": item["aeskey"]}})
    await wc.answered(req_id)
    said = [r.getMessage() for r in caplog.records  # below DEBUG: the SDK's frames, never shown by LOG_LEVEL
            if r.levelno >= logging.DEBUG and not r.name.startswith("websockets.server")]   # the fake's side
    assert any("could not fetch" in m for m in said)
    assert not [m for m in said if "SIGNED-LINK" in m or "/files/gone" in m]


async def test_a_card_sent_later_has_its_title_in_the_recipients_language(wc):
    from handlers.core import Button
    line = "Contact them now, then tap the outcome."             # too long for a card's title
    assert await wc.channel.sender.send(WORKER, [line], [[Button("Met", "warn:met:1:0")]], "en") == "sent"
    card = wc.fake.messages(WORKER)[-1].body["template_card"]
    assert card["main_title"]["title"] == "Choose:"
