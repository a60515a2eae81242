"""A biller records two administrations of booked infusions at a payer that wants waste
modifiers: with a discard the claim has a JW line, without one a JZ line."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e

CLINIC_ZONE = ZoneInfo("America/New_York")  # the demo clinic's
DISCARD_MG = 50


def _billable_bookings(session) -> list[dict]:
    """Booked infusions of single-dose vials whose approval covers today, at payers that want
    JW/JZ: the biller can record them today without an override."""
    from priorauth.models import AuthorizationRequest, Coverage, DrugCode, Infusion, Payer

    today = datetime.now(CLINIC_ZONE).date()
    rows = session.execute(
        sa.select(Infusion, DrugCode)
        .join(AuthorizationRequest, Infusion.authorization_id == AuthorizationRequest.id)
        .join(Coverage, AuthorizationRequest.coverage_id == Coverage.id)
        .join(Payer, Coverage.payer_id == Payer.id)
        .join(DrugCode, Infusion.hcpcs_code == DrugCode.code)
        .where(
            Infusion.status == "scheduled",
            Payer.requires_waste_modifiers,
            DrugCode.multi_dose.is_(False),
            AuthorizationRequest.status.in_(("approved", "partially_approved")),
            AuthorizationRequest.approved_start <= today,
            AuthorizationRequest.approved_end >= today,
        )
        .order_by(Infusion.scheduled_at)
    ).all()
    return [
        {
            "id": i.id,
            "code": i.hcpcs_code,
            "dose": int(i.dose_mg),
            "mrn": i.patient.mrn,
            "day": i.scheduled_at.date(),
            "mg_per_unit": drug.mg_per_unit,
        }
        for i, drug in rows
    ]


def _record_administration(site, page, dose_mg: int, discarded_mg: int) -> list[list[str]]:
    """Fill the administration form of the open infusion page; the claim lines shown."""
    form = page.locator("form#administer")
    form.locator("input[name=dose_mg]").fill(str(dose_mg))
    form.locator("input[name=discarded_mg]").fill(str(discarded_mg))
    form.locator("select[name=container]").select_option("single")
    form.locator("input[name=lot_number]").fill("LOT-E2E-77")
    expiry = datetime.now(CLINIC_ZONE).date() + timedelta(days=300)
    form.locator("input[name=lot_expiration]").fill(expiry.isoformat())
    form.locator("textarea[name=reaction]").fill("none observed")
    site.submit(form.get_by_role("button", name="Record administration"))
    assert page.locator("dt:text-is('Status') + dd .badge").inner_text() == "administered"
    lines = page.locator("#claim tr.claim-line")
    return [
        [cell.strip() for cell in lines.nth(i).locator("td").all_inner_texts()]
        for i in range(lines.count())
    ]


def test_biller_records_administrations_and_sees_jw_and_jz_claim_lines(site, page, live_server):
    bookings = live_server.query(_billable_bookings)
    assert len(bookings) >= 2, f"the demo clinic should have two billable bookings: {bookings}"
    wasted, clean = bookings[0], bookings[1]
    site.sign_in("billing")

    site.visit(f"/schedule?start={wasted['day'].isoformat()}")
    row = page.locator("table.schedule tbody tr", has_text=wasted["mrn"]).first
    with page.expect_navigation():
        row.locator("td").first.get_by_role("link").click()
    site.check()
    assert page.url.endswith(f"/infusions/{wasted['id']}")
    given = wasted["dose"] - DISCARD_MG
    lines = _record_administration(site, page, given, DISCARD_MG)
    code = wasted["code"]
    assert [line[:2] for line in lines] == [[code, "—"], [code, "JW"]], lines
    assert int(lines[1][2]) >= 1, f"the JW line bills no units: {lines}"
    assert all(line[3] != "—" for line in lines), f"claim lines without auth number: {lines}"

    site.visit(f"/infusions/{clean['id']}")
    lines = _record_administration(site, page, clean["dose"], 0)
    assert [line[:2] for line in lines] == [[clean["code"], "JZ"]], lines
    assert int(lines[0][2]) * clean["mg_per_unit"] >= clean["dose"], lines
