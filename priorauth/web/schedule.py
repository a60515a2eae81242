"""Pages: the day / week schedule with coverage badges, and the coverage check that books."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain.vocab import InfusionStatus
from priorauth.errors import AppError
from priorauth.permissions import BOOK_INFUSIONS, may, role_required
from priorauth.queries import schedule as week_view
from priorauth.schemas.infusions import BookingSchema, CoverageQuestionSchema
from priorauth.services import coverage_check as coverage_questions
from priorauth.services import infusions, reference
from priorauth.services.clock import clinic_today
from priorauth.web import patient_picker
from priorauth.web.commit import committed
from priorauth.web.fixes import fix_link
from priorauth.web.forms import parse_form, service_errors

bp = Blueprint("schedule", __name__, url_prefix="/schedule")
bp.add_app_template_global(fix_link, "fix_link")

VIEWS = {"day": 1, "week": 7}
STATUSES = InfusionStatus.choices()


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


def _start_date(text: str | None, today: date) -> date:
    try:
        return date.fromisoformat(text) if text else today
    except ValueError:
        return today


def chosen_range(args, today: date) -> tuple[str, date, date, str]:
    """(view, first day, last day, status) asked for by ?view=, ?start=, ?status= (the page
    and its CSV download); anything unknown falls back to today's day view, every status."""
    view = args.get("view") if args.get("view") in VIEWS else "day"
    start = _start_date(args.get("start"), today)
    status = args.get("status") if args.get("status") in dict(STATUSES) else ""
    return view, start, start + timedelta(days=VIEWS[view] - 1), status


@bp.get("")
def index():
    today = clinic_today(current_user.clinic)
    view, start, end, status = chosen_range(request.args, today)
    days = VIEWS[view]
    rows = week_view.schedule(current_user.clinic_id, start, end, status or None, today=today)
    return render_template(
        "schedule/index.html",
        rows=rows,
        view=view,
        start=start,
        end=end,
        status=status,
        statuses=STATUSES,
        prev_start=start - timedelta(days=days),
        next_start=start + timedelta(days=days),
    )


def _page(form, errors, result=None, status=200, candidates=None):
    """The coverage-check page: the question, its answer in place, and the booking form;
    `candidates`: the patients matching the typed text, to choose from (patient_picker)."""
    if result is not None:  # the box then names the patient answered for, by MRN
        form = {**dict(form.items()), "mrn": result.patient.mrn}
    return render_template(
        "schedule/coverage_check.html",
        form=form,
        errors=errors,
        result=result,
        candidates=candidates,
        code_options=[(c.code, f"{c.code} · {c.drug} ({c.brand})") for c in reference.catalog()],
        can_book=may(BOOK_INFUSIONS),
    ), status


def _answer(form):
    """-> (result, errors): the patient found by MRN or pick, then the coverage check."""
    try:
        patient, candidates = patient_picker.choose(form)
    except AppError as error:  # no patient: still say what else is wrong, all at once
        _, errors = parse_form(CoverageQuestionSchema(), form, patient_id=1)
        return None, {**service_errors(error), **errors}
    if patient is None:
        return None, {"patient_id": ["several patients match: choose one"]}
    data, errors = parse_form(CoverageQuestionSchema(), form, patient_id=patient.id)
    if data is None:
        return None, errors
    try:
        return coverage_questions.check(current_user.clinic_id, patient, data), {}
    except AppError as error:
        return None, service_errors(error)


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


@bp.route("/coverage-check", methods=["GET", "POST"])
def coverage_check():
    if request.method == "GET":
        return _page(patient_picker.prefilled(request.args), {})
    candidates = patient_picker.several(request.form)
    if candidates is not None:  # several patients match the text: list them, none chosen
        return _page(request.form, {}, candidates=candidates)
    result, errors = _answer(request.form)
    return _page(request.form, errors, result, 422 if errors else 200)


def _booking(form) -> tuple[dict | None, dict]:
    """The booking form: date and time of day become scheduled_at."""
    day, time = form.get("service_date", "").strip(), form.get("time", "").strip()
    data, errors = parse_form(BookingSchema(), form, scheduled_at=f"{day}T{time}")
    if "scheduled_at" in errors:
        errors["time"] = errors.pop("scheduled_at")
    return data, errors


@bp.post("/book")
@role_required(BOOK_INFUSIONS)
def book():
    data, errors = _booking(request.form)
    if data is not None:
        booked, refusal = committed(lambda: infusions.book(current_user, data))
        if refusal is not None:
            return _refused(refusal)
        infusion, answer = booked
        note = "" if answer.covered else " without coverage (override recorded)"
        flash(f"Infusion booked for {infusion.scheduled_at:%Y-%m-%d %H:%M}{note}.", "success")
        return redirect(url_for("infusions.show", infusion_id=infusion.id))
    result, _ = _answer(request.form)
    return _page(request.form, errors, result, 422)


def _refused(error: AppError):
    """NOT_COVERED: show the answer again, ask for an override reason; 409."""
    result, _ = _answer(request.form)
    errors = service_errors(error)
    if error.code == "NOT_COVERED":
        errors = {"override_reason": ["not covered: give a reason to book it anyway"], **errors}
    return _page(request.form, errors, result, error.status)
