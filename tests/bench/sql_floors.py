"""Hand-written floors of the patient-level operations: the coverage check's (used until
tests/bench/floors.py, coverage_floor, is present) and the runway's: the rows the answer needs
from one query each, over the stored units given and booked."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as A
from priorauth.models import Coverage, Infusion

APPROVED = ("approved", "partially_approved")


def coverage_floor(patient_id: int, code: str, day: date, dose_mg, clinic_id=None) -> bool:
    """Covered: an approval in force that day with units left, under a plan in force."""
    plan = (
        sa.select(Coverage.id)
        .where(Coverage.patient_id == patient_id, Coverage.start_date <= day)
        .where(sa.or_(Coverage.end_date.is_(None), Coverage.end_date >= day))
        .exists()
    )
    query = sa.select(
        A.id, A.units_approved - A.units_given - A.units_booked, plan.label("insured")
    ).where(
        A.patient_id == patient_id,
        A.hcpcs_code == code.strip().upper(),
        A.status.in_(APPROVED),
        A.approved_start <= day,
        A.approved_end >= day,
    )
    rows = db.session.execute(query.order_by(A.approved_end, A.id)).all()
    return any(left is None or left > 0 for _, left, _ in rows)


def runway_floor(clinic_id: int, patient_id: int) -> int:
    """The patient's booked infusions in date order, each with the approval of its code in
    force that day and that approval's stored units left: one query; the steps."""
    approval = sa.and_(
        A.patient_id == Infusion.patient_id,
        A.clinic_id == clinic_id,
        A.hcpcs_code == Infusion.hcpcs_code,
        A.status.in_(APPROVED),
        A.approved_start <= Infusion.scheduled_at,
        A.approved_end >= sa.func.date(Infusion.scheduled_at),
    )
    query = (
        sa.select(Infusion.id, Infusion.units_reserved, A.id, A.units_approved - A.units_given)
        .outerjoin(A, approval)
        .where(Infusion.patient_id == patient_id, Infusion.clinic_id == clinic_id)
        .where(Infusion.status == "scheduled")
        .order_by(Infusion.scheduled_at, Infusion.id)
    )
    return len(db.session.execute(query).all())
