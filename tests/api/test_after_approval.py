"""After a decision, through the API: a payer deciding from pended, appealing a partial
approval, renewing an approval (a linked draft) and recording a payer's change to it
(docs/domain.md §5)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso

APPROVAL = {
    "auth_number": "AUTH-7",
    "approved_units": 1500,
    "approved_start": iso(TODAY),
    "approved_end": iso(TODAY + timedelta(days=29)),
}


@pytest.fixture
def pended(api):
    payer = b.payer(api)
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api)
    coverage = b.coverage(api, patient["id"], payer["id"])
    auth = b.request(api, patient["id"], coverage["id"])
    b.move(api, auth["id"], to="submitted", channel="portal", override_reason="test setup")
    b.move(api, auth["id"], to="pended", note="payer asked for the ferritin by fax")
    return auth


def _post(api, path: str, body: dict):
    return api.post(f"/api/v1/authorizations/{path}", json=body)


def _book(api, patient_id: int, days: int, dose="100") -> dict:
    body = {
        "patient_id": patient_id,
        "hcpcs_code": "J1439",
        "scheduled_at": f"{iso(TODAY + timedelta(days=days))}T10:30:00",
        "dose_mg": dose,
    }
    response = api.post("/api/v1/infusions", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _events(auth_id: int, action: str) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.entity_id == auth_id, AuditEvent.action == action)
        .order_by(AuditEvent.id)
    ).all()


# --- item 7: the payer decides from pended ------------------------------------------------------


def test_a_payer_approves_from_pended(api, pended):
    approved = b.move(api, pended["id"], to="approved", **APPROVAL)
    assert approved["status"] == "approved"
    assert (approved["units_approved"], approved["auth_number"]) == (1500, "AUTH-7")
    assert approved["appeal_deadline"] is None
    steps = [(e.from_status, e.to_status) for e in _events(pended["id"], "transition")]
    assert steps[-1] == ("pended", "approved")


def test_a_payer_partially_approves_from_pended_with_an_appeal_deadline(api, pended):
    decided = b.move(api, pended["id"], to="partially_approved", **APPROVAL, decided_on=iso(TODAY))
    assert decided["status"] == "partially_approved"
    assert decided["appeal_deadline"] == iso(TODAY + timedelta(days=180))


def test_a_payer_denies_from_pended(api, pended):
    denied = b.move(api, pended["id"], to="denied", denial_reason="labs_out_of_range")
    assert denied["status"] == "denied"
    assert denied["appeal_deadline"] == iso(TODAY + timedelta(days=180))


def test_a_pended_request_can_still_be_resubmitted(api, pended):
    assert b.move(api, pended["id"], to="submitted", channel="fax")["status"] == "submitted"


# --- item 8b: appeal a partial approval --------------------------------------------------------


def test_a_partial_approval_is_appealed_and_decided_again(api, pended):
    partial = {**APPROVAL, "approved_units": 750}
    decided = b.move(api, pended["id"], to="approved", **partial)
    assert decided["status"] == "partially_approved"
    assert decided["appeal_deadline"] == iso(TODAY + timedelta(days=180))
    appealed = b.move(api, pended["id"], to="appealed", note="the second dose is needed")
    assert appealed["status"] == "appealed"
    full = b.move(api, pended["id"], to="approved", **APPROVAL)
    assert (full["status"], full["units_approved"], full["appeal_deadline"]) == (
        "approved", 1500, None,
    )  # fmt: skip


def test_a_booking_in_a_partial_approval_stays_covered_while_it_is_appealed(api, pended):
    """What the payer approved stands while it reconsiders the rest (docs/domain.md §5)."""
    b.move(api, pended["id"], to="approved", **{**APPROVAL, "approved_units": 750})
    booked = _book(api, pended["patient_id"], days=3)
    assert booked["authorization_id"] == pended["id"]
    b.move(api, pended["id"], to="appealed", note="the second dose is needed")
    runway = api.get(f"/api/v1/patients/{pended['patient_id']}/runway").get_json()
    step = next(s for s in runway["steps"] if s["infusion_id"] == booked["id"])
    assert step["badge"] == "covered", step
    again = _book(api, pended["patient_id"], days=10)
    assert again["authorization_id"] == pended["id"]


def test_a_full_approval_cannot_be_appealed(api, pended):
    b.move(api, pended["id"], to="approved", **APPROVAL)
    refused = _post(api, f"{pended['id']}/transitions", {"to": "appealed"})
    assert refused.status_code == 409
    assert refused.get_json()["allowed"] == ["cancelled"]


# --- item 8a: renew an approval ----------------------------------------------------------------


def test_renewing_an_approval_makes_a_prefilled_linked_draft(api):
    start, end = TODAY - timedelta(days=50), TODAY + timedelta(days=9)
    patient, old = b.approved_auth(api, units=500, start=start, end=end)
    response = _post(api, f"{old['id']}/renew", {})
    assert response.status_code == 201, response.get_json()
    new = response.get_json()
    assert new["renews_id"] == old["id"] and new["status"] == "draft"
    for field in ("patient_id", "coverage_id", "hcpcs_code", "diagnosis_codes", "dose_mg"):
        assert new[field] == old[field], field
    assert new["administrations"] == old["administrations"]
    assert new["requested_start"] == iso(end + timedelta(days=1))
    assert new["requested_end"] == iso(end + timedelta(days=60))  # same 60 days
    assert new["units_requested"] == old["units_requested"]
    assert [e.changes for e in _events(old["id"], "renewed")] == [{"renewal_id": new["id"]}]


def test_a_renewal_takes_the_fields_given(api):
    _, old = b.approved_auth(api)
    body = {"dose_mg": "200", "administrations": 2, "requested_end": iso(TODAY + timedelta(90))}
    new = _post(api, f"{old['id']}/renew", body).get_json()
    assert (new["dose_mg"], new["administrations"], new["units_requested"]) == ("200.000", 2, 400)
    assert new["requested_end"] == iso(TODAY + timedelta(days=90))


def test_a_renewal_ending_before_it_starts_is_refused_and_nothing_is_made(api):
    _, old = b.approved_auth(api)
    response = _post(api, f"{old['id']}/renew", {"requested_end": iso(TODAY)})
    assert response.status_code == 422
    assert "requested_end" in response.get_json()["errors"]
    assert db.session.scalar(db.select(db.func.count(AuthorizationRequest.id))) == 1


def test_only_an_approval_can_be_renewed(api, pended):
    response = _post(api, f"{pended['id']}/renew", {})
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "NOT_APPROVED"
    assert body["message"] == (
        f"only an approved or partially approved request can be extended or renewed; "
        f"request #{pended['id']} is pended"
    )


def test_patient_cannot_be_changed_on_a_renewal(api):
    _, old = b.approved_auth(api)
    response = _post(api, f"{old['id']}/renew", {"patient_id": 99})
    assert response.status_code == 422
    assert "patient_id" in response.get_json()["errors"]


def test_another_clinics_approval_is_not_found(api, client):
    _, old = b.approved_auth(api)
    stranger = factories.user(factories.clinic(name="Other clinic"), "admin")
    other = factories.ApiClient(client, factories.token(stranger))
    assert _post(other, f"{old['id']}/renew", {}).status_code == 404
    body = {"payer_reference": "X", "approved_units": 10}
    assert _post(other, f"{old['id']}/payer-changes", body).status_code == 404


# --- item 8c: the payer changes an approval ----------------------------------------------------


def test_a_payer_change_is_applied_and_audited_before_and_after(api):
    _, old = b.approved_auth(api, units=500, end=TODAY + timedelta(days=60))
    new_end = TODAY + timedelta(days=90)
    body = {"payer_reference": " CALL-42 ", "approved_units": 400, "approved_end": iso(new_end)}
    response = _post(api, f"{old['id']}/payer-changes", {**body, "note": "phoned"})
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()
    assert (changed["units_approved"], changed["approved_end"]) == (400, iso(new_end))
    assert changed["units_left"] == 400
    [event] = _events(old["id"], "payer_change")
    assert event.changes == {
        "units_approved": {"before": 500, "after": 400},
        "approved_end": {"before": iso(TODAY + timedelta(days=60)), "after": iso(new_end)},
        "payer_reference": "CALL-42",
    }
    assert event.note == "phoned" and event.user_id is not None


def test_a_payer_change_below_what_is_given_and_booked_is_refused_in_words(api):
    patient, old = b.approved_auth(api, units=500, administrations=5)
    _book(api, patient["id"], days=1)
    _book(api, patient["id"], days=8)
    body = {"payer_reference": "CALL-1", "approved_units": 150}
    response = _post(api, f"{old['id']}/payer-changes", body)
    assert response.status_code == 422
    assert response.get_json()["errors"]["approved_units"] == [
        "150 units would be fewer than the 200 already given or booked (0 given, 200 booked)"
    ]
    visits = _post(api, f"{old['id']}/payer-changes", {**body, "approved_units": 200})
    assert visits.status_code == 200
    visits_body = {"payer_reference": "CALL-2", "approved_administrations": 1}
    fewer = _post(api, f"{old['id']}/payer-changes", visits_body)
    assert fewer.get_json()["errors"]["approved_administrations"] == [
        "1 administration would be fewer than the 2 already given or booked"
    ]
    got = api.get(f"/api/v1/authorizations/{old['id']}").get_json()
    assert (got["units_approved"], got["administrations_approved"]) == (200, 5)


def test_a_payer_change_needs_the_payers_reference(api):
    _, old = b.approved_auth(api)
    response = _post(api, f"{old['id']}/payer-changes", {"approved_units": 10})
    assert response.status_code == 422
    assert "payer_reference" in response.get_json()["errors"]
    blank = _post(api, f"{old['id']}/payer-changes", {"payer_reference": " ", "approved_units": 9})
    assert "payer_reference" in blank.get_json()["errors"]


def test_a_payer_change_that_changes_nothing_is_refused(api):
    _, old = b.approved_auth(api, units=500)
    body = {"payer_reference": "R-1", "approved_units": 500}
    response = _post(api, f"{old['id']}/payer-changes", body)
    assert response.status_code == 422
    assert response.get_json()["errors"]["_"] == [
        "nothing to record: change the approved dates, units or administrations"
    ]
    assert _events(old["id"], "payer_change") == []


def test_a_payer_change_ending_before_the_approved_start_is_refused(api):
    _, old = b.approved_auth(api, start=TODAY)
    body = {"payer_reference": "R-1", "approved_end": iso(TODAY - timedelta(days=1))}
    response = _post(api, f"{old['id']}/payer-changes", body)
    assert response.status_code == 422
    assert response.get_json()["errors"]["approved_end"] == [
        "must be on or after the approved start"
    ]


def test_a_draft_has_no_approval_to_change(api, pended):
    body = {"payer_reference": "R-1", "approved_units": 10}
    response = _post(api, f"{pended['id']}/payer-changes", body)
    assert response.status_code == 409
    assert response.get_json()["code"] == "NOT_APPROVED"
