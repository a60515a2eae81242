"""Insurance re-verification before an infusion: plans change mid-course."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import Coverage, EligibilityCheck, Infusion
from priorauth.services import audit
from priorauth.services.scope import get_owned

LAPSED = ("inactive", "changed_plan")


def record_check(actor, infusion_id: int, data: dict) -> EligibilityCheck:
    infusion = get_owned(Infusion, infusion_id, actor.clinic_id, what="infusion")
    check = EligibilityCheck(
        clinic_id=actor.clinic_id,
        infusion_id=infusion.id,
        patient_id=infusion.patient_id,
        checked_by_id=actor.id,
        **data,
    )
    return audit.added(actor, check, "recorded", changes=data, note=data.get("note"))


def checks_of(infusion_id: int) -> list[EligibilityCheck]:
    """The infusion's re-verifications, newest first."""
    return db.session.scalars(
        sa.select(EligibilityCheck)
        .where(EligibilityCheck.infusion_id == infusion_id)
        .order_by(EligibilityCheck.checked_at.desc(), EligibilityCheck.id.desc())
    ).all()


def lapsed_patients(patient_ids: Iterable[int]) -> set[int]:
    """Patients whose latest re-verification found no active plan, with no coverage added since."""
    ids = list(set(patient_ids))
    latest_check = (
        sa.select(EligibilityCheck.patient_id, sa.func.max(EligibilityCheck.id).label("last_id"))
        .where(EligibilityCheck.patient_id.in_(ids))
        .group_by(EligibilityCheck.patient_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            EligibilityCheck.patient_id, EligibilityCheck.result, EligibilityCheck.checked_at
        ).join(latest_check, EligibilityCheck.id == latest_check.c.last_id)
    ).all()
    newest_coverage = _newest_coverage([r.patient_id for r in rows if r.result in LAPSED])
    return {
        r.patient_id
        for r in rows
        if r.result in LAPSED and newest_coverage.get(r.patient_id, datetime.min) <= r.checked_at
    }


def _newest_coverage(patient_ids: list[int]) -> dict[int, datetime]:
    if not patient_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Coverage.patient_id, sa.func.max(Coverage.created_at))
            .where(Coverage.patient_id.in_(patient_ids))
            .group_by(Coverage.patient_id)
        ).all()
    )


def last_active_check(infusion_ids: Iterable[int]) -> dict[int, datetime]:
    """When each infusion's insurance was last found active."""
    ids = list(set(infusion_ids))
    if not ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(EligibilityCheck.infusion_id, sa.func.max(EligibilityCheck.checked_at))
            .where(EligibilityCheck.infusion_id.in_(ids), EligibilityCheck.result == "active")
            .group_by(EligibilityCheck.infusion_id)
        ).all()
    )
