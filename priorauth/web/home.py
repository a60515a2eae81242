"""The dashboard (work queues with counts, the pipeline and the next eight weeks) and the list
of one work queue: sortable, paginated."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from priorauth.services import charts, dashboard
from priorauth.services.clock import clinic_today
from priorauth.web.authorizations import requirement_label

bp = Blueprint("home", __name__)
bp.add_app_template_global(charts.units_bar, "units_bar")

TITLES = {
    "needs_evidence": "Needs evidence",
    "ready_to_submit": "Ready to submit",
    "waiting_on_payer": "Waiting on payer",
    "appeal_open": "Appeal window open",
    "expiring": f"Expiring within {dashboard.EXPIRING_DAYS} days",
    "uncovered_soon": f"Not covered in the next {dashboard.UNCOVERED_DAYS} days",
    "units_low": "Units low",
}
DESCRIPTIONS = {
    "needs_evidence": "Draft or pended requests whose checklist still has items to fix.",
    "ready_to_submit": "Draft or pended requests whose checklist is complete: send them.",
    "waiting_on_payer": "Submitted or appealed requests; the payer's answer is outstanding.",
    "appeal_open": "Denied requests whose appeal deadline has not passed.",
    "expiring": "Approvals that end within the next "
    f"{dashboard.EXPIRING_DAYS} days and are not used up.",
    "uncovered_soon": "Booked infusions whose coverage badge is not “covered”.",
    "units_low": "Approvals whose units left cannot pay for the infusions booked on them.",
}
_REQUEST = (("request", "Request"), ("patient", "Patient"), ("payer", "Payer"), ("code", "Code"))
COLUMNS = {
    "needs_evidence": (
        *_REQUEST,
        ("status", "Status"),
        ("problems", "To fix"),
        ("date", "Requested start"),
    ),
    "ready_to_submit": (*_REQUEST, ("status", "Status"), ("date", "Requested start")),
    "waiting_on_payer": (
        *_REQUEST,
        ("status", "Status"),
        ("submitted", "Submitted"),
        ("date", "Answer due"),
        ("days", "Overdue"),
    ),
    "appeal_open": (*_REQUEST, ("date", "Appeal deadline"), ("days", "Days left")),
    "expiring": (*_REQUEST, ("date", "Ends"), ("days", "Days left"), ("units", "Units left")),
    "uncovered_soon": (
        ("date", "When"),
        ("patient", "Patient"),
        ("code", "Code"),
        ("coverage", "Coverage"),
    ),
    "units_low": (*_REQUEST, ("date", "Ends"), ("units", "Units short")),
}
DEFAULT_SORT = {
    "needs_evidence": ("date", "asc"),
    "ready_to_submit": ("date", "asc"),
    "waiting_on_payer": ("days", "desc"),
    "appeal_open": ("days", "asc"),
    "expiring": ("days", "asc"),
    "uncovered_soon": ("date", "asc"),
    "units_low": ("units", "desc"),
}


def _queues() -> dashboard.ClinicQueues:
    return dashboard.ClinicQueues(current_user.clinic_id, clinic_today(current_user.clinic))


@bp.route("/")
@login_required
def index():
    queues = _queues()
    first, rest = dashboard.ordered_for(current_user.role)
    weeks = charts.weeks_ahead(current_user.clinic_id, queues.today)
    return render_template(
        "home.html",
        counts=queues.counts(),
        overdue=queues.overdue(),
        first=first,
        rest=rest,
        titles=TITLES,
        descriptions=DESCRIPTIONS,
        today=queues.today,
        pipeline=charts.hbar_chart(charts.pipeline_counts(current_user.clinic_id, queues.today)),
        weeks=weeks,
        weeks_chart=charts.weeks_chart(weeks),
        weeks_summary=charts.weeks_summary(weeks),
    )


def _ordering(name: str) -> tuple[str, str]:
    """The ?sort= column and ?dir= asked for, else the queue's default."""
    sort, direction = DEFAULT_SORT[name]
    asked = request.args.get("sort")
    if asked in dict(COLUMNS[name]):
        sort, direction = asked, "asc"
    if request.args.get("dir") in ("asc", "desc"):
        direction = request.args["dir"]
    return sort, direction


def _page_number() -> int:
    text = request.args.get("page", "1")
    return int(text) if text.isdigit() else 1


@bp.get("/queues/<name>")
@login_required
def queue(name: str):
    if name not in dashboard.QUEUES:
        abort(404)
    queues = _queues()
    sort, direction = _ordering(name)
    rows = dashboard.sort_rows(queues.rows(name), sort, direction == "desc")
    return render_template(
        "queues/show.html",
        name=name,
        title=TITLES[name],
        description=DESCRIPTIONS[name],
        columns=COLUMNS[name],
        sort=sort,
        direction=direction,
        today=queues.today,
        page=dashboard.paginate(rows, _page_number()),
        requirement_label=requirement_label,
    )
