"""Time-travel tests for the deadline calendar (bot/deadlines.py)."""
from __future__ import annotations

import calendar
import logging
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot import deadlines as dl
from bot.deadlines import (
    DEFAULT_CALENDAR,
    CalendarError,
    DeadlineSpec,
    ReminderSlot,
    due_reminders,
    is_late,
    last_reminder,
    load_calendar,
    occurrences,
    open_occurrences,
    parse_offset,
)

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def spec(**kw) -> DeadlineSpec:
    base = dict(id="x", title="t", covers="month_to_date", who="contact", remind=[])
    if "date" not in kw:
        base["day"] = 5
    return DeadlineSpec(**{**base, **kw})


def month(specs, y: int, m: int, **kw):
    last = calendar.monthrange(y, m)[1]
    return occurrences(specs, date(y, m, 1), date(y, m, last), SH, **kw)


def only(specs, y: int, m: int):
    occs = month(specs, y, m)
    assert len(occs) == 1, occs
    return occs[0]


# ------------------------------------------------------------ month lengths


@pytest.mark.parametrize("day", [-1, 31, 30, 29])
def test_february_non_leap_clamps_to_28th(day):
    occ = only([spec(day=day)], 2027, 2)
    assert occ.due_date == date(2027, 2, 28)
    assert occ.due_at == at(2027, 3, 1)
    assert (occ.period_start, occ.period_end) == (date(2027, 2, 1), date(2027, 2, 28))
    assert occ.period_key == "x:2027-02"


@pytest.mark.parametrize("day", [-1, 31, 30])
def test_february_leap_year_is_29th(day):
    occ = only([spec(day=day)], 2028, 2)
    assert occ.due_date == date(2028, 2, 29)
    assert occ.due_at == at(2028, 3, 1)
    assert occ.period_end == date(2028, 2, 29)


@pytest.mark.parametrize("day", [-1, 31])
def test_november_has_30_days(day):
    occ = only([spec(day=day)], 2026, 11)
    assert occ.due_date == date(2026, 11, 30)
    assert occ.due_at == at(2026, 12, 1)
    assert occ.period_key == "x:2026-11"


def test_last_day_through_a_whole_year():
    occs = occurrences([spec(day=-1)], date(2027, 1, 1), date(2027, 12, 31), SH)
    expected = [date(2027, m, calendar.monthrange(2027, m)[1]) for m in range(1, 13)]
    assert [o.due_date for o in occs] == expected
    assert [o.period_key for o in occs] == [f"x:2027-{m:02d}" for m in range(1, 13)]


def test_day_30_in_a_31_day_month_is_not_clamped():
    assert only([spec(day=30)], 2027, 1).due_date == date(2027, 1, 30)


def test_range_bounds_are_inclusive():
    s = [spec(day=10)]
    assert [o.due_date for o in occurrences(s, date(2027, 3, 10), date(2027, 3, 10), SH)] == [
        date(2027, 3, 10)
    ]
    assert occurrences(s, date(2027, 3, 11), date(2027, 4, 9), SH) == []


# ------------------------------------------------------------------ periods


def test_previous_month_across_year_end():
    occ = only([spec(id="monthly-5", day=5, covers="previous_month")], 2027, 1)
    assert occ.due_date == date(2027, 1, 5)
    assert occ.due_at == at(2027, 1, 6)
    assert (occ.period_start, occ.period_end) == (date(2026, 12, 1), date(2026, 12, 31))
    assert occ.period_key == "monthly-5:2027-01"


def test_previous_month_of_march_is_february():
    occ = only([spec(day=5, covers="previous_month")], 2028, 3)
    assert (occ.period_start, occ.period_end) == (date(2028, 2, 1), date(2028, 2, 29))


def test_month_to_date():
    occ = only([spec(day=13)], 2027, 3)
    assert (occ.period_start, occ.period_end) == (date(2027, 3, 1), date(2027, 3, 13))


def test_since_last_runs_from_day_after_previous_deadline():
    occs = occurrences([spec(day=10, covers="since_last")], date(2027, 1, 1), date(2027, 3, 31), SH)
    assert [(o.period_start, o.period_end) for o in occs] == [
        (date(2026, 12, 11), date(2027, 1, 10)),
        (date(2027, 1, 11), date(2027, 2, 10)),
        (date(2027, 2, 11), date(2027, 3, 10)),
    ]


