"""The append-only audit trail: who changed what, when, from what to what."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from priorauth.extensions import db
from priorauth.models.base import ClinicOwned, utcnow


class AuditEvent(ClinicOwned, db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(40))
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str | None] = mapped_column(sa.String(20))
    changes: Mapped[dict | None] = mapped_column(sa.JSON)
    note: Mapped[str | None] = mapped_column(sa.Text)
    # The patient the event concerns (a patient, a request or an infusion of theirs), so
    # the audit page finds every access to one patient's record.
    patient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patients.id"))
    remote_addr: Mapped[str | None] = mapped_column(sa.String(45))

    user = relationship("User")

    __table_args__ = (
        sa.Index("ix_audit_events_entity", "entity_type", "entity_id"),
        sa.Index("ix_audit_events_clinic_at", "clinic_id", "at"),
        sa.Index("ix_audit_events_patient_at", "patient_id", "at"),
        sa.Index("ix_audit_events_user_at", "user_id", "at"),
    )
