"""Write audit events; every state change records one in the same transaction."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import joinedload

from priorauth.errors import NotFound
from priorauth.extensions import db
from priorauth.models import AuditEvent, Patient, User
from priorauth.models.base import utcnow
from priorauth.services import clock

VIEWED = "viewed"


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _patient_id(entity) -> int | None:
    """The patient an audited row concerns: the patient itself or the row's patient."""
    if entity.__tablename__ == "patients":
        return entity.id
    return getattr(entity, "patient_id", None)


def _remote_addr() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(
    actor,
    entity,
    action: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    changes: dict | None = None,
    note: str | None = None,
) -> AuditEvent:
    """Add an audit event for an entity that has been flushed (so it has an id)."""
    db.session.flush()
    event = AuditEvent(
        clinic_id=entity.clinic_id if hasattr(entity, "clinic_id") else actor.clinic_id,
        user_id=getattr(actor, "id", None),
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        changes={k: _plain(v) for k, v in (changes or {}).items()} or None,
        note=note,
        patient_id=_patient_id(entity),
        remote_addr=_remote_addr(),
        at=clock.recorded_now(),
    )
    db.session.add(event)
    return event


def added(actor, row, action: str = "created", **details):
    """A new row into the session, with its audit event (record's keywords); -> the row."""
    db.session.add(row)
    record(actor, row, action, **details)
    return row


def apply_changes(actor, entity, data: dict, action: str = "updated") -> dict:
    """Set the fields that differ, audit them as one event, and return what changed."""
    changes = {k: v for k, v in data.items() if getattr(entity, k) != v}
    for key, value in changes.items():
        setattr(entity, key, value)
    record(actor, entity, action, changes=changes)
    return changes


def history(entity_type: str, entity_id: int, clinic_id: int) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent)
        .where(
            AuditEvent.entity_type == entity_type,
            AuditEvent.entity_id == entity_id,
            AuditEvent.clinic_id == clinic_id,
            AuditEvent.action != VIEWED,
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()


# Access: who saw which record


def _view_row(actor, entity, at: datetime, address: str | None, note: str | None) -> dict:
    return {
        "clinic_id": entity.clinic_id,
        "user_id": actor.id,
        "entity_type": entity.__tablename__,
        "entity_id": entity.id,
        "action": VIEWED,
        "note": note,
        "patient_id": _patient_id(entity),
        "remote_addr": address,
        "at": at,
    }


def viewed(actor, entity, note: str | None = None) -> AuditEvent:
    """Record that the actor saw a loaded patient, request or infusion (append-only).

    No flush: the event is written with the handler's commit. `note` names a part of the
    record that was read on its own (checklist, history, evidence).
    """
    event = AuditEvent(**_view_row(actor, entity, utcnow(), _remote_addr(), note))
    db.session.add(event)
    return event


def viewed_all(actor, entities, note: str | None = None) -> int:
    """One viewed event per row of a list read, written as one INSERT whatever the row count.

    (A bulk insert rather than `add_all`: on SQLite the ORM inserts added objects one row at
    a time, as it cannot match RETURNING ids to rows; nothing here needs the new ids.)
    """
    at, address = utcnow(), _remote_addr()
    rows = [_view_row(actor, entity, at, address, note) for entity in entities]
    if rows:
        db.session.execute(sa.insert(AuditEvent), rows)
    return len(rows)


# The audit trail, searched


def _sign_in_like():
    """Sign-in events: actions named sign... (signed_in, sign_in_failed, signed_out) or
    ...locked (locked, unlocked)."""
    return sa.or_(AuditEvent.action.like("sign%"), AuditEvent.action.like("%locked%"))


def _of_kind(kind: str):
    if kind == VIEWED:
        return AuditEvent.action == VIEWED
    if kind == "sign_in":
        return _sign_in_like()
    return sa.and_(AuditEvent.action != VIEWED, sa.not_(_sign_in_like()))


def utc_window(timezone: str, since: date | None, until: date | None):
    """Clinic-local days [since, until] as naive-UTC bounds [start, end)."""
    zone = ZoneInfo(timezone)

    def utc_midnight(day: date) -> datetime:
        local = datetime.combine(day, time.min, tzinfo=zone)
        return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    start = utc_midnight(since) if since else None
    end = utc_midnight(until + timedelta(days=1)) if until else None
    return start, end


def filter_rows(clinic_id: int, filters: dict) -> dict:
    """The patient and user the filters name, by filter; another clinic's is a 404 naming it."""
    found = {}
    for name, model in (("patient_id", Patient), ("user_id", User)):
        ident = filters.get(name)
        if ident is None:
            continue
        row = db.session.get(model, ident)
        if row is None or row.clinic_id != clinic_id:
            what = name.removesuffix("_id")
            problem = f"no {what} with id {ident} in this clinic"
            raise NotFound(f"{name}: {problem}", {name: [problem]})
        found[name] = row
    return found


def _trail(clinic, filters: dict) -> sa.Select:
    """The clinic's events matching the filters (patient, user, action kind, local days)."""
    query = sa.select(AuditEvent).where(AuditEvent.clinic_id == clinic.id)
    for name in ("patient_id", "user_id"):
        if filters.get(name) is not None:
            query = query.where(getattr(AuditEvent, name) == filters[name])
    if filters.get("action"):
        query = query.where(_of_kind(filters["action"]))
    start, end = utc_window(clinic.timezone, filters.get("since"), filters.get("until"))
    if start is not None:
        query = query.where(AuditEvent.at >= start)
    if end is not None:
        query = query.where(AuditEvent.at < end)
    return query


def trail(clinic, filters: dict) -> sa.Select:
    """The clinic's events the filters ask for, newest first, each with its user loaded
    (a page of it, or all of it for the CSV download)."""
    return (
        _trail(clinic, filters)
        .options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def search(clinic, filters: dict, limit: int, offset: int = 0) -> list[AuditEvent]:
    """A page of the clinic's audit trail, newest first, with each event's user loaded."""
    return db.session.scalars(trail(clinic, filters).limit(limit).offset(offset)).all()


def count(clinic, filters: dict) -> int:
    query = _trail(clinic, filters).with_only_columns(sa.func.count(AuditEvent.id))
    return db.session.scalar(query.order_by(None))
