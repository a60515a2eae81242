"""A scheduler checks coverage for a patient with an active approval, books the infusion and
finds it on the week's schedule with a "covered" badge."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e

CLINIC_ZONE = ZoneInfo("America/New_York")  # the demo clinic's
MRN = "E2E-SCHED-1"


def _approve_a_patient(session, desk_email: str) -> dict:
    """A Blue Harbor patient with an approved J1439 request from today on, through the
    services (every demo approval is fully booked or expired)."""
    from priorauth.models import Payer, User
    from priorauth.services import authorizations, patients, transitions

    desk = session.scalars(sa.select(User).where(User.email == desk_email)).one()
    today = datetime.now(CLINIC_ZONE).date()
    payer = session.scalars(
        sa.select(Payer).where(
            Payer.clinic_id == desk.clinic_id, Payer.name == "Blue Harbor Health"
        )
    ).one()
    patient = patients.create_patient(
        desk,
        {
            "mrn": MRN,
            "first_name": "Noah",
            "last_name": "Fielding",
            "sex": "M",
            "birth_date": today.replace(year=today.year - 60),
        },
    )
    session.flush()
    coverage = patients.add_coverage(
        desk,
        patient.id,
        {"payer_id": payer.id, "member_id": "BH555000111", "start_date": today - timedelta(400)},
    )
    session.flush()
    auth = authorizations.create_authorization(
        desk,
        {
            "patient_id": patient.id,
            "coverage_id": coverage.id,
            "hcpcs_code": "J1439",
            "dose_mg": Decimal(750),
            "administrations": 2,
            "requested_start": today,
            "requested_end": today + timedelta(days=89),
            "urgency": "standard",
        },
    )
    session.flush()
    now = datetime.now(ZoneInfo("UTC")).replace(tzinfo=None)
    transitions.transition(
        desk,
        auth.id,
        {"to": "submitted", "channel": "portal", "override_reason": "labs faxed separately"},
        now,
        today,
    )
    transitions.transition(
        desk,
        auth.id,
        {
            "to": "approved",
            "auth_number": "BH-E2E-SCHED",
            "approved_units": 1500,
            "approved_administrations": 2,
            "approved_start": today,
            "approved_end": today + timedelta(days=89),
            "decided_on": today,
        },
        now,
        today,
    )
    session.commit()
    return {"mrn": MRN, "name": "Fielding, Noah", "day": today + timedelta(days=7)}


@pytest.fixture
def approved_patient(live_server):
    return live_server.query(
        lambda session: _approve_a_patient(session, live_server.users["front_desk"])
    )


def test_scheduler_checks_coverage_books_and_sees_the_covered_badge(site, page, approved_patient):
    site.sign_in("scheduler")
    site.visit("/schedule/coverage-check")
    page.fill("#f-mrn", approved_patient["mrn"])
    page.select_option("#f-hcpcs_code", "J1439")
    page.fill("#f-service_date", approved_patient["day"].isoformat())
    page.fill("#f-dose_mg", "750")
    site.submit(page.get_by_role("button", name="Check coverage"))
    answer = page.locator("section.answer")
    assert answer.locator("h2 .badge").inner_text() == "covered"
    assert "auth number BH-E2E-SCHED" in answer.inner_text()

    booking = page.locator("form#book")
    booking.locator("#f-time").fill("10:30")
    assert booking.locator("textarea[name=override_reason]").count() == 0
    site.submit(booking.get_by_role("button", name="Book this infusion"))
    assert "Infusion booked for" in page.locator(".flash").inner_text()
    assert page.locator("h1").inner_text().startswith("Infusion of J1439 for Noah Fielding")

    day = approved_patient["day"]
    site.visit(f"/schedule?view=week&start={(day - timedelta(days=day.weekday())).isoformat()}")
    row = page.locator("table.schedule tbody tr", has_text=approved_patient["name"])
    assert row.count() == 1
    assert day.strftime("%a %d %b") + " 10:30" in row.inner_text()
    assert row.locator(".badge.covered").inner_text() == "covered"
    assert "auth BH-E2E-SCHED" in row.inner_text()
    site.screenshot("schedule-week")
