"""The reports: a list, each report's page (an SVG chart with its table) and its CSV, which
holds exactly the rows the chart draws (queries/reports.py). Reports count and sum; they show
no patient, so viewing one writes no audit event (services/audit.viewed is for records)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Blueprint, Response, render_template
from flask_login import current_user, login_required

from priorauth.queries import reports
from priorauth.queries.revenue import revenue_at_risk
from priorauth.services.attention import refresh_stale
from priorauth.services.clock import clinic_today
from priorauth.web.commit import committed

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.app_template_filter("dollars")
def dollars(value: Decimal) -> str:
    """$1,234.50"""
    return f"${value:,.2f}"


@bp.before_request
@login_required
def _signed_in():
    """Every report needs a signed-in user."""


def _report(name: str) -> reports.Report:
    """The report at the clinic's today; the revenue report first refreshes the stored
    coverage facts that time alone made stale (services/attention.refresh_stale)."""
    clinic = current_user.clinic
    today = clinic_today(clinic)
    if name == "revenue":
        committed(lambda: refresh_stale(clinic.id, today))
    return reports.report(name, clinic, today)


@bp.get("")
def index():
    return render_template("reports/index.html", names=reports.NAMES, titles=reports.TITLES)


@bp.get("/<name>")
def show(name: str):
    report = _report(name)
    context = {"report": report, "titles": reports.TITLES}
    if name == "revenue":
        today = clinic_today(current_user.clinic)
        context["revenue"] = revenue_at_risk(current_user.clinic_id, today)
    return render_template("reports/show.html", **context)


def _safe(text: str) -> str:
    """A CSV cell that a spreadsheet will not read as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@bp.get("/<name>.csv")
def download(name: str):
    report = _report(name)
    out = io.StringIO()
    csv.writer(out).writerows([[_safe(c) for c in row] for row in report.csv_rows()])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}.csv"},
    )
