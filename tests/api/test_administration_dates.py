"""When the drug was given decides the claim: its date of service is on every claim line, and
that day's authorization and payer policy bill it (docs/domain.md §4 "Date of service"); a
payer that needs no PA is billed without one and without an override (§3 "No PA, still
billed"); a date given in the future is refused and nothing changes."""

from __future__ import annotations

from datetime import timedelta

from priorauth.extensions import db
from priorauth.models import Infusion
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_administration_refusals import administered_event, all_rows
from tests.api.test_infusions import administer, at, book

YESTERDAY = TODAY - timedelta(days=1)


def two_consecutive_authorizations(api) -> tuple[dict, dict, dict]:
    """A patient with two J1439 approvals: AUTH-A until yesterday, AUTH-B from today."""
    patient, first = b.approved_auth(
        api, dose="100", units=500, start=TODAY - timedelta(days=20), end=YESTERDAY
    )
    second = b.request(api, patient["id"], first["coverage_id"], dose_mg="100")
    b.move(api, second["id"], to="submitted", channel="portal", override_reason="test setup")
    second = b.move(
        api,
        second["id"],
        to="approved",
        auth_number="AUTH-B",
        approved_units=500,
        approved_administrations=5,
        approved_start=iso(TODAY),
        approved_end=iso(TODAY + timedelta(days=60)),
    )
    return patient, first, second


def units_of(api, auth_id: int) -> tuple[int, int]:
    body = api.get(f"/api/v1/authorizations/{auth_id}").get_json()
    return body["units_used"], body["units_booked"]


def test_given_a_day_late_bills_that_day_under_that_days_authorization(api):
    patient, first, second = two_consecutive_authorizations(api)
    infusion = book(api, patient["id"], days=-1)
    assert infusion["authorization_id"] == first["id"]
    done = administer(api, infusion["id"], administered_at=at(0, hour=0))
    assert done["administered_at"].startswith(iso(TODAY))
    assert done["authorization_id"] == second["id"]
    assert done["claim_lines"] == [
        {
            "hcpcs_code": "J1439",
            "units": 100,
            "modifiers": ["JZ"],
            "auth_number": "AUTH-B",
            "service_date": iso(TODAY),
        }
    ]
    assert done["coverage"]["covered"] is True
    assert done["coverage"]["authorization_id"] == second["id"]
    assert units_of(api, first["id"]) == (0, 0)
    assert units_of(api, second["id"]) == (100, 0)
    event = administered_event(infusion["id"])
    assert event.changes["authorization_id"] == second["id"]
    assert event.changes["coverage_rechecked"] == (
        f"Given on {TODAY}, not the booked {YESTERDAY}: coverage re-checked for {TODAY}; "
        "billed under authorization AUTH-B."
    )
    assert event.note is None


def test_given_a_day_early_bills_the_earlier_authorization(api):
    patient, first, second = two_consecutive_authorizations(api)
    infusion = book(api, patient["id"], days=0)
    assert infusion["authorization_id"] == second["id"]
    done = administer(api, infusion["id"], administered_at=at(-1))
    assert done["authorization_id"] == first["id"]
    assert [(line["auth_number"], line["service_date"]) for line in done["claim_lines"]] == [
        ("AUTH-1", iso(YESTERDAY))
    ]
    assert units_of(api, first["id"]) == (100, 0)
    assert units_of(api, second["id"]) == (0, 0)


def test_given_on_the_booked_day_keeps_the_booking_and_says_nothing_more(api):
    patient, auth = b.approved_auth(api, dose="100", units=500, start=YESTERDAY)
    infusion = book(api, patient["id"], days=-1)
    done = administer(api, infusion["id"])  # no time given: the booked time
    assert done["administered_at"] == infusion["scheduled_at"]
    assert done["coverage"] is None
    assert done["claim_lines"][0]["service_date"] == iso(YESTERDAY)
    assert "coverage_rechecked" not in administered_event(infusion["id"]).changes


def test_a_booking_still_ahead_defaults_to_now(api):
    patient, auth = b.approved_auth(api, dose="100", units=500)
    infusion = book(api, patient["id"], days=1)
    done = administer(api, infusion["id"])
    assert done["administered_at"].startswith(iso(TODAY))
    assert done["claim_lines"][0]["service_date"] == iso(TODAY)
    assert done["coverage"]["covered"] is True  # another day than booked: checked again


