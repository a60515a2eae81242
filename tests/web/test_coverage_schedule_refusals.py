"""Schedule, coverage check, booking and infusion pages: bad input and refusals answer with
the reason beside the field (or a 404 for another clinic's infusion) and change nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import EligibilityCheck, Infusion
from tests import factories
from tests.api.builders import TODAY, iso
from tests.web.auth_helpers import sign_in
from tests.web.test_schedule_pages import administration, book, booking_form, check, covered_patient


@pytest.fixture
def page(client, admin, api):
    assert sign_in(client, admin.email).status_code == 302
    return client


def _error_of(html: str, field: str) -> str:
    found = re.search(rf'id="f-{field}-error"[^>]*>([^<]*)<', html)
    return found.group(1).strip() if found else ""


def _infusions() -> int:
    return db.session.scalar(sa.select(sa.func.count(Infusion.id)))


def test_schedule_with_an_unreadable_start_date_shows_today(page):
    response = page.get("/schedule?view=day&start=next-tuesday")
    assert response.status_code == 200
    assert iso(TODAY) in response.text


def test_coverage_check_with_a_bad_dose_names_the_dose(page, api):
    covered_patient(api)
    response = check(page, mrn="MRN-C", dose_mg="a lot")
    assert response.status_code == 422
    assert _error_of(response.text, "dose_mg") == "Dose (mg) must be a number."


def test_coverage_check_for_a_code_outside_the_catalog_names_the_code(page, api):
    covered_patient(api)
    response = check(page, mrn="MRN-C", hcpcs_code="J9999")
    assert response.status_code == 422
    assert "J9999 is not in the drug code catalog" in _error_of(response.text, "hcpcs_code")


def test_booking_at_an_impossible_time_names_the_time_and_books_nothing(page, api):
    patient, _ = covered_patient(api)
    response = page.post("/schedule/book", data=booking_form(patient["id"], time="25:99"))
    assert response.status_code == 422
    assert _error_of(response.text, "time")
    assert _infusions() == 0


def test_booking_a_code_outside_the_catalog_is_refused_without_asking_for_an_override(page, api):
    patient, _ = covered_patient(api)
    response = page.post("/schedule/book", data=booking_form(patient["id"], hcpcs_code="J9999"))
    assert response.status_code == 422
    assert "J9999 is not in the drug code catalog" in response.text
    assert not _error_of(response.text, "override_reason")
    assert _infusions() == 0


def test_rescheduling_to_an_unknown_status_names_the_status(page, api):
    patient, _ = covered_patient(api)
    infusion = book(api, patient["id"])
    response = page.post(f"/infusions/{infusion['id']}", data={"status": "exploded"})
    assert response.status_code == 422
    # The status is a hidden input, so the page shows the forms again without a message.
    assert 'id="reschedule"' in response.text
    assert db.session.get(Infusion, infusion["id"]).status == "scheduled"


def test_a_cancelled_infusion_cannot_be_changed_from_its_page(page, api):
    patient, _ = covered_patient(api)
    infusion = book(api, patient["id"])
    assert (
        page.post(f"/infusions/{infusion['id']}", data={"status": "cancelled"}).status_code == 302
    )
    again = page.post(f"/infusions/{infusion['id']}", data={"status": "no_show"})
    assert again.status_code == 409  # the page shows why by its badge and missing forms
    assert '<span class="badge cancelled">cancelled</span>' in again.text
    assert 'id="reschedule"' not in again.text
    db.session.expire_all()
    assert db.session.get(Infusion, infusion["id"]).status == "cancelled"


def test_administration_with_a_bad_dose_names_the_dose_and_records_nothing(page, api):
    patient, _ = covered_patient(api)
    infusion = book(api, patient["id"])
    form = administration(dose_mg="plenty")
    response = page.post(f"/infusions/{infusion['id']}/administration", data=form)
    assert response.status_code == 422
    assert "Dose (mg) must be a number." in response.text
    assert db.session.get(Infusion, infusion["id"]).status == "scheduled"


def test_reverifying_another_clinics_infusion_is_not_found(page, api):
    patient, _ = covered_patient(api)
    infusion = book(api, patient["id"])
    stranger = factories.user(factories.clinic(), "admin")
    other = page.application.test_client()
    assert sign_in(other, stranger.email).status_code == 302
    form = {"method": "portal", "result": "active"}
    response = other.post(f"/infusions/{infusion['id']}/eligibility", data=form)
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(EligibilityCheck.id))) == 0
