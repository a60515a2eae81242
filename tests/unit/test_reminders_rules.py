"""Reminder rules the examples in test_reminders.py leave open (pinned by mutation testing)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from priorauth.domain import reminders
from priorauth.domain.reminders import (
    AuthState,
    InfusionState,
    Reminder,
    ReminderType,
    Thresholds,
    due_reminders,
)
from priorauth.domain.workflow import Status

NOW = datetime(2026, 3, 10, 9, 30)  # a Tuesday
TODAY = NOW.date()
LABEL = "MRN 10023 (J.D.)"
SENT = datetime(2026, 3, 1, 10, 0)


def auth(**changes) -> AuthState:
    fields = dict(id=1, patient_id=7, patient_label=LABEL, hcpcs_code="J1439", status="approved")
    return AuthState(**(fields | changes))


def infusion(**changes) -> InfusionState:
    fields = dict(id=50, patient_id=7, patient_label=LABEL, hcpcs_code="J1439",
                  scheduled_on=TODAY + timedelta(days=3), booked_at=NOW - timedelta(days=5),
                  covered=True, last_verified_at=NOW - timedelta(days=1))  # fmt: skip
    return InfusionState(**(fields | changes))


def at(days: int) -> date:
    return TODAY + timedelta(days=days)


def only(kind: ReminderType, auths=(), infusions=(), now=NOW) -> Reminder:
    found = [r for r in due_reminders(auths, infusions, now) if r.type == kind]
    assert len(found) == 1, found
    return found[0]


# --- the module's constants, stated in full


def test_reminder_types_in_declaration_order_are_the_tie_break_order():
    assert list(ReminderType) == [
        ReminderType.AUTH_EXPIRING,
        ReminderType.INFUSION_UNCOVERED,
        ReminderType.PAYER_RESPONSE_OVERDUE,
        ReminderType.APPEAL_DEADLINE,
        ReminderType.UNITS_LOW,
        ReminderType.EVIDENCE_STALE,
        ReminderType.INFUSION_UPCOMING,
        ReminderType.FOLLOW_UP_DUE,
        ReminderType.RENEWAL_DUE,
    ]
    assert {kind: i for i, kind in enumerate(ReminderType)} == reminders.TYPE_ORDER


def test_rule_sets_and_statuses_are_the_designed_ones():
    assert {Status.DRAFT, Status.PENDED} == reminders.EVIDENCE_STATUSES
    assert (
        reminders.auth_expiring,
        reminders.payer_response_overdue,
        reminders.appeal_deadline,
        reminders.units_low,
        reminders.evidence_stale,
        reminders.follow_up_due,
        reminders.renewal_due,
    ) == reminders.AUTH_RULES
    assert (reminders.infusion_uncovered, reminders.infusion_upcoming) == reminders.INFUSION_RULES


def test_default_thresholds_are_the_documented_ones():
    assert Thresholds() == Thresholds((30, 14, 7), 7, 14, 2)
    state = auth(status="submitted", submitted_at=SENT)
    assert (state.urgency, state.standard_response_days, state.expedited_response_hours) == (
        "standard",
        15,
        72,
    )


# --- tie-breaks among reminders of equal urgency


def test_equal_urgency_goes_by_declaration_order_then_by_id_whatever_the_input_order():
    auths = [
        auth(id=9, approved_end=TODAY, units_not_yet_used=3),
        auth(id=4, units_not_yet_used=1, units_needed_by_booked=5),
        auth(id=2, approved_end=TODAY, units_not_yet_used=3),
    ]
    infusions = [
        infusion(id=61, scheduled_on=TODAY, covered=False),
        infusion(id=60, scheduled_on=TODAY, covered=False),
    ]
    order = [
        (r.type, r.authorization_id, r.infusion_id) for r in due_reminders(auths, infusions, NOW)
    ]
    assert order == [
        (ReminderType.AUTH_EXPIRING, 2, None),
        (ReminderType.AUTH_EXPIRING, 9, None),
        (ReminderType.INFUSION_UNCOVERED, None, 60),
        (ReminderType.INFUSION_UNCOVERED, None, 61),
        (ReminderType.UNITS_LOW, 4, None),
    ]


# --- expiring: what remains, in words


def test_an_expiring_approval_with_exactly_one_unit_left_is_reminded():
    reminder = only(ReminderType.AUTH_EXPIRING, [auth(approved_end=at(3), units_not_yet_used=1)])
    assert reminder.message == (
        f"{LABEL}, J1439 authorization #1: ends in 3 days (within 7), on 2026-03-13, 1 unit left."
    )


def test_expiring_message_names_units_left_and_booked_infusions():
    state = auth(
        approved_end=at(20), units_not_yet_used=4, units_needed_by_booked=4, booked_after_today=2
    )
    assert only(ReminderType.AUTH_EXPIRING, [state]).message == (
        f"{LABEL}, J1439 authorization #1: ends in 20 days (within 30), on 2026-03-30, "
        "0 units left and 2 infusions booked."
    )
    one = auth(approved_end=at(20), units_not_yet_used=None, booked_after_today=1)
    assert only(ReminderType.AUTH_EXPIRING, [one]).message.endswith(
        "on 2026-03-30, 1 infusion booked."
    )


def test_expiring_unlimited_approval_with_nothing_booked_has_no_remainder_clause():
    reminder = only(ReminderType.AUTH_EXPIRING, [auth(approved_end=at(0))])
    assert (
        reminder.message
        == f"{LABEL}, J1439 authorization #1: ends today (within 7), on 2026-03-10."
    )


# --- expedited: a started hour counts


def expedited_late_by(delay: timedelta) -> str:
    state = auth(status="submitted", urgency="expedited", submitted_at=SENT)
    due = SENT + timedelta(hours=72)
    return only(ReminderType.PAYER_RESPONSE_OVERDUE, [state], now=due + delay).message


def test_expedited_lateness_counts_a_started_hour_as_a_whole_one():
    assert expedited_late_by(timedelta(seconds=1)).endswith(", 1 hour late.")
    assert expedited_late_by(timedelta(hours=2)).endswith(", 2 hours late.")
    assert expedited_late_by(timedelta(hours=2, minutes=1)).endswith(", 3 hours late.")
    assert expedited_late_by(timedelta(hours=25, minutes=59)).endswith(", 26 hours late.")


def test_expedited_overdue_message_in_full():
    assert expedited_late_by(timedelta(minutes=30)) == (
        f"{LABEL}, J1439 authorization #1: payer answer due 2026-03-04 10:00 "
        "(72 hours after submitted 2026-03-01 10:00), 1 hour late."
    )


# --- evidence and infusions: the fallback words


def test_evidence_stale_without_labs_message_in_full():
    state = auth(status="draft", labs_max_age_days=1)
    assert only(ReminderType.EVIDENCE_STALE, [state]).message == (
        f"{LABEL}, J1439 authorization #1: no labs on file; the payer needs labs at most 1 day old."
    )


def test_uncovered_infusion_without_reason_text_or_codes_says_no_reason_given():
    reminder = only(ReminderType.INFUSION_UNCOVERED, infusions=[infusion(covered=False)])
    assert (
        reminder.message == f"{LABEL}, J1439 infusion on 2026-03-13: not covered: no reason given."
    )
