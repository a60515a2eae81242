"""The audit trail is append-only: on PostgreSQL a trigger refuses UPDATE and DELETE on
audit_events (migration 872ef3f35d62), whoever sends them; no route changes the trail."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from priorauth.extensions import db
from priorauth.models import AuditEvent
from tests import factories

SKIP_REASON = (
    "the append-only trigger exists on PostgreSQL only; this test runs in the PostgreSQL run "
    "(set PRIORAUTH_TEST_DATABASE_URL), where it proves UPDATE and DELETE are refused"
)


@pytest.fixture
def stored_event(app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip(SKIP_REASON)
    clinic = factories.clinic()
    event = AuditEvent(
        clinic_id=clinic.id, entity_type="clinics", entity_id=clinic.id, action="created"
    )
    db.session.add(event)
    db.session.commit()
    return event.id, event.action, event.note


def _unchanged(stored) -> None:
    db.session.rollback()
    event_id, action, note = stored
    row = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.note).where(AuditEvent.id == event_id)
    ).one()
    assert tuple(row) == (action, note)


@pytest.mark.parametrize(
    "statement",
    [
        lambda event_id: (
            sa.update(AuditEvent)
            .where(AuditEvent.id == event_id)
            .values(action="forged", note="edited afterwards")
        ),
        lambda event_id: sa.delete(AuditEvent).where(AuditEvent.id == event_id),
        lambda event_id: sa.delete(AuditEvent),  # every row at once
    ],
    ids=["update", "delete", "delete-all"],
)
def test_update_and_delete_are_refused_and_the_row_stays(stored_event, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(statement(stored_event[0]))
        db.session.flush()
    _unchanged(stored_event)


def test_the_orm_cannot_edit_or_delete_an_event_either(stored_event):
    event = db.session.get(AuditEvent, stored_event[0])
    event.note = "changed through the ORM"
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.commit()
    _unchanged(stored_event)
    db.session.delete(db.session.get(AuditEvent, stored_event[0]))
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.commit()
    _unchanged(stored_event)


def test_no_route_writes_to_the_trail_except_reading_it(app_ctx):
    """The only audit routes are reads (GET: the trail, its CSV) and the page's MRN search
    (POST, a redirect)."""
    routes = {
        rule.rule: rule.methods - {"HEAD", "OPTIONS"}
        for rule in app_ctx.url_map.iter_rules()
        if "audit" in rule.rule
    }
    assert routes == {
        "/api/v1/audit": {"GET"},
        "/audit": {"GET"},
        "/audit/patient": {"POST"},
        "/exports/audit.csv": {"GET"},
    }
