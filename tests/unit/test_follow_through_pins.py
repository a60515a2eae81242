"""Follow-through rules the other tests leave open: a follow-up logged at the very moment of
the submission is not a follow-up after it (domain/reminders.py), and among lines with the
same dollars the one with more units of unknown rate comes first (domain/revenue.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from priorauth.domain import reasons as r
from priorauth.domain import reminders as rules
from priorauth.domain.attention import AuthState, Thresholds
from priorauth.domain.revenue import AtRisk, summarize

SUBMITTED = datetime(2026, 11, 23, 10, 0)  # a Monday


def test_a_follow_up_at_the_moment_of_submission_is_not_named_as_a_follow_up():
    state = AuthState(
        id=7,
        patient_id=3,
        patient_label="MRN 1 (A.L.)",
        hcpcs_code="J1439",
        status="submitted",
        submitted_at=SUBMITTED,
        last_follow_up_at=SUBMITTED,
        standard_response_days=30,
    )
    due = rules.follow_up_due(state, datetime(2026, 11, 25, 9, 0), Thresholds())
    assert due.message.endswith("2 business days after it was submitted on 2026-11-23.")
    later = AuthState(**(vars(state) | {"last_follow_up_at": datetime(2026, 11, 23, 10, 1)}))
    due = rules.follow_up_due(later, datetime(2026, 11, 25, 9, 0), Thresholds())
    assert due.message.endswith("2 business days after the last follow-up on 2026-11-23.")


def unpriced(payer: int, reason: str, units: int) -> AtRisk:
    return AtRisk(payer, f"Payer {payer}", "J1439", reason, units, 1, None)


def test_lines_with_the_same_dollars_put_more_unknown_units_first():
    found = summarize(
        [
            unpriced(1, r.AUTH_DENIED, 100),
            unpriced(2, r.NO_AUTHORIZATION, 900),
            unpriced(3, r.TOO_SOON, 500),
        ]
    )
    assert all(line.dollars == Decimal("0.00") for line in found.by_reason)
    assert [line.key for line in found.by_reason] == [
        r.NO_AUTHORIZATION,
        r.TOO_SOON,
        r.AUTH_DENIED,
    ]
    assert [line.key for line in found.by_payer] == ["2", "3", "1"]
