"""CSV downloads of the lists, with the filters the page shows (docs/interop.md): the requests,
a work queue, the schedule, the reminders and the audit trail (the claim lines have theirs on
the billing page, billing.claims_csv). Every row the filters select, streamed: no paging and
no cap. A text cell a spreadsheet would run as a formula is escaped, and each download is one
audit event naming the list and its filters."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import chain

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from priorauth.domain import queues as registry
from priorauth.domain.vocab import label
from priorauth.permissions import VIEW_AUDIT, role_required
from priorauth.queries import dashboard, exports, owner_sql
from priorauth.queries import schedule as week_view
from priorauth.queries.digests import clinic_digest
from priorauth.schemas.audit import AuditPageQuery
from priorauth.services import audit
from priorauth.services.clock import clinic_now, clinic_today, moment
from priorauth.web import audit as audit_page
from priorauth.web import authorizations as requests_page
from priorauth.web import digests as digests_page
from priorauth.web import home, local_time
from priorauth.web import schedule as schedule_page
from priorauth.web.authorizations import requirement_label
from priorauth.web.commit import committed
from priorauth.web.forms import parse_form

bp = Blueprint("exports", __name__, url_prefix="/exports")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORTED = "exported"


@bp.before_request
@login_required
def _signed_in():
    """Every download here needs a signed-in user."""


@bp.app_template_global("csv_url")
def csv_url(endpoint: str, **values) -> str:
    """The download of the list shown, with the page's query string (its filters)."""
    query = request.query_string.decode()
    return url_for(endpoint, **values) + (f"?{query}" if query else "")


# Writing CSV


def cell(value) -> str:
    """A cell's text: days as ISO dates; text that starts like a formula gets a leading
    apostrophe (numbers are numbers, never formulas)."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The header, then each row, as CSV text a line at a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in chain([header], rows):
        writer.writerow([cell(value) for value in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """A streamed CSV attachment: the rows are read and written as the client downloads."""
    return Response(
        stream_with_context(_lines(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def audited(list_name: str, filters: dict, patient_id: int | None = None) -> None:
    """One audit event for the download (whatever its rows), committed before the first row
    leaves: the list and its filters say which rows it held."""

    def record():
        shown = {k: v for k, v in filters.items() if v not in (None, "")}
        event = audit.record(
            current_user, current_user.clinic, EXPORTED, changes={"list": list_name, **shown}
        )
        event.patient_id = patient_id

    committed(record)


def refused(errors: dict, status: int) -> Response:
    """Filters the page would refuse: nothing is downloaded; the problems name their fields."""
    lines = [f"{field}: {' '.join(map(str, problems))}" for field, problems in errors.items()]
    return Response("\n".join(lines) + "\n", status=status, mimetype="text/plain")


def mg(value) -> str:
    """A dose as the pages show it: 750, 62.5."""
    return f"{value.normalize():f}"


# The requests


REQUEST_HEADER = (
    "Request", "Authorization number", "Patient MRN", "Last name", "First name", "Code",
    "Dose (mg)", "Administrations", "Status", "Requested from", "Requested to",
    "Units requested", "Units approved", "Units left",
)  # fmt: skip


@bp.get("/requests.csv")
def requests():
    """The requests list (?status=, ?patient_id=, as the page), newest first."""
    filters = requests_page.list_filters(request.args)
    audited("requests", filters, filters.get("patient_id"))
    today = clinic_today(current_user.clinic)
    found = exports.authorizations(current_user.clinic_id, today, **filters)
    return csv_download("requests.csv", REQUEST_HEADER, map(_request_row, found))


def _request_row(a) -> tuple:
    p = a.patient
    return (
        a.id, a.auth_number, p.mrn, p.last_name, p.first_name, a.hcpcs_code, mg(a.dose_mg),
        a.administrations, label(a.current_status), a.requested_start, a.requested_end,
        a.units_requested, a.units_approved, a.units_left,
    )  # fmt: skip


# A work queue

# The cells of each of a queue's columns (domain/queues.py): (header, value of a row); a
# header of None is the queue's own name for the column.
QUEUE_CELLS = {
    "request": (
        (None, lambda r: r.auth.id),
        ("Authorization number", lambda r: r.auth.auth_number),
    ),
    "patient": (
        ("Patient MRN", lambda r: r.patient.mrn),
        ("Last name", lambda r: r.patient.last_name),
        ("First name", lambda r: r.patient.first_name),
    ),
    "payer": ((None, lambda r: r.payer_name),),
    "code": ((None, lambda r: r.code),),
    "status": (
        (None, lambda r: label(r.auth.current_status)),
        ("Urgency", lambda r: label(r.auth.urgency)),
    ),
    "problems": ((None, lambda r: "; ".join(map(requirement_label, r.problems))),),
    "submitted": ((None, lambda r: local_time(r.auth.submitted_at)),),
    "date": ((None, lambda r: r.day),),
    "days": ((None, lambda r: r.days),),
    "units": ((None, lambda r: r.units),),
    "coverage": (
        (None, lambda r: label(r.badge) if r.badge else None),
        ("Coverage reason", lambda r: r.summary or None),
    ),
}


@bp.get("/queues/<name>.csv")
def queue(name: str):
    """A work queue with the page's filter, owner and order, every row of every page."""
    found = registry.BY_NAME.get(name)
    if found is None or not found.on_dashboard:
        abort(404)
    clinic = current_user.clinic
    queues, _ = committed(lambda: dashboard.ClinicQueues(clinic, clinic_now(clinic)))
    filters = home.queue_filters(found)
    audited(f"queue {name}", filters)
    columns = _queue_columns(found)
    people = owner_sql.owner_names(current_user.clinic_id)
    header = [*(title for title, _ in columns), "Owner", "Flagged"]
    rows = (
        [*(value(row) for _, value in columns), _owner(people, row), "yes" if row.flagged else "no"]
        for row in queues.every_row(name, **filters)
    )
    return csv_download(f"queue-{name}.csv", header, rows)


