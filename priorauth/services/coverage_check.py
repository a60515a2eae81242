"""The coverage-check page's question (is this patient covered for this drug, dose and date?),
answered in a fixed number of queries; the patient it names, found by MRN or id."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from priorauth.domain import coverage as cov
from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Patient
from priorauth.services import coverage_rows
from priorauth.services.scope import get_owned, scoped


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
    answer = coverage_rows.check(
        clinic_id, patient.id, data["hcpcs_code"], data["service_date"], data["dose_mg"]
    )
    auth = None
    if answer.authorization_id is not None:
        auth = get_owned(AuthorizationRequest, answer.authorization_id, clinic_id)
    return CheckResult(patient, answer, auth)