def test_since_last_with_last_day_crosses_short_month():
    occs = occurrences([spec(day=31, covers="since_last")], date(2027, 2, 1), date(2027, 3, 31), SH)
    assert [(o.period_start, o.period_end) for o in occs] == [
        (date(2027, 2, 1), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 3, 31)),
    ]


def test_since_last_follows_moved_previous_deadline():
    # 2025-10-01 is National Day -> moved after to Thu 2025-10-09;
    # 2025-11-01 is a Saturday -> moved to Mon 2025-11-03.
    s = [spec(day=1, covers="since_last", on_holiday="after")]
    occ = only(s, 2025, 11)
    assert occ.due_date == date(2025, 11, 3)
    assert (occ.period_start, occ.period_end) == (date(2025, 10, 10), date(2025, 11, 3))
    assert occ.period_key == "x:2025-11"


def test_one_off_date_deadline():
    s = [spec(id="plan-feb", date=date(2027, 2, 10), covers="since_last")]
    occs = occurrences(s, date(2027, 1, 1), date(2027, 3, 31), SH)
    assert len(occs) == 1
    occ = occs[0]
    assert occ.period_key == "plan-feb:2027-02-10"
    assert occ.due_date == date(2027, 2, 10)
    assert occ.due_at == at(2027, 2, 11)
    assert (occ.period_start, occ.period_end) == (date(2027, 2, 1), date(2027, 2, 10))
    assert occurrences(s, date(2027, 2, 11), date(2027, 12, 31), SH) == []
    assert occurrences(s, date(2026, 1, 1), date(2027, 2, 9), SH) == []


def test_one_off_previous_month():
    occ = only([spec(id="p", date="2027-01-15", covers="previous_month")], 2027, 1)
    assert (occ.period_start, occ.period_end) == (date(2026, 12, 1), date(2026, 12, 31))


# ------------------------------------------------------------------ holidays


def test_keep_leaves_holiday_deadline_alone():
    assert only([spec(day=1)], 2025, 10).due_date == date(2025, 10, 1)


def test_before_national_day_moves_to_september_30():
    s = [spec(day=5, covers="previous_month", on_holiday="before")]
    occs = month(s, 2025, 9)
    # Both the September occurrence (Fri 5 Sep, a workday) and the October one,
    # pulled back into September, are due in September.
    assert [(o.period_key, o.due_date) for o in occs] == [
        ("x:2025-09", date(2025, 9, 5)),
        ("x:2025-10", date(2025, 9, 30)),
    ]
    october = occs[1]
    assert october.nominal_date == date(2025, 10, 5)
    assert october.due_at == at(2025, 10, 1)
    assert (october.period_start, october.period_end) == (date(2025, 9, 1), date(2025, 9, 30))
    assert [o.period_key for o in month(s, 2025, 10)] == []


def test_after_national_day_moves_to_october_9():
    occ = only([spec(day=1, on_holiday="after")], 2025, 10)
    assert occ.due_date == date(2025, 10, 9)
    assert occ.due_at == at(2025, 10, 10)
    assert (occ.period_start, occ.period_end) == (date(2025, 10, 1), date(2025, 10, 9))


@pytest.mark.parametrize("rule", ["before", "after"])
def test_make_up_sunday_is_a_workday(rule):
    # Sun 2025-09-28 was a 调休 workday: no move, although it is a weekend.
    occ = only([spec(day=28, on_holiday=rule)], 2025, 9)
    assert occ.due_date == date(2025, 9, 28)


@pytest.mark.parametrize("rule, expected", [("before", date(2025, 10, 10)), ("after", date(2025, 10, 11))])
def test_make_up_saturday_after_national_day(rule, expected):
    # Sat 2025-10-11 was a make-up workday; Fri 10th an ordinary one.
    assert only([spec(day=11 if rule == "after" else 10, on_holiday=rule)], 2025, 10).due_date == expected


def test_ordinary_weekend_moves():
    # Sat 2025-11-01 -> Fri 31 Oct (before) / Mon 3 Nov (after)
    assert only([spec(day=1, on_holiday="after")], 2025, 11).due_date == date(2025, 11, 3)
    before = occurrences([spec(day=1, on_holiday="before")], date(2025, 10, 31), date(2025, 10, 31), SH)
    assert [(o.period_key, o.due_date) for o in before] == [("x:2025-11", date(2025, 10, 31))]


