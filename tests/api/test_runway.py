"""GET /api/v1/patients/{id}/runway: booked infusions checked in date order as units are spent."""

from __future__ import annotations

from datetime import timedelta

from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.querycount import counting_queries


def at(days: int, hour: int = 10) -> str:
    return f"{iso(TODAY + timedelta(days=days))}T{hour:02d}:00:00"


def book(api, patient_id, days, dose="100", expect=201, **extra) -> dict:
    response = api.post(
        "/api/v1/infusions",
        json={
            "patient_id": patient_id,
            "hcpcs_code": "J1439",
            "scheduled_at": at(days),
            "dose_mg": dose,
            **extra,
        },
    )
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def runway(api, patient_id, **query) -> dict:
    response = api.get(f"/api/v1/patients/{patient_id}/runway", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_third_booking_past_the_units_is_first_uncovered(api):
    patient, auth = b.approved_auth(api, dose="100", units=200, administrations=3)
    first, second = book(api, patient["id"], 3), book(api, patient["id"], 10)
    third = book(api, patient["id"], 17, override_reason="payer will extend")
    body = runway(api, patient["id"])
    assert [s["infusion_id"] for s in body["steps"]] == [first["id"], second["id"], third["id"]]
    assert [s["covered"] for s in body["steps"]] == [True, True, False]
    assert [s["units_left"] for s in body["steps"]] == [200, 100, 0]
    assert body["steps"][0]["authorization_id"] == auth["id"]
    assert body["steps"][0]["auth_number"] == "AUTH-1"
    uncovered = body["first_uncovered"]
    assert uncovered["infusion_id"] == third["id"]
    assert uncovered["units_required"] == 100
    assert [r["code"] for r in uncovered["reasons"]] == ["UNITS_EXHAUSTED"]
    assert "0 units left" in uncovered["reasons"][0]["message"]


def test_booking_after_the_approval_ends_is_auth_expired(api):
    patient, auth = b.approved_auth(api, units=1000, end=TODAY + timedelta(days=20))
    book(api, patient["id"], 5)
    late = book(api, patient["id"], 30, override_reason="renewal requested")
    body = runway(api, patient["id"])
    assert body["first_uncovered"]["infusion_id"] == late["id"]
    assert body["first_uncovered"]["service_date"] == iso(TODAY + timedelta(days=30))
    codes = [r["code"] for r in body["first_uncovered"]["reasons"]]
    assert codes == ["AUTH_EXPIRED"]
    assert body["steps"][0]["covered"] is True


def test_earlier_override_spends_units_a_later_booking_reserved(api):
    """A booking placed before the others is projected first: the last one runs short.

    The override booking draws on the approval (docs/domain.md §6), so as booked now both it
    and the last booking lack units: neither is covered, and the runway (given in date order)
    marks the last one as the first uncovered, 100 units short.
    """
    patient, auth = b.approved_auth(api, units=200, administrations=3)
    book(api, patient["id"], 5)
    later = book(api, patient["id"], 10)
    early = book(api, patient["id"], 2, override_reason="squeezed in")
    assert early["authorization_id"] == auth["id"]
    body = runway(api, patient["id"])
    badges = {s["infusion_id"]: s["badge"] for s in body["steps"]}
    assert badges[early["id"]] == badges[later["id"]] == "not_covered"
    steps = {s["infusion_id"]: s for s in body["steps"]}
    assert steps[early["id"]]["covered"] is True  # once given first, it is paid for
    assert body["first_uncovered"]["infusion_id"] == later["id"]
    assert body["first_uncovered"]["units_short"] == 100


def test_runway_narrowed_to_one_authorization(api):
    patient, auth = b.approved_auth(api, units=100)
    covered = book(api, patient["id"], 3)
    book(api, patient["id"], 40, override_reason="after the approval")
    narrowed = runway(api, patient["id"], authorization_id=auth["id"])
    assert [s["infusion_id"] for s in narrowed["steps"]][0] == covered["id"]
    assert all(
        auth["id"] in (s["authorization_id"], s["booked_authorization_id"])
        for s in narrowed["steps"]
    )
    assert runway(api, patient["id"], authorization_id=auth["id"] + 999)["steps"] == []


def test_runway_without_bookings_is_empty_and_other_clinics_are_not_found(api):
    patient, _ = b.approved_auth(api)
    assert runway(api, patient["id"]) == {
        "patient_id": patient["id"],
        "steps": [],
        "first_uncovered": None,
    }
    missing = api.get(f"/api/v1/patients/{patient['id'] + 999}/runway")
    assert missing.status_code == 404
    assert missing.get_json()["code"] == "NOT_FOUND"


def _statements_for_runway(api, bookings: int, mrn: str) -> int:
    patient, _ = b.approved_auth(api, mrn=mrn, units=100 * bookings, administrations=bookings)
    for day in range(1, bookings + 1):
        book(api, patient["id"], day)
    with counting_queries() as seen:
        body = runway(api, patient["id"])
    assert len(body["steps"]) == bookings
    assert body["first_uncovered"] is None
    return len(seen)


def test_runway_query_count_does_not_grow_with_bookings(api):
    few = _statements_for_runway(api, 3, "MRN-FEW")
    many = _statements_for_runway(api, 30, "MRN-MANY")
    assert few == many
    assert few <= 12
