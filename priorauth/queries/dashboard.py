"""The dashboard's work queues for one clinic, as the registry (domain/queues.py) defines them,
asked of the stored attention facts in SQL (queries/queue_sql.py): the counts in one
statement, a queue's page by ORDER BY … LIMIT with its filter in SQL, a fixed number of
statements however large the clinic.

A queue's count on the dashboard and its list's total come from the same condition, so the
two can never disagree; its flagged rows are those its reminder is due for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from priorauth.domain import queues as registry
from priorauth.domain.workflow import derived_status
from priorauth.errors import NotFound
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as AR
from priorauth.models import Clinic, Coverage, Infusion, Patient, Payer
from priorauth.queries import owner_sql, queue_sql
from priorauth.queries.paging import Page
from priorauth.queries.reminders import thresholds_of
from priorauth.services.attention import refresh_stale


@dataclass(frozen=True)
class PatientCells:
    id: int
    first_name: str
    last_name: str
    mrn: str


@dataclass(frozen=True)
class RequestCells:
    """What a request's row shows; current_status is the derived status (§5)."""

    id: int
    auth_number: str | None
    status: str
    current_status: str
    urgency: str
    submitted_at: datetime | None


@dataclass(frozen=True)
class BookingCells:
    id: int
    dose_mg: object


@dataclass(frozen=True)
class QueueRow:
    """One line of a queue: a request (`auth`) or a booked infusion (`infusion`); `day` is the
    queue's key date (a booking's time), `days` the days from today to it (negative: past),
    `flagged` that the queue's reminder is due for it (overdue, deadline near)."""

    ident: int
    code: str
    patient: PatientCells
    payer_name: str = ""
    auth: RequestCells | None = None
    infusion: BookingCells | None = None
    day: date | datetime | None = None
    days: int | None = None
    flagged: bool = False
    units: int | None = None
    problems: tuple[str, ...] = ()
    badge: str | None = None
    summary: str = ""
    owner_id: int | None = None  # its own owner, else the queue's default (owner_sql)
    owner_by_default: bool = False  # owned through the queue's default owner

    @property
    def overdue(self) -> bool:
        return self.flagged and self.days is not None and self.days < 0


def queue_named(name: str) -> registry.Queue:
    queue = registry.BY_NAME.get(name)
    if queue is None or not queue.on_dashboard:
        raise NotFound(f"no work queue named {name}")
    return queue


def _text_key(column):
    """A case-folded sort key compared by code point on both databases, as Python sorts."""
    key = sa.func.lower(column)
    return key.collate("C") if db.session.get_bind().dialect.name == "postgresql" else key


def _sort_columns(spec: queue_sql.QueueSql, subject) -> dict[str, tuple]:
    """The SQL of each sortable column (domain/queues.py's `columns`)."""
    return {
        "request": (subject.id,),
        "patient": (_text_key(Patient.last_name), _text_key(Patient.first_name)),
        "payer": (_text_key(Payer.name),),
        "code": (subject.hcpcs_code,),
        "status": (AR.status,),
        "date": (spec.day(),),
        "days": (spec.day(),),
        "problems": (AR.evidence_to_fix_count,),
        "submitted": (AR.submitted_at,),
        "units": (spec.units(),),
        "coverage": (Infusion.coverage_badge,),
    }


def _ordered(query, spec, subject, column: str, descending: bool):
    """Empty values last in either direction, ties by id (ascending)."""
    keys = []
    for key in _sort_columns(spec, subject)[column]:
        keys += [sa.case((key.is_(None), 1), else_=0), key.desc() if descending else key.asc()]
    return query.order_by(*keys, subject.id)


