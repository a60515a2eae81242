"""Authorization statuses: every allowed and every refused transition."""

from __future__ import annotations

from datetime import date

import pytest

from priorauth.domain.workflow import (
    ALLOWED,
    STORED_STATUSES,
    Status,
    TransitionRefused,
    check_transition,
    derived_status,
)

S = Status
EXPECTED_ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.NOT_REQUIRED),
    (S.DRAFT, S.CANCELLED),
    (S.SUBMITTED, S.PENDED),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.PARTIALLY_APPROVED),
    (S.SUBMITTED, S.DENIED),
    (S.SUBMITTED, S.CANCELLED),
    (S.PENDED, S.SUBMITTED),
    (S.PENDED, S.APPROVED),
    (S.PENDED, S.PARTIALLY_APPROVED),
    (S.PENDED, S.DENIED),
    (S.PENDED, S.CANCELLED),
    (S.DENIED, S.APPEALED),
    (S.APPEALED, S.APPROVED),
    (S.APPEALED, S.PARTIALLY_APPROVED),
    (S.APPEALED, S.DENIED),
    (S.APPEALED, S.CANCELLED),
    (S.APPROVED, S.CANCELLED),
    (S.PARTIALLY_APPROVED, S.APPEALED),
    (S.PARTIALLY_APPROVED, S.CANCELLED),
}
ALL_PAIRS = [(a, b) for a in STORED_STATUSES for b in Status]


def test_table_is_the_designed_one():
    assert {(a, b) for a, targets in ALLOWED.items() for b in targets} == EXPECTED_ALLOWED


@pytest.mark.parametrize(("current", "target"), sorted(EXPECTED_ALLOWED))
def test_allowed_transition(current, target):
    assert check_transition(current, target) == target


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p not in EXPECTED_ALLOWED])
def test_refused_transition_names_current_and_allowed(current, target):
    with pytest.raises(TransitionRefused) as error:
        check_transition(current, target)
    message = str(error.value)
    assert current.value in message
    assert error.value.allowed == ALLOWED[current]
    for allowed in ALLOWED[current]:
        assert allowed.value in message
    if not ALLOWED[current]:
        assert "final" in message


def test_unknown_target_is_refused():
    with pytest.raises(TransitionRefused) as error:
        check_transition("draft", "approvedd")
    assert "approvedd" in str(error.value)


def test_approval_reads_expired_after_its_end_date():
    kw = {
        "approved_end": date(2026, 12, 31),
        "units_not_yet_used": 10,
        "administrations_not_yet_used": 1,
    }
    assert derived_status("approved", today=date(2026, 12, 31), **kw) == S.APPROVED
    assert derived_status("approved", today=date(2027, 1, 1), **kw) == S.EXPIRED


def test_approval_reads_exhausted_when_units_or_visits_are_used_up():
    base = {"today": date(2026, 12, 1), "approved_end": date(2026, 12, 31)}
    assert derived_status(
        "partially_approved", units_not_yet_used=0, administrations_not_yet_used=1, **base
    ) == (S.EXHAUSTED)
    assert (
        derived_status("approved", units_not_yet_used=5, administrations_not_yet_used=0, **base)
        == S.EXHAUSTED
    )
    assert derived_status(
        "approved", units_not_yet_used=None, administrations_not_yet_used=None, **base
    ) == (S.APPROVED)


def test_non_approved_statuses_are_not_derived():
    assert (
        derived_status(
            "denied",
            today=date(2030, 1, 1),
            approved_end=date(2026, 1, 1),
            units_not_yet_used=0,
            administrations_not_yet_used=0,
        )
        == S.DENIED
    )