def test_given_on_a_day_the_insurance_did_not_cover_needs_an_override(api):
    payer = b.payer(api)
    b.policy(api, payer["id"], "J1756", pa_required=False)
    patient = b.patient(api)
    b.coverage(api, patient["id"], payer["id"], start_date=iso(TODAY))
    infusion = book(api, patient["id"], code="J1756", days=0)
    before = all_rows()
    body = administer(api, infusion["id"], expect=409, administered_at=at(-1))
    [problem] = body["errors"]["authorization"]
    assert "insurance" in problem and iso(TODAY) in problem and iso(YESTERDAY) in problem
    assert all_rows() == before


def test_a_drug_that_needs_no_pa_is_billed_without_authorization_or_override(api):
    payer = b.payer(api, requires_waste_modifiers=True)
    b.policy(api, payer["id"], "J1756", pa_required=False)
    patient = b.patient(api)
    b.coverage(api, patient["id"], payer["id"])
    infusion = book(api, patient["id"], code="J1756", dose="200", days=0)
    assert infusion["authorization_id"] is None
    assert [r["code"] for r in infusion["coverage"]["reasons"]] == ["PA_NOT_REQUIRED"]
    done = administer(api, infusion["id"], dose_mg="200", administered_at=at(0, hour=0))
    assert done["status"] == "administered" and done["authorization_id"] is None
    assert done["claim_lines"] == [
        {
            "hcpcs_code": "J1756",
            "units": 200,
            "modifiers": ["JZ"],
            "auth_number": None,
            "service_date": iso(TODAY),
        }
    ]
    event = administered_event(infusion["id"])
    assert event.note is None and event.changes["mismatches"] == []
    stored = db.session.get(Infusion, infusion["id"]).claim_lines[0]
    assert stored["auth_required"] is False


def test_given_in_the_future_is_refused_naming_date_given(api):
    patient, auth = b.approved_auth(api, dose="100", units=500)
    infusion = book(api, patient["id"], days=1)
    before = all_rows()
    body = administer(api, infusion["id"], expect=422, administered_at=at(1, hour=23))
    assert body["code"] == "VALIDATION_ERROR"
    assert list(body["errors"]) == ["administered_at"]
    problem = body["errors"]["administered_at"][0]
    assert problem.startswith(f"Date given {iso(TODAY + timedelta(days=1))} 23:00 is in the future")
    assert "now in the clinic" in problem and body["message"] == problem
    assert all_rows() == before


def test_no_pa_given_on_another_day_says_none_is_needed_that_day(api):
    payer = b.payer(api)
    b.policy(api, payer["id"], "J1756", pa_required=False)
    patient = b.patient(api)
    b.coverage(api, patient["id"], payer["id"])
    infusion = book(api, patient["id"], code="J1756", days=0)
    done = administer(api, infusion["id"], administered_at=at(-1))
    assert done["authorization_id"] is None
    assert [r["code"] for r in done["coverage"]["reasons"]] == ["PA_NOT_REQUIRED"]
    assert [line["service_date"] for line in done["claim_lines"]] == [iso(YESTERDAY)]
    assert administered_event(infusion["id"]).changes["coverage_rechecked"] == (
        f"Given on {YESTERDAY}, not the booked {TODAY}: coverage re-checked for {YESTERDAY}; "
        "no prior authorization is needed that day."
    )


def _codes(api, patient_id: int, days: int) -> list[str]:
    answer = api.post(
        "/api/v1/coverage-check",
        json={
            "patient_id": patient_id,
            "hcpcs_code": "J1439",
            "service_date": iso(TODAY + timedelta(days=days)),
            "dose_mg": "100",
        },
    ).get_json()
    return [reason["code"] for reason in answer["reasons"]]


def test_days_between_doses_count_from_the_day_it_was_given(api):
    """Booked 5 days ago, given 2 days late: the next dose 7 days on counts from the giving."""
    patient, _ = b.approved_auth(
        api, start=TODAY - timedelta(days=10), policy_fields={"min_days_between_doses": 7}
    )
    infusion = book(api, patient["id"], days=-5)
    assert "TOO_SOON" not in _codes(api, patient["id"], days=3)
    administer(api, infusion["id"], administered_at=at(-3))
    assert "TOO_SOON" in _codes(api, patient["id"], days=3)
    assert "TOO_SOON" not in _codes(api, patient["id"], days=4)
