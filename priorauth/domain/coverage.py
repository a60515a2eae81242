"""Is this patient covered for this drug, dose and date? (docs/domain.md §6)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from priorauth.domain.units import billing_units
from priorauth.domain.workflow import APPROVED_STATUSES, Status

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


@dataclass(frozen=True)
class AuthFacts:
    id: int
    status: str
    hcpcs_code: str
    approved_start: date | None
    approved_end: date | None
    units_approved: int | None
    administrations_approved: int | None
    decision_due: date | None = None
    auth_number: str | None = None


@dataclass(frozen=True)
class InfusionFacts:
    """An infusion already booked (reserving units) or given (units consumed)."""

    id: int
    hcpcs_code: str
    service_date: date
    units: int
    authorization_id: int | None
    administered: bool = False


@dataclass(frozen=True)
class PolicyFacts:
    pa_required: bool = True
    max_mg_per_dose: Decimal | None = None
    min_days_between_doses: int | None = None


@dataclass(frozen=True)
class CoverageWindow:
    """The patient's insurance with this payer; verified_inactive: re-verification failed."""

    start_date: date
    end_date: date | None
    verified_inactive: bool = False


@dataclass(frozen=True)
class CoverageQuestion:
    hcpcs_code: str
    service_date: date
    dose_mg: Decimal
    mg_per_unit: Decimal
    exclude_infusion_id: int | None = None


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class CoverageAnswer:
    """units_left: on the chosen (or closest) authorization, before this infusion."""

    covered: bool
    authorization_id: int | None
    units_required: int
    units_left: int | None
    reasons: tuple[Reason, ...]

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)


@dataclass(frozen=True)
class _Usage:
    auth: AuthFacts
    units_left: int | None
    visits_left: int | None


def check_coverage(
    question: CoverageQuestion,
    authorizations: Sequence[AuthFacts],
    infusions: Sequence[InfusionFacts],
    policy: PolicyFacts | None,
    coverages: Sequence[CoverageWindow],
) -> CoverageAnswer:
    """Covered, with the authorization to use, or every reason why not."""
    units = billing_units(question.dose_mg, question.mg_per_unit)
    others = _other_infusions(question, infusions)
    limits = (
        *_coverage_reasons(question.service_date, coverages),
        *_dose_reasons(question, policy),
        *_spacing_reasons(question, others, policy),
    )
    if policy is not None and not policy.pa_required:
        return _answer(True, None, units, None, (_pa_not_required(question.hcpcs_code), *limits))
    auths = [a for a in authorizations if a.hcpcs_code == question.hcpcs_code]
    return _authorized_answer(question, auths, others, units, limits)


def _other_infusions(question: CoverageQuestion, infusions: Sequence[InfusionFacts]) -> list:
    """This code's infusions, less the one being rescheduled."""
    code, own = question.hcpcs_code, question.exclude_infusion_id
    return [i for i in infusions if i.hcpcs_code == code and i.id != own]


def _authorized_answer(question, auths, others, units, limits) -> CoverageAnswer:
    """The earliest-ending serving approval, else why each authorization fails."""
    day = question.service_date
    usages = [_usage(a, others) for a in auths if a.status in APPROVED_STATUSES]
    serving = [u for u in usages if _serves(u, day, units)]
    if serving:
        best = min(serving, key=_end_order)
        return _answer(True, best.auth.id, units, best.units_left, limits)
    failures = [r for u in usages for r in _failures(u, day, units)]
    reasons = (*failures, *_request_reasons(auths, question.hcpcs_code), *limits)
    closest = _closest(usages, day)
    if closest is None:
        return _answer(False, None, units, None, reasons)
    return _answer(False, closest.auth.id, units, closest.units_left, reasons)


def _answer(served, auth_id, units, units_left, reasons) -> CoverageAnswer:
    covered = served and not any(r.code in BLOCKING for r in reasons)
    return CoverageAnswer(covered, auth_id, units, units_left, tuple(reasons))


def _pa_not_required(code: str) -> Reason:
    return Reason(PA_NOT_REQUIRED, f"{code} needs no prior authorization with this payer")


def _contains(window: CoverageWindow, day: date) -> bool:
    return window.start_date <= day and (window.end_date is None or day <= window.end_date)


def _coverage_reasons(day: date, coverages: Sequence[CoverageWindow]) -> list[Reason]:
    containing = [w for w in coverages if _contains(w, day)]
    if any(not w.verified_inactive for w in containing):
        return []
    if containing:
        text = f"a re-verification found the insurance covering {day} inactive or changed"
        return [Reason(COVERAGE_INACTIVE, text)]
    ended = [w.end_date for w in coverages if w.end_date is not None and w.end_date < day]
    starts = [w.start_date for w in coverages if w.start_date > day]
    if ended:
        text = f"the patient's insurance ended on {max(ended)}, before the service date {day}"
    elif starts:
        text = f"the patient's insurance starts on {min(starts)}, after the service date {day}"
    else:
        text = f"no insurance coverage on file for the service date {day}"
    return [Reason(COVERAGE_INACTIVE, text)]


