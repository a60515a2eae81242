"""The dashboard (work queues with counts, the pipeline and the next eight weeks) and the list
of one work queue: filtered, sorted, paged, all in the URL. What each queue holds, its title,
columns, default order and roles come from the registry in priorauth/domain/queues.py."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from priorauth.domain import queues as registry
from priorauth.queries import charts, dashboard, escalations, owner_sql
from priorauth.queries.paging import page_request
from priorauth.queries.revenue import revenue_at_risk
from priorauth.services.clock import clinic_now
from priorauth.web import owners
from priorauth.web.authorizations import requirement_label
from priorauth.web.commit import committed
from priorauth.web.paging import pager

bp = Blueprint("home", __name__)
bp.add_app_template_global(charts.units_bar, "units_bar")


def _queues() -> dashboard.ClinicQueues:
    """The queues at the clinic's now; the facts it found stale are refreshed and committed."""
    clinic = current_user.clinic
    queues, _ = committed(lambda: dashboard.ClinicQueues(clinic, clinic_now(clinic)))
    return queues


@bp.route("/")
@login_required
def index():
    queues = _queues()
    first, rest = registry.ordered_for(current_user.role)
    weeks = charts.weeks_ahead(current_user.clinic_id, queues.today)
    return render_template(
        "home.html",
        counts=queues.counts(),
        flagged=queues.flagged(),
        unowned=queues.unowned(),  # open requests nobody owns, per queue (web/owners.py)
        escalated=escalations.count(current_user.clinic_id, queues.today),  # follow-through
        first=first,
        rest=rest,
        titles={name: queues.title(name) for name in registry.DASHBOARD},
        descriptions={name: queues.description(name) for name in registry.DASHBOARD},
        today=queues.today,
        pipeline=charts.hbar_chart(charts.pipeline_counts(current_user.clinic_id, queues.today)),
        weeks=weeks,
        weeks_chart=charts.weeks_chart(weeks),
        weeks_summary=charts.weeks_summary(weeks),
        revenue=revenue_at_risk(current_user.clinic_id, queues.today, detail=False),
    )


def _ordering(queue: registry.Queue) -> tuple[str, str]:
    """The ?sort= column and ?dir= asked for, else the queue's default."""
    sort, direction = queue.default_sort
    asked = request.args.get("sort")
    if asked in dict(queue.columns):
        sort, direction = asked, "asc"
    if request.args.get("dir") in ("asc", "desc"):
        direction = request.args["dir"]
    return sort, direction


def queue_filters(queue: registry.Queue) -> dict:
    """What the queue page's URL asks for (?q=, ?sort=, ?dir=, ?owner=), as the keywords of
    ClinicQueues.every_row (the page's CSV download)."""
    sort, direction = _ordering(queue)
    text = request.args.get("q", "").strip()[:100]
    owner = owner_sql.parse_owner(request.args.get("owner"), current_user.id)
    return {"text": text, "sort": sort, "descending": direction == "desc", "owner": owner}


@bp.get("/queues/<name>")
@login_required
def queue(name: str):
    found = registry.BY_NAME.get(name)
    if found is None or not found.on_dashboard:
        abort(404)
    queues = _queues()
    sort, direction = _ordering(found)
    text = request.args.get("q", "").strip()[:100]
    owned = owners.queue_context(found)  # ?owner=, the Owner column, bulk reassign
    page = queues.page(
        name, text, sort, direction == "desc", *page_request(request.args), owner=owned["owner"]
    )
    return render_template(
        "queues/show.html",
        name=name,
        title=queues.title(name),
        description=queues.description(name),
        columns=found.columns,
        sort=sort,
        direction=direction,
        text=text,
        today=queues.today,
        page=page,
        pager=pager(page),
        requirement_label=requirement_label,
        **owned,
    )
