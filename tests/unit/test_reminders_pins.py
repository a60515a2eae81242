"""Reminder rules (priorauth/domain/reminders.py) the other reminder tests leave open: a
reminder on an authorization names whom to call, and an approval reads expired once its end
date has passed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from priorauth.domain import reminders
from priorauth.domain.reminders import AuthState, PayerContact, Thresholds
from priorauth.domain.workflow import Status

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 9, 30)
BLUE = PayerContact("Blue", "1-800-555-0100", "https://blue.example")


def auth(**changes) -> AuthState:
    fields = dict(id=1, patient_id=7, patient_label="MRN 1 (J.D.)", hcpcs_code="J1439")
    return AuthState(**(fields | {"status": "approved", "payer": BLUE} | changes))


@pytest.mark.parametrize(
    ("rule", "state"),
    [
        (reminders.auth_expiring, auth(approved_end=TODAY + timedelta(days=5))),
        (reminders.appeal_deadline, auth(status="denied", appeal_deadline=TODAY)),
        (
            reminders.payer_response_overdue,
            auth(status="submitted", submitted_at=NOW - timedelta(days=20)),
        ),
        (reminders.units_low, auth(units_not_yet_used=2, units_needed_by_booked=4)),
    ],
)
def test_a_reminder_on_an_authorization_names_its_payer_to_call(rule, state):
    assert rule(state, NOW, Thresholds()).payer == BLUE


def test_an_approval_reads_expired_the_day_after_it_ends():
    ended = auth(approved_end=TODAY - timedelta(days=1), units_not_yet_used=10)
    assert reminders.current_status(ended, TODAY) == Status.EXPIRED
    ends_today = auth(approved_end=TODAY, units_not_yet_used=10)
    assert reminders.current_status(ends_today, TODAY) == Status.APPROVED


def test_an_approval_used_up_reads_exhausted_and_a_request_keeps_its_status():
    assert reminders.current_status(auth(units_not_yet_used=0), TODAY) == Status.EXHAUSTED
    assert reminders.current_status(auth(status="denied"), TODAY) == Status.DENIED
