"""The spreadsheet import pages (front desk and admins; docs/interop.md): upload a CSV or XLSX,
choose its columns when its headers differ from ours, watch its rows being checked (the page's
script drives the steps and moves the progress bar; without it a button does), see the problems
by row and column, import all rows or the valid ones only, and read the result."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain.sheet_columns import FIELDS, JobStatus
from priorauth.extensions import db
from priorauth.models import ImportJob, Payer
from priorauth.permissions import EDIT_AUTHORIZATIONS, role_required
from priorauth.services import sheet_import
from priorauth.services.clock import clinic_today
from priorauth.web.commit import committed
from priorauth.web.forms import service_errors

bp = Blueprint("imports", __name__, url_prefix="/imports")
PROBLEMS_SHOWN = 500
RECENT = 20


@bp.before_request
@login_required
@role_required(EDIT_AUTHORIZATIONS)
def _allowed():
    """Every page here needs a signed-in front desk or admin user."""


def _index(errors: dict, status: int = 200):
    jobs = db.session.scalars(
        sa.select(ImportJob)
        .where(ImportJob.clinic_id == current_user.clinic_id)
        .order_by(ImportJob.id.desc())
        .limit(RECENT)
    ).all()
    headers = sheet_import.template_headers()
    return render_template("imports/index.html", jobs=jobs, errors=errors, headers=headers), status


@bp.get("")
def index():
    """The upload form and the clinic's recent imports."""
    return _index({})


@bp.post("")
def upload():
    """Store the file and guess its columns; then its columns page or its progress."""
    file = request.files.get("file")
    if file is None or not file.filename:
        return _index({"file": ["Choose a CSV or XLSX file."]}, 422)
    content = file.read()
    job, refusal = committed(
        lambda: sheet_import.upload(current_user, current_user.clinic_id, file.filename, content)
    )
    if refusal is not None:
        return _index(refusal.errors, refusal.status)
    if job.status == JobStatus.MAPPING:
        return redirect(url_for("imports.columns", job_id=job.id))
    return redirect(url_for("imports.show", job_id=job.id))


def _job(job_id: int) -> ImportJob:
    return sheet_import.get_job(current_user.clinic_id, job_id)


@bp.get("/<int:job_id>")
def show(job_id: int):
    """Progress while checking, the preview once checked, the result once imported."""
    job = _job(job_id)
    payers = db.session.scalars(
        sa.select(Payer).where(Payer.clinic_id == job.clinic_id).order_by(Payer.name)
    ).all()
    problems = (job.problems or [])[:PROBLEMS_SHOWN]
    return render_template(
        "imports/show.html", job=job, payers=payers, problems=problems, statuses=JobStatus
    )


@bp.route("/<int:job_id>/columns", methods=["GET", "POST"])
def columns(job_id: int):
    """Which field each header of the file fills; remembered for the clinic."""
    job, errors, status = _job(job_id), {}, 200
    if request.method == "POST":
        chosen = {
            h: request.form.get(f"column-{i}") for i, h in enumerate(sheet_import.headers_of(job))
        }
        _, refusal = committed(
            lambda: sheet_import.set_columns(current_user, current_user.clinic_id, job_id, chosen)
        )
        if refusal is None:
            return redirect(url_for("imports.show", job_id=job_id))
        errors, status, job = service_errors(refusal), refusal.status, _job(job_id)
    page = render_template("imports/columns.html", job=job, fields=FIELDS, errors=errors)
    return page, status


@bp.post("/<int:job_id>/payers")
def payers(job_id: int):
    """The clinic's payer chosen for each unknown payer name; the rows are checked again."""
    job = _job(job_id)
    unknown = (job.result or {}).get("unknown_payers", [])
    chosen = {}
    for index, name in enumerate(unknown):
        value = request.form.get(f"payer-{index}", "")
        chosen[name] = int(value) if value.isdigit() else None
    _, refusal = committed(
        lambda: sheet_import.set_payers(current_user, current_user.clinic_id, job_id, chosen)
    )
    if refusal is not None:
        flash(service_errors(refusal)["_"][0], "error")
    return redirect(url_for("imports.show", job_id=job_id))


def _progress(job: ImportJob) -> dict:
    return {
        "status": job.status,
        "processed_rows": job.processed_rows,
        "total_rows": job.total_rows,
        "problems": len(job.problems or []),
    }


@bp.get("/<int:job_id>/progress")
def progress(job_id: int):
    """The job's progress as JSON (the progress bar reads it)."""
    return jsonify(_progress(_job(job_id)))


@bp.post("/<int:job_id>/check")
def check(job_id: int):
    """Check the next step of rows; JSON progress for the page's script, else back to the page."""
    today = clinic_today(current_user.clinic)
    job, refusal = committed(lambda: sheet_import.check_step(current_user.clinic_id, job_id, today))
    if refusal is not None:
        raise refusal
    if request.accept_mimetypes.best == "application/json":
        return jsonify(_progress(job))
    return redirect(url_for("imports.show", job_id=job_id))


@bp.post("/<int:job_id>/run")
def run(job_id: int):
    """Import all rows (refused while any has a problem) or the valid rows only."""
    valid_only = request.form.get("valid_only") == "1"
    today = clinic_today(current_user.clinic)
    job, refusal = committed(
        lambda: sheet_import.run(current_user, current_user.clinic_id, job_id, valid_only, today)
    )
    if refusal is not None:
        flash(service_errors(refusal)["_"][0], "error")
        return redirect(url_for("imports.show", job_id=job_id))
    flash(f"Imported {job.result['requests']} requests from {job.filename}.", "success")
    return redirect(url_for("imports.show", job_id=job_id))
