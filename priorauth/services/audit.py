"""Write audit events; every state change records one in the same transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context, request

from priorauth.extensions import db
from priorauth.models import AuditEvent


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
    )
    db.session.add(event)
    return event


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
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
