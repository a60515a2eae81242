"""Reminders derived from state: both sides of every threshold, business days, sorting."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from priorauth.domain.reminders import (
    AuthState,
    InfusionState,
    Reminder,
    ReminderType,
    Thresholds,
    add_business_days,
    due_reminders,
)

NOW = datetime(2026, 3, 10, 9, 30)  # a Tuesday
TODAY = NOW.date()
FRIDAY = date(2026, 3, 13)
SATURDAY = date(2026, 3, 14)
MONDAY, TUESDAY, WEDNESDAY = date(2026, 3, 16), date(2026, 3, 17), date(2026, 3, 18)
LABEL = "MRN 10023 (J.D.)"


def auth(**changes) -> AuthState:
    fields = dict(id=1, patient_id=7, patient_label=LABEL, hcpcs_code="J1439", status="approved")
    return AuthState(**(fields | changes))


def infusion(**changes) -> InfusionState:
    fields = dict(
        id=50,
        patient_id=7,
        patient_label=LABEL,
        hcpcs_code="J1439",
        scheduled_on=TODAY + timedelta(days=3),
        booked_at=NOW - timedelta(days=5),
        covered=True,
        last_verified_at=NOW - timedelta(days=1),
    )
    return InfusionState(**(fields | changes))


def found(kind: ReminderType, auths=(), infusions=(), now=NOW, **limits) -> list[Reminder]:
    return [r for r in due_reminders(auths, infusions, now, Thresholds(**limits)) if r.type == kind]


def only(kind: ReminderType, auths=(), infusions=(), now=NOW, **limits) -> Reminder:
    reminders = found(kind, auths, infusions, now, **limits)
    assert len(reminders) == 1, reminders
    return reminders[0]


def at(days: int) -> date:
    return TODAY + timedelta(days=days)


# --- business days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (FRIDAY, 0, FRIDAY),
        (FRIDAY, 1, MONDAY),
        (FRIDAY, 2, TUESDAY),
        (FRIDAY, 5, date(2026, 3, 20)),
        (SATURDAY, 0, SATURDAY),
        (SATURDAY, 1, MONDAY),
        (SATURDAY, 2, TUESDAY),
        (date(2026, 3, 15), 1, MONDAY),
        (date(2026, 3, 11), 2, FRIDAY),
        (date(2026, 3, 12), 2, MONDAY),
        (MONDAY, -1, FRIDAY),
    ],
)
def test_add_business_days_skips_weekends(start, days, expected):
    assert add_business_days(start, days) == expected


# --- AUTH_EXPIRING -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "tier"),
    [(30, 30), (29, 30), (15, 30), (14, 14), (13, 14), (8, 14), (7, 7), (6, 7), (1, 7), (0, 7)],
)
def test_auth_expiring_within_the_window_names_its_tier(days_left, tier):
    state = auth(approved_end=at(days_left), units_not_yet_used=40)
    reminder = only(ReminderType.AUTH_EXPIRING, [state])
    assert reminder.due_date == at(days_left)
    assert reminder.urgency == days_left
    assert f"(within {tier})" in reminder.message
    assert LABEL in reminder.message and "J1439" in reminder.message
    assert str(at(days_left)) in reminder.message and "40 units left" in reminder.message
    assert (reminder.authorization_id, reminder.patient_id, reminder.infusion_id) == (1, 7, None)


def test_auth_expiring_message_counts_days_or_says_today():
    assert (
        "ends in 12 days (within 14)"
        in only(ReminderType.AUTH_EXPIRING, [auth(approved_end=at(12))]).message
    )
    assert (
        "ends in 1 day (within 7)"
        in only(ReminderType.AUTH_EXPIRING, [auth(approved_end=at(1))]).message
    )
    late_evening = datetime.combine(TODAY, datetime.max.time())
    today = only(ReminderType.AUTH_EXPIRING, [auth(approved_end=TODAY)], now=late_evening)
    assert "ends today (within 7)" in today.message


@pytest.mark.parametrize("days_left", [31, 45, -1, -30])
def test_auth_expiring_outside_the_window_is_silent(days_left):
    assert found(ReminderType.AUTH_EXPIRING, [auth(approved_end=at(days_left))]) == []


def test_auth_expiring_uses_the_clinic_tiers():
    reminder = only(ReminderType.AUTH_EXPIRING, [auth(approved_end=at(45))], expiring_days=(60,))
    assert "(within 60)" in reminder.message
    assert found(ReminderType.AUTH_EXPIRING, [auth(approved_end=at(10))], expiring_days=(5,)) == []
    assert found(ReminderType.AUTH_EXPIRING, [auth(approved_end=at(1))], expiring_days=()) == []


@pytest.mark.parametrize(
    ("units_not_yet_used", "visits_left", "booked", "expected"),
    [(0, None, 0, 0), (0, None, 1, 0), (5, None, 0, 1), (None, None, 0, 1), (5, 0, 1, 0)],
)
def test_auth_expiring_only_while_the_approval_is_not_used_up(
    units_not_yet_used, visits_left, booked, expected
):
    """Expiring means what the dashboard's status says: approved, not exhausted (§5); an
    approval used up by given infusions is exhausted, whatever is still booked on it (those
    bookings are reminded as not covered)."""
    state = auth(
        approved_end=at(10),
        units_not_yet_used=units_not_yet_used,
        administrations_not_yet_used=visits_left,
        booked_after_today=booked,
    )
    assert len(found(ReminderType.AUTH_EXPIRING, [state])) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("approved", 1),
        ("partially_approved", 1),
        ("submitted", 0),
        ("denied", 0),
        ("cancelled", 0),
        ("not_required", 0),
    ],
)
def test_auth_expiring_only_for_approved_requests(status, expected):
    state = auth(status=status, approved_end=at(10))
    assert len(found(ReminderType.AUTH_EXPIRING, [state])) == expected


def test_auth_expiring_needs_an_end_date():
    assert found(ReminderType.AUTH_EXPIRING, [auth(approved_end=None)]) == []


# --- PAYER_RESPONSE_OVERDUE ----------------------------------------------------------------

SENT = datetime(2026, 3, 1, 10, 0)


def submitted(**changes) -> AuthState:
    return auth(**({"status": "submitted", "submitted_at": SENT} | changes))


@pytest.mark.parametrize(
    ("after", "overdue"),
    [
        (timedelta(days=14), False),
        (timedelta(days=15) - timedelta(minutes=1), False),
        (timedelta(days=15), False),
        (timedelta(days=15, minutes=1), True),
        (timedelta(days=16), True),
    ],
)
def test_standard_response_counted_in_days(after, overdue):
    reminders = found(ReminderType.PAYER_RESPONSE_OVERDUE, [submitted()], now=SENT + after)
    assert len(reminders) == int(overdue)


def test_standard_response_overdue_says_how_many_days_late():
    now = datetime(2026, 3, 19, 11, 0)
    reminder = only(ReminderType.PAYER_RESPONSE_OVERDUE, [submitted()], now=now)
    assert reminder.due_date == date(2026, 3, 16)
    assert reminder.urgency == -3
    assert "3 days late" in reminder.message
    assert "2026-03-16 10:00" in reminder.message and "15 days" in reminder.message
    next_day = only(ReminderType.PAYER_RESPONSE_OVERDUE, [submitted()], now=datetime(2026, 3, 17))
    assert "1 day late" in next_day.message and next_day.urgency == -1
    same_day = only(
        ReminderType.PAYER_RESPONSE_OVERDUE, [submitted()], now=SENT + timedelta(15, 60)
    )
    assert "late since 10:00 today" in same_day.message and same_day.urgency == 0


def test_standard_response_time_is_per_payer():
    state = submitted(standard_response_days=7)
    now = SENT + timedelta(days=7, hours=1)
    assert found(ReminderType.PAYER_RESPONSE_OVERDUE, [state], now=SENT + timedelta(days=7)) == []
    assert only(ReminderType.PAYER_RESPONSE_OVERDUE, [state], now=now).due_date == date(2026, 3, 8)


@pytest.mark.parametrize(("hours", "overdue"), [(71, False), (72, False), (73, True)])
def test_expedited_response_counted_in_hours(hours, overdue):
    state = submitted(urgency="expedited")
    now = SENT + timedelta(hours=hours)
    reminders = found(ReminderType.PAYER_RESPONSE_OVERDUE, [state], now=now)
    assert len(reminders) == int(overdue)
    if overdue:
        assert "1 hour late" in reminders[0].message and "72 hours" in reminders[0].message
        assert reminders[0].due_date == date(2026, 3, 4)


def test_expedited_friday_evening_submission_is_overdue_monday_evening():
    state = submitted(urgency="expedited", submitted_at=datetime(2026, 3, 13, 18, 0))
    monday_due = datetime(2026, 3, 16, 18, 0)
    assert found(ReminderType.PAYER_RESPONSE_OVERDUE, [state], now=monday_due) == []
    late = only(ReminderType.PAYER_RESPONSE_OVERDUE, [state], now=monday_due + timedelta(hours=2))
    assert late.due_date == MONDAY and "2 hours late" in late.message


def test_appealed_requests_wait_for_an_answer_too():
    state = submitted(status="appealed")
    reminder = only(ReminderType.PAYER_RESPONSE_OVERDUE, [state], now=SENT + timedelta(days=16))
    assert "appealed 2026-03-01 10:00" in reminder.message


@pytest.mark.parametrize("status", ["draft", "pended", "approved", "denied", "cancelled"])
def test_no_overdue_answer_unless_awaiting_the_payer(status):
    state = submitted(status=status)
    assert found(ReminderType.PAYER_RESPONSE_OVERDUE, [state], now=SENT + timedelta(30)) == []


def test_no_overdue_answer_without_a_submission_time():
    state = submitted(submitted_at=None)
    assert found(ReminderType.PAYER_RESPONSE_OVERDUE, [state], now=SENT + timedelta(30)) == []


# --- APPEAL_DEADLINE -----------------------------------------------------------------------


def denied(**changes) -> AuthState:
    return auth(**({"status": "denied"} | changes))


@pytest.mark.parametrize(
    ("days_left", "due"), [(15, False), (14, True), (13, True), (0, True), (-1, False)]
)
def test_appeal_deadline_window(days_left, due):
    reminders = found(ReminderType.APPEAL_DEADLINE, [denied(appeal_deadline=at(days_left))])
    assert len(reminders) == int(due)
    if due:
        assert reminders[0].due_date == at(days_left)
        assert reminders[0].urgency == days_left
        assert str(at(days_left)) in reminders[0].message and LABEL in reminders[0].message


def test_appeal_deadline_message_counts_days():
    assert (
        "is in 13 days"
        in only(ReminderType.APPEAL_DEADLINE, [denied(appeal_deadline=at(13))]).message
    )
    assert "is today" in only(ReminderType.APPEAL_DEADLINE, [denied(appeal_deadline=TODAY)]).message


def test_appeal_deadline_window_is_per_clinic():
    state = denied(appeal_deadline=at(20))
    assert found(ReminderType.APPEAL_DEADLINE, [state]) == []
    assert only(ReminderType.APPEAL_DEADLINE, [state], appeal_days=30).urgency == 20


@pytest.mark.parametrize(
    "state",
    [
        denied(appeal_deadline=at(5), appealed=True),
        denied(appeal_deadline=None),
        auth(status="appealed", appeal_deadline=at(5)),
        auth(status="approved", appeal_deadline=at(5)),
    ],
)
def test_no_appeal_reminder_once_appealed_or_not_denied(state):
    assert found(ReminderType.APPEAL_DEADLINE, [state]) == []


# --- UNITS_LOW -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units_not_yet_used", "low"), [(11, False), (10, False), (9, True), (0, True)]
)
def test_units_low_when_booked_infusions_need_more(units_not_yet_used, low):
    state = auth(
        units_not_yet_used=units_not_yet_used, units_needed_by_booked=10, booked_after_today=2
    )
    assert len(found(ReminderType.UNITS_LOW, [state])) == int(low)


def test_units_low_message_and_dates():
    state = auth(units_not_yet_used=6, units_needed_by_booked=10, booked_after_today=2)
    reminder = only(ReminderType.UNITS_LOW, [state])
    assert (reminder.due_date, reminder.urgency) == (TODAY, 0)
    expected = "2 booked infusions need 10 units but 6 are not yet used: 4 short (-4 units left)"
    assert expected in reminder.message


@pytest.mark.parametrize(
    "state",
    [
        auth(units_not_yet_used=None, units_needed_by_booked=10),
        auth(status="submitted", units_not_yet_used=0, units_needed_by_booked=10),
        auth(status="cancelled", units_not_yet_used=0, units_needed_by_booked=10),
    ],
)
def test_no_units_low_when_unlimited_or_not_approved(state):
    assert found(ReminderType.UNITS_LOW, [state]) == []


def test_units_low_for_partial_approvals():
    state = auth(status="partially_approved", units_not_yet_used=1, units_needed_by_booked=2)
    assert only(ReminderType.UNITS_LOW, [state]).authorization_id == 1


# --- EVIDENCE_STALE ------------------------------------------------------------------------


def draft(**changes) -> AuthState:
    return auth(**({"status": "draft", "labs_max_age_days": 30} | changes))


@pytest.mark.parametrize(("age", "stale"), [(29, False), (30, False), (31, True), (90, True)])
def test_evidence_stale_once_labs_are_older_than_the_policy_allows(age, stale):
    reminders = found(ReminderType.EVIDENCE_STALE, [draft(latest_lab_on=at(-age))])
    assert len(reminders) == int(stale)
    if stale:
        assert reminders[0].due_date == at(30 - age)
        assert reminders[0].urgency == 30 - age
        assert f"{age} days old" in reminders[0].message and str(at(-age)) in reminders[0].message


def test_evidence_stale_without_any_labs_is_due_today():
    reminder = only(ReminderType.EVIDENCE_STALE, [draft(status="pended", latest_lab_on=None)])
    assert (reminder.due_date, reminder.urgency) == (TODAY, 0)
    assert "no labs on file" in reminder.message


@pytest.mark.parametrize(
    "state",
    [
        draft(labs_max_age_days=None, latest_lab_on=None),
        draft(status="submitted", latest_lab_on=at(-90)),
        draft(status="approved", latest_lab_on=None),
    ],
)
def test_no_evidence_reminder_without_a_policy_or_after_submission(state):
    assert found(ReminderType.EVIDENCE_STALE, [state]) == []


# --- INFUSION_UNCOVERED --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "due"), [(8, False), (7, True), (6, True), (0, True), (-1, False)]
)
def test_uncovered_infusion_window(days, due):
    state = infusion(scheduled_on=at(days), covered=False, reason_text="authorization expired")
    reminders = found(ReminderType.INFUSION_UNCOVERED, infusions=[state])
    assert len(reminders) == int(due)
    if due:
        assert (reminders[0].due_date, reminders[0].urgency) == (at(days), days)


def test_uncovered_infusion_message_cites_the_reasons():
    state = infusion(
        covered=False,
        authorization_id=3,
        reason_codes=("AUTH_EXPIRED", "UNITS_EXHAUSTED"),
        reason_text="authorization #3 ended on 2026-03-12",
    )
    reminder = only(ReminderType.INFUSION_UNCOVERED, infusions=[state])
    assert "authorization #3 ended on 2026-03-12" in reminder.message
    assert "AUTH_EXPIRED" not in reminder.message  # sentences, never raw reason codes
    assert LABEL in reminder.message and str(at(3)) in reminder.message
    assert (reminder.infusion_id, reminder.authorization_id, reminder.patient_id) == (50, 3, 7)


def test_covered_infusions_raise_no_alarm():
    assert found(ReminderType.INFUSION_UNCOVERED, infusions=[infusion(covered=True)]) == []


def test_uncovered_window_is_per_clinic():
    state = infusion(scheduled_on=at(10), covered=False)
    assert only(ReminderType.INFUSION_UNCOVERED, infusions=[state], uncovered_days=10).urgency == 10


# --- INFUSION_UPCOMING ---------------------------------------------------------------------

FRIDAY_NOON = datetime(2026, 3, 13, 12, 0)


def unverified(scheduled_on: date, **changes) -> InfusionState:
    fields = {"scheduled_on": scheduled_on, "booked_at": datetime(2026, 3, 2, 9), "covered": True}
    return infusion(**(fields | {"last_verified_at": None} | changes))


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (date(2026, 3, 12), False),
        (FRIDAY, True),
        (SATURDAY, True),
        (MONDAY, True),
        (TUESDAY, True),
        (WEDNESDAY, False),
    ],
)
def test_upcoming_on_a_friday_counts_monday_and_tuesday(day, due):
    reminders = found(ReminderType.INFUSION_UPCOMING, infusions=[unverified(day)], now=FRIDAY_NOON)
    assert len(reminders) == int(due)
    if due:
        assert reminders[0].due_date == day
        assert reminders[0].urgency == (day - FRIDAY).days


def test_upcoming_from_a_saturday():
    saturday = datetime(2026, 3, 14, 10, 0)
    assert found(ReminderType.INFUSION_UPCOMING, infusions=[unverified(TUESDAY)], now=saturday)
    assert found(ReminderType.INFUSION_UPCOMING, [], [unverified(WEDNESDAY)], now=saturday) == []


def test_upcoming_window_is_per_clinic():
    state = unverified(WEDNESDAY)
    assert (
        only(
            ReminderType.INFUSION_UPCOMING,
            infusions=[state],
            now=FRIDAY_NOON,
            upcoming_business_days=3,
        ).urgency
        == 5
    )


def test_verified_after_booking_clears_the_upcoming_reminder():
    state = unverified(MONDAY, last_verified_at=datetime(2026, 3, 12, 8, 0))
    assert found(ReminderType.INFUSION_UPCOMING, infusions=[state], now=FRIDAY_NOON) == []
    same_moment = unverified(MONDAY, last_verified_at=datetime(2026, 3, 2, 9))
    assert found(ReminderType.INFUSION_UPCOMING, infusions=[same_moment], now=FRIDAY_NOON) == []


def test_verified_before_booking_does_not_count():
    state = unverified(MONDAY, last_verified_at=datetime(2026, 3, 1, 8, 0))
    reminder = only(ReminderType.INFUSION_UPCOMING, infusions=[state], now=FRIDAY_NOON)
    assert "last re-verified 2026-03-01 08:00" in reminder.message
    assert "booked 2026-03-02 09:00" in reminder.message
    assert (reminder.infusion_id, reminder.patient_id) == (50, 7)


def test_never_verified_says_so():
    reminder = only(ReminderType.INFUSION_UPCOMING, infusions=[unverified(MONDAY)], now=FRIDAY_NOON)
    assert "never re-verified" in reminder.message and LABEL in reminder.message


# --- everything together -------------------------------------------------------------------


def test_nothing_due_gives_an_empty_list():
    assert due_reminders([auth(approved_end=at(200))], [infusion()], NOW) == []
    assert due_reminders([], [], NOW) == []


def test_sorted_most_urgent_first_then_type_then_id():
    auths = [
        auth(id=1, approved_end=at(12)),  # expiring, 12
        submitted(id=2),  # response due 2026-03-16 -> not yet
        submitted(id=3, submitted_at=datetime(2026, 2, 20, 9)),  # overdue since 03-07, -3
        auth(id=4, units_not_yet_used=1, units_needed_by_booked=5),  # units low, 0
        auth(id=5, approved_end=TODAY, units_not_yet_used=3),  # expiring, 0
        auth(id=6, approved_end=TODAY, units_not_yet_used=3),  # expiring, 0, higher id
        denied(id=7, appeal_deadline=at(2)),  # appeal, 2
    ]
    infusions = [
        infusion(id=52, scheduled_on=at(2), covered=False),  # uncovered, 2
        infusion(id=51, scheduled_on=at(2), covered=False),  # uncovered, 2, lower id
        unverified(TODAY, id=53),  # upcoming, 0
    ]
    order = [
        (r.type, r.authorization_id or r.infusion_id, r.urgency)
        for r in due_reminders(iter(auths), iter(infusions), NOW)
    ]
    assert order == [
        (ReminderType.FOLLOW_UP_DUE, 3, -14),  # 2 business days after 02-20: 02-24
        (ReminderType.FOLLOW_UP_DUE, 2, -7),  # 2 business days after 03-01: 03-03
        (ReminderType.PAYER_RESPONSE_OVERDUE, 3, -3),
        (ReminderType.AUTH_EXPIRING, 5, 0),
        (ReminderType.AUTH_EXPIRING, 6, 0),
        (ReminderType.UNITS_LOW, 4, 0),
        (ReminderType.INFUSION_UPCOMING, 53, 0),
        (ReminderType.INFUSION_UNCOVERED, 51, 2),
        (ReminderType.INFUSION_UNCOVERED, 52, 2),
        (ReminderType.APPEAL_DEADLINE, 7, 2),
        (ReminderType.AUTH_EXPIRING, 1, 12),
    ]


def test_one_authorization_can_raise_several_reminders():
    state = auth(
        approved_end=at(5), units_not_yet_used=2, units_needed_by_booked=10, booked_after_today=2
    )
    kinds = {r.type for r in due_reminders([state], [], NOW)}
    assert kinds == {ReminderType.AUTH_EXPIRING, ReminderType.UNITS_LOW}


def test_reminder_types_are_their_names():
    assert [t.value for t in ReminderType] == [t.name for t in ReminderType]
    assert len(ReminderType) == 9


def test_infusion_reminders_tie_break_on_the_infusion_id():
    infusions = [
        infusion(id=52, authorization_id=8, scheduled_on=at(2), covered=False),
        infusion(id=51, authorization_id=9, scheduled_on=at(2), covered=False),
    ]
    assert [r.infusion_id for r in due_reminders([], infusions, NOW)] == [51, 52]