class ClinicQueues:
    """The clinic's dashboard queues at `now_local` (the clinic's local time).

    Stale stored facts are refreshed first (services/attention.refresh_stale, flushed): a
    page commits after building this."""

    def __init__(self, clinic: Clinic, now_local: datetime):
        self.clinic, self.now = clinic, now_local
        self.today, self.limits = now_local.date(), thresholds_of(clinic)
        self.at = queue_sql.At(clinic.id, now_local, self.limits)
        refresh_stale(clinic.id, self.today)

    def title(self, name: str) -> str:
        return queue_named(name).title_for(self.limits)

    def description(self, name: str) -> str:
        return queue_named(name).description_for(self.limits)

    def _counted(self) -> dict[str, tuple[int, int]]:
        if not hasattr(self, "_counts"):
            self._counts = queue_sql.counts(registry.DASHBOARD, self.at)
        return self._counts

    def counts(self) -> dict[str, int]:
        return {name: n for name, (n, _) in self._counted().items()}

    def flagged(self) -> dict[str, tuple[int, str]]:
        """Per queue with a reminder on part of it: (rows flagged, what the flag says)."""
        found = {}
        for name, (_, flagged) in self._counted().items():
            queue = registry.BY_NAME[name]
            if queue.reminder_title:
                found[name] = (flagged, queue.group_title_for(self.limits))
        return found

    def unowned(self) -> dict[str, int]:
        """{open queue: requests with no owner and no default owner} (one statement)."""
        return owner_sql.unowned_open(self.at)

    def page(
        self, name: str, text: str, sort: str, descending: bool, page: int, per_page: int,
        owner: owner_sql.OwnerFilter | None = None,
    ):  # fmt: skip
        """The rows matching `text` (all when empty) and `owner` (a user id or "unowned";
        None: anyone's) sorted by a column, the page asked for (a page past the end shows the
        last one): three statements, the count, the page's ids (joined only to what the
        filter or the sort reads), their rows."""
        queue_named(name)
        chosen = self._chosen(name, text, sort, owner)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(chosen.subquery()))
        page = min(page, max(1, -(-total // per_page)))
        spec = queue_sql.SQL[name]
        ordered = _ordered(chosen, spec, spec.subject, sort, descending)
        ids = db.session.scalars(ordered.limit(per_page).offset((page - 1) * per_page)).all()
        return Page(self._rows_of(name, ids), total, page, per_page)

    def rows(
        self, name: str, sort: str = "request", descending: bool = False, owner=None
    ) -> list[QueueRow]:
        """Every row of the queue, in order (tests; the pages use `page`)."""
        queue_named(name)
        spec = queue_sql.SQL[name]
        query = _ordered(self._chosen(name, "", sort, owner), spec, spec.subject, sort, descending)
        return self._rows_of(name, db.session.scalars(query).all())

    def every_row(self, name: str, text: str, sort: str, descending: bool, owner=None):
        """Every row `page` would show over all its pages, in its order: one statement, read
        in batches as the caller consumes it (the queue's CSV download)."""
        queue_named(name)
        spec = queue_sql.SQL[name]
        rows = self._bookings(name) if spec.subject is Infusion else self._requests(name)
        chosen = self._chosen(name, text, sort, owner).correlate(None)
        members = rows.where(spec.subject.id.in_(chosen))
        query = _ordered(members, spec, spec.subject, sort, descending)
        for row in db.session.execute(query.execution_options(yield_per=500)):
            yield self._row(name, row)

    def _chosen(self, name: str, text: str, sort: str, owner=None):
        """The ids of the queue's members whose patient, MRN, payer or code holds `text`
        (and owned by `owner` when given)."""
        spec = queue_sql.SQL[name]
        subject, payer = spec.subject, sa.literal("")
        query = sa.select(subject.id).where(queue_sql.where(name, self.at))
        if owner is not None:
            query = query.where(owner_sql.owned_by(name, self.clinic.id, owner))
        if text or sort == "patient":
            query = self._patient_join(query, subject)
        if subject is AR and (text or sort == "payer"):
            query, payer = self._payer_join(query), Payer.name
        if text:
            parts = (Patient.first_name, Patient.last_name, Patient.mrn, payer, subject.hcpcs_code)
            haystack = sa.func.lower(
                parts[0] + " " + parts[1] + " " + parts[2] + " " + parts[3] + " " + parts[4]
            )
            query = query.where(haystack.contains(text.lower(), autoescape=True))
        return query

    def _rows_of(self, name: str, ids: list[int]) -> list[QueueRow]:
        """The rows of these members, in this order: only the columns a row shows."""
        if not ids:
            return []
        spec = queue_sql.SQL[name]
        query = self._bookings(name) if spec.subject is Infusion else self._requests(name)
        found = {r.id: r for r in db.session.execute(query.where(spec.subject.id.in_(ids)))}
        return [self._row(name, found[i]) for i in ids]

    def _payer_join(self, query):
        clinic = self.clinic.id
        query = query.join(
            Coverage, sa.and_(Coverage.id == AR.coverage_id, Coverage.clinic_id == clinic)
        )
        return query.join(Payer, sa.and_(Payer.id == Coverage.payer_id, Payer.clinic_id == clinic))

    def _patient_join(self, query, subject):
        return query.join(
            Patient, sa.and_(Patient.id == subject.patient_id, Patient.clinic_id == self.clinic.id)
        )

    def _requests(self, name: str):
        spec = queue_sql.SQL[name]
        columns = [
            AR.id, AR.hcpcs_code, AR.auth_number, AR.status, AR.urgency, AR.submitted_at,
            AR.approved_end, AR.units_approved, AR.units_given, AR.administrations_approved,
            AR.visits_given, Patient.id.label("patient_id"), Patient.first_name,
            Patient.last_name, Patient.mrn, Payer.name.label("payer_name"),
            spec.day().label("day"), spec.units().label("units"),
            spec.flag(self.at).label("flagged"), *self._owner_columns(name),
        ]  # fmt: skip
        if name == "needs_evidence":
            columns.append(AR.evidence_to_fix)
        query = self._patient_join(sa.select(*columns).select_from(AR), AR)
        return self._payer_join(query)

    def _owner_columns(self, name: str) -> tuple:
        own = owner_sql.item_owner(name, self.clinic.id)
        return owner_sql.owner_of(name, self.clinic.id).label("owner_id"), own.is_(None).label(
            "owner_by_default"
        )

    def _bookings(self, name: str):
        columns = [
            Infusion.id, Infusion.hcpcs_code, Infusion.dose_mg, Infusion.scheduled_at,
            Infusion.coverage_badge, Infusion.coverage_summary,
            Patient.id.label("patient_id"), Patient.first_name, Patient.last_name, Patient.mrn,
            *self._owner_columns(name),
        ]  # fmt: skip
        return self._patient_join(sa.select(*columns).select_from(Infusion), Infusion)

    def _row(self, name: str, r) -> QueueRow:
        patient = PatientCells(r.patient_id, r.first_name, r.last_name, r.mrn)
        if queue_sql.SQL[name].subject is Infusion:  # every member carries the reminder
            days = (r.scheduled_at.date() - self.today).days
            booking = BookingCells(r.id, r.dose_mg)
            return QueueRow(
                r.id, r.hcpcs_code, patient, "", None, booking, r.scheduled_at, days, True,
                badge=r.coverage_badge, summary=r.coverage_summary or "",
                owner_id=r.owner_id, owner_by_default=bool(r.owner_by_default),
            )  # fmt: skip
        day = queue_sql.as_date(r.day)
        days = None if day is None else (day - self.today).days
        problems = tuple(getattr(r, "evidence_to_fix", None) or ())
        return QueueRow(
            r.id, r.hcpcs_code, patient, r.payer_name, self._request(r), None, day, days,
            bool(r.flagged), r.units, problems,
            owner_id=r.owner_id, owner_by_default=bool(r.owner_by_default),
        )  # fmt: skip

    def _request(self, r) -> RequestCells:
        not_used = None if r.units_approved is None else r.units_approved - r.units_given
        visits = (
            None
            if r.administrations_approved is None
            else r.administrations_approved - r.visits_given
        )
        status = derived_status(
            r.status,
            today=self.today,
            approved_end=r.approved_end,
            units_not_yet_used=not_used,
            administrations_not_yet_used=visits,
        )
        return RequestCells(r.id, r.auth_number, r.status, status.value, r.urgency, r.submitted_at)
