"""Front desk through the API: policies, evidence, the checklist and the request workflow."""

from __future__ import annotations

from datetime import timedelta

import pytest

from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso

POLICY = {
    "accepted_diagnoses": ["D50", "D63.1"],
    "ferritin_max": "30",
    "tsat_max": "20",
    "ferritin_max_ckd": "100",
    "tsat_max_ckd": "30",
    "hemoglobin_max": "13",
    "labs_max_age_days": 30,
    "oral_iron_min_days": 90,
    "max_mg_per_dose": "750",
    "max_mg_per_authorization": "1500",
    "max_administrations": 2,
    "min_days_between_doses": 7,
    "default_authorization_days": 90,
}


@pytest.fixture
def draft(api):
    payer = b.payer(api)
    b.policy(api, payer["id"], "J1439", **POLICY)
    patient = b.patient(api)
    coverage = b.coverage(api, patient["id"], payer["id"])
    return b.request(api, patient["id"], coverage["id"])


def add_full_evidence(api, patient_id):
    recent = iso(TODAY - timedelta(days=5))
    b.evidence(api, patient_id, kind="lab", test="ferritin", value="12", observed_on=recent)
    b.evidence(api, patient_id, kind="lab", test="tsat", value="9", observed_on=recent)
    b.evidence(api, patient_id, kind="lab", test="hemoglobin", value="9.8", observed_on=recent)
    b.evidence(
        api,
        patient_id,
        kind="oral_iron_trial",
        drug="ferrous sulfate 325 mg",
        start_date=iso(TODAY - timedelta(days=150)),
        end_date=iso(TODAY - timedelta(days=30)),
        outcome="inadequate_response",
    )
    b.evidence(api, patient_id, kind="diagnosis", code="D50.9", observed_on=recent)


def transitions_of(auth_id):
    return db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.entity_id == auth_id, AuditEvent.action == "transition")
        .order_by(AuditEvent.id)
    ).all()


def test_payer_defaults_follow_domain(api):
    payer = b.payer(api, name="Defaults Inc")
    assert payer["standard_response_days"] == 15
    assert payer["expedited_response_hours"] == 72
    assert payer["appeal_window_days"] == 180
    assert payer["requires_waste_modifiers"] is True


def test_policy_round_trip(api):
    payer = b.payer(api)
    b.policy(api, payer["id"], "j1439", **POLICY, preferred_codes=["J1756"])
    got = api.get(f"/api/v1/payers/{payer['id']}/policies/J1439").get_json()
    assert got["accepted_diagnoses"] == ["D50", "D63.1"]
    assert got["ferritin_max"] == "30.00"
    assert got["preferred_codes"] == ["J1756"]
    assert got["max_administrations"] == 2


def test_units_computed_from_dose_code_and_administrations(draft):
    assert draft["status"] == "draft"
    assert draft["units_requested"] == 1500  # 750 mg J1439 (1 mg a unit) x 2


def test_request_goes_draft_submitted_pended_submitted_partially_approved(api, draft):
    auth_id = draft["id"]
    refused = api.post(
        f"/api/v1/authorizations/{auth_id}/transitions", json={"to": "submitted", "channel": "fax"}
    )
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["code"] == "CHECKLIST_NOT_READY"
    assert any("ORAL_IRON_TRIAL" in line for line in body["errors"]["checklist"])
    assert api.get(f"/api/v1/authorizations/{auth_id}").get_json()["status"] == "draft"
    assert transitions_of(auth_id) == []

    add_full_evidence(api, draft["patient_id"])
    checklist = api.get(f"/api/v1/authorizations/{auth_id}/checklist").get_json()
    assert checklist["ready"] is True, checklist
    submitted = b.move(api, auth_id, to="submitted", channel="portal", payer_reference="REF-9")
    assert submitted["status"] == "submitted"
    assert submitted["submission_channel"] == "portal"
    b.move(api, auth_id, to="pended", note="payer wants the hemoglobin trend")
    b.move(api, auth_id, to="submitted", channel="fax")
    start, end = TODAY + timedelta(days=1), TODAY + timedelta(days=60)
    decided = b.move(
        api,
        auth_id,
        to="approved",
        auth_number="BH-77",
        approved_units=750,
        approved_administrations=1,
        approved_start=iso(start),
        approved_end=iso(end),
    )
    assert decided["status"] == "partially_approved"
    assert decided["units_approved"] == 750
    assert decided["administrations_approved"] == 1
    assert (decided["approved_start"], decided["approved_end"]) == (iso(start), iso(end))
    assert decided["auth_number"] == "BH-77"
    assert decided["units_left"] == 750
    steps = [(e.from_status, e.to_status) for e in transitions_of(auth_id)]
    assert steps == [
        ("draft", "submitted"),
        ("submitted", "pended"),
        ("pended", "submitted"),
        ("submitted", "partially_approved"),
    ]
    assert all(e.user_id is not None and e.at is not None for e in transitions_of(auth_id))


def test_override_reason_lets_an_unready_request_through_and_is_audited(api, draft):
    moved = b.move(
        api, draft["id"], to="submitted", channel="phone", override_reason="peer-to-peer booked"
    )
    assert moved["status"] == "submitted"
    event = transitions_of(draft["id"])[-1]
    assert event.changes["override_reason"] == "peer-to-peer booked"
    assert event.changes["ready"] is False


