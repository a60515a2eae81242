"""Is this patient covered for this drug, dose and date? (docs/domain.md §6)"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from priorauth.domain.reasons import (  # the codes and fixes, re-exported: cov.UNITS_EXHAUSTED
    AUTH_DENIED,
    AUTH_EXPIRED,
    AUTH_NOT_YET_ACTIVE,
    AUTH_PENDING,
    AUTHORIZATION_REASONS,
    BLOCKING,
    COVERAGE_INACTIVE,
    DOSE_EXCEEDS_LIMIT,
    FIX_DOSE,
    FIX_FOLLOW_UP,
    FIX_MOVE,
    FIX_RENEW,
    FIX_REQUEST,
    FIX_VERIFY,
    NO_AUTHORIZATION,
    PA_NOT_REQUIRED,
    PENDING_STATUSES,
    TOO_SOON,
    UNITS_EXHAUSTED,
    VISITS_EXHAUSTED,
    Fix,
    Reason,
    authorization_failures,
    coverage_reasons,
    dose_reasons,
    request_reasons,
    spacing_reasons,
)
from priorauth.domain.units import billing_units
from priorauth.domain.usage import Spend, UnitsUse, tally
from priorauth.domain.workflow import grants_units

__all__ = [
    "AUTH_DENIED",
    "AUTH_EXPIRED",
    "AUTH_NOT_YET_ACTIVE",
    "AUTH_PENDING",
    "AUTHORIZATION_REASONS",
    "BLOCKING",
    "COVERAGE_INACTIVE",
    "DOSE_EXCEEDS_LIMIT",
    "FIX_DOSE",
    "FIX_FOLLOW_UP",
    "FIX_MOVE",
    "FIX_RENEW",
    "FIX_REQUEST",
    "FIX_VERIFY",
    "NO_AUTHORIZATION",
    "PA_NOT_REQUIRED",
    "PENDING_STATUSES",
    "TOO_SOON",
    "UNITS_EXHAUSTED",
    "VISITS_EXHAUSTED",
    "AuthFacts",
    "CoverageAnswer",
    "CoverageQuestion",
    "CoverageWindow",
    "Fix",
    "InfusionFacts",
    "PolicyFacts",
    "Reason",
    "answer_due",
    "check_coverage",
    "policy_on",
]


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
    """The patient's insurance with one payer; verified_inactive: re-verification failed.

    policies: that payer's policy by HCPCS code (a code without one: PA required, no limits).
    """

    start_date: date
    end_date: date | None
    verified_inactive: bool = False
    policies: Mapping[str, PolicyFacts] = field(default_factory=dict)

    def contains(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


def policy_on(coverages: Sequence[CoverageWindow], code: str, day: date) -> PolicyFacts | None:
    """The policy of the plan active that day, else of the latest-starting plan on file."""
    pool = [w for w in coverages if w.contains(day)] or list(coverages)
    if not pool:
        return None
    return max(pool, key=lambda w: w.start_date).policies.get(code)


def answer_due(submitted_at: datetime, urgency: str, standard_days: int, expedited_hours: int):
    """When the payer's answer is due: the last submission plus its response time (§7)."""
    if urgency == "expedited":
        return submitted_at + timedelta(hours=expedited_hours)
    return submitted_at + timedelta(days=standard_days)


@dataclass(frozen=True)
class CoverageQuestion:
    hcpcs_code: str
    service_date: date
    dose_mg: Decimal
    mg_per_unit: Decimal
    exclude_infusion_id: int | None = None


@dataclass(frozen=True)
class CoverageAnswer:
    """units_left: on the chosen (or closest) authorization, before this infusion.

    draws_on: the approval a booking of this answer draws its units on: the one that serves
    it, else the closest approval whose dates cover the day (an override booking keeps it).
    """

    covered: bool
    authorization_id: int | None
    units_required: int
    units_left: int | None
    reasons: tuple[Reason, ...]
    draws_on: int | None = None

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.reasons)

    @property
    def units_short(self) -> int:
        """The deficit this infusion creates on the authorization it draws on."""
        if self.draws_on is None or self.units_left is None:
            return 0
        return max(0, self.units_required - max(self.units_left, 0))


