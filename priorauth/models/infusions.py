"""Infusions: booked against an authorization, then administered and billed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from priorauth.domain.runway import Badge
from priorauth.domain.vocab import EligibilityMethod, EligibilityResult, InfusionStatus
from priorauth.extensions import db
from priorauth.models.base import MG, ClinicOwned, one_of, utcnow


class Infusion(ClinicOwned, db.Model):
    __tablename__ = "infusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    hcpcs_code: Mapped[str] = mapped_column(sa.ForeignKey("drug_codes.code"))
    authorization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("authorization_requests.id"), index=True
    )
    scheduled_at: Mapped[datetime] = mapped_column(doc="clinic-local wall-clock time")
    dose_mg: Mapped[Decimal] = mapped_column(MG)
    units_reserved: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), default=InfusionStatus.SCHEDULED.value)
    override_reason: Mapped[str | None] = mapped_column(sa.Text)
    booked_at: Mapped[datetime] = mapped_column(default=utcnow)
    booked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Administration record
    administered_at: Mapped[datetime | None]
    dose_given_mg: Mapped[Decimal | None] = mapped_column(MG)
    discarded_mg: Mapped[Decimal | None] = mapped_column(MG)
    multi_dose: Mapped[bool | None]
    lot_number: Mapped[str | None] = mapped_column(sa.String(60))
    lot_expiration: Mapped[date | None]
    reaction: Mapped[str | None] = mapped_column(sa.Text)
    administered_by: Mapped[str | None] = mapped_column(sa.String(200))
    units_used: Mapped[int | None]
    claim_lines: Mapped[list | None] = mapped_column(sa.JSON)
    # Billing: when the claim lines were marked billed, and by whom
    billed_at: Mapped[datetime | None]
    billed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The attention read model (docs/performance.md): a booked infusion's runway badge and
    # its one-sentence reason, stored in the transaction of every change that can alter them
    # (services/attention.py); None once it is no longer booked.
    coverage_badge: Mapped[str | None] = mapped_column(sa.String(20))
    coverage_summary: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    coverage_reason: Mapped[str | None] = mapped_column(
        sa.String(30), doc="booked and not covered: the reason code it is counted under"
    )

    patient = relationship("Patient")
    authorization = relationship("AuthorizationRequest")
    drug = relationship("DrugCode")

    __table_args__ = (
        sa.Index("ix_infusions_clinic_scheduled", "clinic_id", "scheduled_at"),
        sa.Index("ix_infusions_clinic_administered", "clinic_id", "administered_at"),
        sa.Index("ix_infusions_clinic_status_scheduled", "clinic_id", "status", "scheduled_at"),
        sa.Index(
            "ix_infusions_clinic_badge_scheduled", "clinic_id", "coverage_badge", "scheduled_at"
        ),
        sa.Index("ix_infusions_clinic_status_badge", "clinic_id", "status", "coverage_badge"),
        sa.CheckConstraint("dose_mg > 0", name="dose_positive"),
        sa.CheckConstraint("units_reserved >= 0", name="units_reserved_not_negative"),
        sa.CheckConstraint(one_of("status", InfusionStatus), name="status_known"),
        sa.CheckConstraint(one_of("coverage_badge", Badge, nullable=True), name="badge_known"),
        sa.CheckConstraint(
            "dose_given_mg IS NULL OR dose_given_mg > 0", name="dose_given_positive"
        ),
        sa.CheckConstraint(
            "discarded_mg IS NULL OR discarded_mg >= 0", name="discarded_not_negative"
        ),
    )

    @property
    def scheduled_on(self) -> date:
        return self.scheduled_at.date()


class EligibilityCheck(ClinicOwned, db.Model):
    """A re-verification of the patient's insurance before an infusion."""

    __tablename__ = "eligibility_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    infusion_id: Mapped[int] = mapped_column(sa.ForeignKey("infusions.id"), index=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    method: Mapped[str] = mapped_column(sa.String(20))
    result: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str | None] = mapped_column(sa.Text)

    checked_by = relationship("User")

    __table_args__ = (
        sa.CheckConstraint(one_of("method", EligibilityMethod), name="method_known"),
        sa.CheckConstraint(one_of("result", EligibilityResult), name="result_known"),
    )
