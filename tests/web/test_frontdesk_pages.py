"""Front-desk pages through the test client on a real database: patients, evidence, payers,
policies, requests, the checklist and the workflow steps."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, DiagnosisRecord, Patient, Payer, PayerPolicy
from priorauth.services import authorizations, patients, payers
from priorauth.services.clock import clinic_today
from tests import factories

POLICY = {
    "pa_required": True,
    "accepted_diagnoses": ["D50"],
    "ferritin_max": Decimal("30"),
    "tsat_max": Decimal("20"),
    "labs_max_age_days": 60,
    "oral_iron_min_days": 60,
}


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": "correct-horse-7"})
    assert response.status_code == 302


def iso(day) -> str:
    return day.isoformat()


@pytest.fixture
def today(clinic):
    return clinic_today(clinic)


@pytest.fixture
def payer(admin):
    row = payers.create_payer(admin, {"name": "Blue Harbor Health"})
    payers.put_policy(admin, row.id, "J1439", dict(POLICY))
    db.session.commit()
    return row


@pytest.fixture
def patient(admin, payer, today):
    row = patients.create_patient(
        admin,
        {
            "mrn": "MRN-7",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "birth_date": today.replace(year=1970, day=1),
        },
    )
    patients.add_coverage(
        admin,
        row.id,
        {"payer_id": payer.id, "member_id": "M-123", "start_date": today - timedelta(days=365)},
    )
    db.session.commit()
    return row


@pytest.fixture
def auth(admin, patient, today):
    row = authorizations.create_authorization(
        admin,
        {
            "patient_id": patient.id,
            "coverage_id": patient.coverages[0].id,
            "hcpcs_code": "J1439",
            "diagnosis_codes": ["D50.9"],
            "dose_mg": Decimal("750"),
            "administrations": 2,
            "requested_start": today,
            "requested_end": today + timedelta(days=90),
        },
    )
    db.session.commit()
    return row


def _transition(client, auth_id, **fields):
    return client.post(f"/authorizations/{auth_id}/transition", data=fields)


def _evidence_forms(today):
    return {
        "lab": {"test": "ferritin", "value": "12", "observed_on": iso(today - timedelta(days=5))},
        "oral_iron_trial": {
            "drug": "ferrous sulfate",
            "start_date": iso(today - timedelta(days=100)),
            "end_date": iso(today - timedelta(days=10)),
            "outcome": "inadequate_response",
            "note": "no rise in ferritin",
        },
        "ckd_status": {"stage": "3", "dialysis": "none", "observed_on": iso(today)},
        "diagnosis": {"code": "d50.9", "observed_on": iso(today)},
        "prior_product": {"hcpcs_code": "J1756", "given_on": iso(today - timedelta(days=200))},
    }


# Patients


def test_a_patient_made_by_form_opens_on_their_page(client, front_desk):
    sign_in(client, front_desk)
    form = {"mrn": "A-1", "first_name": "Grace", "last_name": "Hopper", "birth_date": "1956-12-09"}
    response = client.post("/patients/new", data=form, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Hopper, Grace" in page and "MRN A-1" in page and 'id="add-lab"' in page


def test_a_patient_without_mrn_is_refused_beside_the_field_keeping_the_name(client, front_desk):
    sign_in(client, front_desk)
    form = {"mrn": "", "first_name": "Grace", "last_name": "Hopper", "birth_date": "1956-12-09"}
    response = client.post("/patients/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-mrn-error"' in page and "MRN is required." in page
    assert 'value="Grace"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Patient)) == 0


def test_patient_details_are_edited_by_form(client, front_desk, patient):
    sign_in(client, front_desk)
    form = {"mrn": "MRN-8", "first_name": "Ada", "last_name": "King", "birth_date": "1970-01-01"}
    response = client.post(f"/patients/{patient.id}/edit", data=form, follow_redirects=True)
    assert response.status_code == 200 and "King, Ada" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Patient, patient.id).mrn == "MRN-8"


def test_the_patient_page_lists_coverages_evidence_and_requests(
    client, front_desk, admin, patient, auth, today
):
    patients.add_evidence(
        admin, patient.id, "lab", {"test": "tsat", "value": Decimal("14"), "observed_on": today}
    )
    patients.add_evidence(admin, patient.id, "diagnosis", {"code": "D63.1", "observed_on": today})
    db.session.commit()
    sign_in(client, front_desk)
    page = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "Blue Harbor Health" in page and "M-123" in page
    assert "TSAT" in page and "14 %" in page and "D63.1" in page
    assert f'href="/authorizations/{auth.id}"' in page and "750 mg × 2" in page
    for kind in ("lab", "oral_iron_trial", "ckd_status", "diagnosis", "prior_product"):
        assert f'id="add-{kind}"' in page


@pytest.mark.parametrize(
    "kind, shown",
    [
        ("lab", "12 ng/mL"),
        ("oral_iron_trial", "ferrous sulfate"),
        ("ckd_status", "no dialysis"),
        ("diagnosis", "D50.9"),
        ("prior_product", "J1756"),
    ],
)
def test_each_evidence_kind_is_added_by_form(client, front_desk, patient, today, kind, shown):
    sign_in(client, front_desk)
    response = client.post(
        f"/patients/{patient.id}/evidence/{kind}", data=_evidence_forms(today)[kind]
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/patients/{patient.id}#ev-{kind}")
    assert len(patients.evidence_of([patient.id])[kind]) == 1
    assert shown in client.get(f"/patients/{patient.id}").get_data(as_text=True)


def test_a_bad_diagnosis_code_is_named_beside_its_field(client, front_desk, patient, today):
    sign_in(client, front_desk)
    form = {"code": "50.9", "observed_on": iso(today)}
    response = client.post(f"/patients/{patient.id}/evidence/diagnosis", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="dx-code-error"' in page and "50.9" in page and "is not an ICD-10-CM code" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DiagnosisRecord)) == 0


def test_a_coverage_is_added_by_form(client, front_desk, patient, payer, today):
    sign_in(client, front_desk)
    form = {
        "payer_id": str(payer.id),
        "member_id": "NEW-9",
        "plan_name": "Gold",
        "start_date": iso(today),
    }
    response = client.post(f"/patients/{patient.id}/coverages", data=form, follow_redirects=True)
    assert response.status_code == 200 and "NEW-9" in response.get_data(as_text=True)
    bad = client.post(
        f"/patients/{patient.id}/coverages",
        data={**form, "end_date": iso(today - timedelta(days=1))},
    )
    assert bad.status_code == 422 and "End date must be on or after the start date." in bad.text


def test_evidence_goes_back_only_to_a_page_of_this_site(client, front_desk, patient, today):
    sign_in(client, front_desk)
    form = {**_evidence_forms(today)["diagnosis"], "next": "https://evil.example/x"}
    response = client.post(f"/patients/{patient.id}/evidence/diagnosis", data=form)
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def test_another_clinics_patient_and_request_are_not_found(client, auth, patient):
    elsewhere = factories.clinic("Elsewhere")
    stranger = factories.user(elsewhere, "front_desk")
    sign_in(client, stranger)
    assert client.get(f"/patients/{patient.id}").status_code == 404
    assert client.get(f"/authorizations/{auth.id}").status_code == 404
    form = _evidence_forms(clinic_today(elsewhere))["diagnosis"]
    assert client.post(f"/patients/{patient.id}/evidence/diagnosis", data=form).status_code == 404


def test_pages_need_sign_in(client, patient):
    for path in ("/patients", f"/patients/{patient.id}", "/payers", "/authorizations"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# Payers and policies


def test_an_admin_adds_and_edits_a_payer_by_form(client, admin):
    sign_in(client, admin)
    form = {
        "name": "Cedar Mutual",
        "kind": "commercial",
        "standard_response_days": "10",
        "requires_waste_modifiers": "false",
    }
    assert client.post("/payers/new", data=form).status_code == 302
    payer = db.session.scalar(sa.select(Payer).where(Payer.name == "Cedar Mutual"))
    assert payer.standard_response_days == 10 and payer.requires_waste_modifiers is False
    edited = {**form, "name": "Cedar Mutual Health", "contact": "fax 555-0100"}
    assert client.post(f"/payers/{payer.id}/edit", data=edited).status_code == 302
    duplicate = client.post("/payers/new", data=edited)
    assert duplicate.status_code == 422 and "already exists" in duplicate.get_data(as_text=True)
    page = client.get("/payers").get_data(as_text=True)
    assert "Cedar Mutual Health" in page and "fax 555-0100" in page


def test_an_admin_replaces_a_policy_and_the_list_shows_which_codes_have_one(client, admin, payer):
    sign_in(client, admin)
    form = {
        "pa_required": "true",
        "accepted_diagnoses": "D50.9, D63.1 D50.0",
        "preferred_codes": "j1756",
        "ferritin_max": "100",
        "labs_max_age_days": "",
    }
    response = client.post(f"/payers/{payer.id}/policies/J1437", data=form)
    assert response.status_code == 302
    policy = payers.find_policy(payer.id, "J1437")
    assert policy.accepted_diagnoses == ["D50.9", "D63.1", "D50.0"]
    assert policy.preferred_codes == ["J1756"] and policy.labs_max_age_days is None
    page = client.get(f"/payers/{payer.id}/policies/J1437").get_data(as_text=True)
    assert 'value="D50.9, D63.1, D50.0"' in page and 'value="100"' in page
    listing = client.get("/payers").get_data(as_text=True)
    assert listing.count("policy on file") == 2 and "no policy" in listing


def test_a_bad_policy_is_refused_and_nothing_is_replaced(client, admin, payer):
    sign_in(client, admin)
    response = client.post(
        f"/payers/{payer.id}/policies/J1439",
        data={"pa_required": "true", "accepted_diagnoses": "50.9"},
    )
    assert response.status_code == 422 and "is not an ICD-10-CM code" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert payers.find_policy(payer.id, "J1439").accepted_diagnoses == ["D50"]
    assert client.get(f"/payers/{payer.id}/policies/J9999").status_code == 404


def test_front_desk_reads_payers_but_cannot_change_them(client, front_desk, payer):
    sign_in(client, front_desk)
    assert client.get("/payers/new").status_code == 403
    assert client.post("/payers/new", data={"name": "Sneaky"}).status_code == 403
    assert client.post(f"/payers/{payer.id}/edit", data={"name": "X"}).status_code == 403
    refused = client.post(f"/payers/{payer.id}/policies/J1439", data={"pa_required": "false"})
    assert refused.status_code == 403
    page = client.get(f"/payers/{payer.id}/policies/J1439").get_data(as_text=True)
    assert "Policy on file" in page and "Save policy" not in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(PayerPolicy)).pa_required is True


# Requests


def _request_form(patient, today, **fields):
    return {
        "patient_id": str(patient.id),
        "coverage_id": str(patient.coverages[0].id),
        "hcpcs_code": "J1437",
        "dose_mg": "1000",
        "administrations": "1",
        "requested_start": iso(today),
        "requested_end": iso(today + timedelta(days=60)),
        "diagnosis_codes": "D50.9, D63.1",
        "urgency": "standard",
        **fields,
    }


def test_a_request_made_by_form_shows_its_units(client, front_desk, patient, today):
    sign_in(client, front_desk)
    new_page = client.get(f"/authorizations/new?patient_id={patient.id}").get_data(as_text=True)
    assert "M-123" in new_page and "J1437 — Monoferric" in new_page
    response = client.post(
        "/authorizations/new", data=_request_form(patient, today), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "100 units requested" in page
    auth = db.session.scalar(sa.select(AuthorizationRequest))
    assert auth.diagnosis_codes == ["D50.9", "D63.1"] and auth.units_requested == 100
    listing = client.get("/authorizations?status=draft").get_data(as_text=True)
    assert "Lovelace, Ada" in listing and "MRN-7" in listing and "<td>100</td>" in listing
    assert "No requests" in client.get("/authorizations?status=approved").get_data(as_text=True)


def test_a_bad_request_keeps_what_was_typed(client, front_desk, patient, today):
    sign_in(client, front_desk)
    form = _request_form(patient, today, dose_mg="", diagnosis_codes="D50.9, 50.9")
    response = client.post("/authorizations/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-dose_mg-error"' in page and 'value="D50.9, 50.9"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthorizationRequest)) == 0


def test_a_draft_is_edited_and_its_units_recomputed(client, front_desk, auth, patient, today):
    sign_in(client, front_desk)
    form = _request_form(patient, today, hcpcs_code="J1439", dose_mg="500", administrations="2")
    response = client.post(f"/authorizations/{auth.id}/edit", data=form, follow_redirects=True)
    assert response.status_code == 200 and "1000 units requested" in response.get_data(as_text=True)


def test_the_request_page_links_each_missing_item_to_its_form(client, front_desk, auth, patient):
    sign_in(client, front_desk)
    page = client.get(f"/authorizations/{auth.id}").get_data(as_text=True)
    assert "3 items to fix" in page
    assert "Oral iron trial" in page and "no oral iron trial on file (60 days required)" in page
    back = f"/patients/{patient.id}?next=/authorizations/{auth.id}"
    assert f'href="{back}#add-oral_iron_trial">Add oral iron trial</a>' in page
    assert f'href="{back}#add-lab">Add lab result</a>' in page
    patient_page = client.get(back).get_data(as_text=True)
    assert f'name="next" value="/authorizations/{auth.id}"' in patient_page


def test_a_coordinator_takes_a_request_from_missing_evidence_to_submitted(
    client, front_desk, auth, patient, today
):
    sign_in(client, front_desk)
    refused = _transition(client, auth.id, to="submitted", channel="portal")
    assert refused.status_code == 409
    assert "the checklist is not ready" in refused.get_data(as_text=True)
    back = f"/authorizations/{auth.id}"
    for kind in ("lab", "oral_iron_trial"):
        form = {**_evidence_forms(today)[kind], "next": back}
        added = client.post(f"/patients/{patient.id}/evidence/{kind}", data=form)
        assert added.status_code == 302 and added.headers["Location"].endswith(back)
    assert "Ready to submit" in client.get(back).get_data(as_text=True)
    submitted = _transition(
        client, auth.id, to="submitted", channel="portal", payer_reference="REF-42"
    )
    assert submitted.status_code == 302
    page = client.get(back).get_data(as_text=True)
    assert "draft → submitted" in page and "REF-42" in page and "Front_Desk" in page
    db.session.expire_all()
    assert db.session.get(AuthorizationRequest, auth.id).status == "submitted"


def test_approving_fewer_units_than_requested_is_a_partial_approval(
    client, front_desk, auth, today
):
    sign_in(client, front_desk)
    override = "payer confirmed by phone the labs are on file"
    assert (
        _transition(
            client, auth.id, to="submitted", channel="fax", override_reason=override
        ).status_code
        == 302
    )
    response = _transition(
        client,
        auth.id,
        to="approved",
        auth_number="AUTH-9",
        approved_units="750",
        approved_start=iso(today),
        approved_end=iso(today + timedelta(days=30)),
    )
    assert response.status_code == 302
    page = client.get(f"/authorizations/{auth.id}").get_data(as_text=True)
    assert "submitted → partially approved" in page and override in page
    assert "AUTH-9: 750 units" in page


def test_a_step_missing_its_fields_or_not_allowed_is_refused_on_the_page(client, front_desk, auth):
    sign_in(client, front_desk)
    no_channel = _transition(client, auth.id, to="submitted", override_reason="because")
    assert no_channel.status_code == 422
    assert 'id="t-submitted-channel-error"' in no_channel.get_data(as_text=True)
    not_allowed = _transition(client, auth.id, to="approved", auth_number="A", approved_units="1")
    assert not_allowed.status_code == 409
    assert "cannot move a draft request to approved" in not_allowed.get_data(as_text=True)
    page = client.get(f"/authorizations/{auth.id}").get_data(as_text=True)
    assert 'data-confirm="Cancel request' in page and 'value="cancelled"' in page


def test_a_scheduler_reads_a_request_but_cannot_move_it(client, clinic, auth):
    sign_in(client, factories.user(clinic, "scheduler"))
    page = client.get(f"/authorizations/{auth.id}").get_data(as_text=True)
    assert "Checklist" in page and "Next steps" not in page
    assert _transition(client, auth.id, to="cancelled").status_code == 403


def test_a_scheduler_reads_the_patient_page_without_the_edit_forms(client, clinic, patient, today):
    sign_in(client, factories.user(clinic, "scheduler"))
    page = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "Lovelace, Ada" in page and 'id="add-lab"' not in page and "New request" not in page
    form = _evidence_forms(today)["lab"]
    assert client.post(f"/patients/{patient.id}/evidence/lab", data=form).status_code == 403
    assert patients.evidence_of([patient.id])["lab"] == []
