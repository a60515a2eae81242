"""Authorization requests: what was asked of the payer and what it answered."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from priorauth.domain.vocab import Channel, Urgency
from priorauth.domain.workflow import Status
from priorauth.extensions import db
from priorauth.models.base import MG, ClinicOwned, one_of, utcnow


class AuthorizationRequest(ClinicOwned, db.Model):
    __tablename__ = "authorization_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"))
    coverage_id: Mapped[int] = mapped_column(sa.ForeignKey("coverages.id"), index=True)
    hcpcs_code: Mapped[str] = mapped_column(sa.ForeignKey("drug_codes.code"))
    diagnosis_codes: Mapped[list] = mapped_column(sa.JSON, default=list)
    ordering_provider: Mapped[str | None] = mapped_column(sa.String(200))
    dose_mg: Mapped[Decimal] = mapped_column(MG)
    administrations: Mapped[int] = mapped_column(default=1)
    units_requested: Mapped[int]
    requested_start: Mapped[date]
    requested_end: Mapped[date]
    urgency: Mapped[str] = mapped_column(sa.String(10), default=Urgency.STANDARD.value)
    status: Mapped[str] = mapped_column(sa.String(20), default=Status.DRAFT.value)
    submitted_at: Mapped[datetime | None]
    submission_channel: Mapped[str | None] = mapped_column(sa.String(20))
    payer_reference: Mapped[str | None] = mapped_column(sa.String(80))
    decided_on: Mapped[date | None]
    auth_number: Mapped[str | None] = mapped_column(sa.String(80), index=True)
    units_approved: Mapped[int | None]
    administrations_approved: Mapped[int | None]
    approved_start: Mapped[date | None]
    approved_end: Mapped[date | None]
    denial_reason: Mapped[str | None] = mapped_column(sa.String(40))
    denial_note: Mapped[str | None] = mapped_column(sa.Text)
    appeal_deadline: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(sa.Text)
    renews_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("authorization_requests.id"),
        index=True,
        doc="the approval this request extends or renews",
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id"), doc="who works the request (default: who created it)"
    )
    review_action_code: Mapped[str | None] = mapped_column(
        sa.String(4), doc="the X12 278 action code of the payer's last answer, when given"
    )
    import_key: Mapped[str | None] = mapped_column(
        sa.String(64), doc="a spreadsheet import's row identity: re-importing creates nothing"
    )
    # The attention read model (docs/performance.md): what the rules derive from this request
    # and its patient, stored so that the queues, the dashboard and the digests read it in SQL.
    # Refreshed in the transaction of every change that can alter it (services/attention.py);
    # `flask recompute` rebuilds them all.
    evidence_ready: Mapped[bool | None] = mapped_column(doc="draft/pended: checklist complete")
    evidence_to_fix: Mapped[list | None] = mapped_column(
        sa.JSON, deferred=True, doc="draft/pended: the requirements still to fix"
    )
    evidence_to_fix_count: Mapped[int | None]
    evidence_checked_on: Mapped[date | None] = mapped_column(doc="the day the checklist ran")
    answer_due_at: Mapped[datetime | None] = mapped_column(
        doc="awaiting the payer: when its answer is due, clinic-local"
    )
    units_given: Mapped[int] = mapped_column(default=0, server_default="0")
    units_booked: Mapped[int] = mapped_column(default=0, server_default="0")
    visits_given: Mapped[int] = mapped_column(default=0, server_default="0")
    visits_booked: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    patient = relationship("Patient")
    coverage = relationship("Coverage")
    drug = relationship("DrugCode")
    owner = relationship("User", foreign_keys=[owner_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.Index(
            "ix_authorization_requests_lookup",
            "patient_id",
            "hcpcs_code",
            "status",
            "approved_start",
            "approved_end",
        ),
        sa.Index("ix_authorization_requests_clinic_status", "clinic_id", "status"),
        sa.Index(  # covering: the expiring and units-low queues read no table row
            "ix_authorization_requests_clinic_status_end",
            "clinic_id",
            "status",
            "approved_end",
            "units_approved",
            "units_given",
            "units_booked",
            "administrations_approved",
            "visits_given",
        ),
        sa.Index(
            "ix_authorization_requests_clinic_status_due", "clinic_id", "status", "answer_due_at"
        ),
        sa.Index("ix_authorization_requests_clinic_owner", "clinic_id", "owner_id", "status"),
        sa.UniqueConstraint("clinic_id", "import_key", name="one_import_per_key"),
        sa.CheckConstraint("dose_mg > 0", name="dose_positive"),
        sa.CheckConstraint("administrations > 0", name="administrations_positive"),
        sa.CheckConstraint("units_requested > 0", name="units_requested_positive"),
        sa.CheckConstraint("requested_end >= requested_start", name="requested_dates_ordered"),
        sa.CheckConstraint(
            "approved_end IS NULL OR approved_start IS NULL OR approved_end >= approved_start",
            name="approved_dates_ordered",
        ),
        sa.CheckConstraint(
            "units_approved IS NULL OR units_approved >= 0", name="units_approved_not_negative"
        ),
        sa.CheckConstraint(one_of("urgency", Urgency), name="urgency_known"),
    )


class FollowUp(ClinicOwned, db.Model):
    """One follow-up with the payer on a request awaiting its answer: when, how, who was
    reached and what the payer said. Each one restarts the follow-up cadence."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    authorization_id: Mapped[int] = mapped_column(sa.ForeignKey("authorization_requests.id"))
    at: Mapped[datetime] = mapped_column(doc="when the payer was contacted (UTC)")
    channel: Mapped[str] = mapped_column(sa.String(20))
    contact: Mapped[str | None] = mapped_column(sa.String(200), doc="who was reached")
    payer_said: Mapped[str | None] = mapped_column(sa.Text)
    logged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    logged_by = relationship("User")

    __table_args__ = (
        sa.Index("ix_follow_ups_authorization_at", "authorization_id", "at"),
        sa.CheckConstraint(one_of("channel", Channel), name="channel_known"),
    )
