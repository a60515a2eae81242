"""Attachments: upload (multipart/form-data), list, describe, download, delete."""

from __future__ import annotations

import io

import marshmallow as ma
from flask import request, send_file
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.api.audit import commits
from priorauth.api.errors import flatten_fields
from priorauth.domain import documents
from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Patient
from priorauth.permissions import EDIT_ATTACHMENTS, role_required
from priorauth.queries.paging import TOTAL_HEADER, window
from priorauth.schemas.attachments import (
    AttachmentQuery,
    AttachmentSchema,
    AttachmentUploadSchema,
    UploadFormSchema,
)
from priorauth.services import attachments, audit
from priorauth.services.scope import get_owned

blp = Blueprint(
    "attachments", __name__, url_prefix="/attachments", description="Documents (attachments)"
)


UPLOAD_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": UploadFormSchema}},
}


def _upload_parts() -> tuple[dict, bytes, str]:
    """(fields as AttachmentUploadSchema loads them, file bytes, file name) of the multipart
    body; a missing file or a bad field is a 422 naming it."""
    fields = {k: v for k, v in request.form.items() if v.strip() != ""}
    upload = request.files.get("file")
    problems = {} if upload is not None else {"file": ["is required: attach a file"]}
    try:
        data = AttachmentUploadSchema().load(fields)
    except ma.ValidationError as error:
        problems = {**flatten_fields(error.normalized_messages()), **problems}
    if problems:
        field, messages = next(iter(problems.items()))
        raise ValidationFailed(f"{field}: {messages[0]}", problems)
    return data, upload.read(), upload.filename or ""


DOWNLOAD = {
    "description": "The file's bytes, as a download, with the type found in them",
    "content": {
        kind: {"schema": {"type": "string", "format": "binary"}}
        for kind in (documents.PDF, documents.PNG, documents.JPEG, documents.TIFF)
    },
}


def _owner_checked(args: dict) -> None:
    """A patient or request of another clinic named in the filter is a 404 naming it."""
    if args.get("patient_id") is not None:
        get_owned(Patient, args["patient_id"], current_user.clinic_id, what="patient")
    if args.get("authorization_id") is not None:
        get_owned(
            AuthorizationRequest,
            args["authorization_id"],
            current_user.clinic_id,
            what="authorization",
        )


@blp.route("")
class Attachments(MethodView):
    @commits
    @blp.arguments(AttachmentQuery, location="query")
    @blp.response(200, AttachmentSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """The clinic's attachments, or a patient's (its requests' too), or one request's;
        newest first, deleted ones left out. Each one answered is audited."""
        _owner_checked(args)
        query = attachments.listed(
            current_user.clinic_id, args.get("patient_id"), args.get("authorization_id")
        )
        rows, total = window(query, args["limit"], args["offset"])
        audit.viewed_all(current_user, rows)
        return rows, {"X-Total-Count": str(total)}

    @role_required(EDIT_ATTACHMENTS)
    @blp.doc(requestBody=UPLOAD_BODY)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.response(201, AttachmentSchema)
    def post(self):
        """Attach a file (multipart/form-data: `file` and the fields). Its type is read from
        its content (PDF, PNG, JPEG, TIFF), whatever its name; at most ATTACHMENT_MAX_BYTES
        (a larger body is answered 413)."""
        data, content, filename = _upload_parts()
        row = attachments.upload(current_user, data, content, filename)
        db.session.commit()
        return row


@blp.route("/<int:attachment_id>")
class AttachmentById(MethodView):
    @commits
    @blp.response(200, AttachmentSchema)
    def get(self, attachment_id):
        """What the attachment is (audited); its bytes are at .../content."""
        return attachments.viewed(current_user, attachment_id)

    @role_required(EDIT_ATTACHMENTS)
    @blp.response(204)
    def delete(self, attachment_id):
        """Hide the attachment; it is kept for the audit."""
        attachments.delete(current_user, attachment_id)
        db.session.commit()


@blp.route("/<int:attachment_id>/content")
class AttachmentContent(MethodView):
    @blp.doc(responses={"200": DOWNLOAD})
    def get(self, attachment_id):
        """The stored file as a download (Content-Disposition: attachment), with the type
        found in its bytes; audited."""
        row, content = attachments.downloaded(current_user, attachment_id)
        db.session.commit()
        return send_file(
            io.BytesIO(content),
            mimetype=row.content_type,
            as_attachment=True,
            download_name=row.filename,
            max_age=0,
        )
