"""Registration, roles, /me, /help, /lang, office tools, strangers, idempotency, the schema."""
from __future__ import annotations

import pytest

import ast
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from handlers.core import Event

from .conftest import CONTACT, OFFICE, STRANGER, TZ, WORKER, WORKER2
from .helpers import Harness

ROOT = Path(__file__).parents[1]


async def invite_code(bot, org_code: str, role: str = "worker", uses: int = 5, days: int = 7) -> str:
    org = await bot.storage.orgs.by_code(org_code)
    return (await bot.storage.users.create_invite(org.id, role, uses, days, bot.clock.now())).code


def code_in(text: str) -> str:
    return text.split("邀请码：")[1].split()[0]


async def test_join_with_invite_then_me_shows_path(bot):
    await bot.send(WORKER, "/me")
    text = bot.last_text(WORKER)
    assert "武陵山乡 › 百花桥村 › 百花桥村第一网格" in text
    assert "网格员" in text


async def test_welcome_names_role_and_next_step(bot):
    code = await invite_code(bot, "CYB-1", uses=2)
    replies = await bot.send(555, f"/start {code.lower()}")
    text = bot.last_text(555)
    assert "茶园坝社区第一网格" in text and "下一步" in text
    [menu] = [r.commands for r in replies if r.commands is not None]
    names = [name for name, _ in menu]
    assert "log" in names and "report" in names and "summary" not in names and "invite" not in names
    assert (await bot.user(555)).role == "worker"


async def test_bad_codes_create_nothing(bot):
    await bot.send(STRANGER, "/start NOPE1234")
    assert "邀请码不对" in bot.last_text(STRANGER)
    await bot.send(STRANGER, "/start")
    assert "邀请码" in bot.last_text(STRANGER)
    assert await bot.user(STRANGER) is None


async def test_expired_and_used_up_codes(bot):
    code = await invite_code(bot, "BHQ-1", uses=1, days=1)
    await bot.send(700, f"/start {code}")
    await bot.send(701, f"/start {code}")
    assert "已用完" in bot.last_text(701)
    old = await invite_code(bot, "BHQ-1", uses=5, days=1)
    bot.clock.advance(timedelta(days=2))
    await bot.send(702, f"/start {old}")
    assert "已过期" in bot.last_text(702)
    assert await bot.user(700) is not None
    assert await bot.user(701) is None and await bot.user(702) is None


async def test_joining_again_moves_the_person(bot):
    await bot.join(WORKER, "CYB-2", "worker")
    user = await bot.user(WORKER)
    assert (await bot.storage.orgs.get(user.org_id)).code == "CYB-2"
    rows = await bot.storage.db.fetchall("SELECT COUNT(*) FROM memberships WHERE user_id = ?", (user.id,))
    assert rows[0][0] == 2


async def org_of(bot, uid: int) -> str:
    return (await bot.storage.orgs.get((await bot.user(uid)).org_id)).code


async def uses_left(bot, code: str) -> int:
    return (await bot.storage.users.invite(code)).uses_left


async def test_a_pasted_code_joins_in_any_case(bot):
    code = await invite_code(bot, "CYB-1")
    await bot.send(556, f"  {code.lower()} ")
    assert "茶园坝社区第一网格" in bot.last_text(556)
    assert await org_of(bot, 556) == "CYB-1" and await uses_left(bot, code) == 4


async def test_a_forwarded_invite_message_joins(bot):
    await bot.send(OFFICE, "/invite CYB-2 网格员")
    invitation = bot.last_text(OFFICE)                          # forwarded whole, as people do
    await bot.send(557, invitation)
    assert await org_of(bot, 557) == "CYB-2"
    code = await invite_code(bot, "BHQ-2")
    await bot.send(558, f"邀请码：{code}，请发送给机器人")
    assert await org_of(bot, 558) == "BHQ-2" and await uses_left(bot, code) == 4
    await bot.send(559, f"入户5户 {code}")                       # figures: not an invitation
    await bot.send(559, "邀请码：ABCDEFGH，请发送给机器人")       # no such invite
    assert "还没有登记" in bot.last_text(559) and await bot.user(559) is None
    assert await uses_left(bot, code) == 4