def _queue_columns(queue: registry.Queue) -> list[tuple[str, object]]:
    """(header, value of a row) of each CSV column: the page's, spelled out; a booking's
    row starts with the infusion's number (the page links it from its date)."""
    cells = [
        (title or own_title, value)
        for key, own_title in queue.columns
        for title, value in QUEUE_CELLS[key]
    ]
    if queue.subject == registry.INFUSION:
        cells.insert(0, ("Infusion", lambda r: r.ident))
    return cells


def _owner(people: dict, row) -> str | None:
    return people[row.owner_id][0] if row.owner_id in people else None


# The schedule

SCHEDULE_HEADER = (
    "Infusion", "When", "Patient MRN", "Last name", "First name", "Code", "Dose (mg)",
    "Status", "Coverage", "Coverage reason",
)  # fmt: skip


@bp.get("/schedule.csv")
def schedule():
    """The schedule's day or week (?view=, ?start=, ?status=, as the page)."""
    today = clinic_today(current_user.clinic)
    view, start, end, status = schedule_page.chosen_range(request.args, today)
    audited("schedule", {"view": view, "start": start, "end": end, "status": status})
    rows = week_view.schedule(current_user.clinic_id, start, end, status or None, today=today)
    return csv_download(f"schedule-{start}-{end}.csv", SCHEDULE_HEADER, map(_booking_row, rows))


def _booking_row(row) -> tuple:
    i, p = row.infusion, row.infusion.patient
    coverage = label(row.shown_badge) if row.shown_badge else None
    return (
        i.id, i.scheduled_at, p.mrn, p.last_name, p.first_name, i.hcpcs_code, mg(i.dose_mg),
        label(i.status), coverage, row.shown_summary or None,
    )  # fmt: skip


# The reminders

REMINDER_HEADER = ("Reminder", "Due", "Days", "Patient", "What", "Payer", "Payer phone", "Link")


@bp.get("/reminders.csv")
def reminders():
    """Every reminder of the clinic (now, or ?as_of= a day at the digest hour), by type."""
    clinic = current_user.clinic
    day, errors = digests_page.day_arg("as_of")
    if errors:
        return refused(errors, 400)
    now_local = moment(clinic, day)
    digest, _ = committed(lambda: clinic_digest(clinic, now_local))  # stale facts refreshed
    audited("reminders", {"as_of": day})
    rows = ((group.title, item) for group in digest.groups for item in group.items)
    return csv_download("reminders.csv", REMINDER_HEADER, (_reminder_row(*r) for r in rows))


def _reminder_row(title: str, item) -> tuple:
    link = current_app.config["BASE_URL"].rstrip("/") + item.path if item.path else None
    return (
        title, item.due_date, item.urgency, item.patient_name, item.message, item.payer_name,
        item.payer_phone, link,
    )  # fmt: skip


# The audit trail

AUDIT_HEADER = (
    "When", "Who", "Action", "Record", "Patient MRN", "Patient initials", "From address",
)  # fmt: skip


@bp.get("/audit.csv")
@role_required(VIEW_AUDIT)
def audit_trail():
    """The audit trail (?patient_id=, ?user_id=, ?action=, ?since=, ?until=), newest first."""
    filters, errors = parse_form(AuditPageQuery(), request.args)
    if filters is None:
        return refused(errors, 422)
    clinic = current_user.clinic
    audit.filter_rows(clinic.id, filters)  # another clinic's patient or user: 404
    filters.pop("page", None)
    audited("audit", filters, filters.get("patient_id"))
    return csv_download(
        "audit.csv", AUDIT_HEADER, map(_event_row, exports.audit_trail(clinic, filters))
    )


def _event_row(row) -> tuple:
    event, mrn, first, last = row
    initials = f"{first[:1]}.{last[:1]}.".upper() if mrn is not None else None
    who = event.user.name if event.user else "system"
    record, _ = audit_page.record_link(event)
    when = local_time(event.at, "%Y-%m-%d %H:%M:%S")
    return (when, who, audit_page.summary(event), record, mrn, initials, event.remote_addr)
