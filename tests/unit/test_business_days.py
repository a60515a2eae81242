"""Business days (priorauth/domain/business_days.py): weekdays that are not the clinic's
public holidays; moving by N of them forward or back never counts the start day."""

from __future__ import annotations

from datetime import date

import pytest

from priorauth.domain.business_days import add_business_days, is_business_day

THANKSGIVING = date(2026, 11, 26)  # a Thursday
HOLIDAYS = frozenset({THANKSGIVING})


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 27), True),  # Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 11, 30), True),  # Monday
        (THANKSGIVING, False),
    ],
)
def test_weekdays_are_business_days_unless_a_holiday(day, expected):
    assert is_business_day(day, HOLIDAYS) is expected


def test_without_holidays_only_weekends_are_skipped():
    assert is_business_day(THANKSGIVING)
    assert add_business_days(date(2026, 11, 25), 1) == THANKSGIVING


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 25), 1, date(2026, 11, 27)),  # Wed + 1: Thanksgiving skipped
        (date(2026, 11, 25), 2, date(2026, 11, 30)),  # and the weekend
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Fri + 1: Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # from a Saturday: Monday
        (date(2026, 11, 30), -1, date(2026, 11, 27)),  # Mon - 1: Friday
        (date(2026, 11, 27), -1, date(2026, 11, 25)),  # Fri - 1: Thanksgiving skipped
        (date(2026, 11, 25), 0, date(2026, 11, 25)),  # zero: the start itself
        (date(2026, 11, 28), 0, date(2026, 11, 28)),  # even a Saturday
    ],
)
def test_moving_by_business_days(start, days, expected):
    assert add_business_days(start, days, HOLIDAYS) == expected