def test_unknown_year_falls_back_to_weekends_and_warns_once(monkeypatch, caplog):
    monkeypatch.setattr(dl, "_warned_years", set())
    s = [spec(day=1, on_holiday="before")]  # 2040-09-01 is a Saturday
    with caplog.at_level(logging.WARNING, logger="bot.deadlines"):
        # Wed 1 Aug stays; Sat 1 Sep moves back to Fri 31 Aug.
        assert [o.due_date for o in month(s, 2040, 8)] == [date(2040, 8, 1), date(2040, 8, 31)]
        month(s, 2040, 8)
        month(s, 2040, 9)
    warnings = [r for r in caplog.records if "2040" in r.getMessage()]
    assert len(warnings) == 1


# ------------------------------------------------------------- quiet hours


def test_quiet_hours_move_and_drop():
    s = [spec(day=10, remind=["-1d 22:00", "0d 12:00", "0d 22:00", "-2d 06:30"])]
    occ = only(s, 2027, 3)
    assert occ.reminders == [
        ReminderSlot(offset="-2d 06:30", at=at(2027, 3, 8, 8)),
        ReminderSlot(offset="-1d 22:00", at=at(2027, 3, 10, 8)),
        ReminderSlot(offset="0d 12:00", at=at(2027, 3, 10, 12)),
    ]  # "0d 22:00" would move to 11 Mar 08:00, after the deadline: dropped


def test_reminders_moved_onto_the_same_instant_are_sent_once():
    occ = only([spec(day=10, remind=["-1d 23:00", "0d 07:00", "0d 08:00"])], 2027, 3)
    assert occ.reminders == [ReminderSlot(offset="-1d 23:00", at=at(2027, 3, 10, 8))]


def test_custom_quiet_hours_not_wrapping_midnight():
    s = [spec(day=10, remind=["0d 12:30", "0d 14:00", "0d 23:30"])]
    occ = month(s, 2027, 3, quiet=(time(12), time(14)))[0]
    assert [(r.offset, r.at) for r in occ.reminders] == [
        ("0d 12:30", at(2027, 3, 10, 14)),
        ("0d 23:30", at(2027, 3, 10, 23, 30)),
    ]  # 12:30 moved to 14:00 collides with "0d 14:00"; the first listed is kept


def test_reminder_moved_exactly_onto_the_deadline_is_dropped():
    # Quiet hours ending at midnight push 22:00 to the due instant itself.
    occ = month([spec(day=10, remind=["0d 22:00", "0d 20:00"])], 2027, 3,
                quiet=(time(21), time(0)))[0]
    assert [(r.offset, r.at) for r in occ.reminders] == [("0d 20:00", at(2027, 3, 10, 20))]


def test_quiet_hours_boundaries():
    s = [spec(day=10, remind=["-1d 21:00", "-1d 20:59", "0d 08:00"])]
    occ = only(s, 2027, 3)
    assert [(r.offset, r.at) for r in occ.reminders] == [
        ("-1d 20:59", at(2027, 3, 9, 20, 59)),
        ("-1d 21:00", at(2027, 3, 10, 8)),
    ]


def test_last_reminder():
    occ = only([spec(day=10, remind=["0d 15:00", "-2d 09:00"])], 2027, 3)
    assert last_reminder(occ) == ReminderSlot(offset="0d 15:00", at=at(2027, 3, 10, 15))
    assert last_reminder(only([spec(day=10)], 2027, 3)) is None


# ---------------------------------------------------------- late / open / due


def test_is_late_at_midnight_after_the_due_day():
    occ = only([spec(day=10)], 2027, 3)
    assert not is_late(occ, at(2027, 3, 10, 23, 59))
    assert is_late(occ, at(2027, 3, 11, 0, 0))
    assert not is_late(occ, datetime(2027, 3, 10, 15, 59, tzinfo=ZoneInfo("UTC")))  # 23:59 +08
    assert is_late(occ, datetime(2027, 3, 10, 16, 0, tzinfo=ZoneInfo("UTC")))
    with pytest.raises(ValueError):
        is_late(occ, datetime(2027, 3, 10, 12))


