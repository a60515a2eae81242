"""Patient list, new patient, and the patient page (coverages, evidence, requests, infusions)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.extensions import db
from priorauth.models import Infusion, Patient
from priorauth.permissions import (
    EDIT_AUTHORIZATIONS,
    EDIT_EVIDENCE,
    EDIT_PATIENTS,
    may,
    role_required,
)
from priorauth.queries import lists
from priorauth.queries.paging import page_request
from priorauth.queries.runway import patient_runway
from priorauth.queries.search import find_patients
from priorauth.schemas.patients import (
    EVIDENCE_LABELS,
    EVIDENCE_SCHEMAS,
    CoverageSchema,
    PatientSchema,
)
from priorauth.services import audit, patients, payers
from priorauth.services.clock import clinic_today
from priorauth.services.scope import get_owned, scoped
from priorauth.web.attachments import documents_context
from priorauth.web.commit import committed
from priorauth.web.forms import (
    blanks_as_none,
    code_options,
    parse_form,
    refusal_errors,
    safe_next,
    search_text,
    service_errors,
)
from priorauth.web.paging import pager

bp = Blueprint("patients", __name__, url_prefix="/patients")

LATEST_REQUESTS = 10  # the patient page shows these, then links to all of them (requests list)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


def _patient(patient_id: int) -> Patient:
    return get_owned(Patient, patient_id, current_user.clinic_id, what="patient")


def _infusions_of(patient_id: int) -> list[Infusion]:
    query = scoped(Infusion, current_user.clinic_id).where(Infusion.patient_id == patient_id)
    return db.session.scalars(query.order_by(Infusion.scheduled_at.desc())).all()


# Views


@bp.get("")
def index():
    """Every patient of the clinic, a page at a time (an old ?q= bookmark is not searched)."""
    page = find_patients(current_user.clinic_id, "", *page_request(request.args))
    return render_template("patients/index.html", paging=pager(page), q="")


@bp.post("")
def results():
    """Patients whose MRN, name or member ID contains the POSTed text (no name in a URL)."""
    text = search_text(request.form.get("q"))
    page = find_patients(current_user.clinic_id, text, *page_request(request.form))
    return render_template(
        "patients/index.html",
        paging=pager(page, post=bool(text), endpoint="patients.index"),
        q=text,
    )


def _saved(patient: Patient, message: str, back: str | None = None, **anchor):
    """After a committed change: the message, then back where the form came from, or the
    patient page (at `_anchor`)."""
    flash(message, "success")
    return redirect(back or url_for("patients.show", patient_id=patient.id, **anchor))


@bp.route("/new", methods=["GET", "POST"])
@role_required(EDIT_PATIENTS)
def new():
    form, errors = request.form, {}
    if request.method == "POST":
        data, errors = parse_form(PatientSchema(), request.form)
        if data is not None:
            patient, refusal = committed(lambda: patients.create_patient(current_user, data))
            if refusal is None:
                return _saved(patient, "Patient added.")
            errors = service_errors(refusal)
    status = 422 if errors else 200
    return render_template("patients/new.html", form=form, errors=errors), status


def _render_show(patient: Patient, section=None, form=None, errors=None, status=200):
    """The patient page; `section` names the add form that failed, shown with its errors."""
    today = clinic_today(current_user.clinic)
    source = request.form if request.method == "POST" else request.args
    context = {
        "patient": patient,
        "today": today,
        "payer_options": [(p.id, p.name) for p in payers.list_payers(current_user.clinic_id)],
        "evidence": patients.evidence_of([patient.id]),
        "requests": lists.authorizations(
            current_user.clinic_id, today, 1, LATEST_REQUESTS, patient_id=patient.id
        ),
        "infusions": _infusions_of(patient.id),
        "runway": patient_runway(current_user, patient.id),
        "code_options": code_options(),
        "forms": {section: form} if section else {},
        "errs": {section: errors} if section else {},
        "next_url": safe_next(source.get("next")),
        "labels": EVIDENCE_LABELS,
        "can_edit_patient": may(EDIT_PATIENTS),
        "can_edit_evidence": may(EDIT_EVIDENCE),
        "can_edit_requests": may(EDIT_AUTHORIZATIONS),
        **documents_context(patient.id),
    }
    return render_template("patients/show.html", **context), status


@bp.get("/<int:patient_id>")
def show(patient_id: int):
    """The patient page; the view is audited (written with the commit after rendering)."""
    patient = _patient(patient_id)
    audit.viewed(current_user, patient)
    page = _render_show(patient)
    db.session.commit()
    return page


def _patient_form(patient: Patient) -> dict:
    return {
        "mrn": patient.mrn,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "birth_date": patient.birth_date.isoformat(),
        "sex": patient.sex or "",
    }


@bp.route("/<int:patient_id>/edit", methods=["GET", "POST"])
@role_required(EDIT_PATIENTS)
def edit(patient_id: int):
    patient = _patient(patient_id)
    form, errors = _patient_form(patient), {}
    if request.method == "POST":
        form, schema = request.form, PatientSchema()
        data, errors = parse_form(schema, request.form, **blanks_as_none(schema, request.form))
        if data is not None:
            _, refusal = committed(lambda: patients.update_patient(current_user, patient.id, data))
            if refusal is None:
                return _saved(patient, "Patient details saved.")
            errors = service_errors(refusal)
    status = 422 if errors else 200
    page = render_template("patients/edit.html", patient=patient, form=form, errors=errors)
    return page, status


@bp.post("/<int:patient_id>/coverages")
@role_required(EDIT_PATIENTS)
def add_coverage(patient_id: int):
    patient = _patient(patient_id)
    schema = CoverageSchema()
    data, errors = parse_form(schema, request.form)
    if data is not None:
        _, refusal = committed(lambda: patients.add_coverage(current_user, patient.id, data))
        if refusal is None:
            return _saved(patient, "Coverage added.", _anchor="coverages")
        errors = refusal_errors(refusal, schema.fields)
    return _render_show(patient, "coverage", request.form, errors, 422)


@bp.post("/<int:patient_id>/evidence/<kind>")
@role_required(EDIT_EVIDENCE)
def add_evidence(patient_id: int, kind: str):
    if kind not in EVIDENCE_SCHEMAS:
        abort(404)
    patient = _patient(patient_id)
    schema = EVIDENCE_SCHEMAS[kind]()
    data, errors = parse_form(schema, request.form)
    if data is not None:
        _, refusal = committed(lambda: patients.add_evidence(current_user, patient.id, kind, data))
        if refusal is None:
            done = f"{EVIDENCE_LABELS[kind].capitalize()} recorded."
            back = safe_next(request.form.get("next"))
            return _saved(patient, done, back, _anchor=f"ev-{kind}")
        errors = refusal_errors(refusal, schema.fields)
    return _render_show(patient, kind, request.form, errors, 422)
