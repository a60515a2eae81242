"""The audit page (admins): who viewed or changed which record, and every sign-in, searchable.

A patient is found by MRN through a POSTed form that redirects to ?patient_id=N, so an MRN
never lands in a URL (nor in access logs); the id in the URL is not PHI.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain import vocab
from priorauth.errors import AppError
from priorauth.extensions import db
from priorauth.models import Patient, User
from priorauth.permissions import VIEW_AUDIT, role_required
from priorauth.queries.paging import DEFAULT_PER_PAGE, Page, page_request
from priorauth.schemas.audit import ACTION_KINDS, AuditFilterSchema, AuditPageQuery
from priorauth.services import audit
from priorauth.services.coverage_check import find_patient
from priorauth.services.scope import scoped
from priorauth.web.forms import parse_form, search_text, service_errors
from priorauth.web.paging import pager

bp = Blueprint("audit", __name__, url_prefix="/audit")

FILTERS = ("patient_id", "user_id", "action", "since", "until")
# Records with a page of their own: label, endpoint, the endpoint's id argument.
PAGES = {
    "patients": ("Patient", "patients.show", "patient_id"),
    "authorization_requests": ("Request", "authorizations.show", "auth_id"),
    "infusions": ("Infusion", "infusions.show", "infusion_id"),
    "payers": ("Payer", "payers.edit", "payer_id"),
    "users": ("Staff member", "staff.show", "user_id"),
    "import_jobs": ("Spreadsheet import", "imports.show", "job_id"),
}
LABELS = {
    "coverages": "Coverage",
    "lab_results": "Lab result",
    "oral_iron_trials": "Oral iron trial",
    "ckd_statuses": "CKD status",
    "diagnoses": "Diagnosis",
    "prior_therapies": "Prior product",
    "payer_policies": "Payer policy",
    "eligibility_checks": "Eligibility check",
    "clinics": "Clinic settings",
}
MAX_FIELDS = 6


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


# How an event reads on the page


def _words(name: str) -> str:
    return name.replace("_", " ")


def summary(event) -> str:
    """What happened, in words: the change of status, or which fields (never their values)."""
    if event.action == audit.VIEWED:
        return f"Viewed the {event.note}" if event.note else "Viewed the record"
    text = _words(event.action).capitalize()
    if event.to_status:
        start = f"{vocab.label(event.from_status).lower()} → " if event.from_status else "as "
        return f"{text}: {start}{vocab.label(event.to_status).lower()}"
    fields = [_words(k) for k in (event.changes or {}) if k != "kind"]
    if fields:
        more = len(fields) - MAX_FIELDS
        shown = ", ".join(fields[:MAX_FIELDS]) + (f" and {more} more" if more > 0 else "")
        return f"{text}: {shown}"
    return text


def record_link(event) -> tuple[str, str | None]:
    """The record an event is about, as (label, link or None)."""
    label, endpoint, arg = PAGES.get(event.entity_type, (None, None, None))
    if label is None:
        label = LABELS.get(event.entity_type, _words(event.entity_type).capitalize())
        if event.patient_id is None:
            return f"{label} #{event.entity_id}", None
        endpoint, arg, ident = "patients.show", "patient_id", event.patient_id
    else:
        ident = event.entity_id
    link = url_for(endpoint, **{arg: ident}) if endpoint in current_app.view_functions else None
    return f"{label} #{event.entity_id}", link


def initials(patient: Patient) -> str:
    return f"{patient.first_name[:1]}.{patient.last_name[:1]}.".upper()


# Data for the page


def _staff_options() -> list[tuple[int, str]]:
    """Everyone of the clinic, former staff too (their past access stays searchable)."""
    query = scoped(User, current_user.clinic_id).order_by(User.name, User.id)
    return [
        (u.id, f"{u.name} ({vocab.label(u.role).lower()}{'' if u.active else ', inactive'})")
        for u in db.session.scalars(query)
    ]


def _patients_of(events) -> dict[int, Patient]:
    ids = {e.patient_id for e in events if e.patient_id is not None}
    if not ids:
        return {}
    rows = db.session.scalars(scoped(Patient, current_user.clinic_id).where(Patient.id.in_(ids)))
    return {p.id: p for p in rows}


def _in_url(filters: dict) -> dict[str, str]:
    """The filters as URL parameters (dates as ISO days), for the pager and the redirect."""
    return {k: str(filters[k]) for k in FILTERS if filters.get(k) not in (None, "")}


def _rows(filters: dict) -> Page:
    """The page of events the filters ask for (rows per page from ?per_page=)."""
    _, per_page = page_request(request.args)
    page = filters.get("page", 1)
    events = audit.search(current_user.clinic, filters, per_page, (page - 1) * per_page)
    return Page(events, audit.count(current_user.clinic, filters), page, per_page)


def _render(filters: dict, errors: dict | None = None, form=None, status: int = 200):
    """The page for valid filters (or, with `errors`, the filter form and no rows)."""
    chosen = {} if errors else audit.filter_rows(current_user.clinic_id, filters)
    page = Page([], 0, 1, DEFAULT_PER_PAGE) if errors else _rows(filters)
    events = page.items
    context = {
        "events": events,
        "patients": _patients_of(events),
        "patient": chosen.get("patient_id"),
        "staff_options": _staff_options(),
        "every_patient_url": url_for("audit.index", **_in_url({**filters, "patient_id": None})),
        "kinds": ACTION_KINDS,
        "form": form if form is not None else _in_url(filters),
        "errors": errors or {},
        "paging": pager(page),
        "summary": summary,
        "record_link": record_link,
        "initials": initials,
    }
    return render_template("audit/index.html", **context), status


# Views


@bp.get("")
@role_required(VIEW_AUDIT)
def index():
    filters, errors = parse_form(AuditPageQuery(), request.args)
    if filters is None:
        return _render({}, errors, form=request.args, status=422)
    return _render(filters)


@bp.post("/patient")
@role_required(VIEW_AUDIT)
def find_by_mrn():
    """The MRN box: find the clinic's patient and show their events by id (no MRN in URLs)."""
    kept, errors = parse_form(AuditFilterSchema(), request.form)
    if kept is None:
        return _render({}, errors, form=request.form, status=422)
    mrn = search_text(request.form.get("mrn"), limit=50)
    if not mrn:  # an empty box clears the patient filter
        return redirect(url_for("audit.index", **_in_url({**kept, "patient_id": None})))
    try:
        patient = find_patient(current_user.clinic_id, None, mrn)
    except AppError as error:
        form = {**_in_url(kept), "mrn": mrn}
        return _render(kept, service_errors(error), form=form, status=422)
    return redirect(url_for("audit.index", **{**_in_url(kept), "patient_id": patient.id}))
