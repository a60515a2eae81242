"""Pages refuse what the services refuse: the form comes back (422) with the reason beside the
field or on top, and nothing is changed. Patients, evidence, requests and payers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import (
    AuthorizationRequest,
    Coverage,
    Patient,
    Payer,
    PayerPolicy,
    PriorTherapy,
)
from priorauth.services import payers
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.web.auth_helpers import sign_in


@pytest.fixture
def page(client, admin, api):
    """The admin's client, signed in (the `api` fixture builds rows with the same admin)."""
    assert sign_in(client, admin.email).status_code == 302
    return client


@pytest.fixture
def draft(api) -> dict:
    payer = b.payer(api)
    patient = b.patient(api)
    coverage = b.coverage(api, patient["id"], payer["id"])
    return b.request(api, patient["id"], coverage["id"])


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


PATIENT_FORM = {"first_name": "Grace", "last_name": "Hopper", "birth_date": "1966-12-09"}


def test_new_patient_with_a_used_mrn_names_the_mrn_and_adds_nobody(page, api):
    b.patient(api, mrn="MRN-1")
    response = page.post("/patients/new", data={"mrn": "MRN-1", **PATIENT_FORM})
    assert response.status_code == 422
    assert "MRN MRN-1 is already used by another patient" in response.text
    assert _count(Patient) == 1


def test_editing_a_patient_to_another_patients_mrn_is_refused(page, api):
    b.patient(api, mrn="MRN-1")
    other = b.patient(api, mrn="MRN-2")
    response = page.post(f"/patients/{other['id']}/edit", data={"mrn": "MRN-1", **PATIENT_FORM})
    assert response.status_code == 422
    assert "MRN MRN-1 is already used by another patient" in response.text
    assert db.session.get(Patient, other["id"]).mrn == "MRN-2"


def test_editing_a_patient_with_a_bad_birth_date_names_the_field(page, api):
    patient = b.patient(api, mrn="MRN-1")
    form = {"mrn": "MRN-1", **PATIENT_FORM, "birth_date": "not a date"}
    response = page.post(f"/patients/{patient['id']}/edit", data=form)
    assert response.status_code == 422
    assert "Date of birth must be a date written as YYYY-MM-DD" in response.text
    db.session.expire_all()
    assert db.session.get(Patient, patient["id"]).first_name == "Ada"


def test_coverage_with_another_clinics_payer_is_refused_on_the_patient_page(page, api):
    patient = b.patient(api)
    b.payer(api)  # the clinic has a payer of its own, so the coverage form is shown
    elsewhere = factories.user(factories.clinic(), "admin")
    theirs = payers.create_payer(elsewhere, {"name": "Theirs"}).id
    db.session.commit()
    form = {"payer_id": theirs, "member_id": "M-9", "start_date": iso(TODAY)}
    response = page.post(f"/patients/{patient['id']}/coverages", data=form)
    assert response.status_code == 422
    # The form comes back filled in. (The reason, keyed "id", is not shown: told the lead.)
    assert 'value="M-9"' in response.text
    assert _count(Coverage) == 0


def test_evidence_of_an_unknown_kind_is_not_found(page, api):
    patient = b.patient(api)
    response = page.post(f"/patients/{patient['id']}/evidence/horoscope", data={"x": "1"})
    assert response.status_code == 404


def test_prior_product_with_a_code_outside_the_catalog_names_the_code(page, api):
    patient = b.patient(api)
    form = {"hcpcs_code": "J9999", "given_on": iso(TODAY - timedelta(days=30))}
    response = page.post(f"/patients/{patient['id']}/evidence/prior_product", data=form)
    assert response.status_code == 422
    assert "J9999 is not in the drug code catalog" in response.text
    assert _count(PriorTherapy) == 0


