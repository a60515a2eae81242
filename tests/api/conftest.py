"""API fixtures: a seeded clinic with one row of each kind, and the schemathesis tally."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api import builders as b
from tests.api.builders import TODAY, iso

SCHEMATHESIS_TALLY = pytest.StashKey[dict]()


def _book(api, patient_id: int, days: int) -> dict:
    body = {
        "patient_id": patient_id,
        "hcpcs_code": "J1439",
        "scheduled_at": f"{iso(TODAY + timedelta(days=days))}T10:30:00",
        "dose_mg": "100",
    }
    response = api.post("/api/v1/infusions", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _administer(api, infusion_id: int) -> None:
    body = {
        "dose_mg": "100",
        "discarded_mg": "0",
        "lot_number": "L123",
        "lot_expiration": iso(TODAY + timedelta(days=200)),
    }
    response = api.post(f"/api/v1/infusions/{infusion_id}/administration", json=body)
    assert response.status_code == 200, response.get_json()


def _verify(api, infusion_id: int) -> None:
    body = {"method": "portal", "result": "active"}
    response = api.post(f"/api/v1/infusions/{infusion_id}/eligibility", json=body)
    assert response.status_code == 201, response.get_json()


@pytest.fixture
def seeded(api) -> dict:
    """An approved J1439 request with evidence, a given and a booked infusion and an
    eligibility check; answers the ids, named as the API's path parameters."""
    patient, auth = b.approved_auth(api, dose="100", units=500, administrations=5)
    b.evidence(
        api, patient["id"], kind="lab", test="ferritin", value="45.5", observed_on=iso(TODAY)
    )
    given = _book(api, patient["id"], days=0)
    _administer(api, given["id"])
    booked = _book(api, patient["id"], days=7)
    _verify(api, booked["id"])
    return {
        "patient_id": patient["id"],
        "payer_id": auth["payer_id"],
        "auth_id": auth["id"],
        "infusion_id": booked["id"],
        "code": "J1439",
    }


@pytest.fixture
def schemathesis_tally(request) -> dict:
    """Where the schemathesis test adds up its cases, for the closing summary line."""
    return request.config.stash.setdefault(SCHEMATHESIS_TALLY, {})


def pytest_terminal_summary(terminalreporter, config):
    for backend, tally in sorted(config.stash.get(SCHEMATHESIS_TALLY, {}).items()):
        terminalreporter.write_line(
            f"schemathesis ({backend}): {tally['cases']} cases over {tally['operations']} "
            f"operations, {tally['failures']} failures"
        )
