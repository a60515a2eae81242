"""The clinic's settings page (admins edit; everyone may read)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.extensions import db
from priorauth.permissions import EDIT_CLINIC, may, role_required
from priorauth.schemas.clinics import ClinicSettingsSchema
from priorauth.services import accounts
from priorauth.web.forms import parse_form

bp = Blueprint("clinic", __name__, url_prefix="/clinic")
FIELDS = tuple(ClinicSettingsSchema().fields)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


def _current() -> dict:
    return {name: str(getattr(current_user.clinic, name)) for name in FIELDS}


@bp.get("")
def settings():
    return render_template(
        "clinic/settings.html", form=_current(), errors={}, can_edit=may(EDIT_CLINIC)
    )


@bp.post("")
@role_required(EDIT_CLINIC)
def save():
    data, errors = parse_form(ClinicSettingsSchema(), request.form)
    if data is None:
        return render_template(
            "clinic/settings.html", form=request.form, errors=errors, can_edit=True
        ), 422
    accounts.update_clinic(current_user, data)
    db.session.commit()
    flash(
        "Clinic settings saved; the scheduler picks up a new digest hour within 15 minutes.",
        "success",
    )
    return redirect(url_for("clinic.settings"))
