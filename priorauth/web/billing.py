"""The billing worklist (billing and admin): administrations by date of service with their
claim lines and status, marking them billed, and the claim lines of a date range as CSV."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.permissions import BILLING, role_required
from priorauth.queries import billing as queries
from priorauth.queries.paging import page_request
from priorauth.schemas.billing import STATUS_WORDS, BillingFilterSchema, MarkBilledSchema
from priorauth.services import audit
from priorauth.services.billing import mark_billed
from priorauth.services.clock import clinic_today, now_utc
from priorauth.web.commit import committed
from priorauth.web.forms import parse_form, service_errors
from priorauth.web.paging import pager

bp = Blueprint("billing", __name__, url_prefix="/billing")

FILTERS = ("start", "end", "status")
KEPT = (*FILTERS, "page", "per_page")  # carried through marking billed, back to the list


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


def _in_url(filters: dict) -> dict[str, str]:
    return {k: str(filters[k]) for k in FILTERS if filters.get(k)}


def _worklist(filters: dict, errors: dict, status: int, source=None):
    """The page; the patients shown are audited as viewed (written by the caller's commit).
    `source`: where the page number and size come from (the URL, or a refused POST)."""
    source = request.args if source is None else source
    today = clinic_today(current_user.clinic)
    page_number, per_page = page_request(source)
    page = queries.worklist(current_user.clinic_id, filters, today, page_number, per_page)
    audit.viewed_all(current_user, [claim.infusion for claim in page.items], "billing worklist")
    start, end = queries.date_range(filters, today)
    return render_template(
        "billing/index.html",
        page=page,
        paging=pager(page) if request.method == "GET" else None,
        form=request.args if errors and request.method == "GET" else _shown(filters, start, end),
        errors=errors,
        summaries=_summaries(errors),
        shown=_shown(filters, start, end),
        statuses=STATUS_WORDS,
        csv_url=url_for("billing.claims_csv", **_in_url({**filters, "start": start, "end": end})),
        kept={k: source[k] for k in KEPT if source.get(k)},
    ), status


def _summaries(errors: dict) -> tuple[dict, dict]:
    """The error summaries atop the page's two forms: (the filters' problems, each linking to
    its field; what stopped marking billed, in sentences)."""
    marking = errors.get("infusion_ids")
    filters = {k: v for k, v in errors.items() if k != "infusion_ids"}
    return filters, ({"_": marking} if marking else {})


def _shown(filters: dict, start, end) -> dict:
    return {**_in_url(filters), "start": start.isoformat(), "end": end.isoformat()}


@bp.get("")
@role_required(BILLING)
def index():
    """The worklist, filtered by the URL (From, To, Status), a page at a time."""
    filters, errors = parse_form(BillingFilterSchema(), request.args)
    if filters is None:
        body, _ = committed(lambda: _worklist({}, errors, 422))
        return body
    body, _ = committed(lambda: _worklist(filters, {}, 200))
    return body


@bp.post("/billed")
@role_required(BILLING)
def billed():
    """Mark the chosen administrations billed (all or none), then back to the same list; a
    refusal shows the list again with what stopped it (nothing is marked)."""
    data, errors = parse_form(MarkBilledSchema(), request.form, ("infusion_ids",))
    status = 422
    if data is not None:
        ids = data["infusion_ids"]
        rows, refusal = committed(lambda: mark_billed(current_user, ids, now_utc()))
        if refusal is None:
            flash(f"Marked billed: {len(rows)} administration{'s' * (len(rows) != 1)}.", "success")
            back = {k: request.form[k] for k in KEPT if request.form.get(k)}
            return redirect(url_for("billing.index", **back))
        errors, status = service_errors(refusal, MarkBilledSchema().fields), refusal.status
    filters, _ = parse_form(BillingFilterSchema(), request.form)
    shown = {"infusion_ids": _in_words(errors)}
    body, _ = committed(lambda: _worklist(filters or {}, shown, status, request.form))
    return body


def _in_words(errors: dict) -> list[str]:
    """The refusal's messages about the chosen administrations, as sentences."""
    found = errors.get("infusion_ids") or errors.get("_") or []
    if isinstance(found, dict) or not found:
        return ["Choose the administrations to mark billed (ticked boxes of ready ones)."]
    return [str(problem) for problem in found]


@bp.get("/claims.csv")
@role_required(BILLING)
def claims_csv():
    """The claim lines of the range (and status) as CSV, one row per line; audited."""
    filters, errors = parse_form(BillingFilterSchema(), request.args)
    if filters is None:
        body, _ = committed(lambda: _worklist({}, errors, 422))
        return body
    today = clinic_today(current_user.clinic)
    found, _ = committed(lambda: _exported(filters, today))
    start, end = queries.date_range(filters, today)
    return Response(
        _csv(queries.line_rows(found)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=claim-lines-{start}-{end}.csv"},
    )


def _exported(filters: dict, today):
    found = queries.claims(current_user.clinic_id, filters, today)
    audit.viewed_all(current_user, [claim.infusion for claim in found], "claim lines export")
    return found


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in queries.CSV_COLUMNS])
    for row in rows:
        writer.writerow([_cell(key, row[key]) for key, _ in queries.CSV_COLUMNS])
    return out.getvalue()


def _cell(key: str, value) -> str:
    """A CSV cell: modifiers joined by spaces, empty for none; a formula is not started."""
    if key == "modifiers":
        return " ".join(value)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