@dataclass(frozen=True)
class _Usage:
    auth: AuthFacts
    use: UnitsUse

    @property
    def units_left(self) -> int | None:
        return self.use.units_left

    @property
    def visits_left(self) -> int | None:
        return self.use.visits_left


def check_coverage(
    question: CoverageQuestion,
    authorizations: Sequence[AuthFacts],
    infusions: Sequence[InfusionFacts],
    coverages: Sequence[CoverageWindow],
    usage: Mapping[int, UnitsUse] | None = None,
) -> CoverageAnswer:
    """Covered, with the authorization to use, or every reason why not.

    The payer policy is the one of the plan active on the service date (plans change).
    usage: each authorization's units use by id, when already counted (by the database, less
    the excluded infusion); an authorization not in it is tallied from `infusions`, which
    otherwise need hold only what the spacing rule reads (this code's infusions).
    """
    units = billing_units(question.dose_mg, question.mg_per_unit)
    others = _other_infusions(question, infusions)
    policy = policy_on(coverages, question.hcpcs_code, question.service_date)
    limits = (
        *coverage_reasons(question.service_date, coverages),
        *dose_reasons(question, policy),
        *spacing_reasons(question, others, policy),
    )
    if policy is not None and not policy.pa_required:
        return _answer(True, None, units, None, (_pa_not_required(question.hcpcs_code), *limits))
    auths = [a for a in authorizations if a.hcpcs_code == question.hcpcs_code]
    return _authorized_answer(question, auths, others, units, limits, usage or {})


def _other_infusions(question: CoverageQuestion, infusions: Sequence[InfusionFacts]) -> list:
    """This code's infusions, less the one being rescheduled."""
    code, own = question.hcpcs_code, question.exclude_infusion_id
    return [i for i in infusions if i.hcpcs_code == code and i.id != own]


def _authorized_answer(question, auths, others, units, limits, counted) -> CoverageAnswer:
    """The earliest-ending serving approval, else why each authorization fails."""
    day = question.service_date
    usages = [
        _Usage(a, counted[a.id]) if a.id in counted else _usage(a, others)
        for a in auths
        if grants_units(a.status, a.units_approved)
    ]
    serving = [u for u in usages if _serves(u, day, units)]
    if serving:
        best = min(serving, key=_end_order)
        return _answer(True, best.auth.id, units, best.units_left, limits, best.auth.id)
    failures = [r for u in usages for r in authorization_failures(u, day, units)]
    reasons = (*failures, *request_reasons(auths, question.hcpcs_code), *limits)
    closest = _closest(usages, day)
    if closest is None:
        return _answer(False, None, units, None, reasons)
    draws_on = closest.auth.id if _in_dates(closest.auth, day) else None
    return _answer(False, closest.auth.id, units, closest.units_left, reasons, draws_on)


def _answer(served, auth_id, units, units_left, reasons, draws_on=None) -> CoverageAnswer:
    covered = served and not any(r.code in BLOCKING for r in reasons)
    return CoverageAnswer(covered, auth_id, units, units_left, tuple(reasons), draws_on)


def _pa_not_required(code: str) -> Reason:
    return Reason(PA_NOT_REQUIRED, f"{code} needs no prior authorization with this payer")


def _usage(auth: AuthFacts, infusions: Sequence[InfusionFacts]) -> _Usage:
    """The authorization's units use (docs/domain.md §9) from the infusions drawing on it."""
    spends = (Spend(i.units, i.administered) for i in infusions if i.authorization_id == auth.id)
    return _Usage(auth, tally(auth.units_approved, auth.administrations_approved, spends))


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
