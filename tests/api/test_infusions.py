"""Scheduler and billing through the API: coverage check, booking, administration, claims."""

from __future__ import annotations

from datetime import timedelta

from priorauth.extensions import db
from priorauth.models import AuditEvent, Infusion
from tests.api import builders as b
from tests.api.builders import TODAY, iso


def at(days: int, hour: int = 10) -> str:
    return f"{iso(TODAY + timedelta(days=days))}T{hour:02d}:00:00"


def book(api, patient_id, code="J1439", dose="100", days=1, expect=201, **extra):
    response = api.post(
        "/api/v1/infusions",
        json={
            "patient_id": patient_id,
            "hcpcs_code": code,
            "scheduled_at": at(days),
            "dose_mg": dose,
            **extra,
        },
    )
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def administer(api, infusion_id, expect=200, **fields):
    body = {
        "dose_mg": "100",
        "discarded_mg": "0",
        "lot_number": "L123",
        "lot_expiration": iso(TODAY + timedelta(days=200)),
        **fields,
    }
    response = api.post(f"/api/v1/infusions/{infusion_id}/administration", json=body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_coverage_check_answers_covered_with_units(api):
    patient, auth = b.approved_auth(api, dose="100", units=500)
    answer = api.post(
        "/api/v1/coverage-check",
        json={
            "patient_id": patient["id"],
            "hcpcs_code": "J1439",
            "service_date": iso(TODAY),
            "dose_mg": "99.5",
        },
    ).get_json()
    assert answer["covered"] is True
    assert answer["authorization_id"] == auth["id"]
    assert answer["units_required"] == 100
    assert answer["units_left"] == 500


def test_coverage_check_without_authorization_gives_every_reason(api):
    payer = b.payer(api)
    b.policy(api, payer["id"], "J1439", max_mg_per_dose="750")
    patient = b.patient(api)
    b.coverage(api, patient["id"], payer["id"], end_date=iso(TODAY - timedelta(days=1)))
    answer = api.post(
        "/api/v1/coverage-check",
        json={
            "patient_id": patient["id"],
            "hcpcs_code": "J1439",
            "service_date": iso(TODAY),
            "dose_mg": "1000",
        },
    ).get_json()
    codes = sorted(r["code"] for r in answer["reasons"])
    assert answer["covered"] is False and answer["authorization_id"] is None
    assert codes == ["COVERAGE_INACTIVE", "DOSE_EXCEEDS_LIMIT", "NO_AUTHORIZATION"]


def test_booking_reserves_units_and_cancel_releases_them(api):
    patient, auth = b.approved_auth(api, dose="100", units=500)
    infusion = book(api, patient["id"])
    assert infusion["authorization_id"] == auth["id"]
    assert infusion["units_reserved"] == 100
    assert infusion["coverage"]["covered"] is True
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["units_left"] == 400
    cancelled = api.patch(f"/api/v1/infusions/{infusion['id']}", json={"status": "cancelled"})
    assert cancelled.status_code == 200
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["units_left"] == 500


def test_uncovered_booking_is_409_not_covered_unless_overridden(api):
    patient, auth = b.approved_auth(api, dose="100", units=100)
    book(api, patient["id"])
    refused = book(api, patient["id"], days=10, expect=409)
    assert refused["code"] == "NOT_COVERED"
    assert [r["code"] for r in refused["reasons"]] == ["UNITS_EXHAUSTED"]
    assert db.session.scalar(db.select(db.func.count(Infusion.id))) == 1
    forced = book(api, patient["id"], days=10, override_reason="payer verbally approved")
    assert forced["authorization_id"] == auth["id"]  # an override draws on the approval
    assert forced["override_reason"] == "payer verbally approved"
    event = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_type == "infusions", AuditEvent.entity_id == forced["id"]
        )
    ).one()
    assert "payer verbally approved" in event.note


def test_reschedule_rechecks_coverage(api):
    patient, auth = b.approved_auth(api, dose="100", units=500)
    infusion = book(api, patient["id"])
    late = api.patch(f"/api/v1/infusions/{infusion['id']}", json={"scheduled_at": at(90)})
    assert late.status_code == 409
    assert [r["code"] for r in late.get_json()["reasons"]] == ["AUTH_EXPIRED"]
    unchanged = api.get(f"/api/v1/infusions/{infusion['id']}").get_json()
    assert unchanged["scheduled_at"].startswith(iso(TODAY + timedelta(days=1)))
    moved = api.patch(f"/api/v1/infusions/{infusion['id']}", json={"scheduled_at": at(5)})
    assert moved.status_code == 200
    assert moved.get_json()["scheduled_at"].startswith(iso(TODAY + timedelta(days=5)))


