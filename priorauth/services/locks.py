"""Serialise bookings that compete for the same authorization's units."""

from __future__ import annotations

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest


def lock_authorizations(patient_id: int, code: str) -> None:
    """Lock the patient's authorization rows for the code until the transaction ends.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite has no row locks: a no-op UPDATE opens
    the write transaction now, which makes every later booking wait for this one.
    """
    where = (AuthorizationRequest.patient_id == patient_id, AuthorizationRequest.hcpcs_code == code)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(AuthorizationRequest.id).where(*where).with_for_update()).all()
        return
    db.session.execute(
        sa.update(AuthorizationRequest.__table__)
        .where(*(c.expression for c in where))
        .values(id=AuthorizationRequest.__table__.c.id)
    )
