"""The runway: a patient's booked infusions in date order, each checked as the earlier ones
spend their units, loaded for many patients at once in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from priorauth.domain import coverage as cov
from priorauth.domain import runway as runway_rules
from priorauth.models import (
    AuthorizationRequest,
    Infusion,
    Patient,
)
from priorauth.services import coverage as coverage_service
from priorauth.services.coverage import PatientState, load_states
from priorauth.services.scope import get_owned

COVERED = "covered"
AT_RISK = "at_risk"
NOT_COVERED = "not_covered"


# --- One step of the runway and its badge.


@dataclass(frozen=True)
class Step:
    """A booked infusion: `answer` once the earlier bookings are given, `current` as booked now."""

    infusion: Infusion
    answer: cov.CoverageAnswer
    current: cov.CoverageAnswer
    auth_number: str | None
    badge: str
    current_auth_number: str | None = None

    @property
    def service_date(self) -> date:
        return self.infusion.scheduled_at.date()

    @property
    def reasons(self) -> tuple[cov.Reason, ...]:
        """The reasons that explain the badge."""
        if self.badge == COVERED:
            return self.answer.reasons
        if self.badge == AT_RISK and self.current.covered:
            return _blocking(self.answer)
        failing = self.answer if not self.answer.covered else self.current
        return _blocking(failing)

    @property
    def summary(self) -> str:
        """One sentence for the badge's title attribute and the reminder text."""
        text = "; ".join(r.message for r in self.reasons)
        if self.badge == COVERED:
            return text or "covered"
        if self.badge == AT_RISK and self.current.covered:
            return f"covered as booked, but once the earlier bookings are given: {text}"
        if self.badge == AT_RISK:
            return f"covered only if the pending request is approved: {text}"
        return text or "not covered"


def _blocking(answer: cov.CoverageAnswer) -> tuple[cov.Reason, ...]:
    return tuple(r for r in answer.reasons if r.code in cov.BLOCKING)


def badge_for(answer: cov.CoverageAnswer, current: cov.CoverageAnswer) -> str:
    """covered; at_risk (runway spends the units first, or only a pending request serves it);
    else not_covered."""
    if answer.covered and current.covered:
        return COVERED
    if current.covered:
        return AT_RISK
    failing = answer if not answer.covered else current
    if {r.code for r in _blocking(failing)} == {cov.AUTH_PENDING}:
        return AT_RISK
    return NOT_COVERED


@dataclass(frozen=True)
class PatientRunway:
    patient_id: int
    steps: tuple[Step, ...]

    @property
    def first_uncovered(self) -> Step | None:
        return next((s for s in self.steps if not s.answer.covered), None)

    def step_for(self, infusion_id: int) -> Step | None:
        return next((s for s in self.steps if s.infusion.id == infusion_id), None)

    def for_authorization(self, auth_id: int) -> PatientRunway:
        """The steps whose answer used the authorization, or that were booked against it."""
        steps = tuple(
            s
            for s in self.steps
            if auth_id in (s.answer.authorization_id, s.infusion.authorization_id)
        )
        return PatientRunway(self.patient_id, steps)


# --- Computing runways from loaded states (no queries).


def runway_of(state: PatientState, mg_per_unit: dict) -> PatientRunway:
    auths = [coverage_service.auth_facts(a) for a in state.authorizations]
    facts = [coverage_service.infusion_facts(i) for i in state.infusions]
    windows = coverage_service.coverage_windows(state)
    booked = [i for i in state.infusions if i.status == "scheduled"]
    planned = [_planned(i, mg_per_unit) for i in booked]
    given = [f for f in facts if f.administered]
    projected = runway_rules.project_runway(planned, auths, given, _policy_on(state), windows)
    by_id = {i.id: i for i in booked}
    numbers = {a.id: a.auth_number for a in state.authorizations}
    steps = []
    for step in projected.steps:
        infusion = by_id[step.infusion_id]
        current = _current(infusion, state, auths, facts, windows, mg_per_unit)
        badge = badge_for(step.answer, current)
        steps.append(
            Step(
                infusion,
                step.answer,
                current,
                numbers.get(step.answer.authorization_id),
                badge,
                numbers.get(current.authorization_id),
            )
        )
    return PatientRunway(state.patient_id, tuple(steps))


def _planned(infusion: Infusion, mg_per_unit: dict) -> runway_rules.PlannedInfusion:
    return runway_rules.PlannedInfusion(
        infusion.id,
        infusion.hcpcs_code,
        infusion.scheduled_at.date(),
        Decimal(infusion.dose_mg),
        mg_per_unit[infusion.hcpcs_code],
    )


def _policy_on(state: PatientState):
    """The payer policy for a code on a day, as the domain's runway asks for it."""
    return lambda code, day: coverage_service.policy_facts(state.policy_on(code, day))


def _current(infusion, state, auths, facts, windows, mg_per_unit) -> cov.CoverageAnswer:
    """The check as booked now: every other live infusion counted, this one left out."""
    day = infusion.scheduled_at.date()
    question = cov.CoverageQuestion(
        infusion.hcpcs_code,
        day,
        Decimal(infusion.dose_mg),
        mg_per_unit[infusion.hcpcs_code],
        infusion.id,
    )
    policy = coverage_service.policy_facts(state.policy_on(infusion.hcpcs_code, day))
    return cov.check_coverage(question, auths, facts, policy, windows)


def runways_for(patient_ids: Iterable[int]) -> dict[int, PatientRunway]:
    """Runways of many patients, in a fixed number of queries."""
    states, mg_per_unit = load_states(patient_ids)
    return {pid: runway_of(state, mg_per_unit) for pid, state in states.items()}


def patient_runway(actor, patient_id: int) -> PatientRunway:
    patient = get_owned(Patient, patient_id, actor.clinic_id, what="patient")
    return runways_for([patient.id])[patient.id]


def authorization_runway(actor, auth_id: int) -> PatientRunway:
    """The patient's runway narrowed to the steps that use or were booked on the authorization."""
    auth = get_owned(AuthorizationRequest, auth_id, actor.clinic_id, what="authorization")
    return runways_for([auth.patient_id])[auth.patient_id].for_authorization(auth.id)