def test_administer_with_discard_bills_a_jw_line(api):
    patient, auth = b.approved_auth(api, code="J1437", dose="900", administrations=1, units=100)
    infusion = book(api, patient["id"], code="J1437", dose="900", days=0)
    done = administer(api, infusion["id"], dose_mg="900", discarded_mg="100")
    assert done["status"] == "administered"
    assert done["claim_lines"] == [
        {
            "hcpcs_code": "J1437",
            "units": 90,
            "modifiers": [],
            "auth_number": "AUTH-1",
            "service_date": iso(TODAY),
        },
        {
            "hcpcs_code": "J1437",
            "units": 10,
            "modifiers": ["JW"],
            "auth_number": "AUTH-1",
            "service_date": iso(TODAY),
        },
    ]
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["units_used"] == 100


def test_administer_without_discard_bills_jz(api):
    patient, auth = b.approved_auth(api, code="J1437", dose="1000", administrations=1, units=100)
    infusion = book(api, patient["id"], code="J1437", dose="1000", days=0)
    done = administer(api, infusion["id"], dose_mg="1000")
    assert done["claim_lines"] == [
        {
            "hcpcs_code": "J1437",
            "units": 100,
            "modifiers": ["JZ"],
            "auth_number": "AUTH-1",
            "service_date": iso(TODAY),
        }
    ]
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["status"] == "exhausted"


def test_multi_dose_container_has_no_modifier(api):
    patient, auth = b.approved_auth(api, code="J1756", dose="200", units=1000)
    infusion = book(api, patient["id"], code="J1756", dose="200", days=0)
    done = administer(api, infusion["id"], dose_mg="200", discarded_mg="50", container="multi")
    assert done["claim_lines"] == [
        {
            "hcpcs_code": "J1756",
            "units": 200,
            "modifiers": [],
            "auth_number": "AUTH-1",
            "service_date": iso(TODAY),
        }
    ]


def test_payer_without_waste_modifiers_gets_no_jz(api):
    patient, auth = b.approved_auth(
        api,
        code="J1437",
        dose="1000",
        administrations=1,
        units=100,
        payer_fields={"requires_waste_modifiers": False},
    )
    infusion = book(api, patient["id"], code="J1437", dose="1000", days=0)
    assert administer(api, infusion["id"], dose_mg="1000")["claim_lines"][0]["modifiers"] == []


def test_expired_lot_is_refused_and_nothing_recorded(api):
    patient, auth = b.approved_auth(api)
    infusion = book(api, patient["id"], days=0)
    refused = administer(
        api, infusion["id"], expect=422, lot_expiration=iso(TODAY - timedelta(days=1))
    )
    assert "lot_expiration" in refused["errors"]
    assert api.get(f"/api/v1/infusions/{infusion['id']}").get_json()["status"] == "scheduled"


def test_missing_lot_and_dose_are_named(api):
    patient, auth = b.approved_auth(api)
    infusion = book(api, patient["id"], days=0)
    response = api.post(f"/api/v1/infusions/{infusion['id']}/administration", json={})
    assert response.status_code == 422
    assert {"dose_mg", "lot_number", "lot_expiration"} <= set(response.get_json()["errors"])


def test_dose_above_the_approved_dose_needs_an_override(api):
    patient, auth = b.approved_auth(api, dose="100", units=500)
    infusion = book(api, patient["id"], days=0)
    refused = administer(api, infusion["id"], expect=409, dose_mg="150")
    assert refused["code"] == "AUTHORIZATION_MISMATCH"
    assert "150" in refused["message"]
    done = administer(api, infusion["id"], dose_mg="150", override_reason="weight-based dose")
    assert done["units_used"] == 150


def test_administered_infusion_cannot_be_administered_twice(api):
    patient, auth = b.approved_auth(api)
    infusion = book(api, patient["id"], days=0)
    administer(api, infusion["id"])
    assert administer(api, infusion["id"], expect=409)["code"] == "NOT_SCHEDULED"


def test_derived_expired_status_without_a_nightly_job(api):
    patient, auth = b.approved_auth(
        api, start=TODAY - timedelta(days=60), end=TODAY - timedelta(days=1)
    )
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["status"] == "expired"
    listed = api.get("/api/v1/authorizations").get_json()
    assert [(a["id"], a["status"], a["stored_status"]) for a in listed] == [
        (auth["id"], "expired", "approved")
    ]