def test_new_request_with_another_patients_coverage_is_refused(page, api, draft):
    other = b.patient(api, mrn="MRN-2")
    b.coverage(api, other["id"], draft["payer_id"], member_id="M-2")
    form = {
        "patient_id": other["id"],
        "coverage_id": draft["coverage_id"],
        "hcpcs_code": "J1439",
        "diagnosis_codes": "D50.9",
        "dose_mg": "750",
        "administrations": "2",
        "requested_start": iso(TODAY),
        "requested_end": iso(TODAY + timedelta(days=90)),
        "urgency": "standard",
    }
    response = page.post("/authorizations/new", data=form)
    assert response.status_code == 422
    assert "is not a coverage of this patient" in response.text
    assert _count(AuthorizationRequest) == 1


def test_a_step_to_an_unknown_status_is_refused_and_the_request_stays(page, draft):
    response = page.post(f"/authorizations/{draft['id']}/transition", data={"to": "teleported"})
    assert response.status_code == 422
    assert "Next step must be one of the choices offered." in response.text
    assert db.session.get(AuthorizationRequest, draft["id"]).status == "draft"


def test_a_submitted_request_cannot_be_edited_from_its_page(page, api, draft):
    b.move(api, draft["id"], to="submitted", channel="portal", override_reason="urgent case")
    response = page.get(f"/authorizations/{draft['id']}/edit", follow_redirects=True)
    assert response.request.path == f"/authorizations/{draft['id']}"
    assert "A submitted request cannot be edited." in response.text


def _edit_form(draft: dict, **fields) -> dict:
    form = {
        "coverage_id": draft["coverage_id"],
        "hcpcs_code": "J1439",
        "dose_mg": "750",
        "administrations": "2",
        "diagnosis_codes": "D50.9",
        "urgency": "standard",
        "requested_start": draft["requested_start"],
        "requested_end": draft["requested_end"],
    }
    return {**form, **fields}


def test_editing_a_request_with_a_bad_dose_names_the_field(page, draft):
    form = _edit_form(draft, dose_mg="lots")
    response = page.post(f"/authorizations/{draft['id']}/edit", data=form)
    assert response.status_code == 422
    assert "Dose (mg) must be a number." in response.text
    assert db.session.get(AuthorizationRequest, draft["id"]).dose_mg == 750


def test_editing_a_request_to_end_before_it_starts_is_refused(page, draft):
    early = iso(TODAY - timedelta(days=10))
    form = _edit_form(draft, requested_start="", requested_end=early)
    response = page.post(f"/authorizations/{draft['id']}/edit", data=form)
    assert response.status_code == 422
    assert "Requested end must be on or after the requested start." in response.text
    stored = db.session.get(AuthorizationRequest, draft["id"])
    assert stored.requested_end.isoformat() == draft["requested_end"]


def test_a_second_payer_with_the_same_name_is_refused(page, api):
    b.payer(api, name="Blue Harbor Health")
    response = page.post("/payers/new", data={"name": "blue harbor health", "kind": "commercial"})
    assert response.status_code == 422
    assert "A payer named" in response.text and "already exists." in response.text
    assert _count(Payer) == 1


def test_editing_a_payer_with_a_bad_response_time_names_the_field(page, api):
    payer = b.payer(api)
    form = {"name": payer["name"], "standard_response_days": "soon"}
    response = page.post(f"/payers/{payer['id']}/edit", data=form)
    assert response.status_code == 422
    assert "Days to answer a standard request must be a whole number." in response.text
    db.session.expire_all()
    assert db.session.get(Payer, payer["id"]).standard_response_days == 15


def test_a_policy_preferring_a_code_outside_the_catalog_is_refused(page, api):
    payer = b.payer(api)
    form = {"pa_required": "true", "preferred_codes": "J1756, J9999"}
    response = page.post(f"/payers/{payer['id']}/policies/J1439", data=form)
    assert response.status_code == 422
    assert "J9999 is not in the drug code catalog" in response.text
    assert _count(PayerPolicy) == 0
