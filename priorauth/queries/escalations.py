"""The escalated reminders (docs/follow-through.md): due, unacknowledged on or after their
escalation day, read from the stored `ReminderState`s with their owner (the reminder's own,
else its request's, else its queue's default owner), in one statement each. The states are
kept in step by services/reminder_states.sync (the pages, the digest run, the scheduler)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa

from priorauth.domain import digests
from priorauth.domain import queues as registry
from priorauth.domain.digests import DigestItem
from priorauth.domain.escalation import ESCALATED, days_overdue
from priorauth.domain.reminders import Reminder
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as AR
from priorauth.models import Patient, ReminderState, User
from priorauth.queries import owner_sql
from priorauth.queries.reminder_facts import label
from priorauth.queries.reminders import ClinicState
from priorauth.services import reminder_states
from priorauth.services.clock import clinic_now

RS = ReminderState


def escalated_now(clinic_id: int, today: date):
    """SQL: the clinic's states due, unacknowledged, on or past their escalation day."""
    return sa.and_(
        RS.clinic_id == clinic_id,
        RS.resolved_at.is_(None),
        RS.acknowledged_at.is_(None),
        RS.escalates_on <= today,
    )


def count(clinic_id: int, today: date) -> int:
    """How many reminders are escalated (the dashboard's figure): one statement."""
    query = sa.select(sa.func.count()).select_from(RS).where(escalated_now(clinic_id, today))
    return db.session.scalar(query)


@dataclass(frozen=True)
class EscalatedRow:
    """One escalated reminder as the page and the digest show it."""

    key: str
    type: str
    due_date: date
    escalates_on: date
    days_overdue: int
    path: str
    patient: str
    owner_name: str | None
    authorization_id: int | None
    infusion_id: int | None
    patient_id: int | None
    message: str = ""


def _queue_of_type():
    """SQL: the queue name of the state's reminder type (whose default owner applies)."""
    names = {kind: queue.name for kind, queue in registry.BY_REMINDER.items()}
    return sa.case(names, value=RS.type, else_=sa.null())


def _query(clinic_id: int, today: date):
    queue_default = owner_sql.default_owner(clinic_id, _queue_of_type())
    owner = sa.func.coalesce(RS.owner_id, AR.owner_id, queue_default)
    return (
        sa.select(
            RS.key,
            RS.type,
            RS.due_date,
            RS.escalates_on,
            RS.authorization_id,
            RS.infusion_id,
            RS.patient_id,
            Patient.mrn,
            Patient.first_name,
            Patient.last_name,
            User.name.label("owner_name"),
        )  # fmt: skip
        .outerjoin(AR, sa.and_(AR.id == RS.authorization_id, AR.clinic_id == clinic_id))
        .outerjoin(User, sa.and_(User.id == owner, User.clinic_id == clinic_id))
        .outerjoin(Patient, sa.and_(Patient.id == RS.patient_id, Patient.clinic_id == clinic_id))
        .where(escalated_now(clinic_id, today))
        .order_by(RS.escalates_on, RS.due_date, RS.id)
    )


def rows(clinic_id: int, today: date, messages: dict[str, str] | None = None) -> list:
    """The escalated reminders, longest escalated first; `messages` by key (the reminders
    of the same moment) say what each is about."""
    found = []
    for r in db.session.execute(_query(clinic_id, today)):
        found.append(
            EscalatedRow(
                r.key,
                r.type,
                r.due_date,
                r.escalates_on,
                days_overdue(r.due_date, today),
                digests.path_of(r.authorization_id, r.infusion_id),
                label(r) if r.mrn is not None else "",
                r.owner_name,
                r.authorization_id,
                r.infusion_id,
                r.patient_id,
                (messages or {}).get(r.key, ""),
            )  # fmt: skip
        )
    return found


def digest_items(clinic_id: int, today: date, items: list[DigestItem]) -> list[DigestItem]:
    """The escalated reminders among a digest's `items`, as items of the ESCALATED group
    (admins get it: domain/queues.py): whose they are and since when, then the reminder."""
    by_key = {item.reminder_key: item for item in items if item.reminder_key}
    found = []
    for row in rows(clinic_id, today):
        item = by_key.get(row.key)
        if item is None:
            continue
        owner = row.owner_name or "nobody (unowned)"
        text = f"Unacknowledged since {row.escalates_on}, owner {owner}: {item.message}"
        found.append(replace(item, type=ESCALATED, message=text))
    return found


def synced(clinic, now_local: datetime) -> list[Reminder]:
    """The clinic's reminders due at `now_local`, their states brought in step on that day
    (flushed: the caller commits)."""
    reminders = ClinicState(clinic, now_local).reminders()
    reminder_states.sync(clinic, reminders, now_local.date())
    return reminders


def with_escalated(clinic, digest_date: date, items: list[DigestItem]) -> list[DigestItem]:
    """A digest run's items and, on the clinic's today, its escalated reminders (the states
    synced now first; a past day's digest gets none: escalation is a fact of today)."""
    now = clinic_now(clinic)
    if digest_date != now.date():
        return items
    synced(clinic, now)
    return items + digest_items(clinic.id, digest_date, items)


def acknowledged_keys(clinic_id: int) -> set[str]:
    """The keys of the clinic's due reminders someone acknowledged (one statement)."""
    query = sa.select(RS.key).where(
        RS.clinic_id == clinic_id, RS.resolved_at.is_(None), RS.acknowledged_at.is_not(None)
    )
    return set(db.session.scalars(query))


def sync_items(clinic, items: list[DigestItem], today: date) -> set[str]:
    """The reminders page: the states brought in step with its items (those that are
    reminders); -> the keys already acknowledged."""
    reminder_states.sync(clinic, [item for item in items if item.reminder_key], today)
    return acknowledged_keys(clinic.id)
