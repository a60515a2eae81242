"""What staff did with the clinic's reminders (docs/follow-through.md): a `ReminderState` per
reminder once seen due, kept in step with the derived reminders by `sync`, acknowledged or
given an owner by a person (each an audit event).

`sync` writes derived facts (first seen, escalation day, resolved) without audit events, as
services/attention.py does: they follow from the reminders, nobody decided them. It sends a
fixed number of statements however many reminders there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from priorauth.domain import escalation
from priorauth.domain.reminders import Reminder
from priorauth.errors import Conflict, NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import Clinic, ReminderState, User
from priorauth.services import audit, clock, owners
from priorauth.services.holidays import clinic_holidays


@dataclass(frozen=True)
class Synced:
    """What a sync did: states added, reopened, resolved, newly escalated."""

    added: int = 0
    reopened: int = 0
    resolved: int = 0
    escalated: int = 0


def key_of(reminder: Reminder) -> str:
    kind = str(reminder.type)
    return escalation.reminder_key(
        kind, reminder.authorization_id, reminder.infusion_id, reminder.due_date
    )


def _known(clinic_id: int, keys: list[str]) -> dict[str, ReminderState]:
    """The clinic's open states, and the resolved ones of the keys due again."""
    wanted = sa.or_(ReminderState.resolved_at.is_(None), ReminderState.key.in_(keys))
    query = sa.select(ReminderState).where(ReminderState.clinic_id == clinic_id, wanted)
    return {state.key: state for state in db.session.scalars(query)}


def sync(clinic: Clinic, reminders: Iterable[Reminder], today: date) -> Synced:
    """The clinic's states after its due `reminders` on `today`: a state for each new one,
    reopened if it was resolved, resolved when no longer due, escalation day and stamp kept."""
    due = {key_of(r): r for r in reminders}
    known = _known(clinic.id, sorted(due))
    holidays, days = clinic_holidays(clinic), clinic.escalation_business_days
    counts = _update_known(known, set(due), today, days, holidays)
    new = [
        _new_row(clinic.id, k, r, today, days, holidays) for k, r in due.items() if k not in known
    ]
    db.session.flush()
    if new:  # one statement however many (a new state escalates on a later day)
        db.session.execute(sa.insert(ReminderState.__table__), new)
    return Synced(added=len(new), **counts)


def _update_known(known: dict, due: set[str], today: date, days: int, holidays) -> dict:
    """The stored states: resolved when gone, reopened when due again, escalation kept."""
    now, counts = clock.now_utc(), {"reopened": 0, "resolved": 0, "escalated": 0}
    for key, state in known.items():
        if key not in due:  # open (a resolved one is loaded only when due again)
            state.resolved_at = now
            counts["resolved"] += 1
            continue
        if state.resolved_at is not None:
            _reopen(state, today)
            counts["reopened"] += 1
        _keep_escalation(state, days, holidays)
        counts["escalated"] += _stamp_escalated(state, today, now)
    return counts


def _new_row(clinic_id: int, key: str, reminder: Reminder, today: date, days, holidays) -> dict:
    return {
        "clinic_id": clinic_id,
        "key": key,
        "type": str(reminder.type),
        "authorization_id": reminder.authorization_id,
        "infusion_id": reminder.infusion_id,
        "patient_id": reminder.patient_id,
        "due_date": reminder.due_date,
        "first_seen_on": today,
        "escalates_on": escalation.escalates_on(today, days, holidays),
    }


def _reopen(state: ReminderState, today: date) -> None:
    """Due again after it was resolved: a new occurrence, seen today, not acknowledged."""
    state.resolved_at = state.acknowledged_at = state.acknowledged_by_id = None
    state.escalated_at = None
    state.first_seen_on = today


def _keep_escalation(state: ReminderState, days: int, holidays) -> None:
    """The escalation day from the clinic's setting (it may have changed since)."""
    on = escalation.escalates_on(state.first_seen_on, days, holidays)
    if state.escalates_on != on:
        state.escalates_on = on


def _stamp_escalated(state: ReminderState, today: date, now: datetime) -> bool:
    """Note when an unacknowledged state first escalated; True when it did just now."""
    if state.acknowledged_at is not None or state.escalated_at is not None:
        return False
    if today < state.escalates_on:
        return False
    state.escalated_at = now
    return True


def open_state(clinic_id: int, key: str) -> ReminderState:
    """The clinic's state of this reminder, still due; NotFound otherwise (another clinic's
    or a resolved one is not found)."""
    state = db.session.scalar(
        sa.select(ReminderState).where(
            ReminderState.clinic_id == clinic_id, ReminderState.key == key
        )
    )
    if state is None or state.resolved_at is not None:
        raise NotFound(f"no reminder {key} is due", {"key": [f"no reminder {key} is due"]})
    return state


def acknowledge(actor: User, key: str) -> ReminderState:
    """Someone has seen the reminder and is on it: it no longer escalates."""
    state = open_state(actor.clinic_id, key)
    if state.acknowledged_at is not None:
        raise Conflict(
            "This reminder was already acknowledged.",
            {"key": ["already acknowledged"]},
            code="ALREADY_ACKNOWLEDGED",
        )
    state.acknowledged_at, state.acknowledged_by_id = clock.now_utc(), actor.id
    audit.record(actor, state, "acknowledged", note=key)
    db.session.flush()
    return state


def reassign(actor: User, key: str, owner_id) -> ReminderState:
    """Give the reminder an owner of its own (over the request's and the queue's)."""
    state = open_state(actor.clinic_id, key)
    if owner_id is None:  # a reminder's own owner is a person; clearing it is not offered
        raise ValidationFailed.on("owner_id", "Choose an active user of your clinic.")
    before = state.owner_id
    state.owner_id = owners.check_owner(actor.clinic_id, owner_id)
    changes = {"owner_id": {"from": before, "to": state.owner_id}}
    audit.record(actor, state, "reassigned", changes=changes, note=key)
    db.session.flush()
    return state
