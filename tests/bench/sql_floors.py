"""The runway's hand-written floor: the rows the answer needs from one query, over the stored
units given and booked (the coverage check's is tests/bench/floors.py)."""

from __future__ import annotations

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as A
from priorauth.models import Infusion

APPROVED = ("approved", "partially_approved")


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
