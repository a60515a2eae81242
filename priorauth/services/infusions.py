"""Booking infusions against authorizations, and recording what was given."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from priorauth.domain import coverage as cov
from priorauth.domain.units import billing_units
from priorauth.domain.vocab import InfusionStatus, label
from priorauth.errors import Conflict, ValidationFailed
from priorauth.extensions import db
from priorauth.models import Infusion, Patient
from priorauth.services import audit
from priorauth.services import coverage as coverage_service
from priorauth.services.locks import lock_authorizations
from priorauth.services.payers import drug_code
from priorauth.services.scope import get_owned, scoped


def reasons_payload(answer: cov.CoverageAnswer) -> list[dict]:
    return [{"code": r.code, "message": r.message} for r in answer.reasons]


def _refuse_uncovered(answer: cov.CoverageAnswer) -> None:
    blocking = [r for r in answer.reasons if r.code in cov.BLOCKING]
    first = blocking[0].message if blocking else "not covered"
    raise Conflict(
        f"not covered: {first}",
        {"coverage": [r.message for r in blocking]},
        code="NOT_COVERED",
        reasons=reasons_payload(answer),
    )


def _checked_answer(patient_id, code, when: datetime, dose, override, exclude_id=None):
    lock_authorizations(patient_id, code)
    answer = coverage_service.check(patient_id, code, when.date(), dose, exclude_id)
    if not answer.covered and not override:
        _refuse_uncovered(answer)
    return answer


def book(actor, data: dict) -> tuple[Infusion, cov.CoverageAnswer]:
    """Book an infusion; refused with NOT_COVERED unless covered or overridden (audited).

    An override booking keeps the approval it draws on (answer.draws_on: the one covering its
    code and date), so its units count and a deficit shows (docs/domain.md §6, §9).
    """
    patient = get_owned(Patient, data["patient_id"], actor.clinic_id, what="patient")
    drug = drug_code(data["hcpcs_code"])
    override = data.get("override_reason")
    answer = _checked_answer(patient.id, drug.code, data["scheduled_at"], data["dose_mg"], override)
    infusion = Infusion(
        clinic_id=actor.clinic_id,
        patient_id=patient.id,
        hcpcs_code=drug.code,
        authorization_id=answer.draws_on,
        scheduled_at=data["scheduled_at"],
        dose_mg=data["dose_mg"],
        units_reserved=billing_units(data["dose_mg"], drug.mg_per_unit),
        override_reason=None if answer.covered else override,
        booked_by_id=actor.id,
    )
    note = None if answer.covered else f"booked without coverage: {override}"
    booked = InfusionStatus.SCHEDULED
    audit.added(actor, infusion, "booked", to_status=booked, changes=data, note=note)
    return infusion, answer


def _reschedule(actor, infusion: Infusion, data: dict) -> cov.CoverageAnswer:
    when = data.get("scheduled_at", infusion.scheduled_at)
    dose = data.get("dose_mg", infusion.dose_mg)
    override = data.get("override_reason")
    answer = _checked_answer(
        infusion.patient_id, infusion.hcpcs_code, when, dose, override, infusion.id
    )
    infusion.scheduled_at, infusion.dose_mg = when, dose
    infusion.units_reserved = billing_units(dose, infusion.drug.mg_per_unit)
    infusion.authorization_id = answer.draws_on
    infusion.override_reason = None if answer.covered else override
    return answer


def update(actor, infusion_id: int, data: dict):
    """Reschedule (re-checks coverage), cancel or mark no-show (releases the units)."""
    infusion = get_owned(Infusion, infusion_id, actor.clinic_id, what="infusion")
    if infusion.status != InfusionStatus.SCHEDULED:
        raise Conflict(
            f"a {label(infusion.status).lower()} infusion cannot be changed",
            {"status": ["not scheduled"]},
            code="NOT_SCHEDULED",
        )
    before = infusion.status
    answer = None
    if "scheduled_at" in data or "dose_mg" in data:
        answer = _reschedule(actor, infusion, data)
    if data.get("status") in (InfusionStatus.CANCELLED, InfusionStatus.NO_SHOW):
        infusion.status = data["status"]
    audit.record(
        actor,
        infusion,
        "updated",
        from_status=before,
        to_status=infusion.status,
        changes=data,
        note=data.get("note"),
    )
    return infusion, answer


def list_infusions(clinic_id: int, start: date, end: date, status=None) -> list[Infusion]:
    """Every infusion booked from start to end (a day or a week of the schedule: bounded by
    the clinic's chairs, so all of them, never cut at a fixed number of rows)."""
    query = scoped(Infusion, clinic_id).order_by(Infusion.scheduled_at, Infusion.id)
    query = query.where(
        Infusion.scheduled_at >= datetime.combine(start, datetime.min.time()),
        Infusion.scheduled_at <= datetime.combine(end, datetime.max.time()),
    )
    if status:
        query = query.where(Infusion.status == status)
    return db.session.scalars(query.options(sa.orm.joinedload(Infusion.patient))).all()


def require_scheduled(infusion: Infusion) -> None:
    if infusion.status != InfusionStatus.SCHEDULED:
        status = label(infusion.status).lower()
        raise Conflict(
            f"infusion {infusion.id} is {status}, not scheduled",
            {"status": [f"is {status}"]},
            code="NOT_SCHEDULED",
        )


def check_lot(lot_expiration: date, given_on: date) -> None:
    if lot_expiration < given_on:
        raise ValidationFailed.on(
            "lot_expiration", f"lot expired on {lot_expiration}, before the dose on {given_on}"
        )
