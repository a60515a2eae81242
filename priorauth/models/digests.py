"""Daily digest deliveries: one row per recipient and date, so a digest is sent once."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from priorauth.domain.vocab import DeliveryStatus
from priorauth.extensions import db
from priorauth.models.base import ClinicOwned, one_of, utcnow


class DigestDelivery(ClinicOwned, db.Model):
    __tablename__ = "digest_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    digest_date: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(10), default=DeliveryStatus.PENDING.value)
    items: Mapped[list | None] = mapped_column(sa.JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("user_id", "digest_date"),
        sa.CheckConstraint(one_of("status", DeliveryStatus), name="status_known"),
    )
