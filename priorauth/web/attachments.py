"""Documents of a patient or a request: upload (the form also sits on the patient and request
pages), download, delete. Everyone signed in may download; front desk and admins upload."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from priorauth.domain.documents import UPLOADABLE_KINDS
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Patient
from priorauth.permissions import EDIT_ATTACHMENTS, may, role_required
from priorauth.schemas.attachments import AttachmentUploadSchema, UploadFormSchema
from priorauth.services import attachments
from priorauth.services.scope import get_owned
from priorauth.web.commit import committed
from priorauth.web.forms import failed, parse_form, refusal_errors

bp = Blueprint("attachments", __name__)

KIND_OPTIONS = [(str(kind), kind.label) for kind in UPLOADABLE_KINDS]


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


def documents_context(patient_id: int, auth_id: int | None = None) -> dict:
    """What templates/attachments/_documents.html needs: the documents of the patient (all of
    them) or of the request, and where its upload form posts."""
    clinic_id = current_user.clinic_id
    if auth_id is None:
        documents = attachments.of_patient(clinic_id, patient_id)
        upload_url = url_for("attachments.upload_for_patient", patient_id=patient_id)
    else:
        documents = attachments.of_request(clinic_id, auth_id)
        upload_url = url_for("attachments.upload_for_request", auth_id=auth_id)
    return {
        "documents": documents,
        "document_upload_url": upload_url,
        "document_kinds": KIND_OPTIONS,
        "can_edit_documents": may(EDIT_ATTACHMENTS),
        "max_upload_bytes": attachments.max_bytes(),
    }


def _back(row) -> str:
    if row.authorization_id is not None:
        return url_for("authorizations.show", auth_id=row.authorization_id, _anchor="documents")
    return url_for("patients.show", patient_id=row.patient_id, _anchor="documents")


def _file_errors():
    """(content, file name, errors): the chosen file, or an error asking for one."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return b"", "", {"file": ["Choose a file to attach."]}
    return upload.read(), upload.filename, {}


def _upload(patient: Patient, auth: AuthorizationRequest | None):
    """Parse, store, commit -> (redirect, {}) or (None, errors beside their fields)."""
    owner = {"patient_id": patient.id, "authorization_id": auth.id if auth else None}
    data, errors = parse_form(AttachmentUploadSchema(), request.form, **owner)
    content, filename, missing = _file_errors()
    if data is None or missing:
        return None, failed({**missing, **(errors or {})})
    row, refusal = committed(lambda: attachments.upload(current_user, data, content, filename))
    if refusal is not None:
        return None, refusal_errors(refusal, UploadFormSchema().fields)
    flash(f"{row.filename} attached.", "success")
    return redirect(_back(row)), {}


def _upload_page(patient: Patient, auth: AuthorizationRequest | None):
    form, errors = {}, {}
    if request.method == "POST":
        done, errors = _upload(patient, auth)
        if done is not None:
            return done
        form = request.form
    context = {"patient": patient, "auth": auth, "form": form, "errors": errors}
    context["kinds"], context["action"] = KIND_OPTIONS, request.path
    context["max_upload_bytes"] = attachments.max_bytes()
    return render_template("attachments/upload.html", **context), 422 if errors else 200


@bp.route("/patients/<int:patient_id>/documents", methods=["GET", "POST"])
@role_required(EDIT_ATTACHMENTS)
def upload_for_patient(patient_id: int):
    """Attach a document to the patient (the form, and its errors)."""
    patient = get_owned(Patient, patient_id, current_user.clinic_id, what="patient")
    return _upload_page(patient, None)


@bp.route("/authorizations/<int:auth_id>/documents", methods=["GET", "POST"])
@role_required(EDIT_ATTACHMENTS)
def upload_for_request(auth_id: int):
    """Attach a document to the request (and so to its patient)."""
    auth = get_owned(AuthorizationRequest, auth_id, current_user.clinic_id, what="authorization")
    return _upload_page(auth.patient, auth)


@bp.get("/attachments/<int:attachment_id>/download")
def download(attachment_id: int):
    """The file as a download; audited."""
    row, content = attachments.downloaded(current_user, attachment_id)
    db.session.commit()
    return send_file(
        io.BytesIO(content),
        mimetype=row.content_type,
        as_attachment=True,
        download_name=row.filename,
        max_age=0,
    )


@bp.post("/attachments/<int:attachment_id>/delete")
@role_required(EDIT_ATTACHMENTS)
def delete(attachment_id: int):
    """Hide the document (kept for the audit), back to where it was listed."""
    row, refusal = committed(lambda: attachments.delete(current_user, attachment_id))
    if refusal is not None:
        raise refusal
    flash(f"{row.filename} deleted.", "success")
    return redirect(_back(row))
