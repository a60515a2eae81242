"""Workflow constants stated in full, and the edges test_workflow.py leaves open."""

from __future__ import annotations

from datetime import date

import pytest

from priorauth.domain import workflow
from priorauth.domain.workflow import Status, TransitionRefused, check_transition, derived_status

S = Status
TODAY = date(2026, 3, 10)


def test_status_values_are_the_stored_strings():
    assert [s.value for s in Status] == [
        "draft", "submitted", "pended", "approved", "partially_approved", "denied",
        "appealed", "not_required", "cancelled", "expired", "exhausted",
    ]  # fmt: skip


def test_status_sets_are_the_designed_ones():
    assert workflow.STORED_STATUSES == (
        S.DRAFT, S.SUBMITTED, S.PENDED, S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED,
        S.APPEALED, S.NOT_REQUIRED, S.CANCELLED,
    )  # fmt: skip
    assert {S.APPROVED, S.PARTIALLY_APPROVED} == workflow.APPROVED_STATUSES
    assert {S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED} == workflow.DECISION_STATUSES
    assert {S.SUBMITTED, S.APPEALED} == workflow.AWAITING_PAYER


def test_allowed_targets_are_listed_in_the_designed_order():
    """The order is what the refusal message and the UI's buttons show."""
    assert workflow.ALLOWED == {
        S.DRAFT: (S.SUBMITTED, S.NOT_REQUIRED, S.CANCELLED),
        S.SUBMITTED: (S.PENDED, S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.CANCELLED),
        S.PENDED: (S.SUBMITTED, S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.CANCELLED),
        S.DENIED: (S.APPEALED,),
        S.APPEALED: (S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.CANCELLED),
        S.APPROVED: (S.CANCELLED,),
        S.PARTIALLY_APPROVED: (S.APPEALED, S.CANCELLED),
        S.NOT_REQUIRED: (),
        S.CANCELLED: (),
    }
    assert workflow.allowed_transitions("expired") == ()


def test_refusal_message_and_code_in_full():
    with pytest.raises(TransitionRefused) as error:
        check_transition("pended", "draft")
    assert str(error.value) == (
        "cannot move a pended request to draft; allowed: submitted, approved, "
        "partially_approved, denied, cancelled"
    )
    assert (error.value.current, error.value.target) == (S.PENDED, "draft")
    assert error.value.code == "TRANSITION_NOT_ALLOWED"
    with pytest.raises(TransitionRefused) as final:
        check_transition(S.CANCELLED, "draft")
    assert (
        str(final.value) == "cannot move a cancelled request to draft; allowed: none (final status)"
    )
    assert final.value.allowed == ()


def test_unknown_target_refusal_names_it_as_given():
    with pytest.raises(TransitionRefused) as error:
        check_transition("draft", "sent")
    assert error.value.target == "sent"
    assert str(error.value).startswith("cannot move a draft request to sent; allowed: submitted")


def test_an_approval_with_exactly_one_unit_left_is_not_exhausted():
    kw = {"today": TODAY, "approved_end": TODAY}
    assert (
        derived_status("approved", units_not_yet_used=1, administrations_not_yet_used=None, **kw)
        == S.APPROVED
    )
    assert (
        derived_status("approved", units_not_yet_used=None, administrations_not_yet_used=1, **kw)
        == S.APPROVED
    )
    assert (
        derived_status("approved", units_not_yet_used=-2, administrations_not_yet_used=None, **kw)
        == S.EXHAUSTED
    )
    assert (
        derived_status("approved", units_not_yet_used=None, administrations_not_yet_used=0, **kw)
        == S.EXHAUSTED
    )


def test_an_open_ended_approval_never_reads_expired():
    kw = {"units_not_yet_used": None, "administrations_not_yet_used": None}
    assert derived_status("approved", today=date(2099, 1, 1), approved_end=None, **kw) == S.APPROVED


def test_only_approvals_and_a_partial_approval_under_appeal_grant_units():
    granting = {s for s in Status if workflow.grants_units(s, 100)}
    assert granting == {Status.APPROVED, Status.PARTIALLY_APPROVED, Status.APPEALED}
    assert {s for s in Status if workflow.grants_units(s, None)} == {
        Status.APPROVED,
        Status.PARTIALLY_APPROVED,
    }
