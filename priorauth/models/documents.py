"""Documents: uploaded attachments (lab reports, chart notes, payer letters), the clinic's
letter templates, and the letters drafted from them (docs/domain.md, "Sending a request")."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from priorauth.domain.vocab import AttachmentKind, LetterKind
from priorauth.extensions import db
from priorauth.models.base import ClinicOwned, one_of, utcnow


class Attachment(ClinicOwned, db.Model):
    """A stored document of a patient, and of one of its requests when `authorization_id` is
    set. The bytes live in the database (several web hosts share them with no other service);
    `deleted_at` hides it but keeps it for the audit."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    authorization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("authorization_requests.id"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(30))
    document_date: Mapped[date | None] = mapped_column(doc="the date on the document")
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(100), doc="as sniffed from the bytes")
    size_bytes: Mapped[int]
    page_count: Mapped[int | None] = mapped_column(doc="PDFs: pages (packets state it)")
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    patient = relationship("Patient")
    authorization = relationship("AuthorizationRequest")
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])

    __table_args__ = (
        sa.CheckConstraint(one_of("kind", AttachmentKind), name="kind_known"),
        sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),
    )


class LetterTemplate(ClinicOwned, db.Model):
    """A clinic's own wording of a letter kind (admins edit it; rendered sandboxed)."""

    __tablename__ = "letter_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.UniqueConstraint("clinic_id", "kind", name="one_per_kind"),
        sa.CheckConstraint(one_of("kind", LetterKind), name="kind_known"),
    )


class Letter(ClinicOwned, db.Model):
    """A letter drafted for a request from the clinic's template; editable until sent, then
    kept as sent (`sent_at`, and the packet it went in)."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    authorization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("authorization_requests.id"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(30))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]
    packet_id: Mapped[int | None] = mapped_column(sa.ForeignKey("attachments.id"))

    authorization = relationship("AuthorizationRequest")
    packet = relationship("Attachment")

    __table_args__ = (sa.CheckConstraint(one_of("kind", LetterKind), name="kind_known"),)
