"""What staff did with a reminder: its owner, its acknowledgement, its escalation, and the
single-use links a digest carries to act on it. Reminders themselves are derived from state
(domain/reminders.py); a row here is kept per reminder once it has been seen due."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from priorauth.extensions import db
from priorauth.models.base import ClinicOwned, utcnow


class ReminderState(ClinicOwned, db.Model):
    __tablename__ = "reminder_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), doc="the reminder's identity")
    type: Mapped[str] = mapped_column(sa.String(40))
    authorization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("authorization_requests.id"))
    infusion_id: Mapped[int | None] = mapped_column(sa.ForeignKey("infusions.id"))
    patient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patients.id"))
    due_date: Mapped[date]
    first_seen_on: Mapped[date] = mapped_column(doc="the clinic day it was first seen due")
    escalates_on: Mapped[date] = mapped_column(doc="unacknowledged on this day, it escalates")
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    escalated_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None] = mapped_column(doc="no longer due")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner = relationship("User", foreign_keys=[owner_id])
    acknowledged_by = relationship("User", foreign_keys=[acknowledged_by_id])

    __table_args__ = (
        sa.UniqueConstraint("clinic_id", "key", name="one_state_per_reminder"),
        sa.Index(
            "ix_reminder_states_open",
            "clinic_id",
            "resolved_at",
            "acknowledged_at",
            "escalates_on",
        ),
        sa.Index("ix_reminder_states_clinic_owner", "clinic_id", "owner_id"),
    )


class ActionLink(ClinicOwned, db.Model):
    """A digest's link to acknowledge or reassign one reminder: its secret is stored hashed,
    it expires, and it works once (used_at); it still needs a signed-in user of the clinic."""

    __tablename__ = "action_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    action: Mapped[str] = mapped_column(sa.String(20))
    reminder_key: Mapped[str] = mapped_column(sa.String(120))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), doc="the digest's reader")
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
