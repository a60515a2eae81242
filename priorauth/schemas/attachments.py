"""Attachments: the fields sent with an uploaded file, the answer (never the bytes), the list."""

from __future__ import annotations

import marshmallow as ma

from priorauth.domain.documents import UPLOADABLE_KINDS
from priorauth.domain.vocab import AttachmentKind
from priorauth.models.base import INTEGER_MAX
from priorauth.schemas import Date, Strict, UtcDateTime, id_field

V = ma.validate
MAX_NOTE = 2000


class AttachmentUploadSchema(Strict):
    """The form fields of an upload (multipart/form-data, beside the `file` part)."""

    patient_id = id_field(required=True, metadata={"description": "the patient it belongs to"})
    authorization_id = id_field(
        allow_none=True,
        metadata={"description": "the request it belongs to (one of the patient's)"},
    )
    kind = ma.fields.String(
        required=True,
        validate=V.OneOf([str(kind) for kind in UPLOADABLE_KINDS]),
        metadata={"label": "Kind of document"},
    )
    document_date = Date(
        allow_none=True,
        metadata={
            "label": "Date on the document",
            "description": "the date on the document (not in the future)",
        },
    )
    note = ma.fields.String(allow_none=True, validate=V.Length(max=MAX_NOTE))


class UploadFormSchema(AttachmentUploadSchema):
    """The whole multipart body, as documented (the file is read apart from the fields)."""

    file = ma.fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "label": "File",
            "description": "a PDF, PNG, JPEG or TIFF file, told by its content",
        },
    )


class AttachmentSchema(ma.Schema):
    """An attachment as answered: what it is, never its content (GET .../content has it)."""

    id = ma.fields.Integer()
    patient_id = ma.fields.Integer()
    authorization_id = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String(metadata={"enum": list(AttachmentKind.values())})
    document_date = ma.fields.Date(allow_none=True)
    filename = ma.fields.String()
    content_type = ma.fields.String(metadata={"description": "as found in the bytes"})
    size_bytes = ma.fields.Integer()
    page_count = ma.fields.Integer(allow_none=True, metadata={"description": "PDFs only"})
    sha256 = ma.fields.String()
    note = ma.fields.String(allow_none=True)
    uploaded_at = UtcDateTime()
    uploaded_by_id = ma.fields.Integer(allow_none=True)


class AttachmentQuery(ma.Schema):
    """The list: the clinic's attachments, or a patient's, or a request's."""

    patient_id = id_field(allow_none=True)
    authorization_id = id_field(allow_none=True)
    limit = ma.fields.Integer(load_default=50, validate=V.Range(min=1, max=200))
    offset = ma.fields.Integer(load_default=0, validate=V.Range(min=0, max=INTEGER_MAX))
