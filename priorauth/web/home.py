"""The dashboard (work queues with counts, the pipeline and the next eight weeks) and the list
of one work queue: filtered, sorted, paged, all in the URL. What each queue holds, its title,
columns, default order and roles come from the registry in priorauth/domain/queues.py."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from priorauth.domain import queues as registry
from priorauth.queries import charts, dashboard
from priorauth.queries.paging import page_request
from priorauth.services.clock import clinic_now
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
        first=first,
        rest=rest,
        titles={name: queues.title(name) for name in registry.DASHBOARD},
        descriptions={name: queues.description(name) for name in registry.DASHBOARD},
        today=queues.today,
        pipeline=charts.hbar_chart(charts.pipeline_counts(current_user.clinic_id, queues.today)),
        weeks=weeks,
        weeks_chart=charts.weeks_chart(weeks),
        weeks_summary=charts.weeks_summary(weeks),
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


@bp.get("/queues/<name>")
@login_required
def queue(name: str):
    found = registry.BY_NAME.get(name)
    if found is None or not found.on_dashboard:
        abort(404)
    queues = _queues()
    sort, direction = _ordering(found)
    text = request.args.get("q", "").strip()[:100]
    page = queues.page(name, text, sort, direction == "desc", *page_request(request.args))
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
    )