async def test_a_registered_persons_own_link_says_in_already(bot):
    used_up = await invite_code(bot, "BHQ-1", uses=1)
    await bot.send(700, f"/start {used_up}")
    expired = await invite_code(bot, "BHQ-1", days=1)
    bot.clock.advance(timedelta(days=2))
    worker = await bot.user(WORKER)
    for code in (used_up, expired, expired.lower()):
        await bot.send(WORKER, f"/start {code}")
        assert "百花桥村第一网格" in bot.last_text(WORKER) and "过期" not in bot.last_text(WORKER), code
    await bot.send(WORKER, expired)                             # the bare code pasted: the same
    assert "您好" in bot.last_text(WORKER) and "过期" not in bot.last_text(WORKER)
    rows = await bot.storage.db.fetchall("SELECT COUNT(*) FROM memberships WHERE user_id = ?", (worker.id,))
    assert rows[0][0] == 1 and await uses_left(bot, expired) == 5


async def test_a_registered_person_pasting_a_code_of_another_place_moves(bot):
    code = await invite_code(bot, "CYB-2")
    await bot.send(WORKER, f" {code.lower()}")
    assert "茶园坝社区第二网格" in bot.last_text(WORKER)
    assert await org_of(bot, WORKER) == "CYB-2" and await uses_left(bot, code) == 4
    assert await bot.storage.entries.for_user((await bot.user(WORKER)).id, date(2026, 1, 1)) == []


async def test_stranger_gets_explanation_for_anything(bot):
    await bot.send(STRANGER, "入户15户")
    assert "还没有登记" in bot.last_text(STRANGER)
    await bot.send(STRANGER, "/summary")
    assert "还没有登记" in bot.last_text(STRANGER)
    await bot.chan.event(str(STRANGER), name="陌生人")             # a sticker: no text at all
    assert "还没有登记" in bot.last_text(STRANGER)
    await bot.act(STRANGER, "users:off:1")
    assert "还没有登记" in bot.last_text(STRANGER)
    assert await bot.user(STRANGER) is None
    assert (await bot.storage.users.get(1)).active


async def test_help_lists_only_role_commands(bot):
    await bot.send(WORKER, "/help")
    worker_help = bot.last_text(WORKER)
    await bot.send(OFFICE, "/help")
    office_help = bot.last_text(OFFICE)
    assert "/log" in worker_help and "/invite" not in worker_help and "/summary" not in worker_help
    assert "/invite" in office_help and "/export" in office_help


async def test_lower_role_refused_office_command(bot):
    await bot.send(WORKER, "/invite BHQ-1 worker")
    assert "不能使用" in bot.last_text(WORKER)
    await bot.send(CONTACT, "/users")
    assert "不能使用" in bot.last_text(CONTACT)
    rows = await bot.storage.db.fetchall("SELECT COUNT(*) FROM invites WHERE created_by IS NOT NULL")
    assert rows[0][0] == 0


async def test_forged_button_press_is_refused(bot):
    contact = await bot.user(CONTACT)
    await bot.act(WORKER, f"users:off:{contact.id}")
    assert "不能使用" in bot.last_text(WORKER)
    await bot.act(WORKER, "users:off:1")
    assert "不能使用" in bot.last_text(WORKER)
    assert (await bot.user(CONTACT)).active and (await bot.storage.users.get(1)).active


async def test_garbage_callback_data_is_answered(bot):
    for data in ("zzz", "", "users", "users:off:", "users:off:-1", "users:off:１", "users:off:99999999999",
                 "users:off:2:3", "nosuch:verb", "log:" + "x" * 80):
        before = len(bot.texts(OFFICE))
        await bot.act(OFFICE, data)
        assert len(bot.texts(OFFICE)) == before + 1, data
        assert "失效" in bot.last_text(OFFICE) or "不能使用" in bot.last_text(OFFICE), data
        assert "出了点问题" not in bot.last_text(OFFICE), data
    assert all(u.active for u in await bot.storage.users.active_by_role("worker"))


async def test_office_invites_within_own_subtree(bot):
    await bot.send(OFFICE, "/invite BHQ-2 worker 3 5")
    text = bot.last_text(OFFICE)
    assert "百花桥村第二网格" in text and "可用 3 次" in text and "5 天内有效" in text
    assert "http" not in text                                   # the text channel has no join link
    await bot.send(800, f"/start {code_in(text)}")
    joined = await bot.user(800)
    assert joined.role == "worker" and (await bot.storage.orgs.get(joined.org_id)).code == "BHQ-2"
    await bot.send(OFFICE, "/invite NOWHERE worker")
    assert "没有找到" in bot.last_text(OFFICE)


