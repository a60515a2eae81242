"""Build API-level test situations: payer, policy, patient, coverage, requests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

TODAY = datetime.now(UTC).date()  # test clinics run on UTC


def iso(day: date) -> str:
    return day.isoformat()


def payer(api, **fields) -> dict:
    body = {"name": fields.pop("name", "Blue Harbor Health"), **fields}
    response = api.post("/api/v1/payers", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def policy(api, payer_id: int, code: str, **fields) -> dict:
    response = api.put(f"/api/v1/payers/{payer_id}/policies/{code}", json=fields)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def patient(api, mrn: str = "MRN-1", **fields) -> dict:
    body = {"mrn": mrn, "first_name": "Ada", "last_name": "Lovelace", "birth_date": "1970-03-01"}
    response = api.post("/api/v1/patients", json={**body, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def coverage(api, patient_id: int, payer_id: int, **fields) -> dict:
    body = {
        "payer_id": payer_id,
        "member_id": "M123",
        "start_date": iso(TODAY - timedelta(days=365)),
    }
    response = api.post(f"/api/v1/patients/{patient_id}/coverages", json={**body, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def evidence(api, patient_id: int, **fields) -> dict:
    response = api.post(f"/api/v1/patients/{patient_id}/evidence", json=fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def request(api, patient_id: int, coverage_id: int, **fields) -> dict:
    body = {
        "patient_id": patient_id,
        "coverage_id": coverage_id,
        "hcpcs_code": "J1439",
        "diagnosis_codes": ["D50.9"],
        "dose_mg": "750",
        "administrations": 2,
        "requested_start": iso(TODAY),
        "requested_end": iso(TODAY + timedelta(days=90)),
    }
    response = api.post("/api/v1/authorizations", json={**body, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def move(api, auth_id: int, expect: int = 200, **payload):
    response = api.post(f"/api/v1/authorizations/{auth_id}/transitions", json=payload)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def approved_auth(
    api,
    *,
    code="J1439",
    dose="100",
    administrations=5,
    units=500,
    start=None,
    end=None,
    mrn="MRN-1",
    payer_fields=None,
    policy_fields=None,
):
    """A patient with an approved authorization; returns (patient, auth)."""
    p = payer(api, name=f"Payer {mrn}", **(payer_fields or {}))
    policy(api, p["id"], code, **(policy_fields or {}))
    pat = patient(api, mrn=mrn)
    cov = coverage(api, pat["id"], p["id"])
    auth = request(
        api, pat["id"], cov["id"], hcpcs_code=code, dose_mg=dose, administrations=administrations
    )
    move(api, auth["id"], to="submitted", channel="portal", override_reason="test setup")
    auth = move(
        api,
        auth["id"],
        to="approved",
        auth_number="AUTH-1",
        approved_units=units,
        approved_administrations=administrations,
        approved_start=iso(start or TODAY),
        approved_end=iso(end or TODAY + timedelta(days=60)),
    )
    return pat, auth
