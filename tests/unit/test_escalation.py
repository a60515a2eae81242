"""Escalation of unacknowledged reminders (priorauth/domain/escalation.py): exactly N
business days after the day first seen due, weekends and the clinic's holidays skipped, never a
day before; acknowledged reminders never escalate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from priorauth.domain import escalation as rule

THANKSGIVING = date(2026, 11, 26)  # a Thursday, a US federal holiday
CHRISTMAS = date(2026, 12, 25)  # a Friday
HOLIDAYS = frozenset({THANKSGIVING, CHRISTMAS})


def days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("seen", "n", "first_day"),
    [
        # Wed before Thanksgiving: Thu is a holiday, Fri counts 1, the weekend is skipped,
        # Mon counts 2.
        (date(2026, 11, 25), 2, date(2026, 11, 30)),
        # Wed before Christmas: Thu 24 counts 1, Fri 25 is a holiday, the weekend, Mon 28 is 2.
        (date(2026, 12, 23), 2, date(2026, 12, 28)),
        # a Friday due date, 1 business day: Monday.
        (date(2026, 11, 20), 1, date(2026, 11, 23)),
        # 3 business days from the Tuesday of Thanksgiving week: Wed, Fri, Mon.
        (date(2026, 11, 24), 3, date(2026, 11, 30)),
    ],
)
def test_escalates_after_exactly_n_business_days_not_a_day_before(seen, n, first_day):
    assert rule.escalates_on(seen, n, HOLIDAYS) == first_day
    for day in days(seen - timedelta(days=3), first_day + timedelta(days=5)):
        assert rule.escalated(seen, False, day, n, HOLIDAYS) is (day >= first_day), day


def test_without_the_holiday_it_would_escalate_a_day_earlier():
    seen = date(2026, 11, 25)
    assert rule.escalates_on(seen, 2) == date(2026, 11, 27)
    assert not rule.escalated(seen, False, date(2026, 11, 27), 2, HOLIDAYS)


def test_an_acknowledged_reminder_never_escalates():
    seen = date(2026, 11, 2)
    assert not rule.escalated(seen, True, date(2027, 1, 1), 2, HOLIDAYS)


def test_keys_name_type_subject_and_due_date_except_for_undated_types():
    day = date(2026, 11, 20)
    assert rule.reminder_key("PAYER_RESPONSE_OVERDUE", 12, None, day) == (
        "PAYER_RESPONSE_OVERDUE:a12:2026-11-20"
    )
    assert (
        rule.reminder_key("INFUSION_UNCOVERED", 3, 40, day) == "INFUSION_UNCOVERED:i40:2026-11-20"
    )
    assert rule.reminder_key("UNITS_LOW", 7, None, day) == "UNITS_LOW:a7"
    assert rule.reminder_key("EVIDENCE_STALE", 7, None, day + timedelta(1)) == "EVIDENCE_STALE:a7"


def test_days_overdue_counts_calendar_days_past_the_due_date():
    assert rule.days_overdue(date(2026, 11, 20), date(2026, 11, 30)) == 10
    assert rule.days_overdue(date(2026, 11, 30), date(2026, 11, 30)) == 0
    assert rule.days_overdue(date(2026, 12, 5), date(2026, 11, 30)) == 0
