"""Pages: one infusion: its coverage, reschedule / cancel / no-show, administration and claim."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain.vocab import EligibilityResult, InfusionStatus, label
from priorauth.errors import AppError
from priorauth.extensions import db
from priorauth.models import Infusion
from priorauth.permissions import (
    BOOK_INFUSIONS,
    RECORD_ADMINISTRATION,
    VERIFY_ELIGIBILITY,
    may,
    role_required,
)
from priorauth.queries.runway import patient_runway
from priorauth.schemas.infusions import (
    AdministrationSchema,
    EligibilitySchema,
    InfusionPatchSchema,
)
from priorauth.services import audit, infusions
from priorauth.services.administration import administer as record_administration
from priorauth.services.clock import clinic_now
from priorauth.services.eligibility import checks_of, record_check
from priorauth.services.scope import get_owned
from priorauth.web.commit import committed
from priorauth.web.forms import parse_form, service_errors

bp = Blueprint("infusions", __name__, url_prefix="/infusions")

DONE = {InfusionStatus.CANCELLED: "cancelled", InfusionStatus.NO_SHOW: "marked as no-show"}
DATE_REQUIRED = "Date and time is required."


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


def _defaults(infusion: Infusion) -> dict:
    """What the reschedule and administration forms start with."""
    return {
        "scheduled_at": infusion.scheduled_at.strftime("%Y-%m-%dT%H:%M"),
        "dose_mg": f"{infusion.dose_mg:f}".rstrip("0").rstrip("."),
        "discarded_mg": "0",
        "container": "multi" if infusion.drug.multi_dose else "single",
        "administered_by": current_user.name,
        "administered_at": min(infusion.scheduled_at, clinic_now(current_user.clinic)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
    }


def _moved(defaults: dict) -> dict:
    """The reschedule form with the date a "move to" link proposes (?scheduled_at=...)."""
    proposed = request.args.get("scheduled_at", "").strip()
    return {**defaults, "scheduled_at": proposed} if proposed else defaults


def _page(infusion_id: int, forms=None, errs=None, status=200):
    infusion = get_owned(Infusion, infusion_id, current_user.clinic_id, what="infusion")
    step = None
    if infusion.status == InfusionStatus.SCHEDULED:
        step = patient_runway(current_user, infusion.patient_id).step_for(infusion.id)
    defaults, forms = _defaults(infusion), forms or {}
    return render_template(
        "infusions/show.html",
        infusion=infusion,
        step=step,
        reschedule_form=forms.get("reschedule", _moved(defaults)),
        admin_form=forms.get("administer", defaults),
        eligibility_form=forms.get("eligibility", {"method": "portal", "result": "active"}),
        checks=checks_of(infusion.id),
        errs=errs or {},
        can_book=may(BOOK_INFUSIONS),
        can_administer=may(RECORD_ADMINISTRATION),
        can_verify=may(VERIFY_ELIGIBILITY),
    ), status


@bp.get("/<int:infusion_id>")
def show(infusion_id: int):
    """The infusion page; the view is audited (written with the commit after rendering)."""
    infusion = get_owned(Infusion, infusion_id, current_user.clinic_id, what="infusion")
    audit.viewed(current_user, infusion)
    page = _page(infusion.id)
    db.session.commit()
    return page


@bp.post("/<int:infusion_id>")
@role_required(BOOK_INFUSIONS)
def update(infusion_id: int):
    """Reschedule (re-checks coverage), cancel or mark no-show (releases the units).
    The reschedule form's date emptied is refused: nothing moves, nothing is audited."""
    data, errors = parse_form(InfusionPatchSchema(), request.form)
    if "scheduled_at" in request.form and not request.form["scheduled_at"].strip():
        data, errors = None, {**errors, "scheduled_at": [DATE_REQUIRED]}
    if data is None:
        return _page(infusion_id, {"reschedule": request.form}, {"reschedule": errors}, 422)
    result, refusal = committed(lambda: infusions.update(current_user, infusion_id, data))
    if refusal is not None:
        errs = {"reschedule": _patch_errors(refusal)}
        return _page(infusion_id, {"reschedule": request.form}, errs, refusal.status)
    flash(_updated_message(*result), "success")
    return redirect(url_for("infusions.show", infusion_id=infusion_id))


def _patch_errors(error: AppError) -> dict:
    errors = service_errors(error)
    if error.code == "NOT_COVERED":
        errors = {"override_reason": ["not covered: give a reason to keep it anyway"], **errors}
    return errors


def _updated_message(infusion: Infusion, answer) -> str:
    if infusion.status in DONE:
        return f"Infusion {DONE[infusion.status]}; its units are released."
    note = "" if answer is None or answer.covered else " without coverage (override recorded)"
    return f"Infusion moved to {infusion.scheduled_at:%Y-%m-%d %H:%M}{note}."


@bp.post("/<int:infusion_id>/administration")
@role_required(RECORD_ADMINISTRATION)
def administer(infusion_id: int):
    """Record what was given; the claim lines (units, JW/JZ, auth number) follow."""
    data, errors = parse_form(AdministrationSchema(), request.form)
    if data is None:
        return _page(infusion_id, {"administer": request.form}, {"administer": errors}, 422)
    now = clinic_now(current_user.clinic)
    done, refusal = committed(lambda: record_administration(current_user, infusion_id, data, now))
    if refusal is not None:
        errors = {"administer": service_errors(refusal, AdministrationSchema().fields)}
        return _page(infusion_id, {"administer": request.form}, errors, refusal.status)
    _, recheck = done
    if recheck is not None:  # given on another day than booked: coverage re-checked
        flash(recheck.note, "warning")
    flash("Administration recorded; the claim lines are below.", "success")
    return redirect(url_for("infusions.show", infusion_id=infusion_id, _anchor="claim"))


@bp.post("/<int:infusion_id>/eligibility")
@role_required(VERIFY_ELIGIBILITY)
def verify(infusion_id: int):
    """Record a re-verification of the patient's insurance for this infusion."""
    data, errors = parse_form(EligibilitySchema(), request.form)
    status = 422
    if data is not None:
        check, refusal = committed(lambda: record_check(current_user, infusion_id, data))
        if refusal is None:
            found = label(check.result, EligibilityResult).lower()
            flash(f"Insurance re-verified: {found}.", "success")
            return redirect(
                url_for("infusions.show", infusion_id=infusion_id, _anchor="eligibility")
            )
        errors, status = service_errors(refusal), refusal.status
    return _page(infusion_id, {"eligibility": request.form}, {"eligibility": errors}, status)