def test_open_occurrences():
    specs = load_calendar(DEFAULT_CALENDAR)
    opened = open_occurrences(specs, at(2027, 3, 5, 23, 59))
    assert [o.period_key for o in opened] == [
        "monthly-5:2027-03", "monthly-13:2027-03", "monthly-20:2027-03",
        "monthly-25:2027-03", "monthly-28:2027-03", "monthly-5:2027-04",
    ]  # 35 days ahead ends on 9 Apr, so monthly-13 of April is not yet listed
    later = open_occurrences(specs, at(2027, 3, 6))
    assert later[0].period_key == "monthly-13:2027-03"
    assert later[-1].period_key == "monthly-5:2027-04"
    with pytest.raises(ValueError):
        open_occurrences(specs, datetime(2027, 3, 6))


def test_due_reminders_at_several_instants():
    s = [
        spec(id="a", day=10, remind=["-2d 09:00", "0d 09:00", "0d 15:00"]),
        spec(id="b", day=12, remind=["-3d 09:00"]),
    ]

    def due(now):
        return [(o.period_key, r.offset) for o, r in due_reminders(s, now)]

    assert due(at(2027, 3, 8, 8, 59)) == []
    assert due(at(2027, 3, 8, 9, 0)) == [("a:2027-03", "-2d 09:00")]
    assert due(at(2027, 3, 9, 10)) == [("a:2027-03", "-2d 09:00"), ("b:2027-03", "-3d 09:00")]
    assert due(at(2027, 3, 10, 15)) == [
        ("a:2027-03", "-2d 09:00"), ("b:2027-03", "-3d 09:00"),
        ("a:2027-03", "0d 09:00"), ("a:2027-03", "0d 15:00"),
    ]
    # Once a is past due it drops out; b is still open.
    assert due(at(2027, 3, 11, 0)) == [("b:2027-03", "-3d 09:00")]
    assert due(at(2027, 3, 13, 0)) == []


def test_due_reminders_returns_slot_times():
    s = [spec(id="a", day=10, remind=["-1d 22:00"])]
    [(occ, slot)] = due_reminders(s, at(2027, 3, 10, 8))
    assert (occ.due_at, slot.at) == (at(2027, 3, 11), at(2027, 3, 10, 8))
    assert due_reminders(s, at(2027, 3, 10, 7, 59)) == []


# ------------------------------------------------------------ default file


def test_default_calendar_loads_five_deadlines():
    specs = load_calendar(DEFAULT_CALENDAR)
    assert [(s.id, s.day, s.covers) for s in specs] == [
        ("monthly-5", 5, "previous_month"),
        ("monthly-13", 13, "month_to_date"),
        ("monthly-20", 20, "month_to_date"),
        ("monthly-25", 25, "month_to_date"),
        ("monthly-28", 28, "month_to_date"),
    ]
    assert {s.who for s in specs} == {"contact"}
    occs = month(specs, 2027, 2)
    assert [o.due_date for o in occs] == [date(2027, 2, d) for d in (5, 13, 20, 25, 28)]
    assert occs[0].title == "上月宣传工作报送"
    assert occs[2].title == "月度进展情况表及佐证材料"
    assert (occs[0].period_start, occs[0].period_end) == (date(2027, 1, 1), date(2027, 1, 31))
    assert all(o.reminders for o in occs)


