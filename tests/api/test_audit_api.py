"""Audit of access through the API: every read of a patient, request or infusion records one
viewed event (a list read one per row, in one INSERT), and GET /api/v1/audit for admins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent
from tests import factories
from tests.api import builders as b
from tests.api.test_infusions import at, book
from tests.querycount import counting_queries

ADDRESS = "203.0.113.77"


def viewed() -> list[AuditEvent]:
    """The viewed events, read afresh (each request commits in its own session)."""
    db.session.rollback()
    query = sa.select(AuditEvent).where(AuditEvent.action == "viewed").order_by(AuditEvent.id)
    return db.session.scalars(query).all()


def read(api, path: str):
    response = api.get(path, environ_base={"REMOTE_ADDR": ADDRESS})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def world(api):
    patient, auth = b.approved_auth(api, mrn="MRN-API")
    infusion = book(api, patient["id"])
    return {"patient": patient["id"], "auth": auth["id"], "infusion": infusion["id"]}


# --- one event per read -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, entity_type, key, note",
    [
        ("/api/v1/patients/{patient}", "patients", "patient", None),
        ("/api/v1/patients/{patient}/evidence", "patients", "patient", "evidence"),
        ("/api/v1/authorizations/{auth}", "authorization_requests", "auth", None),
        ("/api/v1/authorizations/{auth}/checklist", "authorization_requests", "auth", "checklist"),
        ("/api/v1/authorizations/{auth}/history", "authorization_requests", "auth", "history"),
        ("/api/v1/infusions/{infusion}", "infusions", "infusion", None),
    ],
)
def test_each_read_records_one_viewed_event(client, world, clinic, path, entity_type, key, note):
    scheduler = factories.user(clinic, "scheduler")
    api = factories.ApiClient(client, factories.token(scheduler))
    for n in (1, 2):
        read(api, path.format(**world))
        assert len(viewed()) == n
    last = viewed()[-1]
    assert (last.user_id, last.patient_id, last.remote_addr) == (
        scheduler.id,
        world["patient"],
        ADDRESS,
    )
    assert (last.entity_type, last.entity_id, last.note) == (entity_type, world[key], note)


def test_the_history_read_lists_changes_not_views(api, world):
    read(api, f"/api/v1/authorizations/{world['auth']}")
    history = read(api, f"/api/v1/authorizations/{world['auth']}/history")
    assert [e["action"] for e in history] == ["created", "transition", "transition"]


def test_a_missing_record_records_nothing(api, world):
    assert api.get(f"/api/v1/patients/{world['patient'] + 99}").status_code == 404
    assert viewed() == []


# --- list reads: one event per row, a constant number of statements ---------------------------


def _patients(api, count: int, state: dict) -> None:
    for _ in range(count):
        state["n"] = state.get("n", 0) + 1
        b.patient(api, mrn=f"MRN-{state['n']}")


def _authorizations(api, count: int, state: dict) -> None:
    """Requests of one patient's coverage (distinct coverages each load their payer once)."""
    if not state:
        payer = b.payer(api)
        state["patient"] = b.patient(api)["id"]
        state["coverage"] = b.coverage(api, state["patient"], payer["id"])["id"]
    for _ in range(count):
        b.request(api, state["patient"], state["coverage"])


def _infusions(api, count: int, state: dict) -> None:
    if not state:
        state["patient"] = b.patient(api)["id"]
    for _ in range(count):
        state["n"] = state.get("n", 0) + 1
        body = {"patient_id": state["patient"], "hcpcs_code": "J1439", "dose_mg": "100"}
        body |= {"scheduled_at": at(state["n"]), "override_reason": "test: booked without one"}
        assert api.post("/api/v1/infusions", json=body).status_code == 201


LISTS = [
    ("/api/v1/patients?limit=200", _patients, "patients"),
    ("/api/v1/authorizations?limit=500", _authorizations, "authorization_requests"),
    ("/api/v1/infusions", _infusions, "infusions"),
]


def _list_read(api, path: str) -> tuple[int, int]:
    """(rows answered, SQL statements sent) for one list read."""
    db.session.rollback()
    with counting_queries() as statements:
        rows = read(api, path)
    return len(rows), len(statements)


