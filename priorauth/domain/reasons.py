"""The coverage check's reasons (docs/domain.md §6): each a stable code, a sentence and, when
something fixes it, the fix (pages turn it into a link)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from priorauth.domain.usage import UnitsUse
from priorauth.domain.workflow import Status, grants_units

if TYPE_CHECKING:
    from priorauth.domain.coverage import (
        AuthFacts,
        CoverageQuestion,
        CoverageWindow,
        InfusionFacts,
        PolicyFacts,
    )

NO_AUTHORIZATION = "NO_AUTHORIZATION"
AUTH_PENDING = "AUTH_PENDING"
AUTH_DENIED = "AUTH_DENIED"
AUTH_NOT_YET_ACTIVE = "AUTH_NOT_YET_ACTIVE"
AUTH_EXPIRED = "AUTH_EXPIRED"
UNITS_EXHAUSTED = "UNITS_EXHAUSTED"
VISITS_EXHAUSTED = "VISITS_EXHAUSTED"
DOSE_EXCEEDS_LIMIT = "DOSE_EXCEEDS_LIMIT"
TOO_SOON = "TOO_SOON"
COVERAGE_INACTIVE = "COVERAGE_INACTIVE"
PA_NOT_REQUIRED = "PA_NOT_REQUIRED"

# Reasons that say no authorization served the date; absent whenever one did.
AUTHORIZATION_REASONS = frozenset(
    {NO_AUTHORIZATION, AUTH_PENDING, AUTH_DENIED, AUTH_NOT_YET_ACTIVE, AUTH_EXPIRED}
    | {UNITS_EXHAUSTED, VISITS_EXHAUSTED}
)
BLOCKING = AUTHORIZATION_REASONS | {DOSE_EXCEEDS_LIMIT, TOO_SOON, COVERAGE_INACTIVE}
PENDING_STATUSES = frozenset({Status.SUBMITTED, Status.PENDED, Status.APPEALED})

# What fixes a reason (docs/domain.md §6): pages turn each into a link.
FIX_REQUEST = "request"  # start an authorization request for the patient and code
FIX_FOLLOW_UP = "follow_up"  # the pending or denied request (chase the payer, appeal)
FIX_RENEW = "renew"  # renew the expired or used-up approval
FIX_VERIFY = "verify"  # re-verify the patient's insurance
FIX_MOVE = "move"  # move the infusion to the first day this reason no longer applies
FIX_DOSE = "dose"  # change the dose


@dataclass(frozen=True)
class Fix:
    kind: str
    authorization_id: int | None = None
    day: date | None = None


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    fix: Fix | None = field(default=None, compare=False)


def coverage_reasons(day: date, coverages: Sequence[CoverageWindow]) -> list[Reason]:
    containing = [w for w in coverages if w.contains(day)]
    if any(not w.verified_inactive for w in containing):
        return []
    verify = Fix(FIX_VERIFY)
    if containing:
        text = f"a re-verification found the insurance covering {day} inactive or changed"
        return [Reason(COVERAGE_INACTIVE, text, verify)]
    ended = [w.end_date for w in coverages if w.end_date is not None and w.end_date < day]
    starts = [w.start_date for w in coverages if w.start_date > day]
    if ended:
        text = f"the patient's insurance ended on {max(ended)}, before the service date {day}"
    elif starts:
        text = f"the patient's insurance starts on {min(starts)}, after the service date {day}"
        verify = Fix(FIX_MOVE, day=min(starts))
    else:
        text = f"no insurance coverage on file for the service date {day}"
    return [Reason(COVERAGE_INACTIVE, text, verify)]


def dose_reasons(question: CoverageQuestion, policy: PolicyFacts | None) -> list[Reason]:
    limit = policy.max_mg_per_dose if policy else None
    if limit is None or question.dose_mg <= limit:
        return []
    text = (
        f"a dose of {mg(question.dose_mg)} mg exceeds this payer's limit of "
        f"{mg(limit)} mg per dose of {question.hcpcs_code}"
    )
    return [Reason(DOSE_EXCEEDS_LIMIT, text, Fix(FIX_DOSE))]


def spacing_reasons(question, others: Sequence[InfusionFacts], policy) -> list[Reason]:
    """One TOO_SOON reason, citing the nearest infusion closer than the policy allows."""
    minimum = policy.min_days_between_doses if policy else None
    if minimum is None:
        return []
    day = question.service_date
    near = [i for i in others if abs((day - i.service_date).days) < minimum]
    if not near:
        return []
    nearest = min(near, key=lambda i: (abs((day - i.service_date).days), i.service_date, i.id))
    gap = abs((day - nearest.service_date).days)
    text = (
        f"another {question.hcpcs_code} infusion on {nearest.service_date} is {gap} days "
        f"from {day}; this payer requires at least {minimum} days between doses"
    )
    return [Reason(TOO_SOON, text, Fix(FIX_MOVE, day=first_spaced_day(day, others, minimum)))]


def first_spaced_day(day: date, others: Sequence[InfusionFacts], minimum: int) -> date:
    """The first day from `day` on that is at least `minimum` days from every other infusion."""
    candidate = day
    while near := [i for i in others if abs((candidate - i.service_date).days) < minimum]:
        candidate = max(i.service_date for i in near) + timedelta(days=minimum)
    return candidate


def request_reasons(auths: Sequence[AuthFacts], code: str) -> list[Reason]:
    """Pending and denied requests, or NO_AUTHORIZATION when there is no live request at all."""
    reasons = [pending(a) for a in auths if a.status in PENDING_STATUSES]
    reasons += [
        Reason(
            AUTH_DENIED,
            f"request #{a.id} for {code} was denied by the payer",
            Fix(FIX_FOLLOW_UP, authorization_id=a.id),
        )
        for a in auths
        if a.status == Status.DENIED
    ]
    if reasons or any(grants_units(a.status, a.units_approved) for a in auths):
        return reasons
    text = f"there is no authorization on file for {code}"
    if any(a.status == Status.DRAFT for a in auths):
        text = f"there is no authorization for {code}: a draft request exists but was not submitted"
    return [Reason(NO_AUTHORIZATION, text, Fix(FIX_REQUEST))]


def pending(auth: AuthFacts) -> Reason:
    text = f"request #{auth.id} for {auth.hcpcs_code} is {auth.status} and awaits the payer"
    if auth.decision_due is not None:
        text += f", answer due {auth.decision_due}"
    return Reason(AUTH_PENDING, text, Fix(FIX_FOLLOW_UP, authorization_id=auth.id))


def mg(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def label(auth: AuthFacts) -> str:
    if auth.auth_number:
        return f"authorization {auth.auth_number} (#{auth.id})"
    return f"authorization #{auth.id}"


def authorization_failures(usage, day: date, units: int) -> list[Reason]:
    """Why an approved authorization does not serve: its dates, else its units and visits."""
    auth, name = usage.auth, label(usage.auth)
    if auth.approved_start is not None and day < auth.approved_start:
        text = f"{name} starts on {auth.approved_start}, after the service date {day}"
        return [Reason(AUTH_NOT_YET_ACTIVE, text, Fix(FIX_MOVE, day=auth.approved_start))]
    renew = Fix(FIX_RENEW, authorization_id=auth.id)
    if auth.approved_end is not None and day > auth.approved_end:
        text = f"{name} ended on {auth.approved_end}, before the service date {day}"
        return [Reason(AUTH_EXPIRED, text, renew)]
    reasons = []
    if usage.units_left is not None and usage.units_left < units:
        text = f"{name} has {units_words(usage.use)} but this dose needs {units}"
        reasons.append(Reason(UNITS_EXHAUSTED, text, renew))
    if usage.visits_left is not None and usage.visits_left < 1:
        reasons.append(Reason(VISITS_EXHAUSTED, f"{name}: {visits_words(usage.use)}", renew))
    return reasons


def units_words(use: UnitsUse) -> str:
    """The units in docs/domain.md §9's words: "0 units left (400 given, 100 booked of 500
    approved)"; a negative left is a shortfall."""
    return (
        f"{use.units_left} units left ({use.units_given} given, {use.units_booked} booked "
        f"of {use.units_approved} approved)"
    )


def visits_words(use: UnitsUse) -> str:
    """ "all 5 approved administrations given or booked (4 given, 1 booked)" (§9)."""
    plural = "" if use.visits_approved == 1 else "s"
    return (
        f"all {use.visits_approved} approved administration{plural} given or booked "
        f"({use.visits_given} given, {use.visits_booked} booked)"
    )
