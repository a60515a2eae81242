"""Which authorization, plan and payer policy an administration is billed under: those of the
day it was given, its date of service (docs/domain.md §4 "Date of service")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from priorauth.domain import coverage as cov
from priorauth.models import AuthorizationRequest, Coverage, Infusion
from priorauth.services import coverage as coverage_service


@dataclass(frozen=True)
class BilledUnder:
    """day: the date of service; auth_required: whether the payer's policy of that day needs
    prior authorization; answer: the coverage check for that day; rechecked: the day is not
    the booked one (coverage was checked again for it)."""

    day: date
    authorization: AuthorizationRequest | None
    plan: Coverage | None
    auth_required: bool
    answer: cov.CoverageAnswer
    rechecked: bool


def billed_under(infusion: Infusion, day: date, dose_mg) -> BilledUnder:
    """Check coverage for the day given and pick what the claim is billed under.

    On the booked day the booked authorization stays (or, if none is attached, the one that
    covers the day). On another day the authorization covering the code on that day is
    attached; if none does, the booked one stays and the mismatch check says why it does not
    fit. A day whose policy needs no authorization is billed without one.
    """
    code = infusion.hcpcs_code
    states, mg_per_unit = coverage_service.load_states([infusion.patient_id])
    state = states[infusion.patient_id]
    answer = coverage_service.answer(state, code, day, dose_mg, mg_per_unit[code], infusion.id)
    policy = cov.policy_on(coverage_service.coverage_windows(state), code, day)
    required = policy is None or policy.pa_required
    rechecked = day != infusion.scheduled_on
    auth = _authorization(infusion, _serving(state, answer), required, rechecked)
    return BilledUnder(day, auth, _plan(state, auth, day), required, answer, rechecked)


def _serving(state, answer: cov.CoverageAnswer) -> AuthorizationRequest | None:
    """The authorization the check found serving the day (none if it only came closest)."""
    if answer.authorization_id is None or cov.AUTHORIZATION_REASONS & set(answer.reason_codes):
        return None
    return next(a for a in state.authorizations if a.id == answer.authorization_id)


def _authorization(infusion: Infusion, serving, required: bool, rechecked: bool):
    if not required:
        return None if rechecked else infusion.authorization
    if rechecked:
        return serving or infusion.authorization
    return infusion.authorization or serving


def _plan(state, auth: AuthorizationRequest | None, day: date) -> Coverage | None:
    """The plan billed: the authorization's, else the latest-starting one active that day,
    else the latest-starting on file (the plan whose policy `cov.policy_on` reads)."""
    if auth is not None:
        return auth.coverage
    active = [c for c in state.coverages if _covers(c, day)] or list(state.coverages)
    return max(active, key=lambda c: (c.start_date, c.id)) if active else None


def _covers(plan: Coverage, day: date) -> bool:
    return plan.start_date <= day and (plan.end_date is None or day <= plan.end_date)


def recheck_message(under: BilledUnder, booked_on: date) -> str | None:
    """In words, for a day other than the booked one: what the coverage check found."""
    if not under.rechecked:
        return None
    head = f"Given on {under.day}, not the booked {booked_on}: coverage re-checked for {under.day}"
    if under.authorization is not None and under.auth_required:
        number = under.authorization.auth_number or f"#{under.authorization.id}"
        return f"{head}; billed under authorization {number}."
    if not under.auth_required:
        return f"{head}; no prior authorization is needed that day."
    blocking = [r.message for r in under.answer.reasons if r.code in cov.BLOCKING]
    return f"{head}; not covered: {'; '.join(blocking) or 'no authorization covers that day'}."
