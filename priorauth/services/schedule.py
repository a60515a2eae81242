"""The clinic's schedule with a coverage badge per infusion, and the coverage-check page's
question, answered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from priorauth.domain import coverage as cov
from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Infusion, Patient
from priorauth.services import coverage as coverage_service
from priorauth.services.infusions import list_infusions
from priorauth.services.runway import Step, runways_for
from priorauth.services.scope import get_owned, scoped


@dataclass(frozen=True)
class ScheduleRow:
    """An infusion of the range; `step` is its runway step while it is still booked."""

    infusion: Infusion
    step: Step | None

    @property
    def badge(self) -> str | None:
        return self.step.badge if self.step else None


def schedule(clinic_id: int, start: date, end: date, status: str | None = None):
    """The infusions from start to end (clinic-local dates), each booked one with its badge.

    Six queries however many infusions or patients: the range, then the patients' state.
    """
    infusions = list_infusions(clinic_id, start, end, status)
    runways = runways_for({i.patient_id for i in infusions if i.status == "scheduled"})
    return [ScheduleRow(i, _step(runways, i)) for i in infusions]


def _step(runways: dict, infusion: Infusion) -> Step | None:
    runway = runways.get(infusion.patient_id)
    return runway.step_for(infusion.id) if runway else None


def find_patient(clinic_id: int, patient_id: int | None, mrn: str | None) -> Patient:
    """The patient named by MRN (typed) or else by id (picked); refusals name the `mrn` field."""
    if mrn:
        found = db.session.scalar(
            scoped(Patient, clinic_id).where(sa.func.lower(Patient.mrn) == mrn.strip().lower())
        )
        if found is None:
            raise ValidationFailed.on("mrn", f"no patient with MRN {mrn.strip()}")
        return found
    if patient_id:
        return get_owned(Patient, patient_id, clinic_id, what="patient")
    raise ValidationFailed.on("mrn", "type the patient's MRN or pick the patient")


@dataclass(frozen=True)
class CheckResult:
    patient: Patient
    answer: cov.CoverageAnswer
    authorization: AuthorizationRequest | None


def check(clinic_id: int, patient: Patient, data: dict) -> CheckResult:
    """The coverage check for a patient already found in the clinic, with its authorization."""
    answer = coverage_service.check(
        patient.id, data["hcpcs_code"], data["service_date"], data["dose_mg"]
    )
    auth = None
    if answer.authorization_id is not None:
        auth = get_owned(AuthorizationRequest, answer.authorization_id, clinic_id)
    return CheckResult(patient, answer, auth)
