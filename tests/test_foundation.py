"""Registration, roles, /me, /help, /lang, office tools, strangers, idempotency."""
from __future__ import annotations

from .conftest import CONTACT, OFFICE, STRANGER, WORKER
from .helpers import message_json, sticker_json, update_json


async def test_join_with_invite_then_me_shows_path(bot):
    await bot.send(WORKER, "/me")
    text = bot.last_text(WORKER)
    assert "武陵山乡 › 百花桥村 › 百花桥村第一网格" in text
    assert "网格员" in text


async def test_welcome_names_role_and_next_step(tmp_path, bot):
    org = await bot.storage.orgs.by_code("CYB-1")
    inv = await bot.storage.users.create_invite(org.id, "worker", 2, 7, bot.clock.now())
    await bot.send(555, f"/start {inv.code.lower()}")
    text = bot.last_text(555)
    assert "茶园坝社区第一网格" in text and "下一步" in text
    menus = [c for c in bot.api.sent(None, "setMyCommands") if '555' in str(c.params["scope"])]
    assert menus and "log" in str(menus[-1].params["commands"])
    assert "summary" not in str(menus[-1].params["commands"])


async def test_bad_codes_create_nothing(bot):
    await bot.send(STRANGER, "/start NOPE1234")
    assert "邀请码不对" in bot.last_text(STRANGER)
    await bot.send(STRANGER, "/start")
    assert "邀请码" in bot.last_text(STRANGER)
    assert await bot.storage.users.by_telegram_id(STRANGER) is None


async def test_expired_and_used_up_codes(bot):
    from datetime import timedelta
    org = await bot.storage.orgs.by_code("BHQ-1")
    inv = await bot.storage.users.create_invite(org.id, "worker", 1, 1, bot.clock.now())
    await bot.send(700, f"/start {inv.code}")
    await bot.send(701, f"/start {inv.code}")
    assert "已用完" in bot.last_text(701)
    old = await bot.storage.users.create_invite(org.id, "worker", 5, 1, bot.clock.now())
    bot.clock.advance(timedelta(days=2))
    await bot.send(702, f"/start {old.code}")
    assert "已过期" in bot.last_text(702)
    assert await bot.storage.users.by_telegram_id(701) is None
    assert await bot.storage.users.by_telegram_id(702) is None


async def test_joining_again_moves_the_person(bot):
    await bot.join(WORKER, "CYB-2", "worker")
    user = await bot.storage.users.by_telegram_id(WORKER)
    assert (await bot.storage.orgs.get(user.org_id)).code == "CYB-2"
    rows = await bot.storage.db.fetchall("SELECT COUNT(*) FROM memberships WHERE user_id = ?", (user.id,))
    assert rows[0][0] == 2


async def test_stranger_gets_explanation_for_anything(bot):
    await bot.send(STRANGER, "入户15户")
    assert "还没有登记" in bot.last_text(STRANGER)
    await bot.send(STRANGER, "/summary")
    assert "还没有登记" in bot.last_text(STRANGER)
    await bot.feed(sticker_json(STRANGER))
    assert "还没有登记" in bot.last_text(STRANGER)


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


async def test_forged_button_press_is_refused(bot):
    await bot.press(WORKER, f"v1:users:off:{CONTACT}")
    assert bot.answers()[-1].get("show_alert")
    assert (await bot.storage.users.by_telegram_id(CONTACT)).active


async def test_garbage_callback_data_is_answered(bot):
    await bot.press(WORKER, "zzz")
    assert "失效" in bot.answers()[-1]["text"]


async def test_office_invites_within_own_subtree(bot):
    await bot.send(OFFICE, "/invite BHQ-2 worker 3 5")
    text = bot.last_text(OFFICE)
    assert "t.me/antifraud_test_bot?start=" in text
    code = text.split("邀请码：")[1].split()[0]
    await bot.send(800, f"/start {code}")
    assert (await bot.storage.users.by_telegram_id(800)).role == "worker"
    await bot.send(OFFICE, "/invite NOWHERE worker")
    assert "没有找到" in bot.last_text(OFFICE)


async def test_contact_cannot_invite_outside(bot):
    await bot.join(302, "BHQ", "office")  # a village-level office
    await bot.send(302, "/invite CYB-1 worker")
    assert "没有找到" in bot.last_text(302)


async def test_deactivate_makes_a_stranger(bot):
    await bot.send(OFFICE, "/users")
    await bot.press_label(OFFICE, "停用 用户101")
    await bot.send(WORKER, "/me")
    assert "还没有登记" in bot.last_text(WORKER)


async def test_bind_office_in_group_only(bot):
    await bot.send(OFFICE, "/bind_office")
    assert "工作群" in bot.last_text(OFFICE)
    await bot.send(OFFICE, "/bind_office", chat_id=-500, chat_type="group")
    assert "本群" in bot.last_text(-500)
    await bot.send(OFFICE, "/me")
    assert "-500" in bot.last_text(OFFICE)


async def test_lang_switch(bot):
    await bot.send(WORKER, "/lang en")
    assert "English" in bot.last_text(WORKER)
    await bot.send(WORKER, "/me")
    assert "Role: grid worker" in bot.last_text(WORKER)
    await bot.send(WORKER, "/lang xx")
    assert "/lang zh" in bot.last_text(WORKER)