def test_illegal_transition_is_409_naming_allowed(api, draft):
    response = api.post(
        f"/api/v1/authorizations/{draft['id']}/transitions", json={"to": "approved"}
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "TRANSITION_NOT_ALLOWED"
    assert body["allowed"] == ["submitted", "not_required", "cancelled"]
    assert "draft" in body["message"] and "submitted" in body["message"]


def test_denial_sets_the_appeal_deadline_from_the_payer_window(api, draft):
    b.move(api, draft["id"], to="submitted", channel="portal", override_reason="urgent")
    denied = b.move(
        api,
        draft["id"],
        to="denied",
        denial_reason="oral_iron_not_documented",
        decided_on=iso(TODAY),
        note="no trial on file",
    )
    assert denied["appeal_deadline"] == iso(TODAY + timedelta(days=180))
    assert denied["denial_reason"] == "oral_iron_not_documented"
    appealed = b.move(api, draft["id"], to="appealed", note="trial notes attached")
    assert appealed["status"] == "appealed"


def test_decision_fields_are_required(api, draft):
    b.move(api, draft["id"], to="submitted", channel="portal", override_reason="urgent")
    response = api.post(
        f"/api/v1/authorizations/{draft['id']}/transitions", json={"to": "approved"}
    )
    assert response.status_code == 422
    assert "auth_number" in response.get_json()["errors"]
    assert api.get(f"/api/v1/authorizations/{draft['id']}").get_json()["status"] == "submitted"


def test_not_required_only_when_the_payer_needs_no_pa(api):
    payer = b.payer(api)
    b.policy(api, payer["id"], "J1756", pa_required=False)
    b.policy(api, payer["id"], "J1439", pa_required=True)
    patient = b.patient(api)
    coverage = b.coverage(api, patient["id"], payer["id"])
    sucrose = b.request(api, patient["id"], coverage["id"], hcpcs_code="J1756", dose_mg="200")
    checklist = api.get(f"/api/v1/authorizations/{sucrose['id']}/checklist").get_json()
    assert checklist["pa_required"] is False
    assert b.move(api, sucrose["id"], to="not_required")["status"] == "not_required"
    injectafer = b.request(api, patient["id"], coverage["id"])
    refused = api.post(
        f"/api/v1/authorizations/{injectafer['id']}/transitions", json={"to": "not_required"}
    )
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "PA_REQUIRED"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"dose_mg": "-5"}, "dose_mg"),
        ({"dose_mg": "abc"}, "dose_mg"),
        ({"administrations": 0}, "administrations"),
        ({"requested_end": "2020-01-01"}, "requested_end"),
        ({"diagnosis_codes": ["D50.9", "50.9"]}, "diagnosis_codes[1]"),
        ({"hcpcs_code": "J9999"}, "hcpcs_code"),
        ({"hcpcs_code": "iron"}, "hcpcs_code"),
        ({"coverage_id": 999}, "coverage_id"),
        ({"surprise": 1}, "surprise"),
        ({"urgency": "asap"}, "urgency"),
    ],
)
def test_bad_request_payload_is_422_naming_the_field_and_changes_nothing(api, draft, change, field):
    body = {
        "patient_id": draft["patient_id"],
        "coverage_id": draft["coverage_id"],
        "hcpcs_code": "J1439",
        "dose_mg": "750",
        "administrations": 2,
        "requested_start": iso(TODAY),
        "requested_end": iso(TODAY + timedelta(days=30)),
    }
    before = db.session.scalar(db.select(db.func.count(AuthorizationRequest.id)))
    events = db.session.scalar(db.select(db.func.count(AuditEvent.id)))
    response = api.post("/api/v1/authorizations", json={**body, **change})
    assert response.status_code == 422, response.get_json()
    payload = response.get_json()
    assert payload["code"] == "VALIDATION_ERROR"
    assert field in payload["errors"], payload
    assert db.session.scalar(db.select(db.func.count(AuthorizationRequest.id))) == before
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == events


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "lab", "test": "iron", "value": "1", "observed_on": "2026-01-01"}, "test"),
        ({"kind": "lab", "test": "tsat", "value": "140", "observed_on": "2026-01-01"}, "value"),
        ({"kind": "diagnosis", "code": "50.9", "observed_on": "2026-01-01"}, "code"),
        ({"kind": "ckd_status", "stage": 7, "observed_on": "2026-01-01"}, "stage"),
        (
            {
                "kind": "oral_iron_trial",
                "drug": "FeSO4",
                "start_date": "2026-02-01",
                "end_date": "2026-01-01",
                "outcome": "intolerance",
            },
            "end_date",
        ),
        ({"kind": "vitals"}, "kind"),
    ],
)
def test_bad_evidence_is_422_naming_the_field(api, draft, body, field):
    response = api.post(f"/api/v1/patients/{draft['patient_id']}/evidence", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert api.get(f"/api/v1/patients/{draft['patient_id']}/evidence").get_json() == []


def test_bad_json_is_400_json(api):
    response = api.post(
        "/api/v1/patients", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "BAD_REQUEST"


def test_duplicate_mrn_is_422(api):
    b.patient(api, mrn="MRN-7")
    response = api.post(
        "/api/v1/patients",
        json={"mrn": "MRN-7", "first_name": "B", "last_name": "C", "birth_date": "1980-01-01"},
    )
    assert response.status_code == 422
    assert "mrn" in response.get_json()["errors"]


def test_another_clinics_request_is_not_found(api, draft):
    other = factories.clinic("Elsewhere")
    stranger = factories.ApiClient(api.client, factories.token(factories.user(other, "admin")))
    assert stranger.get(f"/api/v1/authorizations/{draft['id']}").status_code == 404
    assert stranger.get("/api/v1/authorizations").get_json() == []
    assert stranger.get(f"/api/v1/patients/{draft['patient_id']}").status_code == 404


def test_scheduler_cannot_create_requests(api, draft, clinic):
    scheduler = factories.ApiClient(
        api.client, factories.token(factories.user(clinic, "scheduler"))
    )
    response = scheduler.post("/api/v1/authorizations", json={})
    assert response.status_code == 403
    assert response.get_json()["code"] == "FORBIDDEN"
