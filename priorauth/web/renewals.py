"""After an approval (on the authorizations blueprint): extend or renew it with a new linked
draft, and record a payer's change to the approved dates or units (docs/domain.md §5)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from priorauth.domain.vocab import label
from priorauth.domain.workflow import APPROVED_STATUSES
from priorauth.models import AuthorizationRequest
from priorauth.permissions import EDIT_AUTHORIZATIONS, START_RENEWALS, may, role_required
from priorauth.queries import follow_through
from priorauth.schemas.authorizations import AuthorizationInSchema, PayerChangeSchema
from priorauth.services import audit, authorizations, renewals
from priorauth.services.scope import get_owned
from priorauth.services.usage import AuthorizationView
from priorauth.web.authorizations import (
    LIST_FIELDS,
    _auth,
    _form_page,
    _render_show,
    _request_form,
    _today,
    bp,
    requirement_label,
)
from priorauth.web.commit import committed
from priorauth.web.forms import failed, parse_form, refusal_errors

PAYER_CHANGE = "payer_change"


def _payer_form(auth: AuthorizationRequest) -> dict:
    """The payer-change form starts with the approval as it stands."""
    return {
        "approved_units": str(auth.units_approved or ""),
        "approved_administrations": str(auth.administrations_approved or ""),
        "approved_start": auth.approved_start.isoformat() if auth.approved_start else "",
        "approved_end": auth.approved_end.isoformat() if auth.approved_end else "",
    }


def context(auth: AuthorizationView, step=None, form=None) -> dict:
    """What the request page shows about renewals and payer changes (two queries at most)."""
    approved = auth.status in APPROVED_STATUSES
    timing = renewal_timing(auth) if approved else None
    renews = None
    if auth.renews_id is not None:
        renews = get_owned(AuthorizationRequest, auth.renews_id, auth.clinic_id, what="request")
    return {
        "renews": renews,
        "renewals": renewals.renewals_of(auth.clinic_id, auth.id),
        "can_renew": approved and may(START_RENEWALS),
        "can_change_approval": approved and may(EDIT_AUTHORIZATIONS),
        "payer_form": form if step == PAYER_CHANGE else _payer_form(auth.auth),
        "renewal_timing": timing,
    }


def renewal_timing(auth: AuthorizationView):
    """When this approval's renewal must start, by the payer's turnaround (None: nothing
    needs renewing)."""
    return follow_through.renewal_of(current_user.clinic, auth.auth, _today())[1]


def _renewal_form(old: AuthorizationRequest) -> dict:
    defaults = renewals.renewal_defaults(old)
    start, end = defaults["requested_start"], defaults["requested_end"]
    form = _request_form(old) | {"notes": ""}
    return form | {"requested_start": start.isoformat(), "requested_end": end.isoformat()}


def _renew_page(old: AuthorizationView, form: dict, errors: dict):
    start = renewals.renewal_dates(old.auth)[0]
    as_of = max(_today(), start)
    extra = {
        "auth": old,
        "checklist": authorizations.checklist_for(old.auth, as_of),
        "as_of": as_of,
        "requirement_label": requirement_label,
        "renewal_timing": renewal_timing(old),
    }
    return _form_page("authorizations/renew.html", old.patient, form, errors, **extra)


@bp.route("/<int:auth_id>/renew", methods=["GET", "POST"])
@role_required(START_RENEWALS)
def renew(auth_id: int):
    """Extend or renew an approval: GET shows the prefilled form, POST creates the draft."""
    old = _auth(auth_id)
    if old.status not in APPROVED_STATUSES:
        status = label(old.status).lower()
        flash(f"Only an approved request can be renewed; request #{old.id} is {status}.", "error")
        return redirect(url_for("authorizations.show", auth_id=old.id))
    if request.method == "GET":
        page, _ = committed(lambda: _viewed_renew_page(old))
        return page
    schema = AuthorizationInSchema()
    extra = {"patient_id": old.patient_id}
    data, errors = parse_form(schema, request.form, list_fields=LIST_FIELDS, **extra)
    if data is not None:
        new, refusal = committed(lambda: renewals.renew(current_user, old.id, data))
        if refusal is None:
            flash(f"Request #{new.id} logged as a draft renewing request #{old.id}.", "success")
            return redirect(url_for("authorizations.show", auth_id=new.id))
        errors = refusal_errors(refusal, schema.fields)
    return _renew_page(_auth(auth_id), request.form, errors)


def _viewed_renew_page(old: AuthorizationView):
    """The prefilled renewal form; the view is audited like the request page."""
    page = _renew_page(old, _renewal_form(old.auth), {})
    audit.viewed(current_user, old.auth, note="renewal form")
    return page


@bp.post("/<int:auth_id>/payer-change")
@role_required(EDIT_AUTHORIZATIONS)
def payer_change(auth_id: int):
    """Record the payer's change to the approved dates, units or administrations."""
    auth, schema = _auth(auth_id), PayerChangeSchema()
    if auth.status not in APPROVED_STATUSES:
        return _not_approved(auth)
    data, errors = parse_form(schema, request.form)
    status = 422
    if data is not None:
        changed, refusal = committed(
            lambda: renewals.record_payer_change(current_user, auth.id, data)
        )
        if refusal is None:
            flash(f"The payer's change to request #{changed.id} is recorded.", "success")
            return redirect(url_for("authorizations.show", auth_id=changed.id))
        errors, status = refusal_errors(refusal, schema.fields), refusal.status
    return _render_show(_auth(auth_id), PAYER_CHANGE, request.form, errors, status)


def _not_approved(auth: AuthorizationView):
    """A payer change posted to a request that is not approved: the page has no payer-change
    form to show errors in, so the refusal is said in words on top of it (409, nothing kept)."""
    status = label(auth.status).lower()
    message = (
        "Only an approved request can have its approval changed by the payer; "
        f"request #{auth.id} is {status}: nothing was recorded."
    )
    failed({"_": [message]})  # the page title starts "Error:"
    flash(message, "error")
    return _render_show(auth, status=409)