async def test_redelivered_update_changes_nothing(bot):
    org = await bot.storage.orgs.by_code("BHQ-1")
    inv = await bot.storage.users.create_invite(org.id, "worker", 5, 7, bot.clock.now())
    update = update_json(message=message_json(900, f"/start {inv.code}"))
    await bot.feed(update)
    sent = len(bot.api.calls)
    await bot.feed(update)
    assert len(bot.api.calls) == sent
    rows = await bot.storage.db.fetchall("SELECT uses_left FROM invites WHERE code = ?", (inv.code,))
    assert rows[0][0] == 4


async def test_admin_id_becomes_office_at_root(tmp_path):
    from datetime import datetime
    from .conftest import TZ
    from .helpers import Harness
    async with Harness(tmp_path, datetime(2026, 11, 24, 10, tzinfo=TZ), admin_telegram_ids=[4242]) as h:
        await h.import_orgs()
        await h.send(4242, "/me")
        assert "武陵山乡" in h.last_text(4242) and "平安办" in h.last_text(4242)


def test_catalogues_have_the_same_keys():
    from bot.i18n import keys
    assert keys("zh") == keys("en") and len(keys("zh")) > 100


def test_every_message_the_code_asks_for_exists():
    """Each literal key passed to t() in the code is in the catalogue (no key shown raw to a user)."""
    import re
    from pathlib import Path
    from bot.i18n import keys
    root = Path(__file__).parents[1]
    used = set()
    for folder in ("bot", "handlers", "schedules"):
        for path in (root / folder).rglob("*.py"):
            used |= set(re.findall(r"\bt\([^,()]+,\s*\"([a-z0-9_-]+)\"", path.read_text("utf-8")))
            used |= set(re.findall(r"button\([^,()]+,\s*\"([a-z0-9_-]+)\"", path.read_text("utf-8")))
    assert len(used) > 80
    assert used - keys("zh") == set()


def test_domain_does_not_import_telegram():
    """bot/ (but its wiring: app.py, cli.py), storage/ and schedules/ stay channel-independent."""
    import re
    from pathlib import Path
    root = Path(__file__).parents[1]
    wiring = {root / "bot" / "app.py", root / "bot" / "cli.py"}
    offenders = [str(p.relative_to(root)) for folder in ("bot", "storage", "schedules")
                 for p in (root / folder).rglob("*.py")
                 if p not in wiring and re.search(r"^\s*(from|import) telegram\b", p.read_text("utf-8"), re.M)]
    assert offenders == []


async def test_deactivated_person_cannot_rejoin_with_an_invite(bot):
    org = await bot.storage.orgs.by_code("BHQ-1")
    inv = await bot.storage.users.create_invite(org.id, "worker", 20, 7, bot.clock.now())
    await bot.storage.users.set_active(WORKER, False, bot.clock.now())
    await bot.send(WORKER, f"/start {inv.code}")
    assert "已被停用" in bot.last_text(WORKER)
    assert not (await bot.storage.users.by_telegram_id(WORKER)).active


async def test_office_cannot_deactivate_itself_or_a_peer(bot):
    await bot.join(303, "WLS", "office")
    await bot.press(OFFICE, f"v1:users:off:{OFFICE}")
    await bot.press(OFFICE, "v1:users:off:303")
    assert all(a.get("show_alert") for a in bot.answers()[-2:])
    assert (await bot.storage.users.by_telegram_id(OFFICE)).active
    assert (await bot.storage.users.by_telegram_id(303)).active


async def test_odd_arguments_get_usage_not_errors(bot):
    await bot.send(OFFICE, "/invite BHQ-1 worker ²")
    assert "用法" in bot.last_text(OFFICE)
    for month in ("0000-01", "9999-12"):
        await bot.send(OFFICE, f"/summary {month}")
        assert "用法" in bot.last_text(OFFICE)
    assert not [c for c in bot.api.calls if "出了点问题" in str(c.params.get("text", ""))]


async def test_redelivered_invite_command_makes_one_invite(bot):
    update = update_json(message=message_json(OFFICE, "/invite BHQ-1 worker"))
    await bot.feed(update)
    await bot.feed(update)
    rows = await bot.storage.db.fetchall("SELECT COUNT(*) FROM invites WHERE created_by IS NOT NULL")
    assert rows[0][0] == 1


def test_released_migrations_are_never_edited():
    """A database in the field has run these steps; changing one would fork its schema.
    Add a new step instead (and its fingerprint here)."""
    import hashlib
    import re
    from storage.migrations import MIGRATIONS
    fingerprints = [hashlib.sha256(re.sub(r"\s+", " ", m).strip().encode()).hexdigest()[:16] for m in MIGRATIONS]
    assert fingerprints == ["1f55ea821efd5c9c", "3834c81da743d119", "e6ded464f288b47d",
                            "75aa5cbc4b40a3bc", "d9ec4ab56f460308"]


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


async def test_targets_for_unknown_orgs_are_warned_about(tmp_path, caplog):
    from datetime import datetime
    from .conftest import TZ
    from .helpers import Harness
    targets = tmp_path / "targets.toml"
    targets.write_text('[[target]]\nmeasure = "coverage"\nvalue = 0.5\ndue = "06-30"\norg = "NOPE"\n', "utf-8")
    async with Harness(tmp_path, datetime(2026, 11, 24, 10, tzinfo=TZ), targets_file=targets):
        pass
    assert any("NOPE" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