async def test_invite_takes_chinese_roles_and_org_names(bot):
    for args, code, role in (("百花桥村第一网格 网格员", "BHQ-1", "worker"),
                             ("bhq 联络员 2", "BHQ", "contact"),
                             ("武陵山乡 办公室", "WLS", "office"), ("WLS 平安办", "WLS", "office"),
                             ("CYB-2 Worker １０ ７", "CYB-2", "worker"),
                             ("网格员 百花桥村第二网格", "BHQ-2", "worker")):      # either order
        await bot.send(OFFICE, f"/invite {args}")
        row = await bot.storage.db.fetchone("SELECT o.code, i.role FROM invites i JOIN orgs o ON o.id = i.org_id "
                                            "WHERE i.code = ?", (code_in(bot.last_text(OFFICE)),))
        assert tuple(row) == (code, role), args
    row = await bot.storage.db.fetchone("SELECT i.uses_left FROM invites i JOIN orgs o ON o.id = i.org_id "
                                        "WHERE o.code = 'CYB-2'")
    assert row[0] == 10                                          # full-width digits are numbers too


async def test_invite_usage_lists_codes_with_names(bot):
    await bot.send(OFFICE, "/invite")
    text = bot.last_text(OFFICE)
    assert "用法" in text and "网格员" in text
    assert "BHQ-1 百花桥村第一网格" in text and "CYB 茶园坝社区" in text and "WLS 武陵山乡" in text
    await bot.send(OFFICE, "/invite BHQ-1 组长")                   # not a role
    assert "用法" in bot.last_text(OFFICE)
    rows = await bot.storage.db.fetchall("SELECT COUNT(*) FROM invites WHERE created_by IS NOT NULL")
    assert rows[0][0] == 0


async def test_invite_carries_the_channels_join_link(bot):
    link = "https://chat.example/join?c={}".format
    bot.core.caps["text"] = replace(bot.core.caps["text"], invite_link=link)
    await bot.send(OFFICE, "/invite BHQ-1 网格员")
    text = bot.last_text(OFFICE)
    assert link(code_in(text)) in text


async def test_contact_cannot_invite_outside(bot):
    await bot.join(302, "BHQ", "office")  # a village-level office
    await bot.send(302, "/invite CYB-1 worker")
    assert "没有找到" in bot.last_text(302)
    await bot.send(302, "/invite 茶园坝社区第一网格 网格员")       # by name neither
    assert "没有找到" in bot.last_text(302)
    await bot.send(302, "/invite")
    assert "BHQ-1 百花桥村第一网格" in bot.last_text(302) and "CYB" not in bot.last_text(302)


async def test_users_are_listed_by_user_id_and_deactivated_by_it(bot):
    worker, worker2 = await bot.user(WORKER), await bot.user(WORKER2)
    await bot.send(OFFICE, "/users")
    text = bot.last_text(OFFICE)
    assert f"#{worker.id} 用户101 · 网格员 · 百花桥村第一网格" in text
    assert "用户301" not in text.split("\n回复")[0]                # not the office itself
    await bot.tap(OFFICE, "停用 用户101")
    assert "已停用 用户101" in bot.last_text(OFFICE)
    assert not (await bot.storage.users.get(worker.id)).active
    assert (await bot.storage.users.get(worker2.id)).active
    await bot.act(OFFICE, f"users:off:{worker2.id}")
    assert not (await bot.storage.users.get(worker2.id)).active


async def test_deactivate_makes_a_stranger(bot):
    await bot.send(OFFICE, "/users")
    await bot.tap(OFFICE, "停用 用户101")
    await bot.send(WORKER, "/me")
    assert "还没有登记" in bot.last_text(WORKER)


async def test_bind_office_in_group_only(bot):
    await bot.send(OFFICE, "/bind_office")
    assert "工作群" in bot.last_text(OFFICE)
    assert await bot.storage.users.office_chats() == []
    await bot.send(OFFICE, "/bind_office", chat=-500, group=True)
    assert "本群" in bot.last_text(-500)
    [chat] = await bot.storage.users.office_chats()
    office = await bot.user(OFFICE)
    assert (chat.org_id, chat.channel, chat.chat_id) == (office.org_id, "text", "-500")
    await bot.send(OFFICE, "/me")
    assert "-500" in bot.last_text(OFFICE)
    await bot.send(CONTACT, "/bind_office", chat=-600, group=True)
    assert "不能使用" in bot.last_text(-600)
    assert len(await bot.storage.users.office_chats()) == 1


