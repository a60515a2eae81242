"""Authorization requests: the list, a new request, the request page (checklist, next steps,
history) and editing a draft or pended request."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain import x12
from priorauth.domain.vocab import label
from priorauth.domain.workflow import STORED_STATUSES, allowed_transitions
from priorauth.models import AuthorizationRequest, Patient
from priorauth.permissions import (
    EDIT_AUTHORIZATIONS,
    EDIT_EVIDENCE,
    EDIT_PAYERS,
    may,
    role_required,
)
from priorauth.queries import lists
from priorauth.queries.paging import page_request
from priorauth.queries.runway import authorization_runway
from priorauth.queries.search import find_patients
from priorauth.schemas.authorizations import (
    CHANNELS,
    DENIAL_REASONS,
    AuthorizationInSchema,
    AuthorizationPatchSchema,
    TransitionSchema,
)
from priorauth.schemas.patients import EVIDENCE_LABELS
from priorauth.services import audit, authorizations, transitions
from priorauth.services.authorizations import EDITABLE
from priorauth.services.clock import clinic_today, utcnow
from priorauth.services.scope import get_owned
from priorauth.services.usage import AuthorizationView
from priorauth.web.attachments import documents_context
from priorauth.web.commit import committed
from priorauth.web.forms import (
    blanks_as_none,
    code_options,
    parse_form,
    refusal_errors,
    search_text,
    unconfirmed_over_approval,
)
from priorauth.web.paging import pager

bp = Blueprint("authorizations", __name__, url_prefix="/authorizations")

LIST_FIELDS = ("diagnosis_codes",)
STATUS_OPTIONS = [(s.value, label(s)) for s in STORED_STATUSES]
REQUIREMENT_LABELS = {
    "PAYER_POLICY": "Payer policy on file",
    "PRIOR_AUTHORIZATION": "Prior authorization",
    "DIAGNOSIS_SUPPORTED": "Diagnosis supported",
    "ORAL_IRON_TRIAL": "Oral iron trial",
    "CKD_STATUS": "CKD status",
    "IRON_LABS": "Iron labs (ferritin, TSAT)",
    "HEMOGLOBIN": "Hemoglobin",
    "LABS_RECENT": "Labs recent enough",
    "STEP_THERAPY": "Step therapy (preferred products first)",
    "DOSE_PER_ADMINISTRATION": "Dose per administration",
    "DOSE_PER_AUTHORIZATION": "Total dose of the authorization",
    "ADMINISTRATIONS": "Number of administrations",
}


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


def _today():
    return clinic_today(current_user.clinic)


def requirement_label(code: str) -> str:
    return REQUIREMENT_LABELS.get(code) or code.replace("_", " ").capitalize()


def _auth(auth_id: int) -> AuthorizationView:
    """The request with its units use and status as of today (the row is `.auth`)."""
    return authorizations.get_authorization(current_user.clinic_id, auth_id, _today())


@bp.get("")
def index():
    """The requests, newest first, a page at a time; ?status= and ?patient_id= (the patient
    page's "All requests of this patient") filter them and stay in the pager's links."""
    filters = list_filters(request.args)
    status = filters["status"] or ""
    patient = _chosen_patient(request.args.get("patient_id"))
    page = lists.authorizations(
        current_user.clinic_id, _today(), *page_request(request.args), **filters
    )
    return render_template(
        "authorizations/index.html",
        rows=page.items,
        paging=pager(page),
        status=status,
        patient=patient,
        status_options=STATUS_OPTIONS,
        can_edit=may(EDIT_AUTHORIZATIONS),
    )


def list_filters(args) -> dict:
    """The list's filters asked for by the URL (the page and its CSV download): a stored
    status (an unknown one: none), a patient of the clinic (another clinic's: 404)."""
    status = args.get("status", "")
    patient = _chosen_patient(args.get("patient_id"))
    return {
        "status": status if status in dict(STATUS_OPTIONS) else None,
        "patient_id": patient.id if patient else None,
    }


def _chosen_patient(raw) -> Patient | None:
    """The patient named by ?patient_id= (404 when another clinic's), None when not given."""
    if not raw or not str(raw).isdigit():
        return None
    return get_owned(Patient, int(raw), current_user.clinic_id, what="patient")


def _coverage_options(patient: Patient | None) -> list[tuple[int, str]]:
    if patient is None:
        return []
    return [
        (c.id, f"{c.payer.name} · member {c.member_id} · {c.start_date} – {c.end_date or 'open'}")
        for c in patient.coverages
    ]


def _form_page(template: str, patient, form, errors, **context):
    context |= {
        "patient": patient,
        "form": form,
        "errors": errors,
        "coverage_options": _coverage_options(patient),
        "code_options": code_options(),
    }
    return render_template(template, **context), 422 if errors else 200


def _prefill(patient: Patient) -> dict:
    """The new form's first values; ?hcpcs_code= picks the drug (a catalog code only)."""
    form = {"requested_start": _today().isoformat(), "administrations": "1", "urgency": "standard"}
    code = request.args.get("hcpcs_code", "").strip().upper()
    if code in dict(code_options()):
        form["hcpcs_code"] = code
    if len(patient.coverages) == 1:
        form["coverage_id"] = str(patient.coverages[0].id)
    return form


def _pick_page():
    """Step one: find the patient by MRN, name or member ID. The text is POSTed (no name in
    a URL); each match links to the form with ?patient_id= (an id is not PHI)."""
    text = search_text(request.form.get("patient_q")) if request.method == "POST" else ""
    errors, found = {}, None
    if request.method == "POST" and not text:
        errors = {"patient_q": ["type the patient's MRN, name or member ID"]}
    elif text:
        page = find_patients(current_user.clinic_id, text, *page_request(request.form))
        found = pager(page, post=True)
    context = {"found": found, "hcpcs_code": request.values.get("hcpcs_code", "")}
    return _form_page("authorizations/new.html", None, {"patient_q": text}, errors, **context)


@bp.route("/new", methods=["GET", "POST"])
@role_required(EDIT_AUTHORIZATIONS)
def new():
    """A new request: choose the patient (nothing chosen for you), then the request's fields."""
    source = request.form if request.method == "POST" else request.args
    patient = _chosen_patient(source.get("patient_id"))
    if patient is None and "patient_id" not in request.form:
        return _pick_page()
    if request.method == "GET":
        return _form_page("authorizations/new.html", patient, _prefill(patient), {})
    schema = AuthorizationInSchema()
    data, errors = parse_form(schema, request.form, list_fields=LIST_FIELDS)
    if data is not None:
        auth, refusal = committed(lambda: authorizations.create_authorization(current_user, data))
        if refusal is None:
            flash(f"Request #{auth.id} logged as a draft.", "success")
            return redirect(url_for("authorizations.show", auth_id=auth.id))
        errors = refusal_errors(refusal, schema.fields)
    return _form_page("authorizations/new.html", patient, request.form, errors, found=None)


def _step_defaults(auth: AuthorizationRequest, step: str) -> dict:
    """What each next-step form starts with."""
    if step == "submitted":
        return {
            "channel": auth.submission_channel or "",
            "payer_reference": auth.payer_reference or "",
        }
    if step in ("approved", "partially_approved"):
        return {
            "approved_units": str(auth.units_requested) if step == "approved" else "",
            "approved_administrations": str(auth.administrations),
            "approved_start": auth.requested_start.isoformat(),
            "approved_end": auth.requested_end.isoformat(),
        }
    return {}


def _render_show(auth: AuthorizationView, step=None, form=None, errors=None, status=200):
    """The request page; `step` names the next-step form that failed, shown with its errors."""
    steps = [s.value for s in allowed_transitions(auth.status)]
    step_forms = {s: _step_defaults(auth.auth, s) for s in steps}
    if step in step_forms:
        step_forms[step] = form
    context = {
        "auth": auth,
        "checklist": authorizations.checklist_for(auth.auth, _today()),
        "steps": steps,
        "step_forms": step_forms,
        "failed_step": step,
        "step_errors": errors or {},
        "history": audit.history("authorization_requests", auth.id, current_user.clinic_id),
        "editable": auth.status in EDITABLE,
        "evidence_labels": EVIDENCE_LABELS,
        "requirement_label": requirement_label,
        "channels": [(c, c.capitalize()) for c in CHANNELS],
        "denial_reasons": list(DENIAL_REASONS.items()),
        "denial_labels": DENIAL_REASONS,
        "x12": x12,  # the payer's X12 action codes: choices per step, meanings
        "can_edit": may(EDIT_AUTHORIZATIONS),
        "can_add_evidence": may(EDIT_EVIDENCE),
        "can_edit_payers": may(EDIT_PAYERS),
        "runway": authorization_runway(current_user, auth.id),
        **after_approval.context(auth, step, form),
        **send_packet.context(auth, step, form, errors),
        **follow_up_page.context(auth, step, form),
        **documents_context(auth.auth.patient_id, auth.id),
    }
    return render_template("authorizations/show.html", **context), status


@bp.get("/<int:auth_id>")
def show(auth_id: int):
    """The request page; the view is audited (written with the commit after rendering)."""
    auth = _auth(auth_id)
    audit.viewed(current_user, auth.auth)
    page, _ = committed(lambda: _render_show(auth))
    return page


@bp.post("/<int:auth_id>/transition")
@role_required(EDIT_AUTHORIZATIONS)
def transition(auth_id: int):
    auth, schema = _auth(auth_id), TransitionSchema()
    data, errors = parse_form(schema, request.form)
    status = 422
    if data is not None:
        errors = unconfirmed_over_approval(data, auth.units_requested, request.form)
    if data is not None and not errors:
        moved, refusal = committed(
            lambda: transitions.transition(current_user, auth.id, data, utcnow(), _today())
        )
        if refusal is None:
            flash(f"Request #{moved.id} is now {label(moved.status).lower()}.", "success")
            return redirect(url_for("authorizations.show", auth_id=auth.id))
        errors, status = refusal_errors(refusal, schema.fields), refusal.status
    return _render_show(_auth(auth_id), request.form.get("to"), request.form, errors, status)


def _request_form(auth: AuthorizationRequest) -> dict:
    return {
        "coverage_id": str(auth.coverage_id),
        "hcpcs_code": auth.hcpcs_code,
        "dose_mg": format(auth.dose_mg.normalize(), "f"),
        "administrations": str(auth.administrations),
        "requested_start": auth.requested_start.isoformat(),
        "requested_end": auth.requested_end.isoformat(),
        "diagnosis_codes": ", ".join(auth.diagnosis_codes or []),
        "urgency": auth.urgency,
        "ordering_provider": auth.ordering_provider or "",
        "notes": auth.notes or "",
    }


@bp.route("/<int:auth_id>/edit", methods=["GET", "POST"])
@role_required(EDIT_AUTHORIZATIONS)
def edit(auth_id: int):
    auth = _auth(auth_id)
    if auth.status not in EDITABLE:
        flash(f"A {label(auth.status).lower()} request cannot be edited.", "error")
        return redirect(url_for("authorizations.show", auth_id=auth.id))
    form, errors = _request_form(auth.auth), {}
    if request.method == "POST":
        form, schema = request.form, AuthorizationPatchSchema()
        extra = blanks_as_none(schema, request.form)
        data, errors = parse_form(schema, request.form, list_fields=LIST_FIELDS, **extra)
        if data is not None:
            _, refusal = committed(
                lambda: authorizations.update_authorization(current_user, auth.id, data)
            )
            if refusal is None:
                flash(f"Request #{auth.id} saved.", "success")
                return redirect(url_for("authorizations.show", auth_id=auth.id))
            errors = refusal_errors(refusal, schema.fields)
    return _form_page("authorizations/edit.html", auth.patient, form, errors, auth=auth)


# The views after an approval (renew, payer change) are on this blueprint, in web/renewals.py.
from priorauth.web import follow_ups as follow_up_page  # noqa: E402
from priorauth.web import packets as send_packet  # noqa: E402
from priorauth.web import renewals as after_approval  # noqa: E402
