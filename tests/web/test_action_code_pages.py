"""The request page and the payer's X12 action codes: each decision form offers the codes that
mean it, the page and its history show the code, and the PAS bundle downloads from the page."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest
from priorauth.services import authorizations, patients, payers, transitions
from priorauth.services.clock import clinic_today, utcnow
from tests.web.visible_text import visible_text


@pytest.fixture
def submitted(client, admin, clinic):
    today = clinic_today(clinic)
    payer = payers.create_payer(admin, {"name": "Blue Harbor Health"})
    patient = patients.create_patient(
        admin,
        {
            "mrn": "MRN-7",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "birth_date": today.replace(year=1970),
        },
    )
    patients.add_coverage(
        admin,
        patient.id,
        {"payer_id": payer.id, "member_id": "M-1", "start_date": today - timedelta(days=30)},
    )
    auth = authorizations.create_authorization(
        admin,
        {
            "patient_id": patient.id,
            "coverage_id": patient.coverages[0].id,
            "hcpcs_code": "J1439",
            "dose_mg": Decimal("750"),
            "administrations": 2,
            "requested_start": today,
            "requested_end": today + timedelta(days=90),
        },
    )
    payload = {"to": "submitted", "channel": "portal", "override_reason": "test setup"}
    transitions.transition(admin, auth.id, payload, utcnow(), today)
    db.session.commit()
    answer = client.post("/login", data={"email": admin.email, "password": "correct-horse-7"})
    assert answer.status_code == 302
    return auth.id, today


def _step(page: str, step: str) -> str:
    return page.split(f'id="step-{step}"', 1)[1].split("</details>", 1)[0]


def test_each_decision_form_offers_the_codes_that_mean_it(client, submitted):
    page = client.get(f"/authorizations/{submitted[0]}").get_data(as_text=True)
    options = {
        step: re.findall(r'<option value="([A-Z0-9]+)"', _step(page, step))
        for step in ("approved", "partially_approved", "denied", "pended", "cancelled")
    }
    assert options == {
        "approved": ["A1"],
        "partially_approved": ["A2", "A6"],
        "denied": ["A3"],
        "pended": ["A4", "CT"],
        "cancelled": ["C"],
    }
    assert "A2: certified in part" in _step(page, "partially_approved")
    assert "X12 action code" in _step(page, "denied")


def test_a_partial_approval_with_its_code_shows_on_the_page_and_in_the_history(client, submitted):
    auth_id, today = submitted
    form = {
        "to": "partially_approved",
        "action_code": "A6",
        "auth_number": "PA-9",
        "approved_units": "1000",
        "approved_start": today.isoformat(),
        "approved_end": (today + timedelta(days=60)).isoformat(),
    }
    answer = client.post(f"/authorizations/{auth_id}/transition", data=form)
    assert answer.status_code == 302
    assert db.session.get(AuthorizationRequest, auth_id).review_action_code == "A6"
    text = visible_text(client.get(f"/authorizations/{auth_id}").get_data(as_text=True))
    assert "Payer's action code X12 A6: modified" in text
    assert "submitted → partially approved (X12 A6)" in text


def test_a_code_that_means_another_step_is_refused_naming_the_field(client, submitted):
    auth_id, _ = submitted
    answer = client.post(
        f"/authorizations/{auth_id}/transition",
        data={"to": "pended", "action_code": "A3", "note": "x"},
    )
    assert answer.status_code == 422
    text = visible_text(answer.get_data(as_text=True))
    assert "X12 action code: A3 means denied, not pended" in text
    assert db.session.get(AuthorizationRequest, auth_id).status == "submitted"


def test_the_page_links_the_pas_bundle_and_the_history_says_a_pas_response(client, submitted):
    auth_id, today = submitted
    page = client.get(f"/authorizations/{auth_id}").get_data(as_text=True)
    link = f"/api/v1/authorizations/{auth_id}/pas-bundle"
    assert f'href="{link}" download>Da Vinci PAS bundle (FHIR JSON)</a>' in page
    bundle = client.get(link)
    assert bundle.status_code == 200
    assert json.loads(bundle.get_data())["entry"][0]["resource"]["use"] == "preauthorization"
    response = {
        "resourceType": "ClaimResponse",
        "status": "active",
        "type": {"text": "professional"},
        "use": "preauthorization",
        "patient": {"reference": "Patient/1"},
        "created": today.isoformat(),
        "insurer": {"reference": "Organization/1"},
        "outcome": "queued",
    }
    answer = client.post(f"/api/v1/authorizations/{auth_id}/pas-response", json=response)
    assert answer.status_code == 200, answer.get_json()
    text = visible_text(client.get(f"/authorizations/{auth_id}").get_data(as_text=True))
    assert "submitted → pended (X12 A4, PAS response)" in text