def _dose_reasons(question: CoverageQuestion, policy: PolicyFacts | None) -> list[Reason]:
    limit = policy.max_mg_per_dose if policy else None
    if limit is None or question.dose_mg <= limit:
        return []
    text = (
        f"a dose of {_mg(question.dose_mg)} mg exceeds this payer's limit of "
        f"{_mg(limit)} mg per dose of {question.hcpcs_code}"
    )
    return [Reason(DOSE_EXCEEDS_LIMIT, text)]


def _spacing_reasons(question, others: Sequence[InfusionFacts], policy) -> list[Reason]:
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
    return [Reason(TOO_SOON, text)]


def _usage(auth: AuthFacts, infusions: Sequence[InfusionFacts]) -> _Usage:
    spent = [i for i in infusions if i.authorization_id == auth.id]
    units_used = sum(i.units for i in spent)
    units_left = None if auth.units_approved is None else auth.units_approved - units_used
    visits = auth.administrations_approved
    return _Usage(auth, units_left, None if visits is None else visits - len(spent))


def _in_dates(auth: AuthFacts, day: date) -> bool:
    start, end = auth.approved_start, auth.approved_end
    return (start is None or start <= day) and (end is None or day <= end)


def _serves(usage: _Usage, day: date, units: int) -> bool:
    return (
        _in_dates(usage.auth, day)
        and (usage.units_left is None or usage.units_left >= units)
        and (usage.visits_left is None or usage.visits_left >= 1)
    )


def _end_order(usage: _Usage) -> tuple:
    """Earliest approved_end first, open-ended last, then lowest id."""
    end = usage.auth.approved_end
    return (end is None, end or date.max, usage.auth.id)


def _closest(usages: Sequence[_Usage], day: date) -> _Usage | None:
    """The approved authorization that came closest: active in dates, else earliest end."""
    active = [u for u in usages if _in_dates(u.auth, day)]
    pool = active or usages
    return min(pool, key=_end_order) if pool else None


def _label(auth: AuthFacts) -> str:
    if auth.auth_number:
        return f"authorization {auth.auth_number} (#{auth.id})"
    return f"authorization #{auth.id}"


def _failures(usage: _Usage, day: date, units: int) -> list[Reason]:
    """Why an approved authorization does not serve: its dates, else its units and visits."""
    auth, name = usage.auth, _label(usage.auth)
    if auth.approved_start is not None and day < auth.approved_start:
        text = f"{name} starts on {auth.approved_start}, after the service date {day}"
        return [Reason(AUTH_NOT_YET_ACTIVE, text)]
    if auth.approved_end is not None and day > auth.approved_end:
        text = f"{name} ended on {auth.approved_end}, before the service date {day}"
        return [Reason(AUTH_EXPIRED, text)]
    reasons = []
    if usage.units_left is not None and usage.units_left < units:
        text = f"{name} has {usage.units_left} units left but this dose needs {units}"
        reasons.append(Reason(UNITS_EXHAUSTED, text))
    if usage.visits_left is not None and usage.visits_left < 1:
        text = (
            f"{name} has used all {auth.administrations_approved} of its approved administrations"
        )
        reasons.append(Reason(VISITS_EXHAUSTED, text))
    return reasons


def _request_reasons(auths: Sequence[AuthFacts], code: str) -> list[Reason]:
    """Pending and denied requests, or NO_AUTHORIZATION when there is no live request at all."""
    reasons = [_pending(a) for a in auths if a.status in PENDING_STATUSES]
    reasons += [
        Reason(AUTH_DENIED, f"request #{a.id} for {code} was denied by the payer")
        for a in auths
        if a.status == Status.DENIED
    ]
    if reasons or any(a.status in APPROVED_STATUSES for a in auths):
        return reasons
    text = f"there is no authorization on file for {code}"
    if any(a.status == Status.DRAFT for a in auths):
        text = f"there is no authorization for {code}: a draft request exists but was not submitted"
    return [Reason(NO_AUTHORIZATION, text)]


def _pending(auth: AuthFacts) -> Reason:
    text = f"request #{auth.id} for {auth.hcpcs_code} is {auth.status} and awaits the payer"
    if auth.decision_due is not None:
        text += f", answer due {auth.decision_due}"
    return Reason(AUTH_PENDING, text)


def _mg(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


# --- Runway: the booked infusions ahead, checked in order as if each earlier one was given.
