"""The request page after a decision: the code that fits the patient, a payer deciding from
pended, appealing a partial approval, renewing an approval and recording a payer's change
(docs/domain.md §3, §5)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest
from priorauth.services import authorizations, infusions, patients, payers, renewals, transitions
from priorauth.services.clock import clinic_today
from tests import factories
from tests.querycount import counting_queries

PASSWORD = "correct-horse-7"


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def today(clinic):
    return clinic_today(clinic)


@pytest.fixture
def patient(admin, today):
    payer = payers.create_payer(admin, {"name": "Blue Harbor Health"})
    for code in ("J1439", "J1444", "Q0138"):
        payers.put_policy(admin, payer.id, code, {"pa_required": True})
    row = patients.create_patient(
        admin,
        {"mrn": "MRN-8", "first_name": "Ada", "last_name": "Lovelace", "birth_date": today},
    )
    start = today - timedelta(days=365)
    patients.add_coverage(
        admin, row.id, {"payer_id": payer.id, "member_id": "M-1", "start_date": start}
    )
    db.session.commit()
    return row


def _request(admin, patient, today, code="J1439", dose="100", diagnoses=("D50.9",)):
    return authorizations.create_authorization(
        admin,
        {
            "patient_id": patient.id,
            "coverage_id": patient.coverages[0].id,
            "hcpcs_code": code,
            "diagnosis_codes": list(diagnoses),
            "dose_mg": Decimal(dose),
            "administrations": 5,
            "requested_start": today,
            "requested_end": today + timedelta(days=59),
        },
    )


def _move(admin, auth, today, **payload):
    now = datetime.now(UTC)
    return transitions.transition(admin, auth.id, payload, now, today)


@pytest.fixture
def approved(admin, patient, today):
    """J1439, 100 mg x 5 = 500 units, approved for 60 days from today."""
    auth = _request(admin, patient, today)
    _move(admin, auth, today, to="submitted", channel="fax", override_reason="test setup")
    _move(
        admin,
        auth,
        today,
        to="approved",
        auth_number="AUTH-5",
        approved_units=500,
        approved_start=today,
        approved_end=today + timedelta(days=59),
    )
    db.session.commit()
    return auth


def _ckd(admin, patient, today, dialysis):
    data = {"stage": 5, "dialysis": dialysis, "observed_on": today - timedelta(days=3)}
    patients.add_evidence(admin, patient.id, "ckd_status", data)


# --- docs/domain.md §3: the code must fit the patient --------------------------------------------


def test_q0138_for_a_hemodialysis_esrd_patient_names_q0139_on_the_page(
    client, front_desk, admin, patient, today
):
    _ckd(admin, patient, today, "hemodialysis")
    auth = _request(admin, patient, today, "Q0138", "510", ("D63.1", "N18.6", "Z99.2"))
    db.session.commit()
    sign_in(client, front_desk)
    page = client.get(f"/authorizations/{auth.id}").get_data(as_text=True)
    assert '<li class="item-not_met">' in page
    assert "Ferumoxytol for a patient with ESRD on dialysis is billed as Q0139, not Q0138" in page
    assert "1 item to fix" in page


def test_j1444_for_a_peritoneal_dialysis_patient_is_not_met_on_the_page(
    client, front_desk, admin, patient, today
):
    _ckd(admin, patient, today, "peritoneal")
    auth = _request(admin, patient, today, "J1444", "27.2", ("D63.1", "N18.6"))
    db.session.commit()
    sign_in(client, front_desk)
    page = client.get(f"/authorizations/{auth.id}").get_data(as_text=True)
    assert "Triferic (J1444) is for hemodialysis only, not peritoneal dialysis" in page
    assert "for ESRD on dialysis ferumoxytol is billed as Q0139" in page
    assert f'href="/authorizations/{auth.id}/edit">Edit the request</a>' in page


# --- docs/domain.md §5: decisions from pended, appeal of a partial approval -------------------


def test_a_payer_approves_a_pended_request_from_its_page(client, front_desk, admin, patient, today):
    auth = _request(admin, patient, today)
    _move(admin, auth, today, to="submitted", channel="fax", override_reason="test setup")
    _move(admin, auth, today, to="pended", note="payer asked for the ferritin")
    db.session.commit()
    sign_in(client, front_desk)
    page = client.get(f"/authorizations/{auth.id}").get_data(as_text=True)
    assert 'id="step-approved"' in page and 'id="step-denied"' in page
    form = {
        "to": "approved",
        "auth_number": "AUTH-1",
        "approved_units": "500",
        "approved_start": today.isoformat(),
        "approved_end": (today + timedelta(days=30)).isoformat(),
    }
    response = client.post(f"/authorizations/{auth.id}/transition", data=form)
    assert response.status_code == 302
    page = client.get(f"/authorizations/{auth.id}").get_data(as_text=True)
    assert "pended → approved" in page


def test_a_partial_approval_offers_an_appeal_and_shows_its_deadline(
    client, front_desk, admin, patient, today
):
    auth = _request(admin, patient, today)
    _move(admin, auth, today, to="submitted", channel="fax", override_reason="test setup")
    end = today + timedelta(days=30)
    _move(admin, auth, today, to="partially_approved", auth_number="A-2", approved_units=200,
          approved_start=today, approved_end=end)  # fmt: skip
    db.session.commit()
    sign_in(client, front_desk)
    page = client.get(f"/authorizations/{auth.id}").get_data(as_text=True)
    assert "<dt>Appeal deadline</dt><dd>" + (today + timedelta(days=180)).isoformat() in page
    response = client.post(f"/authorizations/{auth.id}/transition", data={"to": "appealed"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(AuthorizationRequest, auth.id).status == "appealed"


# --- renew ----------------------------------------------------------------------------------


def test_renew_shows_the_prefilled_form_and_the_checklist_for_the_new_dates(
    client, front_desk, approved, today
):
    sign_in(client, front_desk)
    page = client.get(f"/authorizations/{approved.id}").get_data(as_text=True)
    assert f'href="/authorizations/{approved.id}/renew">Renew or extend</a>' in page
    response = client.get(f"/authorizations/{approved.id}/renew")
    form = response.get_data(as_text=True)
    assert response.status_code == 200
    start, end = today + timedelta(days=60), today + timedelta(days=119)
    assert f'value="{start.isoformat()}"' in form and f'value="{end.isoformat()}"' in form
    assert 'value="100"' in form and 'value="5"' in form and 'value="D50.9"' in form
    assert f"Checklist for the renewal, as of {start.isoformat()}" in form


def test_renewing_by_form_makes_a_draft_and_both_pages_link_each_other(
    client, front_desk, approved, today
):
    sign_in(client, front_desk)
    form = {
        "coverage_id": str(approved.coverage_id),
        "hcpcs_code": "J1439",
        "dose_mg": "100",
        "administrations": "3",
        "requested_start": (today + timedelta(days=60)).isoformat(),
        "requested_end": (today + timedelta(days=119)).isoformat(),
        "diagnosis_codes": "D50.9",
        "urgency": "standard",
    }
    response = client.post(f"/authorizations/{approved.id}/renew", data=form)
    new = db.session.scalar(
        sa.select(AuthorizationRequest).where(AuthorizationRequest.renews_id.is_not(None))
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/authorizations/{new.id}")
    assert (new.renews_id, new.patient_id, new.units_requested) == (
        approved.id,
        approved.patient_id,
        300,
    )
    new_page = client.get(f"/authorizations/{new.id}").get_data(as_text=True)
    assert (
        f'<dt>Renews</dt><dd><a href="/authorizations/{approved.id}">request #{approved.id}</a>'
        in new_page
    )
    old_page = client.get(f"/authorizations/{approved.id}").get_data(as_text=True)
    assert (
        f'<dt>Renewed by</dt><dd><a href="/authorizations/{new.id}">request #{new.id}</a>'
        in old_page
    )
    assert f'renewed by <a href="/authorizations/{new.id}">' in old_page


def test_a_bad_renewal_keeps_what_was_typed_and_makes_nothing(client, front_desk, approved, today):
    sign_in(client, front_desk)
    form = {"coverage_id": str(approved.coverage_id), "hcpcs_code": "J1439", "dose_mg": "",
            "administrations": "3", "requested_start": today.isoformat(),
            "requested_end": today.isoformat(), "diagnosis_codes": "D50.9, Q99"}  # fmt: skip
    response = client.post(f"/authorizations/{approved.id}/renew", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-dose_mg-error"' in page and 'value="D50.9, Q99"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuthorizationRequest)) == 1


def test_a_draft_cannot_be_renewed(client, front_desk, admin, patient, today):
    auth = _request(admin, patient, today)
    db.session.commit()
    sign_in(client, front_desk)
    response = client.get(f"/authorizations/{auth.id}/renew", follow_redirects=True)
    assert f"Only an approved request can be renewed; request #{auth.id} is draft." in (
        response.get_data(as_text=True)
    )
    assert "Renew or extend" not in client.get(f"/authorizations/{auth.id}").get_data(as_text=True)


def test_a_scheduler_starts_a_renewal_but_cannot_change_an_approval(client, clinic, approved):
    sign_in(client, factories.user(clinic, "scheduler"))
    page = client.get(f"/authorizations/{approved.id}").get_data(as_text=True)
    assert "Renew or extend" in page and "Record a change by the payer" not in page
    assert client.get(f"/authorizations/{approved.id}/renew").status_code == 200
    response = client.post(
        f"/authorizations/{approved.id}/payer-change", data={"payer_reference": "R"}
    )
    assert response.status_code == 403
    sign_in(client, factories.user(clinic, "billing"))
    assert "Renew or extend" not in client.get(f"/authorizations/{approved.id}").get_data(
        as_text=True
    )
    assert client.get(f"/authorizations/{approved.id}/renew").status_code == 403


# --- a payer's change ------------------------------------------------------------------------


def test_a_payer_change_by_form_shows_before_and_after_in_the_history(
    client, front_desk, approved, today
):
    sign_in(client, front_desk)
    data = {"payer_reference": "CALL-9", "approved_units": "400"}
    response = client.post(f"/authorizations/{approved.id}/payer-change", data=data)
    assert response.status_code == 302
    page = client.get(f"/authorizations/{approved.id}").get_data(as_text=True)
    assert "AUTH-5: 400 units" in page
    assert "payer's change (reference CALL-9)" in page and "approved units 500 → 400" in page


def test_a_payer_change_below_the_booked_units_is_refused_on_the_page(
    client, front_desk, admin, approved, today
):
    when = datetime.combine(today + timedelta(days=2), time(10, 30))
    data = {"patient_id": approved.patient_id, "hcpcs_code": "J1439", "scheduled_at": when,
            "dose_mg": Decimal("100")}  # fmt: skip
    infusions.book(admin, data)
    db.session.commit()
    sign_in(client, front_desk)
    data = {"payer_reference": "CALL-9", "approved_units": "50"}
    response = client.post(f"/authorizations/{approved.id}/payer-change", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "50 units would be fewer than the 100 already given or booked" in page
    assert (
        'id="pc-approved_units-error"' in page
        and '<details class="step" id="payer-change" open>' in page
    )
    no_reference = client.post(
        f"/authorizations/{approved.id}/payer-change", data={"approved_units": "450"}
    )
    assert no_reference.status_code == 422
    assert 'id="pc-payer_reference-error"' in no_reference.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AuthorizationRequest, approved.id).units_approved == 500
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "payer_change" not in actions


def _queries(client, path: str) -> int:
    with counting_queries() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_the_request_page_runs_the_same_queries_however_many_renewals(
    client, front_desk, admin, approved
):
    sign_in(client, front_desk)
    renewals.renew(admin, approved.id, {})
    db.session.commit()
    once = _queries(client, f"/authorizations/{approved.id}")
    for _ in range(3):
        renewals.renew(admin, approved.id, {})
    db.session.commit()
    assert _queries(client, f"/authorizations/{approved.id}") == once
    page = client.get(f"/authorizations/{approved.id}").get_data(as_text=True)
    assert page.count("request #") >= 4
