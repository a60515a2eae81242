"""Schedule, coverage check, booking and the infusion page (reschedule, cancel, administration)."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import render_template
from flask_login import login_user

from priorauth.extensions import db
from priorauth.models import Infusion
from priorauth.queries.runway import patient_runway
from priorauth.queries.schedule import schedule
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.querycount import counting_queries

DAY = TODAY + timedelta(days=1)
EARLY = TODAY - timedelta(days=5)


def sign_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": "correct-horse-7"})
    assert response.status_code == 302


def book(api, patient_id, day=DAY, hour=9, dose="100", expect=201, **extra) -> dict:
    response = api.post(
        "/api/v1/infusions",
        json={
            "patient_id": patient_id,
            "hcpcs_code": "J1439",
            "scheduled_at": f"{iso(day)}T{hour:02d}:00:00",
            "dose_mg": dose,
            **extra,
        },
    )
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def covered_patient(api, mrn="MRN-C", units=500):
    return b.approved_auth(api, mrn=mrn, units=units, start=EARLY)


def uninsured_for_code(api, mrn="MRN-N") -> dict:
    """Insured, a policy that needs PA, but no request at all."""
    payer = b.payer(api, name=f"Payer {mrn}")
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api, mrn=mrn, first_name="Nora", last_name="Uncovered")
    b.coverage(api, patient["id"], payer["id"])
    return patient


def pending_patient(api, mrn="MRN-P") -> dict:
    """A request submitted and awaiting the payer."""
    payer = b.payer(api, name=f"Payer {mrn}")
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api, mrn=mrn, first_name="Pia", last_name="Pending")
    cov = b.coverage(api, patient["id"], payer["id"])
    auth = b.request(api, patient["id"], cov["id"])
    b.move(api, auth["id"], to="submitted", channel="portal", override_reason="test setup")
    return patient


def rows(html: str) -> list[str]:
    return html.split('<tr class="badge-row')[1:]


def row_of(html: str, mrn: str) -> str:
    return next(r for r in rows(html) if mrn in r)


# --- Schedule


def verify(api, infusion_id, result="active"):
    response = api.post(
        f"/api/v1/infusions/{infusion_id}/eligibility", json={"method": "portal", "result": result}
    )
    assert response.status_code == 201, response.get_json()


def three_kinds(api) -> dict:
    covered, _ = covered_patient(api)
    verify(api, book(api, covered["id"], hour=9)["id"])
    uncovered = uninsured_for_code(api)
    book(api, uncovered["id"], hour=10, override_reason="payer called back")
    pending = pending_patient(api)
    book(api, pending["id"], hour=11, override_reason="decision expected today")
    return {"covered": covered, "uncovered": uncovered, "pending": pending}


def test_day_schedule_shows_each_badge_with_its_reason(client, api, admin):
    three_kinds(api)
    sign_in(client, admin)
    page = client.get(f"/schedule?view=day&start={iso(DAY)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert len(rows(html)) == 3
    assert 'class="badge covered"' in row_of(html, "MRN-C")
    uncovered = row_of(html, "MRN-N")
    assert 'class="badge not_covered"' in uncovered and ">not covered<" in uncovered
    assert "there is no authorization on file for J1439" in uncovered
    assert re.search(r'title="[^"]*no authorization on file', uncovered)
    pending = row_of(html, "MRN-P")
    assert 'class="badge at_risk"' in pending and ">at risk<" in pending
    assert "covered only if the pending request is approved" in pending
    assert "awaits the payer" in pending
    assert "Uncovered, Nora" in uncovered and "/patients/" in uncovered


def test_unverified_infusion_of_the_next_days_is_at_risk_until_reverified(client, api, admin):
    covered, _ = covered_patient(api)
    infusion = book(api, covered["id"], hour=9)
    sign_in(client, admin)
    html = client.get(f"/schedule?view=day&start={iso(DAY)}").get_data(as_text=True)
    row = row_of(html, "MRN-C")
    assert 'class="badge at_risk"' in row and "not re-verified since the booking" in row
    verify(api, infusion["id"])
    html = client.get(f"/schedule?view=day&start={iso(DAY)}").get_data(as_text=True)
    assert 'class="badge covered"' in row_of(html, "MRN-C")


def test_reverification_form_on_the_infusion_page(client, api, admin):
    covered, _ = covered_patient(api)
    infusion = book(api, covered["id"], hour=9)
    sign_in(client, admin)
    page = f"/infusions/{infusion['id']}"
    assert "Not re-verified since it was booked" in client.get(page).get_data(as_text=True)
    bad = client.post(f"{page}/eligibility", data={"method": "fax", "result": "active"})
    assert bad.status_code == 422 and "Method must be one of the choices offered." in bad.text
    done = client.post(
        f"{page}/eligibility", data={"method": "phone", "result": "inactive", "note": "termed"}
    )
    assert done.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "termed" in html and ">inactive<" in html
    answer = api.get(f"/api/v1/patients/{covered['id']}/runway").get_json()
    assert "COVERAGE_INACTIVE" in [r["code"] for r in answer["first_uncovered"]["reasons"]]


def test_week_view_pages_and_filters_by_status(client, api, admin):
    kinds = three_kinds(api)
    later = book(api, kinds["covered"]["id"], day=DAY + timedelta(days=3), hour=14)
    sign_in(client, admin)
    week = client.get(f"/schedule?view=week&start={iso(DAY)}").get_data(as_text=True)
    assert len(rows(week)) == 4
    assert f"/infusions/{later['id']}" in week
    assert f"start={iso(DAY + timedelta(days=7))}" in week
    assert f"start={iso(DAY - timedelta(days=7))}" in week
    day = client.get(f"/schedule?view=day&start={iso(DAY)}").get_data(as_text=True)
    assert f"start={iso(DAY + timedelta(days=1))}" in day
    cancelled = client.get(f"/schedule?view=week&start={iso(DAY)}&status=cancelled")
    assert rows(cancelled.get_data(as_text=True)) == []
    next_week = client.get(f"/schedule?view=week&start={iso(DAY + timedelta(days=7))}")
    assert rows(next_week.get_data(as_text=True)) == []


def test_schedule_runs_the_same_number_of_queries_for_3_or_30_infusions(api, app_ctx, admin):
    first, _ = covered_patient(api, mrn="MRN-0", units=1000)
    for hour in (8, 9, 10):
        book(api, first["id"], hour=hour)

    clinic_id = admin.clinic_id

    def statements() -> tuple[int, int]:
        db.session.expire_all()
        with counting_queries() as seen:
            found = schedule(clinic_id, DAY, DAY + timedelta(days=6), today=DAY)
            assert all(row.badge == "covered" for row in found)
        return len(seen), len(found)

    few = statements()
    for n in range(1, 10):
        patient, _ = covered_patient(api, mrn=f"MRN-{n}", units=1000)
        for hour in (8, 9, 10):
            book(api, patient["id"], day=DAY + timedelta(days=n % 7), hour=hour)
    many = statements()
    assert (few[1], many[1]) == (3, 30)
    assert few[0] == many[0] <= 10  # infusions, patient state, clinic, re-verifications


# --- Coverage check and booking


def check(client, **fields):
    body = {"hcpcs_code": "J1439", "service_date": iso(DAY), "dose_mg": "100", **fields}
    return client.post("/schedule/coverage-check", data=body)


def test_coverage_check_answers_covered_in_place(client, api, admin):
    patient, auth = covered_patient(api)
    sign_in(client, admin)
    page = check(client, mrn="mrn-c")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<dt>Covered</dt><dd>Yes</dd>" in html
    assert f"/authorizations/{auth['id']}" in html and "auth number AUTH-1" in html
    assert "<dt>Units required</dt><dd>100</dd>" in html
    assert "<dt>Units left</dt><dd>500" in html
    assert "Book this infusion" in html
    assert 'name="override_reason"' not in html


def test_coverage_check_answers_not_covered_with_every_reason(client, api, admin):
    patient = uninsured_for_code(api)
    sign_in(client, admin)
    html = check(client, patient_id=str(patient["id"]), dose_mg="99.5").get_data(as_text=True)
    assert "<dt>Covered</dt><dd>No</dd>" in html
    assert 'title="NO_AUTHORIZATION">there is no authorization on file for J1439' in html
    assert "<dt>Units required</dt><dd>100</dd>" in html
    assert 'name="override_reason"' in html


def test_coverage_check_names_an_unknown_mrn_beside_the_field(client, api, admin):
    sign_in(client, admin)
    page = check(client, mrn="NOPE-1")
    assert page.status_code == 422
    assert re.search(r'id="f-mrn-error">No patient with MRN NOPE-1', page.get_data(as_text=True))


def booking_form(patient_id, **fields) -> dict:
    return {
        "patient_id": str(patient_id),
        "hcpcs_code": "J1439",
        "service_date": iso(DAY),
        "dose_mg": "100",
        "time": "13:30",
        **fields,
    }


def test_booking_from_the_page_reserves_units(client, api, admin):
    patient, auth = covered_patient(api)
    sign_in(client, admin)
    response = client.post("/schedule/book", data=booking_form(patient["id"]))
    assert response.status_code == 302
    infusion = db.session.scalars(sa.select(Infusion)).one()
    assert response.headers["Location"].endswith(f"/infusions/{infusion.id}")
    assert infusion.scheduled_at.strftime("%Y-%m-%d %H:%M") == f"{iso(DAY)} 13:30"
    assert infusion.authorization_id == auth["id"]
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["units_left"] == 400
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Infusion booked for" in shown


def test_uncovered_booking_without_override_is_409_with_reasons(client, api, admin):
    patient = uninsured_for_code(api)
    sign_in(client, admin)
    refused = client.post("/schedule/book", data=booking_form(patient["id"]))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "there is no authorization on file for J1439" in html
    assert 'id="f-override_reason-error"' in html
    assert db.session.scalar(sa.select(sa.func.count(Infusion.id))) == 0
    forced = client.post(
        "/schedule/book",
        data=booking_form(patient["id"], override_reason="payer approved by phone"),
    )
    assert forced.status_code == 302
    assert db.session.scalars(sa.select(Infusion)).one().override_reason == (
        "payer approved by phone"
    )


def test_front_desk_may_book_but_billing_may_not(client, api, clinic):
    patient, _ = covered_patient(api)
    billing = factories.user(clinic, "billing")
    sign_in(client, billing)
    html = check(client, mrn="MRN-C").get_data(as_text=True)
    assert "Book this infusion" not in html
    assert client.post("/schedule/book", data=booking_form(patient["id"])).status_code == 403


# --- Infusion page: reschedule, cancel, administration


def administration(**fields) -> dict:
    return {
        "dose_mg": "100",
        "discarded_mg": "0",
        "container": "single",
        "lot_number": "L-77",
        "lot_expiration": iso(TODAY + timedelta(days=300)),
        "reaction": "tolerated well",
        "administered_by": "Nurse Kim",
        **fields,
    }


def claim_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="claim-line">(.*?)</tr>', html, re.S)


def test_administration_with_discard_bills_a_jw_line(client, api, admin):
    patient, _ = covered_patient(api)
    infusion = book(api, patient["id"])
    sign_in(client, admin)
    form = client.get(f"/infusions/{infusion['id']}").get_data(as_text=True)
    assert 'value="single" selected' in form
    done = client.post(
        f"/infusions/{infusion['id']}/administration",
        data=administration(discarded_mg="50"),
        follow_redirects=True,
    )
    lines = claim_rows(done.get_data(as_text=True))
    assert done.status_code == 200
    assert len(lines) == 2
    assert "<td>100</td>" in lines[0] and "JW" not in lines[0] and "AUTH-1" in lines[0]
    assert "<td>JW</td>" in lines[1] and "<td>50</td>" in lines[1]
    assert "L-77" in done.get_data(as_text=True)


def test_administration_without_discard_bills_jz(client, api, admin):
    patient, _ = covered_patient(api)
    infusion = book(api, patient["id"])
    sign_in(client, admin)
    done = client.post(
        f"/infusions/{infusion['id']}/administration", data=administration(), follow_redirects=True
    )
    lines = claim_rows(done.get_data(as_text=True))
    assert len(lines) == 1
    assert "<td>JZ</td>" in lines[0] and "<td>100</td>" in lines[0]
    assert db.session.get(Infusion, infusion["id"]).status == "administered"


def test_expired_lot_is_named_beside_the_field_and_nothing_is_recorded(client, api, admin):
    patient, auth = covered_patient(api)
    infusion = book(api, patient["id"])
    sign_in(client, admin)
    page = client.post(
        f"/infusions/{infusion['id']}/administration",
        data=administration(lot_expiration=iso(TODAY - timedelta(days=2))),
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert re.search(r'id="a-lot_expiration-error">Lot expiry: Lot expired on', html)
    assert 'value="L-77"' in html
    row = db.session.get(Infusion, infusion["id"])
    assert (row.status, row.claim_lines, row.lot_number) == ("scheduled", None, None)
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["units_used"] == 0


def test_cancel_releases_the_units(client, api, admin):
    patient, auth = covered_patient(api)
    infusion = book(api, patient["id"])
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["units_left"] == 400
    sign_in(client, admin)
    page = client.get(f"/infusions/{infusion['id']}").get_data(as_text=True)
    assert 'data-confirm="Cancel this infusion?' in page and 'value="cancelled"' in page
    response = client.post(f"/infusions/{infusion['id']}", data={"status": "cancelled"})
    assert response.status_code == 302
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["units_left"] == 500
    assert db.session.get(Infusion, infusion["id"]).status == "cancelled"


def test_reschedule_past_the_approval_needs_an_override(client, api, admin):
    patient, auth = covered_patient(api)
    infusion = book(api, patient["id"])
    sign_in(client, admin)
    late = f"{iso(TODAY + timedelta(days=90))}T10:00"
    refused = client.post(
        f"/infusions/{infusion['id']}", data={"scheduled_at": late, "dose_mg": "100"}
    )
    assert refused.status_code == 409
    assert "ended on" in refused.get_data(as_text=True)
    assert db.session.get(Infusion, infusion["id"]).scheduled_at.date() == DAY
    moved = client.post(
        f"/infusions/{infusion['id']}",
        data={"scheduled_at": f"{iso(DAY + timedelta(days=2))}T15:00", "dose_mg": "100"},
    )
    assert moved.status_code == 302
    assert db.session.get(Infusion, infusion["id"]).scheduled_at.hour == 15


def test_infusion_page_shows_coverage_and_hides_forms_by_role(client, api, front_desk):
    patient, auth = covered_patient(api)
    infusion = book(api, patient["id"])
    sign_in(client, front_desk)
    html = client.get(f"/infusions/{infusion['id']}").get_data(as_text=True)
    assert "auth number AUTH-1" in html
    assert "<dt>Covered</dt><dd>Yes</dd>" in html
    assert "Reschedule" in html and "Record the administration" not in html
    refused = client.post(f"/infusions/{infusion['id']}/administration", data=administration())
    assert refused.status_code == 403


# --- The runway partial the patient page includes


def test_runway_partial_renders_steps_and_nothing_without_runway(client, api, admin):
    patient, auth = covered_patient(api, units=100)
    covered = book(api, patient["id"])
    late = book(api, patient["id"], day=DAY + timedelta(days=2), override_reason="extension asked")
    with client.application.test_request_context():
        login_user(admin)
        result = patient_runway(admin, patient["id"])
        html = render_template("infusions/_runway.html", runway=result)
        assert render_template("infusions/_runway.html").strip() == ""
    assert f"/infusions/{covered['id']}" in html and f"/infusions/{late['id']}" in html
    assert "first-uncovered" in html and 'title="UNITS_EXHAUSTED"' in html
    assert "will not be covered" in html and "AUTH-1" in html
