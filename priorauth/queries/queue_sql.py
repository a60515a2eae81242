"""The dashboard queues' membership in SQL, over the stored attention facts (issue 12).

domain/queues.py stays the definition: each entry here asks the same question of the stored
columns (evidence_ready, answer_due_at, units_*/visits_*, coverage_badge) that its predicate
asks of an AuthState or InfusionState, with the clinic's thresholds; tests/web/test_queue_sql.py
checks that both give the same members and the same row figures. Every statement names the
clinic on every table it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from priorauth.domain.attention import Thresholds
from priorauth.domain.queues import TO_PREPARE
from priorauth.domain.workflow import APPROVED_STATUSES, AWAITING_PAYER, Status
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as AR
from priorauth.models import Infusion

APPROVED = tuple(s.value for s in APPROVED_STATUSES)
PREPARING = tuple(s.value for s in TO_PREPARE)
AWAITING = tuple(s.value for s in AWAITING_PAYER)
NOT_COVERED = "not_covered"


@dataclass(frozen=True)
class At:
    """The clinic, its local `now` and its thresholds: what every queue is asked at."""

    clinic_id: int
    now: datetime
    limits: Thresholds

    @property
    def today(self) -> date:
        return self.now.date()

    def midnight(self, days: int = 0) -> datetime:
        """The start of the day `days` after today (clinic-local, naive)."""
        return datetime.combine(self.today + timedelta(days=days), time.min)


def day_of(column):
    """The date part of a stored clinic-local datetime, comparable and sortable."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.date(column)
    return sa.cast(column, sa.Date)


def as_date(value) -> date | None:
    """A day read back from `day_of` (SQLite's date() gives text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def units_not_yet_used():
    """approved − given (NULL: no unit limit), docs/domain.md §9."""
    return AR.units_approved - AR.units_given


def units_left():
    """approved − given − booked (negative: short; NULL: no unit limit)."""
    return AR.units_approved - AR.units_given - AR.units_booked


def _still_approved(at: At):
    """The derived status (§5) is still approved: not past its end, not used up."""
    return sa.and_(
        AR.status.in_(APPROVED),
        sa.or_(AR.approved_end.is_(None), AR.approved_end >= at.today),
        sa.or_(AR.units_approved.is_(None), units_not_yet_used() > 0),
        sa.or_(
            AR.administrations_approved.is_(None), AR.administrations_approved > AR.visits_given
        ),
    )


def _expiring(at: At):
    if not at.limits.expiring_days:
        return sa.false()
    last = at.today + timedelta(days=at.limits.expiring_window)
    return sa.and_(_still_approved(at), AR.approved_end.between(at.today, last))


def _units_low(at: At):
    """Approved (stored status) and still in play, fewer units not yet used than booked;
    the two ends (none, today or later) as two index ranges."""
    short = sa.and_(AR.units_approved.is_not(None), units_not_yet_used() < AR.units_booked)
    return sa.or_(
        sa.and_(AR.status.in_(APPROVED), AR.approved_end >= at.today, short),
        sa.and_(AR.status.in_(APPROVED), AR.approved_end.is_(None), short),
    )


def _uncovered(at: At):
    """The stored badge is kept only while the infusion is booked (None once given, cancelled
    or missed): "not covered" names booked infusions, on the (clinic, badge, day) index."""
    return sa.and_(
        Infusion.coverage_badge == NOT_COVERED,
        Infusion.scheduled_at >= at.midnight(),
        Infusion.scheduled_at < at.midnight(at.limits.uncovered_days + 1),
    )


@dataclass(frozen=True)
class QueueSql:
    """One queue asked of the stored facts: its members, the flagged ones among them, the
    row's key day (for sorting: a date or a datetime) and units figure, as SQL expressions."""

    subject: type
    member: Callable[[At], object]
    flag: Callable[[At], object] = lambda at: sa.true()
    day: Callable[[], object] = lambda: sa.null()
    units: Callable[[], object] = lambda: sa.null()


SQL: dict[str, QueueSql] = {
    "needs_evidence": QueueSql(
        AR,
        lambda at: sa.and_(AR.status.in_(PREPARING), AR.evidence_ready.is_(False)),
        lambda at: sa.false(),
        lambda: AR.requested_start,
    ),
    "ready_to_submit": QueueSql(
        AR,
        lambda at: sa.and_(AR.status.in_(PREPARING), AR.evidence_ready.is_(True)),
        lambda at: sa.false(),
        lambda: AR.requested_start,
    ),
    "waiting_on_payer": QueueSql(
        AR,
        lambda at: AR.status.in_(AWAITING),
        lambda at: AR.answer_due_at < at.now,
        lambda: day_of(AR.answer_due_at),
    ),
    "appeal_open": QueueSql(
        AR,
        lambda at: sa.and_(AR.status == Status.DENIED.value, AR.appeal_deadline >= at.today),
        lambda at: AR.appeal_deadline <= at.today + timedelta(days=at.limits.appeal_days),
        lambda: AR.appeal_deadline,
    ),
    "expiring": QueueSql(AR, _expiring, day=lambda: AR.approved_end, units=units_left),
    "uncovered_soon": QueueSql(Infusion, _uncovered, day=lambda: Infusion.scheduled_at),
    "units_low": QueueSql(AR, _units_low, day=lambda: AR.approved_end, units=lambda: -units_left()),
}


def where(name: str, at: At):
    """The queue's members of the clinic, as one condition on its subject's table."""
    spec = SQL[name]
    return sa.and_(spec.subject.clinic_id == at.clinic_id, spec.member(at))


def _flagged_sum(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def counts(names, at: At) -> dict[str, tuple[int, int]]:
    """{queue: (members, flagged members)} in one statement, each part on its own index."""
    parts = [
        sa.select(
            sa.literal(name).label("name"),
            sa.func.count().label("n"),
            _flagged_sum(SQL[name].flag(at)).label("flagged"),
        )
        .select_from(SQL[name].subject)
        .where(where(name, at))
        for name in names
    ]
    rows = db.session.execute(sa.union_all(*parts)).all()
    return {name: (int(n), int(flagged)) for name, n, flagged in rows}
