"""/api/v1/billing: the claim lines of a date range (the CSV's rows) and marking billed, with
the API's error contract (docs/domain.md §4)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_administration_refusals import all_rows
from tests.api.test_infusions import administer, at, book

START = iso(TODAY - timedelta(days=7))


def given(api, patient_id: int, days: int, **fields) -> dict:
    infusion = book(api, patient_id, days=days)
    return administer(api, infusion["id"], administered_at=at(days), **fields)


def test_claim_lines_answer_each_line_with_what_a_claim_needs(api):
    patient, _ = b.approved_auth(api, dose="100", units=500, start=TODAY - timedelta(days=5))
    done = given(api, patient["id"], -2, discarded_mg="3", reaction="ok", lot_number="LOT-9")
    response = api.get(f"/api/v1/billing/claim-lines?start={START}")
    assert response.status_code == 200
    common = {
        "infusion_id": done["id"],
        "service_date": iso(TODAY - timedelta(days=2)),
        "patient_mrn": "MRN-1",
        "member_id": "M123",
        "payer": "Payer MRN-1",
        "hcpcs_code": "J1439",
        "auth_number": "AUTH-1",
        "lot_number": "LOT-9",
        "status": "ready",
        "missing": [],
    }
    assert response.get_json() == [
        {**common, "modifiers": [], "units": 100},
        {**common, "modifiers": ["JW"], "units": 3},
    ]
    viewed = db.session.scalars(
        sa.select(AuditEvent.note).where(
            AuditEvent.action == "viewed", AuditEvent.note.is_not(None)
        )
    ).all()
    assert "claim lines" in viewed


def test_mark_billed_then_the_status_is_billed_and_audited(api, admin):
    patient, _ = b.approved_auth(api, dose="100", units=500, start=TODAY - timedelta(days=5))
    done = given(api, patient["id"], -1, reaction="ok")
    marked = api.post("/api/v1/billing/billed", json={"infusion_ids": [done["id"]]})
    assert marked.status_code == 200 and marked.get_json() == {"marked": [done["id"]]}
    lines = api.get(f"/api/v1/billing/claim-lines?start={START}&status=billed").get_json()
    assert [line["status"] for line in lines] == ["billed"]
    assert api.get(f"/api/v1/billing/claim-lines?start={START}&status=ready").get_json() == []
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "billed")).one()
    assert (event.entity_id, event.user_id) == (done["id"], admin.id)


def test_mark_billed_refuses_all_when_one_is_not_ready(api):
    patient, _ = b.approved_auth(api, dose="100", units=500, start=TODAY - timedelta(days=5))
    ready = given(api, patient["id"], -2, reaction="ok")
    bare = given(api, patient["id"], -1)
    booked = book(api, patient["id"], days=3)
    before = all_rows()
    ids = [ready["id"], bare["id"], booked["id"]]
    refused = api.post("/api/v1/billing/billed", json={"infusion_ids": ids})
    body = refused.get_json()
    assert refused.status_code == 409 and body["code"] == "NOT_READY_TO_BILL"
    assert body["errors"]["infusion_ids"] == [
        f"infusion {bare['id']} is missing documentation: no reaction or tolerance note",
        f"infusion {booked['id']} is scheduled, not administered",
    ]
    assert all_rows() == before


def test_mark_billed_of_another_clinics_row_is_not_found(api):
    other = factories.clinic()
    outsider = factories.ApiClient(api.client, factories.token(factories.user(other, "billing")))
    patient, _ = b.approved_auth(api, dose="100", units=500, start=TODAY - timedelta(days=5))
    done = given(api, patient["id"], -1, reaction="ok")
    refused = outsider.post("/api/v1/billing/billed", json={"infusion_ids": [done["id"]]})
    assert refused.status_code == 404
    assert refused.get_json()["errors"] == {
        "infusion_ids": [f"no administration with id {done['id']} in this clinic"]
    }
    assert outsider.get(f"/api/v1/billing/claim-lines?start={START}").get_json() == []


def test_bad_input_is_named(api):
    late = api.get(f"/api/v1/billing/claim-lines?start={iso(TODAY)}&end={START}")
    assert late.status_code == 422 and "end" in late.get_json()["errors"]
    long_ago = iso(TODAY - timedelta(days=400))
    wide = api.get(f"/api/v1/billing/claim-lines?start={long_ago}&end={iso(TODAY)}")
    assert wide.status_code == 422
    assert wide.get_json()["errors"] == {"end": ["must be within 366 days of From"]}
    empty = api.post("/api/v1/billing/billed", json={"infusion_ids": []})
    assert empty.status_code == 422 and "infusion_ids" in empty.get_json()["errors"]


def test_only_billing_and_admin_may(api, clinic):
    scheduler = factories.ApiClient(
        api.client, factories.token(factories.user(clinic, "scheduler"))
    )
    assert scheduler.get("/api/v1/billing/claim-lines").status_code == 403
    assert scheduler.post("/api/v1/billing/billed", json={"infusion_ids": [1]}).status_code == 403
    biller = factories.ApiClient(api.client, factories.token(factories.user(clinic, "billing")))
    assert biller.get("/api/v1/billing/claim-lines").status_code == 200
