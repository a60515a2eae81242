"""Reminders through the API, and insurance re-verification's effect on coverage."""

from __future__ import annotations

from datetime import timedelta

from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_infusions import book


def reminders(api, as_of=TODAY):
    response = api.get(f"/api/v1/reminders?as_of={iso(as_of)}")
    assert response.status_code == 200
    return response.get_json()


def test_inactive_plan_makes_the_infusion_not_covered(api):
    patient, auth = b.approved_auth(api)
    infusion = book(api, patient["id"], days=1)
    check = api.post(
        f"/api/v1/infusions/{infusion['id']}/eligibility",
        json={"method": "portal", "result": "inactive", "note": "termed 11/30"},
    )
    assert check.status_code == 201
    answer = api.post(
        "/api/v1/coverage-check",
        json={
            "patient_id": patient["id"],
            "hcpcs_code": "J1439",
            "service_date": iso(TODAY + timedelta(days=1)),
            "dose_mg": "100",
        },
    ).get_json()
    assert answer["covered"] is False
    assert "COVERAGE_INACTIVE" in [r["code"] for r in answer["reasons"]]
    runway = api.get(f"/api/v1/patients/{patient['id']}/runway").get_json()
    assert runway["first_uncovered"]["infusion_id"] == infusion["id"]
    assert "COVERAGE_INACTIVE" in [r["code"] for r in runway["first_uncovered"]["reasons"]]
    # a new coverage recorded after the check makes it count again
    payer_id = auth["payer_id"]
    b.coverage(api, patient["id"], payer_id, member_id="NEW-1")
    again = api.post(
        "/api/v1/coverage-check",
        json={
            "patient_id": patient["id"],
            "hcpcs_code": "J1439",
            "service_date": iso(TODAY + timedelta(days=1)),
            "dose_mg": "100",
        },
    ).get_json()
    assert again["covered"] is True


def test_active_reverification_clears_infusion_upcoming(api):
    patient, auth = b.approved_auth(api)
    infusion = book(api, patient["id"], days=1)
    due = [r for r in reminders(api) if r["type"] == "INFUSION_UPCOMING"]
    assert [r["infusion_id"] for r in due] == [infusion["id"]]
    api.post(
        f"/api/v1/infusions/{infusion['id']}/eligibility",
        json={"method": "phone", "result": "active"},
    )
    assert [r for r in reminders(api) if r["type"] == "INFUSION_UPCOMING"] == []


def test_bad_eligibility_payload_is_named(api):
    patient, auth = b.approved_auth(api)
    infusion = book(api, patient["id"], days=1)
    response = api.post(
        f"/api/v1/infusions/{infusion['id']}/eligibility",
        json={"method": "telepathy", "result": "active"},
    )
    assert response.status_code == 422
    assert "method" in response.get_json()["errors"]


def test_expiring_and_uncovered_reminders(api):
    patient, auth = b.approved_auth(api, end=TODAY + timedelta(days=3))
    late = book(api, patient["id"], days=5, override_reason="renewal in flight")
    due = reminders(api)
    expiring = [r for r in due if r["type"] == "AUTH_EXPIRING"]
    assert [(r["authorization_id"], r["due_date"]) for r in expiring] == [
        (auth["id"], iso(TODAY + timedelta(days=3)))
    ]
    uncovered = [r for r in due if r["type"] == "INFUSION_UNCOVERED"]
    assert [r["infusion_id"] for r in uncovered] == [late["id"]]
    assert "AUTH_EXPIRED" in uncovered[0]["message"] or "ended" in uncovered[0]["message"]


def test_a_reminder_on_a_request_says_whom_to_call_and_what_it_leaves_uncovered(api):
    """The expiring approval's reminder carries its payer's phone and portal and names the
    first booking after its end that nothing covers; the uncovered one speaks in sentences."""
    patient, auth = b.approved_auth(api, end=TODAY + timedelta(days=3))
    contact = {"phone": "1-800-555-0100", "portal_url": "https://pa.example.test"}
    assert api.patch(f"/api/v1/payers/{auth['payer_id']}", json=contact).status_code == 200
    late = book(api, patient["id"], days=5, override_reason="renewal in flight")
    due = reminders(api)
    (expiring,) = [r for r in due if r["type"] == "AUTH_EXPIRING"]
    assert expiring["payer"]["phone"] == "1-800-555-0100"
    assert expiring["payer"]["portal_url"] == "https://pa.example.test"
    day = iso(TODAY + timedelta(days=5))
    assert (
        f"the first booking it leaves uncovered is infusion #{late['id']} on {day}"
        in (expiring["message"])
    )
    (uncovered,) = [r for r in due if r["type"] == "INFUSION_UNCOVERED"]
    assert "AUTH_EXPIRED" not in uncovered["message"] and "ended" in uncovered["message"]
    assert uncovered["payer"] is None
