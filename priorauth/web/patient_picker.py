"""Choosing the patient on the coverage-check form: nothing is chosen for the user.

The box takes an MRN, a name or a member ID. An exact MRN is that patient; otherwise the
patients whose MRN, name or member ID contain the text are found: one is that patient,
several are listed (radio buttons, none checked) to choose from. The form is POSTed, so a
typed name never lands in a URL; a link may name the patient by id (?patient_id=, not PHI).
"""

from __future__ import annotations

from contextlib import suppress

from flask_login import current_user

from priorauth.errors import AppError, ValidationFailed
from priorauth.models import Patient
from priorauth.queries.paging import Page
from priorauth.queries.search import find_patients
from priorauth.services.coverage_check import find_patient
from priorauth.web.forms import search_text

CHOICES = 25  # more matches than this: the list says so and asks for more of the name


def _picked(form) -> int | None:
    text = str(form.get("patient_id") or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def choose(form) -> tuple[Patient | None, Page | None]:
    """-> (the patient, None) or (None, the matches to choose from); refusals name `mrn`."""
    picked, text = _picked(form), search_text(form.get("mrn"))
    try:
        return find_patient(current_user.clinic_id, picked, None if picked else text), None
    except AppError:
        if picked or not text:
            raise
    found = find_patients(current_user.clinic_id, text, 1, CHOICES)
    if found.total == 0:
        raise ValidationFailed.on(
            "mrn", f"no patient with MRN {text}, nor a name or member ID like it"
        )
    if found.total == 1:
        return found.items[0], None
    return None, found


def several(form) -> Page | None:
    """The patients to choose from when the text matches several, else None."""
    try:
        return choose(form)[1]
    except AppError:
        return None


def prefilled(args) -> dict:
    """A GET form (?patient_id=&hcpcs_code=&service_date=&dose_mg=) with the patient's MRN in
    the box; an unknown or another clinic's id is left out (not an error on a link)."""
    form = {k: v for k, v in args.items() if k != "patient_id"}
    picked = _picked(args)
    if picked:
        with suppress(AppError):
            form["mrn"] = find_patient(current_user.clinic_id, picked, None).mrn
    return form
