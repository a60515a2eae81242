"""The runway: a patient's booked infusions in date order, loaded for many patients at once in
a fixed number of queries; the rules (answers, badge, reasons) are domain/runway.py's."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from priorauth.domain import coverage as cov
from priorauth.domain import runway as rules
from priorauth.domain.runway import AT_RISK, COVERED, NOT_COVERED
from priorauth.models import AuthorizationRequest, Infusion, Patient
from priorauth.services import runways as runway_projection
from priorauth.services.coverage import PatientState, load_states
from priorauth.services.scope import get_owned

__all__ = ["AT_RISK", "COVERED", "NOT_COVERED", "PatientRunway", "Step", "runways_for"]


@dataclass(frozen=True)
class Step:
    """A runway step (domain/runway.RunwayStep) with its infusion row and auth numbers."""

    infusion: Infusion
    rule: rules.RunwayStep
    auth_number: str | None = None
    current_auth_number: str | None = None

    @property
    def answer(self) -> cov.CoverageAnswer:
        return self.rule.answer

    @property
    def current(self) -> cov.CoverageAnswer:
        return self.rule.now

    @property
    def badge(self) -> str:
        return self.rule.badge

    @property
    def reasons(self) -> tuple[cov.Reason, ...]:
        return self.rule.reasons

    @property
    def summary(self) -> str:
        return self.rule.summary

    @property
    def units_short(self) -> int:
        return self.rule.units_short

    @property
    def service_date(self) -> date:
        return self.infusion.scheduled_at.date()


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


def runway_of(state: PatientState, mg_per_unit: dict) -> PatientRunway:
    """The domain's runway over a loaded state (no queries)."""
    projected = runway_projection.project(state, mg_per_unit)
    by_id = {i.id: i for i in runway_projection.booked(state)}
    numbers = {a.id: a.auth_number for a in state.authorizations}
    steps = tuple(
        Step(
            by_id[s.infusion_id],
            s,
            numbers.get(s.answer.authorization_id),
            numbers.get(s.now.authorization_id),
        )
        for s in projected.steps
    )
    return PatientRunway(state.patient_id, steps)


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