async def test_lang_switch(bot):
    await bot.send(WORKER, "/lang en")
    assert "English" in bot.last_text(WORKER)
    await bot.send(WORKER, "/me")
    assert "Role: grid worker" in bot.last_text(WORKER)
    await bot.send(WORKER, "/lang xx")
    assert "/lang zh" in bot.last_text(WORKER)
    assert (await bot.user(WORKER)).lang == "en"
    await bot.send(WORKER, "/lang")                       # alone: both offered, one tap (or word) away
    await bot.tap(WORKER, "中文")
    assert (await bot.user(WORKER)).lang == "zh" and "已切换为中文" in bot.last_text(WORKER)
    await bot.act(WORKER, "lang:set:xx")                  # forged: nothing changes
    assert (await bot.user(WORKER)).lang == "zh" and "按钮已失效" in bot.last_text(WORKER)


async def test_redelivered_event_changes_nothing(bot):
    code = await invite_code(bot, "BHQ-1")
    event = Event(channel="text", event_id="same", sender="900", chat="900", name="用户900", text=f"/start {code}")
    assert await bot.redeliver(event)
    assert await bot.redeliver(event) == []
    rows = await bot.storage.db.fetchall("SELECT uses_left FROM invites WHERE code = ?", (code,))
    assert rows[0][0] == 4


async def test_redelivered_invite_command_makes_one_invite(bot):
    for _ in range(2):
        await bot.chan.event(str(OFFICE), text="/invite BHQ-1 worker", event_id="invite-once")
    rows = await bot.storage.db.fetchall("SELECT COUNT(*) FROM invites WHERE created_by IS NOT NULL")
    assert rows[0][0] == 1


async def test_admin_id_becomes_office_at_root(tmp_path):
    async with Harness(tmp_path, datetime(2026, 11, 24, 10, tzinfo=TZ), admin_telegram_ids=[4242]) as h:
        await h.import_orgs()
        await h.send(4242, "/me")
        assert "武陵山乡" in h.last_text(4242) and "平安办" in h.last_text(4242)
        admin = await h.user(4242)
        assert admin.role == "office" and admin.org_id == (await h.storage.orgs.root()).id


def test_catalogues_have_the_same_keys():
    from bot.i18n import keys
    assert keys("zh") == keys("en") and len(keys("zh")) > 100


def test_every_message_the_code_asks_for_exists():
    """Each literal key passed to t() in the code is in the catalogue (no key shown raw to a user)."""
    import re
    from bot.i18n import keys
    patterns = [r"\bt\([^,()]+,\s*\"([a-z0-9_-]+)\"",                       # t(lang, "key")
                r"\.(?:t|alert|button)\(\s*\"([a-z0-9_-]+)\""]               # turn.t("key"), turn.button("key", …)
    used = set()
    for folder in ("bot", "handlers", "schedules", "channels"):
        for path in (ROOT / folder).rglob("*.py"):
            source = path.read_text("utf-8")
            for pattern in patterns:
                used |= set(re.findall(pattern, source))
    assert len(used) > 80
    assert used - keys("zh") == set()


@pytest.mark.parametrize("channel, library", [("telegram", "telegram"), ("wecom", "aibot")])
def test_only_its_channel_imports_a_chat_library(channel, library):
    """Only channels/telegram/ talks to Telegram and only channels/wecom/ to WeCom: features,
    domain, storage and the scheduler are channel-independent (the runner and the CLI reach
    them through channels.telegram and channels.wecom)."""
    adapter = ROOT / "channels" / channel
    offenders = []
    for folder in ("bot", "handlers", "storage", "schedules", "channels"):
        for path in (ROOT / folder).rglob("*.py"):
            if adapter in path.parents:
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
                if any(n == library or n.startswith(library + ".") for n in names):
                    offenders.append(str(path.relative_to(ROOT)))
    assert sorted(set(offenders)) == []


async def test_deactivated_person_cannot_rejoin_with_an_invite(bot):
    code = await invite_code(bot, "BHQ-1", uses=20)
    worker = await bot.user(WORKER)
    await bot.storage.users.set_active(worker.id, False, bot.clock.now())
    await bot.send(WORKER, f"/start {code}")
    assert "已被停用" in bot.last_text(WORKER)
    assert not (await bot.storage.users.get(worker.id)).active


