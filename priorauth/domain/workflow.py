"""Authorization statuses and the transitions allowed between them (docs/domain.md §5)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PENDED = "pended"
    APPROVED = "approved"
    PARTIALLY_APPROVED = "partially_approved"
    DENIED = "denied"
    APPEALED = "appealed"
    NOT_REQUIRED = "not_required"
    CANCELLED = "cancelled"
    # Derived from dates and units, never stored (see derived_status).
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"


STORED_STATUSES = tuple(s for s in Status if s not in (Status.EXPIRED, Status.EXHAUSTED))
APPROVED_STATUSES = frozenset({Status.APPROVED, Status.PARTIALLY_APPROVED})
DECISION_STATUSES = frozenset({Status.APPROVED, Status.PARTIALLY_APPROVED, Status.DENIED})
AWAITING_PAYER = frozenset({Status.SUBMITTED, Status.APPEALED})

ALLOWED: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (Status.SUBMITTED, Status.NOT_REQUIRED, Status.CANCELLED),
    Status.SUBMITTED: (
        Status.PENDED,
        Status.APPROVED,
        Status.PARTIALLY_APPROVED,
        Status.DENIED,
        Status.CANCELLED,
    ),
    Status.PENDED: (
        Status.SUBMITTED,
        Status.APPROVED,
        Status.PARTIALLY_APPROVED,
        Status.DENIED,
        Status.CANCELLED,
    ),
    Status.DENIED: (Status.APPEALED,),
    Status.APPEALED: (
        Status.APPROVED,
        Status.PARTIALLY_APPROVED,
        Status.DENIED,
        Status.CANCELLED,
    ),
    Status.APPROVED: (Status.CANCELLED,),
    Status.PARTIALLY_APPROVED: (Status.APPEALED, Status.CANCELLED),
    Status.NOT_REQUIRED: (),
    Status.CANCELLED: (),
}


class TransitionRefused(Exception):
    """A status change the workflow does not allow; names where it stands and where it may go."""

    code = "TRANSITION_NOT_ALLOWED"

    def __init__(self, current: Status, target: str):
        self.current = Status(current)
        self.target = target
        self.allowed = allowed_transitions(current)
        allowed = ", ".join(self.allowed) if self.allowed else "none (final status)"
        super().__init__(
            f"cannot move a {self.current.value} request to {target}; allowed: {allowed}"
        )


def allowed_transitions(current: Status | str) -> tuple[Status, ...]:
    return ALLOWED.get(Status(current), ())


def check_transition(current: Status | str, target: Status | str) -> Status:
    """Return the target status if the move is allowed, else raise TransitionRefused."""
    try:
        wanted = Status(target)
    except ValueError:
        raise TransitionRefused(Status(current), str(target)) from None
    if wanted not in allowed_transitions(current):
        raise TransitionRefused(Status(current), wanted.value)
    return wanted


def grants_units(status: Status | str, units_approved: int | None) -> bool:
    """Whether a request's approved units may be used: an approval or a partial approval, and
    a partial approval under appeal (what the payer approved stands while it reconsiders)."""
    if status in APPROVED_STATUSES:
        return True
    return status == Status.APPEALED and units_approved is not None


def derived_status(
    stored: Status | str,
    *,
    today: date,
    approved_end: date | None,
    units_not_yet_used: int | None,
    administrations_not_yet_used: int | None,
) -> Status:
    """An approval reads expired once its end date has passed, exhausted once used up."""
    status = Status(stored)
    if status not in APPROVED_STATUSES:
        return status
    if approved_end is not None and approved_end < today:
        return Status.EXPIRED
    if (units_not_yet_used is not None and units_not_yet_used <= 0) or (
        administrations_not_yet_used is not None and administrations_not_yet_used <= 0
    ):
        return Status.EXHAUSTED
    return status
