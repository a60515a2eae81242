"""Search from every page: patients by MRN or name, requests by auth number, payer reference
or #id, in the signed-in user's clinic. One exact MRN or auth number opens its page.

The text is POSTed (with the CSRF token): a GET would put it in the URL, the browser history
and every access log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Patient
from priorauth.services.clock import clinic_today
from priorauth.services.patients import search_patients
from priorauth.services.scope import scoped
from priorauth.services.usage import annotate
from priorauth.web.forms import search_text

bp = Blueprint("search", __name__, url_prefix="/search")

LIMIT = 50


def _as_typed(text: str) -> str:
    """ "Last, First" as "First Last", the way the patient search matches a full name."""
    if "," in text:
        last, _, first = text.partition(",")
        return f"{first.strip()} {last.strip()}".strip()
    return text


def _request_id(text: str) -> int | None:
    digits = text.removeprefix("#")
    return int(digits) if digits.isdigit() and len(digits) < 10 else None


def _requests(text: str) -> list[AuthorizationRequest]:
    like = f"%{text.lower()}%"
    matches = [
        sa.func.lower(AuthorizationRequest.auth_number).like(like),
        sa.func.lower(AuthorizationRequest.payer_reference).like(like),
    ]
    if _request_id(text) is not None:
        matches.append(AuthorizationRequest.id == _request_id(text))
    query = (
        scoped(AuthorizationRequest, current_user.clinic_id)
        .options(joinedload(AuthorizationRequest.patient))
        .where(sa.or_(*matches))
        .order_by(AuthorizationRequest.id.desc())
        .limit(LIMIT)
    )
    rows = db.session.scalars(query).all()
    annotate(rows, clinic_today(current_user.clinic))
    return rows


def _exact_page(text: str) -> str | None:
    """The page of the one patient with this MRN or the one request with this auth number."""
    lowered = text.lower()
    clinic_id = current_user.clinic_id
    patients = db.session.scalars(
        scoped(Patient, clinic_id).where(sa.func.lower(Patient.mrn) == lowered).limit(2)
    ).all()
    auths = db.session.scalars(
        scoped(AuthorizationRequest, clinic_id)
        .where(sa.func.lower(AuthorizationRequest.auth_number) == lowered)
        .limit(2)
    ).all()
    if len(patients) == 1 and not auths:
        return url_for("patients.show", patient_id=patients[0].id)
    if len(auths) == 1 and not patients:
        return url_for("authorizations.show", auth_id=auths[0].id)
    return None


@bp.get("")
@login_required
def index():
    """The empty search page; the text is POSTed so that it stays out of URLs and logs."""
    return render_template("search/index.html", q="", patients=[], requests=[], limit=LIMIT)


@bp.post("")
@login_required
def results():
    text = search_text(request.form.get("q"))
    if not text:
        return index()
    exact = _exact_page(text)
    if exact:
        return redirect(exact, code=303)
    return render_template(
        "search/index.html",
        q=text,
        limit=LIMIT,
        patients=search_patients(current_user.clinic_id, _as_typed(text), limit=LIMIT),
        requests=_requests(text),
    )