@pytest.mark.parametrize("path, make, entity_type", LISTS)
def test_a_list_read_records_one_event_per_row_in_constant_statements(
    api, admin, path, make, entity_type
):
    state: dict = {}
    make(api, 2, state)
    few, few_statements = _list_read(api, path)
    events = viewed()
    assert few == 2 and len(events) == 2
    assert {(e.entity_type, e.user_id, e.remote_addr) for e in events} == {
        (entity_type, admin.id, ADDRESS)
    }
    assert all(e.patient_id is not None for e in events)
    make(api, 8, state)
    many, many_statements = _list_read(api, path)
    assert many == 10 and len(viewed()) == 12
    assert many_statements == few_statements


# --- GET /api/v1/audit ------------------------------------------------------------------------


def _event(clinic_id, user_id, when, action="viewed", patient_id=None) -> None:
    db.session.add(
        AuditEvent(
            clinic_id=clinic_id,
            user_id=user_id,
            entity_type="patients" if patient_id else "users",
            entity_id=patient_id or user_id,
            action=action,
            patient_id=patient_id,
            at=when,
        )
    )


def test_non_admins_are_refused(client, clinic):
    desk = factories.user(clinic, "front_desk")
    api = factories.ApiClient(client, factories.token(desk))
    response = api.get("/api/v1/audit")
    assert response.status_code == 403
    assert response.get_json()["code"] == "FORBIDDEN"


def test_events_answer_in_utc_with_z(api, world, admin):
    read(api, f"/api/v1/patients/{world['patient']}")
    body = read(api, f"/api/v1/audit?patient_id={world['patient']}&action=viewed")
    assert len(body) == 1
    only = body[0]
    assert only["at"].endswith("Z")
    moment = datetime.fromisoformat(only["at"].removesuffix("Z"))
    assert abs(moment - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=5)
    assert (only["user_id"], only["user_name"], only["remote_addr"]) == (
        admin.id,
        admin.name,
        ADDRESS,
    )
    assert (only["entity_type"], only["entity_id"]) == ("patients", world["patient"])


def test_filters_by_user_action_and_clinic_local_days(api, clinic, admin):
    clinic.timezone = "America/Chicago"
    desk = factories.user(clinic, "front_desk")
    _event(clinic.id, desk.id, datetime(2026, 3, 2, 4))  # 22:00 on Mar 1 in Chicago
    _event(clinic.id, desk.id, datetime(2026, 3, 2, 7), action="signed_in")  # 01:00 on Mar 2
    _event(clinic.id, admin.id, datetime(2026, 3, 1, 18), action="updated")
    db.session.commit()
    mine = read(api, f"/api/v1/audit?user_id={desk.id}")
    assert [e["action"] for e in mine] == ["signed_in", "viewed"]
    march_1 = read(api, "/api/v1/audit?since=2026-03-01&until=2026-03-01")
    assert sorted(e["action"] for e in march_1) == ["updated", "viewed"]
    assert [e["action"] for e in read(api, "/api/v1/audit?action=sign_in")] == ["signed_in"]
    changes = read(api, "/api/v1/audit?action=changes&until=2026-03-02")
    assert [e["action"] for e in changes] == ["updated"]
    paged = read(api, f"/api/v1/audit?user_id={desk.id}&limit=1&offset=1")
    assert [e["action"] for e in paged] == ["viewed"]


@pytest.mark.parametrize(
    "query, status, field",
    [
        ("limit=501", 422, "limit"),
        ("limit=0", 422, "limit"),
        ("offset=-1", 422, "offset"),
        ("since=2026-03-02&until=2026-03-01", 422, "until"),
        ("since=9999-01-01", 422, "since"),
        ("action=deleted", 422, "action"),
        ("patient_id=0", 422, "patient_id"),
        ("patient_id=424242", 404, "patient_id"),
        ("user_id=424242", 404, "user_id"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(api, admin, query, status, field):
    response = api.get(f"/api/v1/audit?{query}")
    assert response.status_code == status, response.get_json()
    assert field in response.get_json()["errors"]


def test_another_clinics_events_are_never_answered(api, admin, clinic):
    elsewhere = factories.clinic()
    their_admin = factories.user(elsewhere, "admin")
    _event(elsewhere.id, their_admin.id, datetime(2026, 3, 1, 12))
    _event(clinic.id, admin.id, datetime(2026, 3, 1, 12))
    db.session.commit()
    body = read(api, "/api/v1/audit?since=2026-03-01&until=2026-03-01")
    assert [e["user_id"] for e in body] == [admin.id]
    assert api.get(f"/api/v1/audit?user_id={their_admin.id}").status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_no_route_changes_the_trail(api, admin, method):
    assert getattr(api, method)("/api/v1/audit", json={}).status_code == 405
