"""Guessing invite codes: after 5 wrong codes in 10 minutes an account waits 10 minutes from
its last one, told so, and its codes are not even looked up; a restart does not reset it."""
from __future__ import annotations

import logging
from datetime import timedelta

from .conftest import OFFICE, STRANGER, WORKER

OTHER = 998


async def invite(bot, org: str, role: str, uses: int = 5):
    org_id = (await bot.storage.orgs.by_code(org)).id
    return await bot.storage.users.create_invite(org_id, role, uses, 7, bot.clock.now())


async def test_wrong_codes_make_an_account_wait_even_for_a_good_code(bot, caplog):
    good = await invite(bot, "BHQ-1", "worker")
    caplog.set_level(logging.INFO)
    for _ in range(5):
        await bot.send(STRANGER, "/start WRONGCOD", name="王小明")
        assert "邀请码不对" in bot.last_text(STRANGER)
        bot.clock.advance(timedelta(minutes=1))
    for attempt in (f"/start {good.code}", good.code, f"这是邀请码 {good.code} 请加入"):
        await bot.send(STRANGER, attempt)                          # the right code: not even read
        assert bot.last_text(STRANGER) == "邀请码错误次数太多，请 9 分钟后再试。"
    assert await bot.user(STRANGER) is None
    assert (await bot.storage.users.invite(good.code)).uses_left == 5
    await bot.send(OTHER, f"/start {good.code}")                   # another account is not held up
    assert (await bot.user(OTHER)).role == "worker"

    await bot.restart()                                             # the count survives a restart
    bot.clock.advance(timedelta(minutes=8, seconds=59))
    await bot.send(STRANGER, f"/start {good.code}")
    assert "1 分钟后再试" in bot.last_text(STRANGER) and await bot.user(STRANGER) is None
    bot.clock.advance(timedelta(seconds=1))                         # 10 minutes after the last wrong one
    await bot.send(STRANGER, f"/start {good.code}")
    assert (await bot.user(STRANGER)).org_id == (await bot.storage.orgs.by_code("BHQ-1")).id

    wrong = [r.getMessage() for r in caplog.records if "invite code" in r.getMessage()]
    assert len(wrong) == 5 + 4                                      # each wrong try, each refusal
    assert all(m.startswith(("wrong invite code on text from account ",
                             "invite code refused unread on text from account ")) for m in wrong)
    assert not [m for m in caplog.messages if "WRONGCOD" in m or good.code in m or "王小明" in m
                or str(STRANGER) in m]


async def test_slow_wrong_codes_are_not_held_up(bot):
    """Five wrong codes spread over more than ten minutes: a person mistyping, not a guesser."""
    good = await invite(bot, "BHQ-1", "worker")
    for _ in range(6):
        await bot.send(STRANGER, "/start WRONGCOD")
        bot.clock.advance(timedelta(minutes=3))
    await bot.send(STRANGER, f"/start {good.code}")
    assert await bot.user(STRANGER) is not None
    tries = await bot.storage.db.fetchall("SELECT at FROM invite_tries")
    assert len(tries) == 6                                          # older than the pause: forgotten when
    bot.clock.advance(timedelta(minutes=30))                        # the next wrong one comes
    await bot.send(OTHER, "/start WRONGCOD")
    assert len(await bot.storage.db.fetchall("SELECT at FROM invite_tries")) == 1


async def test_code_shaped_words_count_for_registered_people_too(bot):
    """A worker cannot guess an office code by typing code-shaped words (read as reports)."""
    office = await invite(bot, "WLS", "office")
    for word in ("ABCDEFGH", "HJKMNPQR", "STUVWXYZ", "23456789", "看看 ABCDEFGX"):
        await bot.send(WORKER, word)
        assert "分钟后再试" not in bot.last_text(WORKER)
    await bot.send(WORKER, office.code)
    assert "分钟后再试" in bot.last_text(WORKER)
    assert (await bot.user(WORKER)).role == "worker" and (await bot.storage.users.invite(office.code)).uses_left == 5
    await bot.send(OFFICE, "/help")                                 # others are not affected
    assert "分钟后再试" not in bot.last_text(OFFICE)