async def test_office_cannot_deactivate_itself_or_a_peer(bot):
    await bot.join(303, "WLS", "office")
    office, peer = await bot.user(OFFICE), await bot.user(303)
    await bot.act(OFFICE, f"users:off:{office.id}")
    assert "不能使用" in bot.last_text(OFFICE)
    await bot.act(OFFICE, f"users:off:{peer.id}")
    assert "不能使用" in bot.last_text(OFFICE)
    await bot.act(OFFICE, "users:off:9999")                      # nobody
    assert "不能使用" in bot.last_text(OFFICE)
    assert (await bot.user(OFFICE)).active and (await bot.user(303)).active
    await bot.join(304, "BHQ", "office")                          # an office below: managed
    await bot.act(OFFICE, f"users:off:{(await bot.user(304)).id}")
    assert not (await bot.storage.users.get((await bot.storage.users.by_account("text", "304")).id)).active


async def test_odd_arguments_get_usage_not_errors(bot):
    await bot.send(OFFICE, "/invite BHQ-1 worker ²")
    assert "用法" in bot.last_text(OFFICE)
    await bot.send(OFFICE, "/invite BHQ-1 worker 0")
    assert "用法" in bot.last_text(OFFICE)
    await bot.send(OFFICE, "/invite BHQ-1 worker 3 5 9")
    assert "用法" in bot.last_text(OFFICE)
    for month in ("0000-01", "9999-12"):
        await bot.send(OFFICE, f"/summary {month}")
        assert "用法" in bot.last_text(OFFICE)
    assert not [x for x in bot.texts(OFFICE) if "出了点问题" in x]


def test_released_migrations_are_never_edited():
    """A database in the field has run these steps; changing one would fork its schema.
    Add a new step instead (and its fingerprint here)."""
    import hashlib
    import re
    from storage.migrations import MIGRATIONS
    fingerprints = [hashlib.sha256(re.sub(r"\s+", " ", m).strip().encode()).hexdigest()[:16] for m in MIGRATIONS]
    assert fingerprints == ["1f55ea821efd5c9c", "3834c81da743d119", "e6ded464f288b47d",
                            "75aa5cbc4b40a3bc", "d9ec4ab56f460308", "1a2928a9ae1a3e25", "28b7697f95c51734",
                            "96db63166601b1eb", "697fd4cf2e5bcf8a",
                            "59a9049bbbb6a940"]


async def test_migrations_reach_the_latest_version_once(tmp_path):
    from storage import Database
    from storage.migrations import MIGRATIONS
    db = await Database(tmp_path / "m.sqlite3").connect()
    await db.close()
    db = await Database(tmp_path / "m.sqlite3").connect()   # again: nothing to apply, nothing breaks
    (version,) = await db.fetchone("PRAGMA user_version")
    (mode,) = await db.fetchone("PRAGMA journal_mode")
    await db.close()
    assert version == len(MIGRATIONS) and mode == "wal"


# A database as the Telegram-only bot left it (migration 5): people by Telegram id, office
# chats by Telegram chat id, processed update ids, the sent ledger, PTB's chat state.
_AT = "2026-11-20T09:00:00+08:00"
_V5_ROWS = f"""
INSERT INTO orgs (id, code, name, kind, parent_id) VALUES
    (1, 'WLS', '武陵山乡', 'township', NULL), (2, 'BHQ', '百花桥村', 'village', 1),
    (3, 'BHQ-1', '百花桥村第一网格', 'grid', 2);
INSERT INTO users (id, telegram_id, name, org_id, role, lang, active, blocked_at, created_at, updated_at) VALUES
    (1, 1001, '王网格', 3, 'worker', 'zh', 1, '{_AT}', '{_AT}', '{_AT}'),
    (2, 2002, '李联络', 2, 'contact', 'en', 1, NULL, '{_AT}', '{_AT}'),
    (3, 3003, '张主任', 1, 'office', 'zh', 0, NULL, '{_AT}', '{_AT}');
INSERT INTO memberships (user_id, org_id, role, since) VALUES (1, 3, 'worker', '{_AT}');
INSERT INTO invites (code, org_id, role, uses_left, expires_at, created_by, created_at) VALUES
    ('ABCDEFGH', 3, 'worker', 2, '2026-12-01T00:00:00+08:00', 3, '{_AT}');
INSERT INTO office_chats (org_id, chat_id, bound_by, bound_at) VALUES (1, -100500, 3, '{_AT}');
INSERT INTO processed_updates (update_id, processed_at) VALUES (77, '{_AT}'), (78, '{_AT}');
INSERT INTO sent_ledger (topic, recipient, status, sent_at) VALUES
    ('remind:monthly-25:2026-11:-2d', 2002, 'sent', '{_AT}'),
    ('remind:monthly-25:2026-11:-2d', 1001, 'pending', '{_AT}'),
    ('summary:monthly-20:2026-11', -100500, 'sent', '{_AT}');
INSERT INTO entries (id, user_id, org_id, kind, measures, happened_on, recorded_at, source) VALUES
    (1, 1, 3, 'visit', '{{"households": 15}}', '2026-11-19', '{_AT}', 'quick');
INSERT INTO submissions (deadline_id, period_key, org_id, user_id, submitted_at, late, figures) VALUES
    ('monthly-20', 'monthly-20:2026-11', 2, 2, '{_AT}', 0, '{{"households": 15}}');
INSERT INTO chat_state (kind, key, value) VALUES ('conversation', 'report:1001', '"1"');
"""


