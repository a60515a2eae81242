"""FOLLOW_UP_DUE and RENEWAL_DUE as rules over plain values (domain/reminders.py): the
follow-up cadence in business days (weekends and the clinic's holidays skipped) from the later
of the submission and the last follow-up; the renewal's start day from its target, the payer's
turnaround and the clinic's buffer."""

from __future__ import annotations

from datetime import date, datetime

import holidays

from priorauth.domain import reminders as rules
from priorauth.domain.attention import AuthState, RenewalFacts, Thresholds
from priorauth.domain.reminders import ReminderType

US = holidays.country_holidays("US")
LIMITS = Thresholds(holidays=US)  # follow-ups every 2 business days, renewals 3 early
WED_BEFORE_THANKSGIVING = datetime(2026, 11, 25, 15, 0)  # Thursday 11-26 is a US holiday


def awaiting(**changes) -> AuthState:
    base = {
        "id": 7,
        "patient_id": 3,
        "patient_label": "MRN 1 (A.L.)",
        "hcpcs_code": "J1439",
        "status": "submitted",
        "submitted_at": WED_BEFORE_THANKSGIVING,
        "standard_response_days": 30,
    }
    return AuthState(**(base | changes))


def follow_ups(state: AuthState, now: datetime, limits: Thresholds = LIMITS):
    found = rules.due_reminders([state], [], now, limits)
    return [r for r in found if r.type == ReminderType.FOLLOW_UP_DUE]


def test_cadence_skips_the_federal_holiday_and_the_weekend():
    state = awaiting()
    # Wed 11-25 + 2 business days: Thu 11-26 Thanksgiving, Sat, Sun skipped -> Fri 27, Mon 30
    assert rules.follow_up_due_on(state, LIMITS) == date(2026, 11, 30)
    assert follow_ups(state, datetime(2026, 11, 29, 23, 59)) == []
    (due,) = follow_ups(state, datetime(2026, 11, 30, 8, 0))
    assert (due.due_date, due.urgency, due.authorization_id) == (date(2026, 11, 30), 0, 7)
    assert due.message == (
        "MRN 1 (A.L.), J1439 authorization #7: follow up with the payer: due 2026-11-30,"
        " 2 business days after it was submitted on 2026-11-25."
    )
    (late,) = follow_ups(state, datetime(2026, 12, 2, 9, 0))
    assert late.urgency == -2
    # without the holiday calendar only the weekend is skipped: Friday
    assert rules.follow_up_due_on(state, Thresholds()) == date(2026, 11, 27)


def test_logging_a_follow_up_restarts_the_cadence():
    state = awaiting(last_follow_up_at=datetime(2026, 12, 1, 10, 0))  # a Tuesday
    assert rules.follow_up_due_on(state, LIMITS) == date(2026, 12, 3)
    assert follow_ups(state, datetime(2026, 12, 2, 16, 0)) == []
    (due,) = follow_ups(state, datetime(2026, 12, 3, 8, 0))
    assert due.message.endswith("2 business days after the last follow-up on 2026-12-01.")
    older = awaiting(last_follow_up_at=datetime(2026, 11, 20, 10, 0))  # before the submission
    assert rules.follow_up_due_on(older, LIMITS) == date(2026, 11, 30)
    assert "after it was submitted" in follow_ups(older, datetime(2026, 11, 30, 9))[0].message


def test_the_clinics_number_of_business_days_is_the_cadence():
    every_five = Thresholds(follow_up_business_days=5, holidays=US)
    assert rules.follow_up_due_on(awaiting(), every_five) == date(2026, 12, 3)
    one = Thresholds(follow_up_business_days=1, holidays=US)
    (due,) = follow_ups(awaiting(), datetime(2026, 11, 27, 9), one)
    assert "1 business day after" in due.message


def test_only_requests_awaiting_the_payer_are_followed_up():
    appealed = awaiting(status="appealed")
    assert (
        "after it was appealed on 2026-11-25"
        in follow_ups(appealed, datetime(2026, 12, 7))[0].message
    )
    for status in ("draft", "pended", "approved", "denied", "cancelled"):
        assert rules.follow_up_due_on(awaiting(status=status), LIMITS) is None
    assert rules.follow_up_due_on(awaiting(submitted_at=None), LIMITS) is None
    assert follow_ups(awaiting(status="pended"), datetime(2027, 1, 1)) == []


def approval(target_on=date(2027, 1, 12), days=9, decisions=7, **changes) -> AuthState:
    facts = RenewalFacts(
        target_on,
        changes.pop("target", "first uncovered infusion"),
        days,
        decisions,
        changes.pop("renewing", False),
    )
    base = {
        "id": 9,
        "patient_id": 3,
        "patient_label": "MRN 1 (A.L.)",
        "hcpcs_code": "J1439",
        "status": "approved",
        "approved_end": date(2027, 3, 1),
        "renewal": facts,
    }
    return AuthState(**(base | changes))


def renewal(state: AuthState, now: datetime, limits: Thresholds = LIMITS):
    found = [r for r in rules.due_reminders([state], [], now, limits) if r.type == "RENEWAL_DUE"]
    return found[0] if found else None


def test_renewal_due_says_how_its_day_was_reached():
    # 2027-01-12 − 9 days = Sun 01-03; − 3 business days, Fri 01-01 (New Year's Day)
    # skipped: Thu 12-31, Wed 12-30, Tue 12-29
    state = approval()
    assert renewal(state, datetime(2026, 12, 28, 23, 0)) is None
    due = renewal(state, datetime(2026, 12, 29, 7, 0))
    assert (due.due_date, due.urgency) == (date(2026, 12, 29), 0)
    assert due.message == (
        "MRN 1 (A.L.), J1439 authorization #9: start the renewal by 2026-12-29:"
        " first uncovered infusion 2027-01-12 − p80 9 days (7 decisions) − 3 business days."
    )
    assert renewal(state, datetime(2027, 1, 5)).urgency == -7  # still due, overdue


def test_renewal_due_moves_earlier_when_the_turnaround_grows():
    quick = rules.renewal_start(approval(days=9).renewal, LIMITS).start_by
    slow = rules.renewal_start(approval(days=20).renewal, LIMITS).start_by
    assert slow < quick
    assert renewal(approval(days=20), datetime(2026, 12, 20)) is not None
    assert renewal(approval(days=9), datetime(2026, 12, 20)) is None


def test_below_five_decisions_the_configured_time_is_named():
    state = approval(target="authorization end", days=15, decisions=2)
    due = renewal(state, datetime(2027, 1, 1))
    assert "authorization end 2027-01-12 − configured response time 15 days" in due.message
    assert "(only 2 decisions, fewer than 5)" in due.message


def test_no_renewal_reminder_when_one_is_in_progress_or_nothing_to_renew():
    late = datetime(2027, 1, 10)
    assert renewal(approval(renewing=True), late) is None
    assert renewal(approval(renewal=None), late) is None
    assert renewal(approval(status="denied"), late) is None
    assert renewal(approval(status="partially_approved"), late) is not None
    zero = Thresholds(renewal_buffer_business_days=0)
    assert renewal(approval(), datetime(2027, 1, 3), zero).due_date == date(2027, 1, 3)
