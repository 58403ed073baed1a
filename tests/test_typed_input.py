"""What grid workers type into the guided flow: counts and days, as older users write them."""
from __future__ import annotations

from datetime import date

import pytest

from bot.kinds import MAX_FIGURE
from bot.logbook import parse_day, parse_number

TODAY = date(2026, 11, 28)
NEW_YEAR = date(2027, 1, 2)


@pytest.mark.parametrize("text, expected", [
    # plain and rough counts (the stated number is kept)
    ("15", 15), ("１５", 15), ("十五", 15), ("15户", 15), ("20多户", 20), ("三十来人", 30),
    ("两", 2), (str(MAX_FIGURE), MAX_FIGURE), ("十万", MAX_FIGURE),
    # nothing done
    ("没有", 0), ("无", 0), ("没", 0), ("零", 0), ("0", 0), ("没有了", 0), ("无。", 0),
    # a measure word or a rough word around the number
    ("八个人", 8), ("8个人", 8), ("约10人", 10), ("大约10人", 10), ("10人左右", 10),
    ("约莫二十户", 20), ("入户5户", 5), ("海报3张", 3), ("30份", 30), ("入户：5", 5),
    (" 12 户 ", 12),
])
def test_typed_counts_are_read(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", [
    # two different numbers
    "3组12号", "入户5户海报3张", "三组十二户", "5 5",
    # negative
    "-3", "－3", "负三",
    # no number
    "很多", "", "   ", None, "户",
    # too large or too long
    str(MAX_FIGURE + 1), "十万零一", "12345678", "00000005",
    # dates and other non-counts
    "11-28", "11月28日", "28号", "2026-11-28", "3.5", "第3",
])
def test_non_counts_are_refused(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text, today, expected", [
    # words
    ("今天", TODAY, TODAY), ("今日", TODAY, TODAY), ("today", TODAY, TODAY), ("Today", TODAY, TODAY),
    ("昨天", TODAY, date(2026, 11, 27)), ("昨日", TODAY, date(2026, 11, 27)),
    ("yesterday", TODAY, date(2026, 11, 27)), ("前天", TODAY, date(2026, 11, 26)),
    ("昨天", date(2027, 1, 1), date(2026, 12, 31)),
    # month and day, in every separator, half- and full-width
    ("11-20", TODAY, date(2026, 11, 20)), ("11月20日", TODAY, date(2026, 11, 20)),
    ("11月20号", TODAY, date(2026, 11, 20)), ("11.20", TODAY, date(2026, 11, 20)),
    ("11/20", TODAY, date(2026, 11, 20)), ("１１－２０", TODAY, date(2026, 11, 20)),
    ("１１月２０日", TODAY, date(2026, 11, 20)), ("11.28", TODAY, TODAY), ("11/28", TODAY, TODAY),
    # with a year
    ("2026-11-20", TODAY, date(2026, 11, 20)), ("２０２６－１１－２０", TODAY, date(2026, 11, 20)),
    ("2026年11月20日", TODAY, date(2026, 11, 20)),
    ("2027-12-30", TODAY, date(2027, 12, 30)),          # the window is day_allowed's business
    # no year and after today: last year
    ("11-29", TODAY, date(2025, 11, 29)), ("12-30", NEW_YEAR, date(2026, 12, 30)),
    ("12月31日", NEW_YEAR, date(2026, 12, 31)), ("1-2", NEW_YEAR, NEW_YEAR),
    # a day of the month: this month, or the previous one if that is after today
    ("20日", TODAY, date(2026, 11, 20)), ("20号", TODAY, date(2026, 11, 20)),
    ("２０号", TODAY, date(2026, 11, 20)), ("28号", TODAY, TODAY),
    ("29号", TODAY, date(2026, 10, 29)), ("31日", TODAY, date(2026, 10, 31)),
    ("30号", NEW_YEAR, date(2026, 12, 30)), ("2日", NEW_YEAR, NEW_YEAR),
])
def test_typed_days_are_read(text, today, expected):
    assert parse_day(text, today) == expected


@pytest.mark.parametrize("text, today", [
    ("", TODAY), (None, TODAY), ("明天", TODAY), ("abc", TODAY), ("28", TODAY), ("11月", TODAY),
    ("11-31", TODAY), ("13-01", TODAY), ("2026-02-30", TODAY), ("0号", TODAY), ("32号", TODAY),
    ("11-28-2026", TODAY), ("3组", TODAY),
    ("31号", date(2026, 3, 2)),                         # there is no 31 February
])
def test_non_days_are_refused(text, today):
    assert parse_day(text, today) is None
