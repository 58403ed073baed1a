"""Office summaries: automatic (once, late rather than never), /summary, /missing + 提醒他们."""
from __future__ import annotations

from datetime import datetime

from handlers.sender import TelegramSender
from schedules.summaries import run_summaries

from .conftest import CONTACT, OFFICE, TZ, WORKER
from .helpers import Harness

GROUP = -500


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def setup(h) -> None:
    await h.import_orgs()
    await h.join(WORKER, "BHQ-1", "worker")
    await h.join(CONTACT, "BHQ", "contact")
    await h.join(202, "CYB", "contact")
    await h.join(OFFICE, "WLS", "office")
    await h.send(OFFICE, "/bind_office", chat_id=GROUP, chat_type="group")
    await h.send(WORKER, "入户15户，装APP 8人")
    await h.press_label(WORKER, "保存")
    h.api.calls.clear()


async def summaries(h) -> dict:
    return dict(await run_summaries(h.svc, TelegramSender(h.app.bot, h.storage, h.clock)))


async def test_deadline_day_summary_once_at_close(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 25, 17, 0)) as h:   # Wednesday
        await setup(h)
        # last week's digest, and the 20th's summary that never went out (late rather than never)
        assert await summaries(h) == {"sent": 2}
        digest = h.api.texts(GROUP)
        assert any("月度进展情况表及佐证材料" in x for x in digest)
        h.api.calls.clear()
        h.clock.set(at(2026, 11, 25, 17, 29))
        assert await summaries(h) == {}                           # not before 17:30
        h.clock.set(at(2026, 11, 25, 17, 31))
        assert await summaries(h) == {"sent": 1}
        text = "\n".join(h.api.texts(GROUP))
        assert "百花桥村" in text and "当月防范工作报送" in text
        assert await summaries(h) == {}                           # exactly once
        assert any(x.startswith("📅 上周") for x in digest)


async def test_summary_after_downtime_goes_out_late(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await summaries(h)
    async with Harness(tmp_path, at(2026, 11, 27, 9, 0)) as h2:   # down through the 25th's close
        counts = await summaries(h2)
        assert counts == {"sent": 1}
        assert await summaries(h2) == {}
        assert "当月防范工作报送" in "\n".join(h2.api.texts(GROUP))


async def test_summary_command_scopes(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(OFFICE, "/summary 2026-11")
        office_text = "\n".join(h.api.texts(OFFICE))
        assert "茶园坝社区" in office_text and "百花桥村" in office_text
        await h.send(CONTACT, "/summary")
        contact_text = "\n".join(h.api.texts(CONTACT))
        assert "百花桥村" in contact_text and "茶园坝社区" not in contact_text
        await h.send(WORKER, "/summary")
        assert "不能使用" in h.last_text(WORKER)
        await h.send(OFFICE, "/summary 2026-13")
        assert "用法" in h.last_text(OFFICE)


async def test_missing_and_nudge_once_an_hour(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(202, "/report")
        await h.press_label(202, "11月25日")
        await h.press_label(202, "确认报送")
        await h.send(OFFICE, "/missing")
        text = h.last_text(OFFICE)
        assert "百花桥村：用户201" in text and "茶园坝社区" not in text
        await h.press_label(OFFICE, "提醒他们")
        assert "已提醒：用户201" in h.last_text(OFFICE)
        assert "平安办提醒" in h.last_text(CONTACT)
        await h.press(OFFICE, "v1:missing:nudge")
        assert "刚提醒过，60 分钟后" in h.answers()[-1]["text"]
        h.clock.set(at(2026, 11, 24, 11, 1))
        await h.press(OFFICE, "v1:missing:nudge")
        assert "已提醒：用户201" in h.last_text(OFFICE)
        await h.press(WORKER, "v1:missing:nudge")                 # forged by a worker
        assert "不能使用" in h.answers()[-1]["text"]


async def test_export_sends_workbook_and_chart(tmp_path):
    import io
    from openpyxl import load_workbook
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.send(OFFICE, "/export 2026-11")
        [doc] = h.api.sent(OFFICE, "sendDocument")
        [photo] = h.api.sent(OFFICE, "sendPhoto")
        assert "进展情况表" in doc.params["caption"]
        book = load_workbook(io.BytesIO(doc.files["document"]))
        sheet = book.worksheets[0]
        names = [row[0] for row in sheet.iter_rows(values_only=True)]
        assert "百花桥村" in " ".join(str(n) for n in names)
        assert photo.files["photo"][:8] == b"\x89PNG\r\n\x1a\n"
        await h.send(CONTACT, "/export")
        assert "不能使用" in h.last_text(CONTACT)


def test_cli_summary_and_export(tmp_path, monkeypatch, capsys):
    import asyncio
    from bot.cli import main
    from openpyxl import load_workbook

    async def prepare():
        async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
            await setup(h)
    asyncio.run(prepare())
    for name in ("TELEGRAM_BOT_TOKEN", "BOT_API_BASE_URL", "TARGETS_FILE", "DEADLINES_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    assert main(["summary", "--month", "2026-11"]) == 0
    out = capsys.readouterr().out
    assert "武陵山乡 反诈宣传工作汇总" in out and "百花桥村" in out and "茶园坝社区" in out
    assert main(["export", "--month", "2026-11", "--out", "t.xlsx", "--chart", "c.png"]) == 0
    assert load_workbook(tmp_path / "t.xlsx").sheetnames[0] == "进展情况表"
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["summary", "--month", "2026-11", "--org", "NOPE"]) == 1
    try:
        main(["summary", "--month", "11/2026"])
    except SystemExit as stop:
        assert stop.code == 2
    else:
        raise AssertionError("a bad --month must stop with status 2")


async def test_a_summary_that_fails_to_build_is_retried(tmp_path, monkeypatch):
    import bot.office as office
    real = office.summary
    calls = {"n": 0}

    async def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database hiccup")
        return await real(*args, **kwargs)

    async with Harness(tmp_path, at(2026, 11, 25, 17, 31)) as h:
        await setup(h)
        monkeypatch.setattr(office, "summary", flaky)
        try:
            await summaries(h)
        except RuntimeError:
            pass
        assert await h.storage.ledger.pending() == []          # no claim left behind
        await summaries(h)
        assert any("当月防范工作报送" in x for x in h.api.texts(GROUP))


async def test_nudge_is_per_area_and_never_at_night(tmp_path):
    async with Harness(tmp_path, at(2026, 11, 24, 10)) as h:
        await setup(h)
        await h.press(202, "v1:missing:nudge")                     # CYB's contact nudges CYB
        await h.press(OFFICE, "v1:missing:nudge")                  # the office is not blocked by it
        assert "已提醒" in h.last_text(OFFICE)
        h.clock.set(at(2026, 11, 24, 23, 30))
        await h.press(OFFICE, "v1:missing:nudge")
        assert "休息时间" in h.answers()[-1]["text"]
