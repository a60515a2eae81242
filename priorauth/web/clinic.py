"""The clinic's settings page (admins edit; everyone may read)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.permissions import EDIT_CLINIC, may, role_required
from priorauth.schemas.clinics import ClinicSettingsSchema
from priorauth.services import accounts
from priorauth.web.commit import committed
from priorauth.web.forms import parse_form, refusal_errors

bp = Blueprint("clinic", __name__, url_prefix="/clinic")
FIELDS = tuple(ClinicSettingsSchema().fields)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


def _current() -> dict:
    values = {name: getattr(current_user.clinic, name) for name in FIELDS}
    return {name: "" if value is None else str(value) for name, value in values.items()}


def _cleared() -> dict:
    """A subdivision posted blank clears it (blank inputs are otherwise left unchanged)."""
    posted = request.form.get("holiday_subdivision")
    return {"holiday_subdivision": None} if posted is not None and not posted.strip() else {}


@bp.get("")
def settings():
    return render_template(
        "clinic/settings.html", form=_current(), errors={}, can_edit=may(EDIT_CLINIC)
    )


@bp.post("")
@role_required(EDIT_CLINIC)
def save():
    schema = ClinicSettingsSchema()
    data, errors = parse_form(schema, request.form, **_cleared())
    if data is not None:
        _, refusal = committed(lambda: accounts.update_clinic(current_user, data))
        errors = refusal_errors(refusal, schema.fields) if refusal else {}
    if errors:
        return render_template(
            "clinic/settings.html", form=request.form, errors=errors, can_edit=True
        ), 422
    flash(
        "Clinic settings saved; the scheduler picks up a new digest hour within 15 minutes.",
        "success",
    )
    return redirect(url_for("clinic.settings"))
