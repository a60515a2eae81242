"""Floors for the pages and digests: the same numbers and rows from the fewest hand-written
queries over the stored facts (evidence_ready, answer_due_at, units_given/booked,
coverage_badge), every join filtered by clinic. What the app would pay if it did nothing but
ask the database; the bench prints each operation's time as a multiple of its floor."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as A
from priorauth.models import Clinic, Coverage, Infusion, Patient, Payer, ReminderState
from priorauth.queries.reminders import thresholds_of

PAGE = 25
TO_PREPARE = ("draft", "pended")
AWAITING = ("submitted", "appealed")
APPROVED = ("approved", "partially_approved")
PIPELINE_WEEKS = 8


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _still_approved(today: date):
    """Approved, not past its end, units and visits not used up (the derived status)."""
    return sa.and_(
        A.status.in_(APPROVED),
        sa.or_(A.approved_end.is_(None), A.approved_end >= today),
        sa.or_(A.units_approved.is_(None), A.units_approved > A.units_given),
        sa.or_(A.administrations_approved.is_(None), A.administrations_approved > A.visits_given),
    )


def auth_queues(clinic: Clinic, today: date) -> dict[str, tuple]:
    """Per authorization queue: (membership condition, ORDER BY)."""
    limits = thresholds_of(clinic)
    last = today + timedelta(days=limits.expiring_window)
    preparing = A.status.in_(TO_PREPARE)
    short = A.units_booked - (A.units_approved - A.units_given)
    approved_now = A.status.in_(APPROVED) & (A.approved_end.is_(None) | (A.approved_end >= today))
    return {
        "needs_evidence": (preparing & A.evidence_ready.is_(False), A.requested_start),
        "ready_to_submit": (preparing & A.evidence_ready.is_(True), A.requested_start),
        "waiting_on_payer": (A.status.in_(AWAITING), A.answer_due_at),
        "appeal_open": ((A.status == "denied") & (A.appeal_deadline >= today), A.appeal_deadline),
        "expiring": (_still_approved(today) & A.approved_end.between(today, last), A.approved_end),
        "units_low": (approved_now & (short > 0), short.desc()),
    }


def uncovered_condition(clinic: Clinic, today: date):
    last = today + timedelta(days=clinic.uncovered_days + 1)
    return sa.and_(
        Infusion.status == "scheduled",
        Infusion.coverage_badge == "not_covered",
        Infusion.scheduled_at >= _midnight(today),
        Infusion.scheduled_at < _midnight(last),
    )


def _auth_rows(clinic_id: int, condition, order, limit: int):
    return (
        sa.select(A.id, A.status, A.hcpcs_code, Patient.last_name, Patient.first_name, Payer.name)
        .join(Patient, (Patient.id == A.patient_id) & (Patient.clinic_id == clinic_id))
        .join(Coverage, (Coverage.id == A.coverage_id) & (Coverage.clinic_id == clinic_id))
        .join(Payer, (Payer.id == Coverage.payer_id) & (Payer.clinic_id == clinic_id))
        .where(A.clinic_id == clinic_id, condition)
        .order_by(order, A.id)
        .limit(limit)
    )


def _infusion_rows(clinic: Clinic, today: date, limit: int):
    return (
        sa.select(Infusion.id, Infusion.scheduled_at, Infusion.hcpcs_code, Patient.last_name)
        .join(Patient, (Patient.id == Infusion.patient_id) & (Patient.clinic_id == clinic.id))
        .where(Infusion.clinic_id == clinic.id, uncovered_condition(clinic, today))
        .order_by(Infusion.scheduled_at, Infusion.id)
        .limit(limit)
    )


def queue_floor(clinic: Clinic, today: date, name: str, limit: int = PAGE) -> tuple[int, list]:
    """A queue's count and its first `limit` rows: two statements."""
    if name == "uncovered_soon":
        condition, table = uncovered_condition(clinic, today), Infusion
        rows = _infusion_rows(clinic, today, limit)
    else:
        condition, order = auth_queues(clinic, today)[name]
        table, rows = A, _auth_rows(clinic.id, condition, order, limit)
    count = sa.select(sa.func.count()).select_from(table).where(table.clinic_id == clinic.id)
    return db.session.scalar(count.where(condition)), db.session.execute(rows).all()


def _count(name: str, table, condition):
    query = sa.select(sa.literal(name), sa.func.count()).select_from(table)
    return query.where(table.clinic_id == condition[0], condition[1])


