"""Patients, their coverages and their evidence."""

from __future__ import annotations

import sqlalchemy as sa

from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import (
    CkdStatus,
    Coverage,
    DiagnosisRecord,
    LabResult,
    OralIronTrial,
    Patient,
    Payer,
    PriorTherapy,
)
from priorauth.services import audit
from priorauth.services.payers import drug_code
from priorauth.services.scope import get_owned, scoped

EVIDENCE_MODEL = {
    "lab": LabResult,
    "oral_iron_trial": OralIronTrial,
    "ckd_status": CkdStatus,
    "diagnosis": DiagnosisRecord,
    "prior_product": PriorTherapy,
}


def _ensure_unique_mrn(clinic_id: int, mrn: str, exclude_id: int | None = None) -> None:
    query = scoped(Patient, clinic_id).where(Patient.mrn == mrn.strip())
    if exclude_id is not None:
        query = query.where(Patient.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise ValidationFailed.on("mrn", f"MRN {mrn} is already used by another patient")


def create_patient(actor, data: dict) -> Patient:
    data = {**data, "mrn": data["mrn"].strip()}
    _ensure_unique_mrn(actor.clinic_id, data["mrn"])
    return audit.added(actor, Patient(clinic_id=actor.clinic_id, **data), changes=data)


def update_patient(actor, patient_id: int, data: dict) -> Patient:
    patient = get_owned(Patient, patient_id, actor.clinic_id, what="patient")
    if "mrn" in data:
        data = {**data, "mrn": data["mrn"].strip()}  # stored as create_patient stores it
        _ensure_unique_mrn(actor.clinic_id, data["mrn"], exclude_id=patient.id)
    audit.apply_changes(actor, patient, data)
    return patient


def add_coverage(actor, patient_id: int, data: dict) -> Coverage:
    patient = get_owned(Patient, patient_id, actor.clinic_id, what="patient")
    get_owned(Payer, data["payer_id"], actor.clinic_id, what="payer")
    coverage = Coverage(clinic_id=actor.clinic_id, patient_id=patient.id, **data)
    return audit.added(actor, coverage, changes=data)


def add_evidence(actor, patient_id: int, kind: str, data: dict):
    patient = get_owned(Patient, patient_id, actor.clinic_id, what="patient")
    data = {k: v for k, v in data.items() if k != "kind"}
    if kind == "prior_product":
        drug_code(data["hcpcs_code"])
    row = EVIDENCE_MODEL[kind](
        clinic_id=actor.clinic_id, patient_id=patient.id, recorded_by_id=actor.id, **data
    )
    return audit.added(actor, row, "recorded", changes={"kind": kind, **data})


def evidence_of(patient_ids: list[int]) -> dict[str, list]:
    """Every evidence record of the patients, by kind, newest first (one query per kind)."""
    result: dict[str, list] = {}
    for kind, model in EVIDENCE_MODEL.items():
        date_column = getattr(model, "observed_on", None) or getattr(model, "start_date", None)
        date_column = date_column if date_column is not None else model.given_on
        result[kind] = db.session.scalars(
            sa.select(model)
            .where(model.patient_id.in_(patient_ids))
            .order_by(date_column.desc(), model.id.desc())
        ).all()
    return result
