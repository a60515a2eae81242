"""Bad input through the API: a 4xx naming the field, never a 500, and nothing written.

Found by fuzzing (schemathesis) and by hand; each case used to answer 500 or a wrong status.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from priorauth.domain.workflow import Status
from priorauth.extensions import db
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso

SKIP_TABLES = {"drug_codes", "alembic_version", "apscheduler_jobs", "api_tokens"}
TOO_BIG = [2**31, 2**63]
WHEN = f"{iso(TODAY + timedelta(days=1))}T10:00:00"


def row_counts() -> dict[str, int]:
    """Rows per table, read afresh (the requests commit in their own sessions)."""
    db.session.rollback()
    tables = [t for t in db.metadata.sorted_tables if t.name not in SKIP_TABLES]
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables}


def refused(response, status: int, field: str) -> dict:
    """The response is `status` in the error contract, and names `field`."""
    body = response.get_json()
    assert response.status_code == status, body
    assert {"code", "message", "errors"} <= set(body), body
    assert field in body["errors"], body
    assert body["message"]
    return body


@pytest.fixture
def world(api):
    """A patient with an approved authorization and a booking, a draft and a submitted one."""
    patient, approved = b.approved_auth(api, units=500)
    coverage_id = approved["coverage_id"]
    draft = b.request(api, patient["id"], coverage_id, dose_mg="100")
    submitted = b.request(api, patient["id"], coverage_id, dose_mg="100")
    b.move(api, submitted["id"], to="submitted", channel="fax", override_reason="test setup")
    infusion = api.post(
        "/api/v1/infusions",
        json={
            "patient_id": patient["id"],
            "hcpcs_code": "J1439",
            "scheduled_at": WHEN,
            "dose_mg": "100",
        },
    ).get_json()
    return {
        "patient": patient["id"],
        "payer": approved["payer_id"],
        "coverage": coverage_id,
        "approved": approved["id"],
        "draft": draft["id"],
        "submitted": submitted["id"],
        "infusion": infusion["id"],
    }


def auth_body(world, **fields) -> dict:
    return {
        "patient_id": world["patient"],
        "coverage_id": world["coverage"],
        "hcpcs_code": "J1439",
        "dose_mg": "100",
        "administrations": 2,
        "requested_start": iso(TODAY),
        "requested_end": iso(TODAY + timedelta(days=60)),
        **fields,
    }


def check_body(world, **fields) -> dict:
    base = {"patient_id": world["patient"], "hcpcs_code": "J1439", "dose_mg": "100"}
    return {**base, "service_date": iso(TODAY), **fields}


def book_body(world, **fields) -> dict:
    base = {"patient_id": world["patient"], "hcpcs_code": "J1439", "dose_mg": "100"}
    return {**base, "scheduled_at": WHEN, "override_reason": "fuzzing", **fields}


def admin_body(**fields) -> dict:
    base = {"dose_mg": "100", "lot_number": "L1", "lot_expiration": iso(TODAY + timedelta(200))}
    return {**base, **fields}


def deny_body(**fields) -> dict:
    return {"to": "denied", "denial_reason": "other", **fields}


def approve_body(**fields) -> dict:
    base = {"to": "approved", "auth_number": "A-9", "approved_units": 10}
    dates = {"approved_start": iso(TODAY), "approved_end": iso(TODAY + timedelta(days=30))}
    return {**base, **dates, **fields}


def send(api, world, method: str, path: str, body=None):
    return getattr(api, method)(path.format(**world), json=body)


@pytest.mark.parametrize("ident", [*TOO_BIG, 0])
@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/v1/patients/{n}", None),
        ("get", "/api/v1/patients/{n}/evidence", None),
        ("get", "/api/v1/patients/{n}/runway", None),
        ("get", "/api/v1/payers/{n}", None),
        ("get", "/api/v1/payers/{n}/policies/J1439", None),
        ("get", "/api/v1/authorizations/{n}", None),
        ("get", "/api/v1/authorizations/{n}/checklist", None),
        ("get", "/api/v1/authorizations/{n}/history", None),
        ("get", "/api/v1/infusions/{n}", None),
        ("patch", "/api/v1/patients/{n}", {"first_name": "Eve"}),
        ("patch", "/api/v1/payers/{n}", {"contact": "x"}),
        ("patch", "/api/v1/infusions/{n}", {"status": "no_show"}),
        ("post", "/api/v1/infusions/{n}/eligibility", {"method": "phone", "result": "active"}),
        ("post", "/api/v1/authorizations/{n}/transitions", {"to": "cancelled"}),
    ],
)
def test_path_ids_no_row_can_have_are_404(api, ident, method, path, body):
    before = row_counts()
    response = getattr(api, method)(path.format(n=ident), json=body)
    refused(response, 404, "id")
    assert row_counts() == before


@pytest.mark.parametrize("value", [2**31, 0, 1.5, None, [1]])
@pytest.mark.parametrize(
    "path, make, field",
    [
        ("/api/v1/authorizations", lambda w, v: auth_body(w, patient_id=v), "patient_id"),
        ("/api/v1/authorizations", lambda w, v: auth_body(w, coverage_id=v), "coverage_id"),
        ("/api/v1/coverage-check", lambda w, v: check_body(w, patient_id=v), "patient_id"),
        ("/api/v1/infusions", lambda w, v: book_body(w, patient_id=v), "patient_id"),
        (
            "/api/v1/patients/{patient}/coverages",
            lambda w, v: {"payer_id": v, "member_id": "M1", "start_date": iso(TODAY)},
            "payer_id",
        ),
    ],
)
def test_body_ids_that_are_not_ids_are_422(api, world, value, path, make, field):
    before = row_counts()
    refused(api.post(path.format(**world), json=make(world, value)), 422, field)
    assert row_counts() == before


@pytest.mark.parametrize(
    "query, field",
    [
        (f"/api/v1/authorizations?patient_id={2**63}", "patient_id"),
        (f"/api/v1/patients?offset={2**63}", "offset"),
        ("/api/v1/authorizations?status=stale", "status"),
        ("/api/v1/patients?q=a%00b", "q"),
        ("/api/v1/authorizations?status=draft%00", "status"),
    ],
)
def test_query_values_no_query_can_use_are_422(api, world, query, field):
    refused(api.get(query), 422, field)


@pytest.mark.parametrize("dose", ["10000.001", "1e20"])
@pytest.mark.parametrize(
    "method, path, make, field",
    [
        ("post", "/api/v1/authorizations", lambda w, d: auth_body(w, dose_mg=d), "dose_mg"),
        ("patch", "/api/v1/authorizations/{draft}", lambda w, d: {"dose_mg": d}, "dose_mg"),
        ("post", "/api/v1/coverage-check", lambda w, d: check_body(w, dose_mg=d), "dose_mg"),
        ("post", "/api/v1/infusions", lambda w, d: book_body(w, dose_mg=d), "dose_mg"),
        (
            "patch",
            "/api/v1/infusions/{infusion}",
            lambda w, d: {"dose_mg": d, "override_reason": "fuzzing"},
            "dose_mg",
        ),
        (
            "post",
            "/api/v1/infusions/{infusion}/administration",
            lambda w, d: admin_body(dose_mg=d),
            "dose_mg",
        ),
        (
            "post",
            "/api/v1/infusions/{infusion}/administration",
            lambda w, d: admin_body(discarded_mg=d),
            "discarded_mg",
        ),
    ],
)
def test_amounts_no_column_can_hold_are_422(api, world, dose, method, path, make, field):
    draft = api.get(f"/api/v1/authorizations/{world['draft']}").get_json()
    before = row_counts()  # after the read, which adds its viewed event
    refused(send(api, world, method, path, make(world, dose)), 422, field)
    assert row_counts() == before
    assert api.get(f"/api/v1/authorizations/{world['draft']}").get_json() == draft


def test_the_largest_dose_is_still_accepted(api, world):
    response = api.post("/api/v1/authorizations", json=auth_body(world, dose_mg="10000"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["units_requested"] == 20000


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"ferritin_max": "10000000"}, "ferritin_max"),
        ({"hemoglobin_max": "1e30"}, "hemoglobin_max"),
        ({"max_mg_per_dose": "10000000"}, "max_mg_per_dose"),
        ({"max_mg_per_authorization": "1000000.001"}, "max_mg_per_authorization"),
        ({"tsat_max": "0.001"}, "tsat_max"),  # stored as 0.00: was a bare 409 on PostgreSQL
        ({"max_mg_per_dose": "0.0001"}, "max_mg_per_dose"),
        ({"labs_max_age_days": 2.5}, "labs_max_age_days"),
    ],
)
def test_policy_limits_no_column_can_hold_are_422(api, world, fields, field):
    path = f"/api/v1/payers/{world['payer']}/policies/J1439"
    policy = api.get(path).get_json()
    before = row_counts()
    refused(api.put(path, json=fields), 422, field)
    assert row_counts() == before
    assert api.get(path).get_json() == policy


@pytest.mark.parametrize("value", ["1000000", "1e30"])
def test_lab_values_no_column_can_hold_are_422(api, world, value):
    before = row_counts()
    body = {"kind": "lab", "test": "ferritin", "value": value, "observed_on": iso(TODAY)}
    refused(api.post(f"/api/v1/patients/{world['patient']}/evidence", json=body), 422, "value")
    assert row_counts() == before


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"approved_units": 2**31}, "approved_units"),
        ({"approved_units": 2**63}, "approved_units"),
        ({"approved_units": 10.5}, "approved_units"),
        ({"approved_administrations": 2**31}, "approved_administrations"),
        ({"approved_end": "9999-12-31"}, "approved_end"),
        ({"auth_number": "   "}, "auth_number"),
    ],
)
def test_approvals_out_of_range_are_422_and_leave_the_request_submitted(api, world, fields, field):
    before = row_counts()
    path = f"/api/v1/authorizations/{world['submitted']}/transitions"
    refused(api.post(path, json=approve_body(**fields)), 422, field)
    assert row_counts() == before
    auth = api.get(f"/api/v1/authorizations/{world['submitted']}").get_json()
    assert (auth["status"], auth["units_approved"]) == ("submitted", None)


@pytest.mark.parametrize("day", ["1899-12-31", "9999-12-31"])
@pytest.mark.parametrize(
    "method, path, make, field",
    [
        (
            "post",
            "/api/v1/coverage-check",
            lambda w, d: check_body(w, service_date=d),
            "service_date",
        ),
        (
            "post",
            "/api/v1/authorizations",
            lambda w, d: auth_body(w, requested_start=d),
            "requested_start",
        ),
        (
            "post",
            "/api/v1/authorizations/{submitted}/transitions",
            lambda w, d: deny_body(decided_on=d),
            "decided_on",
        ),  # was a 500: deadline overflow
        (
            "post",
            "/api/v1/infusions",
            lambda w, d: book_body(w, scheduled_at=f"{d}T10:00:00"),
            "scheduled_at",
        ),
        (
            "patch",
            "/api/v1/infusions/{infusion}",
            lambda w, d: {"scheduled_at": f"{d}T10:00:00", "override_reason": "fuzzing"},
            "scheduled_at",
        ),
        (
            "post",
            "/api/v1/infusions/{infusion}/administration",
            lambda w, d: admin_body(lot_expiration=d),
            "lot_expiration",
        ),
        ("patch", "/api/v1/patients/{patient}", lambda w, d: {"birth_date": d}, "birth_date"),
        (
            "post",
            "/api/v1/patients/{patient}/evidence",
            lambda w, d: {"kind": "diagnosis", "code": "D50.9", "observed_on": d},
            "observed_on",
        ),
    ],
)
def test_dates_outside_1900_to_2199_are_422(api, world, day, method, path, make, field):
    infusion = api.get(f"/api/v1/infusions/{world['infusion']}").get_json()
    before = row_counts()  # after the read, which adds its viewed event
    refused(send(api, world, method, path, make(world, day)), 422, field)
    assert row_counts() == before
    assert api.get(f"/api/v1/infusions/{world['infusion']}").get_json() == infusion


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reminders?as_of={day}",  # 9999-12-31 was a 500
        "/api/v1/authorizations/{approved}/checklist?as_of={day}",
        "/api/v1/infusions?start={day}",
    ],
)
def test_query_dates_outside_1900_to_2199_are_422(api, world, day, path):
    field = path.split("?")[1].split("=")[0]
    refused(api.get(path.format(day=day, **world)), 422, field)


@pytest.mark.parametrize("day", ["1900-01-01", "2199-12-31"])
def test_coverage_far_in_the_past_or_future_is_answered(api, world, day):
    answer = api.post("/api/v1/coverage-check", json=check_body(world, service_date=day))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["covered"] is False
    reminders = api.get(f"/api/v1/reminders?as_of={day}")
    assert reminders.status_code == 200, reminders.get_json()


@pytest.mark.parametrize("text", ["a\x00b", "ok\udfff"])
@pytest.mark.parametrize(
    "method, path, make, field",
    [
        (
            "post",
            "/api/v1/patients",
            lambda w, t: {
                "mrn": t,
                "first_name": "A",
                "last_name": "B",
                "birth_date": "1970-01-01",
            },
            "mrn",
        ),
        ("post", "/api/v1/payers", lambda w, t: {"name": t}, "name"),
        ("patch", "/api/v1/authorizations/{draft}", lambda w, t: {"notes": t}, "notes"),
        (
            "post",
            "/api/v1/authorizations",
            lambda w, t: auth_body(w, diagnosis_codes=["D50", t]),
            "diagnosis_codes",
        ),
        (
            "post",
            "/api/v1/infusions/{infusion}/eligibility",
            lambda w, t: {"method": "phone", "result": "active", "note": t},
            "note",
        ),
        (
            "post",
            "/api/v1/patients/{patient}/evidence",
            lambda w, t: {
                "kind": "oral_iron_trial",
                "drug": t,
                "start_date": "2025-01-01",
                "outcome": "intolerance",
            },
            "drug",
        ),
        (
            "post",
            "/api/v1/authorizations/{draft}/transitions",
            lambda w, t: {"to": "cancelled", "note": t},
            "note",
        ),
    ],
)
def test_text_no_database_can_store_is_422(api, world, text, method, path, make, field):
    before = row_counts()
    refused(send(api, world, method, path, make(world, text)), 422, field)
    assert row_counts() == before


@pytest.mark.parametrize("code", ["J14%0039", "%E2%80%AE%00"])
def test_policy_codes_with_nul_are_refused_not_500(api, world, code):
    path = f"/api/v1/payers/{world['payer']}/policies/{code}"
    refused(api.get(path), 404, "hcpcs_code")
    before = row_counts()
    refused(api.put(path, json={}), 422, "hcpcs_code")
    assert row_counts() == before


@pytest.mark.parametrize(
    "path, make, field",
    [
        (
            "/api/v1/patients",
            lambda t: {"mrn": t, "first_name": "A", "last_name": "B", "birth_date": "1970-01-01"},
            "mrn",
        ),
        (
            "/api/v1/patients",
            lambda t: {"mrn": "M-2", "first_name": t, "last_name": "B", "birth_date": "1970-01-01"},
            "first_name",
        ),
        ("/api/v1/payers", lambda t: {"name": t}, "name"),
        (
            "/api/v1/patients/{patient}/coverages",
            lambda t: {"payer_id": 1, "member_id": t, "start_date": "2025-01-01"},
            "member_id",
        ),
        (
            "/api/v1/infusions/{infusion}/administration",
            lambda t: admin_body(lot_number=t),
            "lot_number",
        ),
    ],
)
def test_blank_names_are_422(api, world, path, make, field):
    before = row_counts()
    refused(api.post(path.format(**world), json=make("   ")), 422, field)
    assert row_counts() == before


def test_an_edited_mrn_is_stored_trimmed_and_stays_unique(api, world):
    b.patient(api, mrn="MRN-2")
    response = api.patch(f"/api/v1/patients/{world['patient']}", json={"mrn": " MRN-2 "})
    refused(response, 422, "mrn")
    edited = api.patch(f"/api/v1/patients/{world['patient']}", json={"mrn": " MRN-3 "})
    assert edited.get_json()["mrn"] == "MRN-3"


@pytest.mark.parametrize(
    "kwargs, status",
    [
        ({"data": {"contact": "x"}}, 415),  # a form post
        ({}, 415),  # no body at all
        ({"data": "null", "content_type": "application/json"}, 422),
        ({"data": "[1, 2]", "content_type": "application/json"}, 422),
        ({"data": '"x"', "content_type": "application/json"}, 422),
        ({"data": "{bad", "content_type": "application/json"}, 400),
        ({"data": b'{"name": "\xff"}', "content_type": "application/json"}, 400),
        ({"data": "[" * 50_000 + "]" * 50_000, "content_type": "application/json"}, 400),
    ],
)
@pytest.mark.parametrize(
    "method, path",
    [
        ("put", "/api/v1/payers/{payer}/policies/J1439"),  # a form body used to clear it
        ("patch", "/api/v1/authorizations/{draft}"),
        ("post", "/api/v1/patients/{patient}/evidence"),
    ],
)
def test_writes_without_a_json_object_are_refused(api, world, kwargs, status, method, path):
    policy = api.get(f"/api/v1/payers/{world['payer']}/policies/J1439").get_json()
    before = row_counts()
    refused(getattr(api, method)(path.format(**world), **kwargs), status, "body")
    assert row_counts() == before
    assert api.get(f"/api/v1/payers/{world['payer']}/policies/J1439").get_json() == policy


def test_patching_an_infusion_with_nothing_is_422(api, world):
    before = row_counts()
    refused(api.patch(f"/api/v1/infusions/{world['infusion']}", json={}), 422, "body")
    assert row_counts() == before


@pytest.mark.parametrize("kind", [["lab"], {"a": 1}, 5, None])
def test_evidence_kind_that_is_not_a_name_is_422(api, world, kind):
    before = row_counts()
    body = {"kind": kind, "test": "ferritin", "value": "10", "observed_on": iso(TODAY)}
    refused(api.post(f"/api/v1/patients/{world['patient']}/evidence", json=body), 422, "kind")
    assert row_counts() == before


def test_another_clinics_ids_are_not_found_and_change_nothing(api, world):
    other = factories.clinic("Elsewhere")
    stranger = factories.ApiClient(api.client, factories.token(factories.user(other, "admin")))
    before = row_counts()
    calls = [
        ("post", "/api/v1/authorizations", auth_body(world)),
        ("post", "/api/v1/coverage-check", check_body(world)),
        ("post", "/api/v1/infusions", book_body(world)),
        ("post", "/api/v1/authorizations/{submitted}/transitions", deny_body()),
        ("patch", "/api/v1/infusions/{infusion}", {"status": "cancelled"}),
        ("post", "/api/v1/infusions/{infusion}/administration", admin_body()),
        ("put", "/api/v1/payers/{payer}/policies/J1439", {}),
        ("patch", "/api/v1/patients/{patient}", {"first_name": "Eve"}),
    ]
    for method, path, body in calls:
        refused(send(stranger, world, method, path, body), 404, "id")
    assert row_counts() == before


TARGETS = [s.value for s in Status] + ["bogus"]
FULL = {
    "channel": "fax",
    "note": "n",
    "override_reason": "because",
    "auth_number": "A-1",
    "approved_units": 1000,
    "approved_start": iso(TODAY),
    "approved_end": iso(TODAY + timedelta(days=30)),
    "denial_reason": "other",
}
ROUTES = {
    "draft": [],
    "submitted": ["submitted"],
    "pended": ["submitted", "pended"],
    "approved": ["submitted", "approved"],
    "denied": ["submitted", "denied"],
    "appealed": ["submitted", "denied", "appealed"],
    "cancelled": ["cancelled"],
}


@pytest.mark.parametrize("start", list(ROUTES))
def test_every_target_on_every_status_is_answered_or_refused_cleanly(api, world, start):
    def fresh():
        auth = b.request(api, world["patient"], world["coverage"], dose_mg="100")
        for step in ROUTES[start]:
            b.move(api, auth["id"], to=step, **FULL)
        return auth["id"]

    auth_id = fresh()
    for target in TARGETS:
        for body in ({"to": target}, {**FULL, "to": target}):
            response = api.post(f"/api/v1/authorizations/{auth_id}/transitions", json=body)
            assert response.status_code in (200, 409, 422), (start, body, response.get_json())
            if response.status_code == 200:
                auth_id = fresh()
                continue
            error = response.get_json()
            assert error["errors"], (start, body, error)
            assert api.get(f"/api/v1/authorizations/{auth_id}").get_json()["stored_status"] == (
                ROUTES[start][-1] if ROUTES[start] else "draft"
            )


def test_birth_date_in_the_future_is_named(api):
    response = api.post(
        "/api/v1/patients",
        json={"mrn": "F-1", "first_name": "A", "last_name": "B", "birth_date": "2199-01-01"},
    )
    assert response.status_code == 422
    assert "birth_date" in response.get_json()["errors"]


def test_oversized_body_is_413_json(api):
    response = api.post(
        "/api/v1/patients",
        data="{" + " " * (2 * 1024 * 1024) + "}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "PAYLOAD_TOO_LARGE"


def test_error_bodies_are_documented_with_a_string_code(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]
    assert error["properties"]["code"]["type"] == "string"
