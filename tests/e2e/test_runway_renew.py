"""A scheduler finds an uncovered booking on the runway, follows "Renew" next to its reason and
lands on the renewal form of the approval, prefilled (docs/domain.md §6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e

CLINIC_ZONE = ZoneInfo("America/New_York")  # the demo clinic's
MRN = "E2E-RENEW-1"


def _short_patient(session, desk_email: str) -> dict:
    """A patient whose J1439 approval (750 units) is booked twice: the second booking, an
    override, is 750 units short."""
    from priorauth.models import Payer, User
    from priorauth.services import authorizations, infusions, patients, transitions

    desk = session.scalars(sa.select(User).where(User.email == desk_email)).one()
    today = datetime.now(CLINIC_ZONE).date()
    payer = session.scalars(
        sa.select(Payer).where(
            Payer.clinic_id == desk.clinic_id, Payer.name == "Blue Harbor Health"
        )
    ).one()
    patient = patients.create_patient(
        desk,
        {"mrn": MRN, "first_name": "Rita", "last_name": "Renewal", "sex": "F",
         "birth_date": today.replace(year=today.year - 50)},
    )  # fmt: skip
    session.flush()
    coverage = patients.add_coverage(
        desk,
        patient.id,
        {"payer_id": payer.id, "member_id": "BH555000222", "start_date": today - timedelta(400)},
    )
    session.flush()
    end = today + timedelta(days=60)
    auth = authorizations.create_authorization(
        desk,
        {"patient_id": patient.id, "coverage_id": coverage.id, "hcpcs_code": "J1439",
         "dose_mg": Decimal(750), "administrations": 1, "requested_start": today,
         "requested_end": end, "urgency": "standard", "diagnosis_codes": ["D50.9"]},
    )  # fmt: skip
    session.flush()
    now = datetime.now(ZoneInfo("UTC")).replace(tzinfo=None)
    moves = (
        {"to": "submitted", "channel": "portal", "override_reason": "labs faxed separately"},
        {"to": "approved", "auth_number": "BH-E2E-RENEW", "approved_units": 750,
         "approved_administrations": 2, "approved_start": today, "approved_end": end,
         "decided_on": today},
    )  # fmt: skip
    for move in moves:
        transitions.transition(desk, auth.id, move, now, today)
    for days, override in ((7, None), (21, "payer agreed on the phone to a second dose")):
        when = datetime.combine(today + timedelta(days=days), datetime.min.time()).replace(hour=10)
        booking = {"patient_id": patient.id, "hcpcs_code": "J1439", "scheduled_at": when,
                   "dose_mg": Decimal(750), "override_reason": override}  # fmt: skip
        infusions.book(desk, booking)
    session.commit()
    return {"patient_id": patient.id, "auth_id": auth.id}


@pytest.fixture
def short_patient(live_server):
    return live_server.query(
        lambda session: _short_patient(session, live_server.users["front_desk"])
    )


def test_scheduler_follows_renew_from_an_uncovered_booking_on_the_runway(site, page, short_patient):
    site.sign_in("scheduler")
    site.visit(f"/patients/{short_patient['patient_id']}")
    runway = page.locator("section.runway")
    first = runway.locator("tr.first-uncovered")
    assert first.count() == 1
    assert "750 short" in first.inner_text()
    renew = first.get_by_role("link", name=f"Renew authorization #{short_patient['auth_id']}")
    with page.expect_navigation() as navigation:
        renew.click()
    assert navigation.value is not None and navigation.value.status == 200
    site.check()
    assert page.url.endswith(f"/authorizations/{short_patient['auth_id']}/renew")
    assert page.locator("h1").inner_text() == f"Extend or renew request #{short_patient['auth_id']}"
    assert page.locator("#f-hcpcs_code").input_value() == "J1439"
    assert page.locator("#f-dose_mg").input_value() in ("750", "750.000", "750.0")
    site.screenshot("runway-renew")
