"""Payers and their policies per drug code: admins edit, everyone signed in reads."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain.evidence_rules import fmt
from priorauth.domain.turnaround import MIN_DECISIONS
from priorauth.errors import NotFound, ValidationFailed
from priorauth.models import Payer
from priorauth.permissions import EDIT_PAYERS, ensure_role, may, role_required
from priorauth.queries import follow_through, lists, turnaround
from priorauth.queries.paging import page_request
from priorauth.schemas.payers import PayerPatchSchema, PayerSchema, PolicySchema
from priorauth.services import payers
from priorauth.services.clock import clinic_today
from priorauth.services.scope import get_owned
from priorauth.web.commit import committed
from priorauth.web.forms import blanks_as_none, code_options, parse_form, refusal_errors
from priorauth.web.paging import pager

bp = Blueprint("payers", __name__, url_prefix="/payers")

POLICY_LISTS = ("accepted_diagnoses", "preferred_codes")
PAYER_FIELDS = (
    "name",
    "kind",
    "contact",
    "phone",
    "portal_url",
    "fax",
    "preferred_channel",
    "standard_response_days",
    "expedited_response_hours",
    "appeal_window_days",
    "requires_waste_modifiers",
)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


def _as_text(value) -> str:
    """A stored value as form text: lists comma separated, booleans true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, Decimal):
        return fmt(value)
    return str(value)


def _payer(payer_id: int) -> Payer:
    return get_owned(Payer, payer_id, current_user.clinic_id, what="payer")


def _catalog_code(code: str) -> str:
    """The catalog code (upper case), or 404 for a code the catalog does not have."""
    try:
        return payers.drug_code(code).code
    except ValidationFailed as error:
        raise NotFound(error.message) from None


@bp.get("")
def index():
    page = lists.payers(current_user.clinic_id, *page_request(request.args))
    on_file = {p.id: {policy.hcpcs_code for policy in p.policies} for p in page.items}
    return render_template(
        "payers/index.html",
        turnaround=payer_turnaround(current_user.clinic),
        min_decisions=MIN_DECISIONS,
        payers=page.items,
        paging=pager(page),
        on_file=on_file,
        codes=code_options(),
        can_edit=may(EDIT_PAYERS),
    )


def payer_turnaround(clinic) -> dict[int, list]:
    """{payer id: its turnaround rows per code} over the decisions of the last year, the
    ones renewals are timed by (docs/follow-through.md)."""
    since = clinic_today(clinic) - follow_through.HISTORY
    found: dict[int, list] = {}
    for row in turnaround.turnaround_rows(clinic.id, since):
        found.setdefault(row.payer_id, []).append(row)
    return found


def _save_payer(payer: Payer | None):
    """Create (payer None) or update from the posted form -> (redirect or None, errors)."""
    schema = PayerSchema() if payer is None else PayerPatchSchema()
    data, errors = parse_form(schema, request.form, **blanks_as_none(schema, request.form))
    if data is None:
        return None, errors
    if payer is None:
        payer, refusal = committed(lambda: payers.create_payer(current_user, data))
    else:
        _, refusal = committed(lambda: payers.update_payer(current_user, payer.id, data))
    if refusal is not None:
        return None, refusal_errors(refusal, schema.fields)
    flash(f"Payer {payer.name} saved.", "success")
    return redirect(url_for("payers.index", _anchor=f"payer-{payer.id}")), {}


@bp.route("/new", methods=["GET", "POST"])
@role_required(EDIT_PAYERS)
def new():
    form, errors = {"kind": "commercial", "requires_waste_modifiers": "true"}, {}
    if request.method == "POST":
        form = request.form
        done, errors = _save_payer(None)
        if done is not None:
            return done
    page = render_template("payers/form.html", payer=None, form=form, errors=errors)
    return page, 422 if errors else 200


@bp.route("/<int:payer_id>/edit", methods=["GET", "POST"])
@role_required(EDIT_PAYERS)
def edit(payer_id: int):
    payer = _payer(payer_id)
    form, errors = {name: _as_text(getattr(payer, name)) for name in PAYER_FIELDS}, {}
    if request.method == "POST":
        form = request.form
        done, errors = _save_payer(payer)
        if done is not None:
            return done
    page = render_template("payers/form.html", payer=payer, form=form, errors=errors)
    return page, 422 if errors else 200


def _policy_form(policy) -> dict:
    if policy is None:
        return {"pa_required": "true"}
    names = [n for n, f in PolicySchema().fields.items() if not f.dump_only]
    return {name: _as_text(getattr(policy, name)) for name in names}


def _put_policy(payer: Payer, code: str) -> dict:
    """Replace the policy from the posted form; returns the errors (empty when saved)."""
    schema = PolicySchema()
    extra = blanks_as_none(schema, request.form)
    data, errors = parse_form(schema, request.form, list_fields=POLICY_LISTS, **extra)
    if data is None:
        return errors
    _, refusal = committed(lambda: payers.put_policy(current_user, payer.id, code, data))
    return {} if refusal is None else refusal_errors(refusal, schema.fields)


@bp.route("/<int:payer_id>/policies/<code>", methods=["GET", "POST"])
def policy(payer_id: int, code: str):
    payer, code = _payer(payer_id), _catalog_code(code)
    current = payers.find_policy(payer.id, code)
    form, errors = _policy_form(current), {}
    if request.method == "POST":
        ensure_role(current_user, EDIT_PAYERS)
        form, errors = request.form, _put_policy(payer, code)
        if not errors:
            flash(f"Policy of {payer.name} for {code} saved.", "success")
            return redirect(url_for("payers.policy", payer_id=payer.id, code=code))
    context = {
        "payer": payer,
        "code": code,
        "policy": current,
        "form": form,
        "errors": errors,
        "codes": code_options(),
        "on_file": {p.hcpcs_code for p in payer.policies},
        "can_edit": may(EDIT_PAYERS),
    }
    return render_template("payers/policy.html", **context), 422 if errors else 200
