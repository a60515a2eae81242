"""An admin deactivates a user who is signed in elsewhere: the user's next click lands on the
sign-in page, and the admin's audit page shows the deactivation and the user's last patient
view."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.e2e.conftest import PASSWORD, Site

pytestmark = pytest.mark.e2e

LEAVER_EMAIL = "leaver@demo.priorauth.test"


def _add_leaver(session) -> int:
    """A scheduler of the demo clinic who only this test uses (the demo users stay active)."""
    from priorauth.models import Clinic
    from priorauth.services import accounts

    clinic = session.scalar(sa.select(Clinic).order_by(Clinic.id))
    user, _ = accounts.create_user(clinic, LEAVER_EMAIL, "Lee Leaver", "scheduler", PASSWORD)
    session.commit()
    return user.id


def _a_patient(session) -> tuple[int, str]:
    from priorauth.models import Patient

    patient = session.scalar(sa.select(Patient).order_by(Patient.id))
    return patient.id, patient.mrn


def _sign_in_as(site: Site, email: str) -> None:
    site.visit("/login")
    site.page.fill("#email", email)
    site.page.fill("#password", PASSWORD)
    site.submit(site.page.get_by_role("button", name="Sign in"))
    assert urlsplit(site.page.url).path == "/"


def test_deactivated_user_is_signed_out_and_the_audit_shows_it(browser, live_server, page):
    leaver_id = live_server.query(_add_leaver)
    patient_id, mrn = live_server.query(_a_patient)

    leaver = Site(page, live_server)
    _sign_in_as(leaver, LEAVER_EMAIL)
    leaver.visit(f"/patients/{patient_id}")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        admin = Site(context.new_page(), live_server)
        admin.page.foreign_requests = []
        admin.sign_in("admin")
        admin.visit(f"/staff/{leaver_id}")
        admin.submit(admin.page.get_by_role("button", name="Deactivate"))
        assert "deactivated" in admin.page.locator("main").inner_text().lower()

        leaver.submit(leaver.page.get_by_role("link", name="Schedule", exact=True))
        assert urlsplit(leaver.page.url).path == "/login"

        admin.visit(f"/audit?user_id={leaver_id}")
        rows = admin.page.locator("table.audit tbody tr")
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        viewed = [t for t in texts if "Viewed" in t and mrn in t]
        assert viewed, f"no view of patient {mrn} by the leaver on the audit page: {texts}"
        admin.visit("/audit")
        deactivation = admin.page.locator("table.audit tbody tr", has_text="Deactivated")
        assert deactivation.count() == 1
        link = deactivation.get_by_role("link", name=f"Staff member #{leaver_id}")
        assert link.get_attribute("href") == f"/staff/{leaver_id}"
    finally:
        context.close()
