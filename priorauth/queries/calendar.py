"""The calendar feed's events for one clinic: booked infusions (coverage in the title) and the
ends of approved authorizations (all-day), in a window around today. Two statements, however
many events. Patients appear by MRN and initials only, never by name or diagnosis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from priorauth.domain.vocab import InfusionStatus, label
from priorauth.domain.workflow import APPROVED_STATUSES
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as AR
from priorauth.models import Infusion, Patient
from priorauth.queries.reminder_facts import label as patient_label

DAYS_BACK = 30
DAYS_AHEAD = 90
APPROVED = tuple(s.value for s in APPROVED_STATUSES)
UNKNOWN_COVERAGE = "COVERAGE NOT CHECKED"


@dataclass(frozen=True)
class FeedEvent:
    """One calendar event: `start` is a clinic-local time (a timed event) or a day (all day)."""

    uid: str
    summary: str
    start: datetime | date
    description: str


def window(today: date) -> tuple[date, date]:
    """The first and last clinic-local days the feed covers."""
    return today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)


def feed_events(clinic_id: int, today: date) -> list[FeedEvent]:
    """The clinic's booked infusions and authorization ends of the window, by start."""
    first, last = window(today)
    return [*_bookings(clinic_id, first, last), *_expirations(clinic_id, first, last)]


def _with_patient(query, subject, clinic_id: int):
    patient = sa.and_(Patient.id == subject.patient_id, Patient.clinic_id == clinic_id)
    return query.join(Patient, patient).where(subject.clinic_id == clinic_id)


def _bookings(clinic_id: int, first: date, last: date) -> list[FeedEvent]:
    columns = (Infusion.id, Infusion.hcpcs_code, Infusion.scheduled_at, Infusion.dose_mg)
    query = _with_patient(
        sa.select(*columns, Infusion.coverage_badge, Patient.mrn, Patient.first_name,
                  Patient.last_name).select_from(Infusion),
        Infusion,
        clinic_id,
    )  # fmt: skip
    query = query.where(
        Infusion.status == InfusionStatus.SCHEDULED,
        Infusion.scheduled_at >= datetime.combine(first, time.min),
        Infusion.scheduled_at < datetime.combine(last + timedelta(days=1), time.min),
    ).order_by(Infusion.scheduled_at, Infusion.id)
    return [_booking(row) for row in db.session.execute(query)]


def _booking(row) -> FeedEvent:
    coverage = label(row.coverage_badge).upper() if row.coverage_badge else UNKNOWN_COVERAGE
    return FeedEvent(
        uid=f"infusion-{row.id}@priorauth",
        summary=f"{row.hcpcs_code} infusion — {coverage} — {patient_label(row)}",
        start=row.scheduled_at,
        description=f"{row.hcpcs_code}, {row.dose_mg.normalize():f} mg. Coverage: {coverage}.",
    )


def _expirations(clinic_id: int, first: date, last: date) -> list[FeedEvent]:
    columns = (AR.id, AR.hcpcs_code, AR.auth_number, AR.approved_end, AR.units_approved)
    query = _with_patient(
        sa.select(*columns, Patient.mrn, Patient.first_name, Patient.last_name).select_from(AR),
        AR,
        clinic_id,
    )
    query = query.where(AR.status.in_(APPROVED), AR.approved_end.between(first, last))
    return [_expiration(row) for row in db.session.execute(query.order_by(AR.approved_end, AR.id))]


def _expiration(row) -> FeedEvent:
    number = f" {row.auth_number}" if row.auth_number else ""
    units = "no unit limit" if row.units_approved is None else f"{row.units_approved} units"
    return FeedEvent(
        uid=f"authorization-{row.id}-ends@priorauth",
        summary=f"{row.hcpcs_code} authorization{number} ends — {patient_label(row)}",
        start=row.approved_end,
        description=f"Last day of authorization{number} ({row.hcpcs_code}, {units} approved).",
    )
