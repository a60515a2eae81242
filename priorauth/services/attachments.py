"""Attachments: documents of a patient or of one of its requests, kept in the database.

Uploads are checked by their bytes (domain/documents.py), sized against ATTACHMENT_MAX_BYTES,
counted in pages when they are PDFs, and audited; so are the letters and packets priorauth
writes itself (`store_generated`). A deleted attachment is hidden, never removed: the audit
keeps pointing at it.
"""

from __future__ import annotations

import hashlib
import io

import sqlalchemy as sa
from flask import current_app
from pypdf import PdfReader
from sqlalchemy.orm import defer, joinedload

from priorauth.domain import documents
from priorauth.errors import NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Patient
from priorauth.models.base import utcnow
from priorauth.models.documents import Attachment
from priorauth.services import audit, clock
from priorauth.services.scope import get_owned, scoped

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
UPLOADED = "uploaded"
DOWNLOADED = "content"  # the note of a download's viewed event


def max_bytes() -> int:
    """The largest file accepted (ATTACHMENT_MAX_BYTES)."""
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _size_words(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def pdf_pages(content: bytes) -> int | None:
    """The page count of a PDF pypdf can read, else None."""
    try:
        return len(PdfReader(io.BytesIO(content)).pages)
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on a damaged file
        return None


def _checked(filename: str, content: bytes) -> tuple[str, int | None]:
    """(sniffed content type, PDF page count) or ValidationFailed on `file`."""
    if len(content) > max_bytes():
        limit = _size_words(max_bytes())
        raise ValidationFailed.on("file", f"is larger than the limit of {limit}")
    problem = documents.file_problem(filename, content)
    if problem is not None:
        raise ValidationFailed.on("file", problem)
    content_type = documents.sniff(content)
    if content_type != documents.PDF:
        return content_type, None
    pages = pdf_pages(content)
    if not pages:
        raise ValidationFailed.on("file", "is not a readable PDF")
    return content_type, pages


def _request_of(clinic_id: int, patient: Patient, auth_id: int | None):
    if auth_id is None:
        return None
    auth = get_owned(AuthorizationRequest, auth_id, clinic_id, what="authorization")
    if auth.patient_id != patient.id:
        raise ValidationFailed.on("authorization_id", "is a request of another patient")
    return auth


def _checked_date(actor, day):
    if day is not None and day > clock.clinic_today(actor.clinic):
        raise ValidationFailed.on("document_date", "must not be in the future")
    return day


def _new(actor, patient_id: int, auth_id, kind, filename, content, content_type, pages):
    return Attachment(
        clinic_id=actor.clinic_id,
        patient_id=patient_id,
        authorization_id=auth_id,
        kind=str(kind),
        filename=documents.safe_filename(filename, content_type),
        content_type=content_type,
        size_bytes=len(content),
        page_count=pages,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by_id=getattr(actor, "id", None),
    )


def _described(row: Attachment) -> dict:
    """What an audit event says of the attachment (never its content)."""
    names = ("kind", "filename", "content_type", "size_bytes", "page_count", "sha256")
    facts = {name: getattr(row, name) for name in names}
    return {**facts, "document_date": row.document_date, "authorization_id": row.authorization_id}


def upload(actor, data: dict, content: bytes, filename: str) -> Attachment:
    """Attach an uploaded file (data: patient_id, authorization_id, kind, document_date,
    note, as AttachmentUploadSchema loads them) -> the new attachment, audited."""
    kind = data.get("kind")
    if kind not in documents.UPLOADABLE_KINDS:
        raise ValidationFailed.on("kind", "is not a kind of document that can be uploaded")
    patient = get_owned(Patient, data.get("patient_id"), actor.clinic_id, what="patient")
    auth = _request_of(actor.clinic_id, patient, data.get("authorization_id"))
    day = _checked_date(actor, data.get("document_date"))
    content_type, pages = _checked(filename or "", content or b"")
    row = _new(actor, patient.id, auth and auth.id, kind, filename, content, content_type, pages)
    row.document_date, row.note = day, (data.get("note") or None)
    return audit.added(actor, row, UPLOADED, changes=_described(row))


def store_generated(actor, auth, kind, filename: str, content: bytes, page_count: int):
    """Keep a letter or packet priorauth wrote for the request (kinds letter,
    submission_packet, appeal_packet) -> the attachment, audited."""
    if kind not in documents.GENERATED_KINDS:
        raise ValidationFailed.on("kind", f"{kind} is not a kind priorauth writes")
    content_type = documents.sniff(content) or documents.PDF
    row = _new(actor, auth.patient_id, auth.id, kind, filename, content, content_type, page_count)
    row.document_date = clock.clinic_today(actor.clinic)
    return audit.added(actor, row, "generated", changes=_described(row))


def get(actor, attachment_id) -> Attachment:
    """The clinic's attachment, not deleted; else NotFound (another clinic's too)."""
    row = get_owned(Attachment, attachment_id, actor.clinic_id, what="attachment")
    if row.deleted_at is not None:
        raise NotFound(
            f"attachment {attachment_id} not found",
            {"id": [f"no attachment with id {attachment_id}"]},
        )
    return row


def content_of(attachment: Attachment) -> bytes:
    """The stored bytes (loaded only now: lists never load them)."""
    return attachment.content


def viewed(actor, attachment_id) -> Attachment:
    """The attachment, with the read audited (its description was seen)."""
    row = get(actor, attachment_id)
    audit.viewed(actor, row)
    return row


def downloaded(actor, attachment_id) -> tuple[Attachment, bytes]:
    """(attachment, its bytes), with the download audited."""
    row = get(actor, attachment_id)
    audit.viewed(actor, row, note=DOWNLOADED)
    return row, content_of(row)


def _listed(clinic_id: int) -> sa.Select:
    return (
        scoped(Attachment, clinic_id)
        .where(Attachment.deleted_at.is_(None))
        .options(defer(Attachment.content), joinedload(Attachment.uploaded_by))
        .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
    )


def listed(clinic_id: int, patient_id=None, auth_id=None) -> sa.Select:
    """The query of the attachments of a patient and/or a request, newest first."""
    query = _listed(clinic_id)
    if patient_id is not None:
        query = query.where(Attachment.patient_id == patient_id)
    if auth_id is not None:
        query = query.where(Attachment.authorization_id == auth_id)
    return query


def of_patient(clinic_id: int, patient_id: int) -> list[Attachment]:
    """Every attachment of the patient (its requests' too), newest first, without content."""
    return db.session.scalars(listed(clinic_id, patient_id=patient_id)).all()


def of_request(clinic_id: int, auth_id: int) -> list[Attachment]:
    """The request's attachments, newest first, without content."""
    return db.session.scalars(listed(clinic_id, auth_id=auth_id)).all()


def delete(actor, attachment_id) -> Attachment:
    """Hide the attachment (kept for the audit), audited."""
    row = get(actor, attachment_id)
    row.deleted_at, row.deleted_by_id = utcnow(), getattr(actor, "id", None)
    audit.record(actor, row, "deleted", changes={"filename": row.filename, "kind": row.kind})
    return row
