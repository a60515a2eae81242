"""The clinic's schedule with a coverage badge per infusion, and the coverage-check page's
question, answered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from priorauth.domain import coverage as cov
from priorauth.domain.reminders import unverified_since_booking
from priorauth.domain.vocab import InfusionStatus
from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Clinic, Infusion, Patient
from priorauth.services import coverage as coverage_service
from priorauth.services.eligibility import last_active_check
from priorauth.services.infusions import list_infusions
from priorauth.services.runway import AT_RISK, COVERED, Step, runways_for
from priorauth.services.scope import get_owned, scoped

UNVERIFIED = "insurance not re-verified since the booking: plans change mid-course"


@dataclass(frozen=True)
class ScheduleRow:
    """An infusion of the range; `step` is its runway step while it is still booked.

    `unverified`: booked within the clinic's re-verification window (business days ahead) and
    the insurance has not been found active since the booking.
    """

    infusion: Infusion
    step: Step | None
    unverified: bool = False

    @property
    def badge(self) -> str | None:
        return self.step.badge if self.step else None

    @property
    def shown_badge(self) -> str | None:
        """The scheduler's list: a covered but unverified infusion of the next days is at risk."""
        return AT_RISK if self.badge == COVERED and self.unverified else self.badge

    @property
    def shown_summary(self) -> str:
        if self.badge == COVERED and self.unverified:
            return UNVERIFIED
        return self.step.summary if self.step else ""


def schedule(clinic_id: int, start: date, end: date, status: str | None = None, *, today: date):
    """The infusions from start to end (clinic-local dates), each booked one with its badge;
    `today` is the clinic's day (the caller reads the clock once).

    A fixed number of queries however many infusions or patients: the range, the patients'
    state, the re-verifications.
    """
    infusions = list_infusions(clinic_id, start, end, status)
    runways = runways_for({i.patient_id for i in infusions if i.status == InfusionStatus.SCHEDULED})
    unverified = _unverified_soon(db.session.get(Clinic, clinic_id), infusions, today)
    return [ScheduleRow(i, _step(runways, i), i.id in unverified) for i in infusions]


def _unverified_soon(clinic: Clinic, infusions: list[Infusion], today: date) -> set[int]:
    """Booked infusions due within the re-verification window, not verified since booking."""
    booked = [i for i in infusions if i.status == InfusionStatus.SCHEDULED]
    verified = last_active_check(i.id for i in booked)
    days = clinic.upcoming_business_days
    return {
        i.id
        for i in booked
        if unverified_since_booking(today, i.scheduled_on, i.booked_at, verified.get(i.id), days)
    }


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