async def test_migration_6_keeps_every_person_chat_and_mark(tmp_path):
    import sqlite3
    from storage import Storage
    from storage.migrations import MIGRATIONS
    path = tmp_path / "v5.sqlite3"
    with sqlite3.connect(path) as old:
        for number, script in enumerate(MIGRATIONS[:5], start=1):
            old.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
        old.executescript(f"BEGIN;\n{_V5_ROWS}\nCOMMIT;")
    storage = await Storage.open(path)
    try:
        db = storage.db
        assert (await db.fetchone("PRAGMA user_version"))[0] == len(MIGRATIONS)
        people = {r["id"]: dict(r) for r in await db.fetchall("SELECT id, name, org_id, role, lang, active FROM users")}
        assert people == {1: dict(id=1, name="王网格", org_id=3, role="worker", lang="zh", active=1),
                          2: dict(id=2, name="李联络", org_id=2, role="contact", lang="en", active=1),
                          3: dict(id=3, name="张主任", org_id=1, role="office", lang="zh", active=0)}
        for user_id, telegram_id in ((1, 1001), (2, 2002), (3, 3003)):
            [account] = await storage.users.accounts(user_id)
            assert (account.channel, account.external_id, account.chat_id) == ("telegram", str(telegram_id),
                                                                               str(telegram_id))
            assert (await storage.users.by_account("telegram", str(telegram_id))).id == user_id
        assert (await storage.users.accounts(1))[0].blocked_at is not None    # still known to block us
        assert (await storage.users.accounts(2))[0].blocked_at is None
        [chat] = await storage.users.office_chats()
        assert (chat.org_id, chat.address) == (1, "c:telegram:-100500")
        inbox = await db.fetchall("SELECT channel, event_id FROM inbox ORDER BY event_id")
        assert [tuple(r) for r in inbox] == [("telegram", "77"), ("telegram", "78")]
        assert not await storage.inbox.claim("telegram", "77", datetime.now(TZ))  # never handled twice
        assert await storage.outbox.statuses("remind:monthly-25:2026-11:-2d") == {"u2": "sent", "u1": "sending"}
        assert await storage.outbox.statuses("summary:monthly-20:2026-11") == {"c:telegram:-100500": "sent"}
        assert await storage.outbox.due(datetime(2030, 1, 1, tzinfo=TZ)) == []  # nothing sent again
        assert (await db.fetchone("SELECT COUNT(*) FROM entries WHERE user_id = 1"))[0] == 1
        assert (await db.fetchone("SELECT COUNT(*) FROM submissions WHERE user_id = 2"))[0] == 1
        assert (await db.fetchone("SELECT COUNT(*) FROM memberships"))[0] == 1
        assert (await db.fetchone("SELECT created_by FROM invites WHERE code = 'ABCDEFGH'"))[0] == 3
        tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not tables & {"chat_state", "processed_updates", "sent_ledger"}
        assert "telegram_id" not in {r[1] for r in await db.fetchall("PRAGMA table_info(users)")}
        assert await db.fetchall("PRAGMA foreign_key_check") == []
    finally:
        await storage.close()


async def test_targets_for_unknown_orgs_are_warned_about(tmp_path, caplog):
    targets = tmp_path / "targets.toml"
    targets.write_text('[[target]]\nmeasure = "coverage"\nvalue = 0.5\ndue = "06-30"\norg = "NOPE"\n', "utf-8")
    async with Harness(tmp_path, datetime(2026, 11, 24, 10, tzinfo=TZ), targets_file=targets):
        pass
    assert any("NOPE" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