def _counts(clinic: Clinic, today: date) -> dict[str, int]:
    """Every queue's count in one statement: a UNION ALL of one COUNT per queue, so that each
    can use its own index."""
    parts = [_count(n, A, (clinic.id, c)) for n, (c, _) in auth_queues(clinic, today).items()]
    parts.append(
        _count("uncovered_soon", Infusion, (clinic.id, uncovered_condition(clinic, today)))
    )
    return dict(db.session.execute(sa.union_all(*parts)).all())


def _pipeline(clinic_id: int, today: date) -> list:
    ended = sa.case((A.status.in_(APPROVED) & (A.approved_end < today), "expired"), else_=A.status)
    query = sa.select(ended, sa.func.count()).where(A.clinic_id == clinic_id).group_by(ended)
    return db.session.execute(query).all()


def _day(column):
    """The date part of a stored datetime, to group by."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.date(column)
    return sa.cast(column, sa.Date)


def _weeks(clinic_id: int, today: date) -> tuple[list, list]:
    """Approvals ending and infusions booked per day of the next 8 weeks."""
    last = today + timedelta(days=7 * PIPELINE_WEEKS)
    ends = sa.select(A.approved_end, sa.func.count()).where(
        A.clinic_id == clinic_id, A.status.in_(APPROVED), A.approved_end.between(today, last)
    )
    day = _day(Infusion.scheduled_at)
    booked = sa.select(day, sa.func.count()).where(
        Infusion.clinic_id == clinic_id,
        Infusion.status == "scheduled",
        Infusion.scheduled_at >= _midnight(today),
        Infusion.scheduled_at < _midnight(last),
    )
    ending = db.session.execute(ends.group_by(A.approved_end)).all()
    return ending, db.session.execute(booked.group_by(day)).all()


def _follow_through(clinic_id: int, today: date) -> dict:
    """The dashboard's unowned and escalated counts and revenue at risk (4 queries): open
    requests with no owner, open unacknowledged reminder states past their escalation day, and
    the uncovered bookings of the next 90 days and the open denials, grouped by code and dose."""
    unowned = sa.select(sa.func.count()).where(
        A.clinic_id == clinic_id, A.status.in_((*TO_PREPARE, *AWAITING)), A.owner_id.is_(None)
    )
    escalated = sa.select(sa.func.count()).where(
        ReminderState.clinic_id == clinic_id,
        ReminderState.resolved_at.is_(None),
        ReminderState.acknowledged_at.is_(None),
        ReminderState.escalates_on <= today,
    )
    uncovered = (
        sa.select(Infusion.hcpcs_code, Infusion.dose_mg, sa.func.count())
        .where(Infusion.clinic_id == clinic_id, Infusion.coverage_badge == "not_covered")
        .where(Infusion.scheduled_at >= _midnight(today))
        .where(Infusion.scheduled_at < _midnight(today + timedelta(days=90)))
        .group_by(Infusion.hcpcs_code, Infusion.dose_mg)
    )
    denied = (
        sa.select(A.hcpcs_code, sa.func.sum(A.units_requested))
        .where(A.clinic_id == clinic_id, A.status == "denied", A.appeal_deadline >= today)
        .group_by(A.hcpcs_code)
    )
    run = db.session.execute
    return {
        "unowned": run(unowned).scalar(),
        "escalated": run(escalated).scalar(),
        "uncovered": run(uncovered).all(),
        "denied": run(denied).all(),
    }


def home_floor(clinic: Clinic, today: date) -> dict:
    """The dashboard's numbers: queue counts, the pipeline, the 8 weeks ahead, owners,
    escalations and revenue at risk (8 queries)."""
    ending, booked = _weeks(clinic.id, today)
    return {
        "counts": _counts(clinic, today),
        "pipeline": _pipeline(clinic.id, today),
        "weeks": (len(ending), len(booked)),
        **_follow_through(clinic.id, today),
    }


def check_counts(clinic: Clinic, today: date, app_counts: dict[str, int]) -> dict[str, tuple]:
    """The queues whose floor count differs from the app's: {name: (floor, app)}."""
    floor = _counts(clinic, today)
    return {n: (floor.get(n), c) for n, c in app_counts.items() if floor.get(n) != c}


def digests_floor(clinic: Clinic, today: date) -> int:
    """The clinic's digest groups: each queue's count and its most urgent N rows."""
    listed = 0
    for name in (*auth_queues(clinic, today), "uncovered_soon"):
        _, rows = queue_floor(clinic, today, name, clinic.digest_items_per_type)
        listed += len(rows)
    return listed