# --------------------------------------------------------------- validation


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "deadlines.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[[deadline]]
id = "monthly-5"
day = 5
title = "a"
covers = "previous_month"
who = "contact"
remind = ["-2d 09:00"]
"""


def entry(**fields) -> str:
    lines = ["[[deadline]]"]
    base = dict(id='"monthly-13"', day="13", title='"b"', covers='"month_to_date"',
                who='"contact"', remind='["0d 09:00"]')
    for key, value in {**base, **fields}.items():
        if value is not None:
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def test_good_file_loads(tmp_path):
    specs = load_calendar(write(tmp_path, GOOD + entry(date="2027-02-10", day=None)))
    assert [s.id for s in specs] == ["monthly-5", "monthly-13"]
    assert specs[1].date == date(2027, 2, 10) and specs[1].day is None


def test_bad_toml(tmp_path):
    with pytest.raises(CalendarError, match=r"deadlines\.toml: invalid TOML"):
        load_calendar(write(tmp_path, "[[deadline]\nid = 1"))


def test_missing_file(tmp_path):
    with pytest.raises(CalendarError, match=r"nope\.toml: cannot read"):
        load_calendar(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    "fields, message",
    [
        (dict(id=None), "deadlines.toml: entry 2: missing key 'id'"),
        (dict(date='"2027-02-10"'), "deadlines.toml: entry 2 (monthly-13): give exactly one of 'day' or 'date', got both"),
        (dict(day=None), "deadlines.toml: entry 2 (monthly-13): give exactly one of 'day' or 'date', got neither"),
        (dict(day="40"), "deadlines.toml: entry 2 (monthly-13): day must be 1..31 or -1, got 40"),
        (dict(day="0"), "deadlines.toml: entry 2 (monthly-13): day must be 1..31 or -1, got 0"),
        (dict(remind='["-3x 9"]'), "deadlines.toml: entry 2 (monthly-13): remind offset '-3x 9' must look like"),
        (dict(remind='["-3d 9:00"]'), "deadlines.toml: entry 2 (monthly-13): remind offset '-3d 9:00' must look like"),
        (dict(covers='"weekly"'), "deadlines.toml: entry 2 (monthly-13): covers must be 'previous_month', 'month_to_date' or 'since_last', got 'weekly'"),
        (dict(who='"boss"'), "deadlines.toml: entry 2 (monthly-13): who must be 'contact' or 'worker', got 'boss'"),
        (dict(on_holiday='"skip"'), "deadlines.toml: entry 2 (monthly-13): on_holiday must be"),
        (dict(id='"monthly-5"'), "deadlines.toml: entry 2 (monthly-5): duplicate id, already used by entry 1"),
        (dict(id='"a:b"'), "deadlines.toml: entry 2 (a:b): id must be 1 to 24 letters, digits, '-' or '_'"),
        (dict(id='"monthly-13-for-the-county"'),                    # 25: too long for a button's data
         "deadlines.toml: entry 2 (monthly-13-for-the-county): id must be 1 to 24 letters"),
        (dict(remnd='["0d 09:00"]'), "deadlines.toml: entry 2 (monthly-13): unknown key 'remnd'"),
        (dict(date="2027-02-10T10:00:00", day=None), "deadlines.toml: entry 2 (monthly-13): date must be a date"),
        (dict(day='"13"'), "deadlines.toml: entry 2 (monthly-13): day: Input should be a valid integer"),
    ],
)
def test_calendar_errors_name_file_and_entry(tmp_path, fields, message):
    with pytest.raises(CalendarError) as info:
        load_calendar(write(tmp_path, GOOD + entry(**fields)))
    assert str(info.value).startswith(str(tmp_path / "deadlines.toml"))
    assert message in str(info.value)
    assert info.value.entry == 2


def test_top_level_shape_errors(tmp_path):
    with pytest.raises(CalendarError, match="expected one or more"):
        load_calendar(write(tmp_path, "# empty\n"))
    with pytest.raises(CalendarError, match="unknown top-level key 'deadlines'"):
        load_calendar(write(tmp_path, GOOD.replace("[[deadline]]", "[[deadlines]]")))
    with pytest.raises(CalendarError, match="entry 1: must be a table"):
        load_calendar(write(tmp_path, "deadline = [1]\n"))


@pytest.mark.parametrize("text", ["-3d 09:00", "0d 00:00", "-31d 23:59"])
def test_offsets_accepted(text):
    parse_offset(text)


@pytest.mark.parametrize(
    "text", ["-3x 9", "-3d 9:00", "3d 09:00", "+1d 09:00", "-0d 09:00", "-32d 09:00",
             "-1d 24:00", "-1d 09:60", "-1d  09:00", "-1d 09:00\n", "-01d 09:00", ""],
)
def test_offsets_rejected(text):
    with pytest.raises(ValueError):
        parse_offset(text)
    with pytest.raises(ValidationError):
        spec(remind=[text])


def test_parse_offset_values():
    assert parse_offset("-3d 09:05") == (-3, time(9, 5))
    assert parse_offset("0d 15:00") == (0, time(15))
