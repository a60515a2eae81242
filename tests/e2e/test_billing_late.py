"""A biller records an administration given a day after its booking: the page says coverage
was re-checked for that day, the claim line carries that day as its date of service, and the
billing worklist's CSV of that day holds the line with that date."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e

CLINIC_ZONE = ZoneInfo("America/New_York")  # the demo clinic's


def _booked_two_days_ago(session) -> dict:
    """A demo booking still to give whose approval covers the last two days, moved (as the
    scheduler would) to two days ago: the biller records it a day late."""
    from priorauth.errors import AppError
    from priorauth.models import AuthorizationRequest, Infusion, User
    from priorauth.services import infusions

    today = datetime.now(CLINIC_ZONE).date()
    booked_on, given_on = today - timedelta(days=2), today - timedelta(days=1)
    scheduler = session.scalars(sa.select(User).where(User.role == "scheduler")).first()
    candidates = session.scalars(
        sa.select(Infusion)
        .join(AuthorizationRequest, Infusion.authorization_id == AuthorizationRequest.id)
        .where(
            Infusion.status == "scheduled",
            AuthorizationRequest.approved_start <= booked_on,
            AuthorizationRequest.approved_end >= given_on,
        )
        .order_by(Infusion.scheduled_at, Infusion.id)
    ).all()
    moved = {"scheduled_at": datetime.combine(booked_on, time(10, 0))}
    for infusion in candidates:
        try:
            infusions.update(scheduler, infusion.id, moved)
        except AppError:
            session.rollback()
            continue
        session.commit()
        return {
            "id": infusion.id,
            "mrn": infusion.patient.mrn,
            "dose": f"{infusion.dose_mg:f}".rstrip("0").rstrip("."),
            "booked_on": booked_on,
            "given_on": given_on,
        }
    raise AssertionError("no demo booking can move to two days ago under its approval")


def test_biller_records_a_late_administration_and_exports_that_days_claim_lines(
    site, page, live_server
):
    booked = live_server.query(_booked_two_days_ago)
    given_on = booked["given_on"].isoformat()
    site.sign_in("billing")
    site.visit(f"/infusions/{booked['id']}")
    form = page.locator("form#administer")
    assert (
        form.locator("input[name=administered_at]")
        .input_value()
        .startswith(booked["booked_on"].isoformat())
    )
    form.get_by_label("Date given").fill(f"{given_on}T10:30")
    form.locator("input[name=dose_mg]").fill(booked["dose"])
    form.locator("input[name=discarded_mg]").fill("0")
    form.locator("input[name=lot_number]").fill("LOT-LATE-1")
    expiry = booked["given_on"] + timedelta(days=300)
    form.locator("input[name=lot_expiration]").fill(expiry.isoformat())
    form.locator("textarea[name=reaction]").fill("none observed")
    site.submit(form.get_by_role("button", name="Record administration"))
    assert page.get_by_text(f"Given on {given_on}, not the booked").is_visible()
    line = page.locator("#claim tr.claim-line").first
    assert line.locator("td").last.inner_text().strip() == given_on

    site.visit(f"/billing?start={given_on}&end={given_on}")
    row = page.locator(f"tr.billing-row[data-infusion='{booked['id']}']")
    assert row.get_attribute("data-status") == "ready"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download claim lines (CSV)").click()
    with open(download.value.path(), newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    mine = [r for r in table if r["Patient MRN"] == booked["mrn"] and r["NDC/lot"] == "LOT-LATE-1"]
    assert mine, table
    assert {r["Date of service"] for r in mine} == {given_on}
    assert {r["Date of service"] for r in table} == {given_on}
