"""A payer's allowed amounts per billing unit: admins edit, everyone signed in reads."""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain.evidence_rules import fmt
from priorauth.extensions import db
from priorauth.models import Payer
from priorauth.permissions import EDIT_PAYERS, ensure_role, may
from priorauth.schemas.rates import RatesSchema
from priorauth.services import rates
from priorauth.services.scope import get_owned
from priorauth.web.forms import failed

bp = Blueprint("rates", __name__, url_prefix="/payers")


def _form_of(found: rates.PayerRates) -> dict[str, str]:
    return {r.hcpcs_code: "" if r.dollars_per_unit is None else fmt(r.dollars_per_unit)
            for r in found.rates}  # fmt: skip


def _errors_by_code(messages, codes: list[str]) -> dict[str, list[str]]:
    """The schema's errors ({"rates": {i: {field: [..]}}}) beside each code's input."""
    errors: dict[str, list[str]] = {}
    for index, fields in messages.get("rates", {}).items():
        for problems in fields.values():
            errors.setdefault(codes[index], []).extend(
                f"{codes[index]}: dollars per unit {p}" for p in problems
            )
    return failed(errors)


def _save(payer: Payer, codes: list[str]) -> dict:
    """Replace the rates from the posted form; returns the errors (empty when saved)."""
    raw = [{"hcpcs_code": c, "dollars_per_unit": request.form.get(c, "").strip() or None}
           for c in codes]  # fmt: skip
    try:
        data = RatesSchema().load({"rates": raw})
    except ma.ValidationError as error:
        return _errors_by_code(error.messages, codes)
    rates.put_rates(current_user, payer.id, data["rates"])  # a refusal: the error page
    db.session.commit()
    return {}


@bp.route("/<int:payer_id>/rates", methods=["GET", "POST"])
@login_required
def edit(payer_id: int):
    payer = get_owned(Payer, payer_id, current_user.clinic_id, what="payer")
    found = rates.rates_of(current_user.clinic_id, payer.id)
    form, errors = _form_of(found), {}
    if request.method == "POST":
        ensure_role(current_user, EDIT_PAYERS)
        form, errors = request.form, _save(payer, [r.hcpcs_code for r in found.rates])
        if not errors:
            flash(f"Allowed amounts of {payer.name} saved.", "success")
            return redirect(url_for("rates.edit", payer_id=payer.id))
    page = render_template(
        "payers/rates.html", payer=payer, rates=found.rates, form=form, errors=errors,
        can_edit=may(EDIT_PAYERS),
    )  # fmt: skip
    return page, 422 if errors else 200
