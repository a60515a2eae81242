"""In the browser: a failed form sends the user to its error summary (focus on it, the page
scrolled there, "Error:" in the title), a summary link takes focus to its field, and the dose
field shows its billing units and the payer's limit as it is typed (static/app.js)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

ACTIVE = "() => { const el = document.activeElement; return {id: el.id, name: el.name || '', \
summary: el.hasAttribute('data-error-summary')}; }"


def test_a_failed_form_focuses_its_error_summary_and_links_to_the_fields(site, page):
    site.sign_in("admin")
    site.visit("/schedule/coverage-check")
    page.fill("#f-dose_mg", "-5")
    site.submit(page.get_by_role("button", name="Check coverage"), status=422)
    assert page.title().startswith("Error: ")
    assert page.evaluate(ACTIVE)["summary"], page.evaluate(ACTIVE)
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible() and "Drug code is required." in summary.inner_text()
    assert (
        page.evaluate("document.querySelector('[data-error-summary]').getBoundingClientRect().top")
        < 900
    )
    summary.get_by_role("link", name="Drug code is required.").click()
    assert page.evaluate(ACTIVE)["id"] == "f-hcpcs_code"


def test_the_dose_field_shows_units_and_the_payer_limit_as_it_is_typed(site, page, live_server):
    from priorauth.models import Infusion

    def scheduled_with_limit(session):
        """A scheduled infusion whose payer caps the dose of its drug: (id, code, limit)."""
        for infusion in session.query(Infusion).filter_by(status="scheduled").order_by(Infusion.id):
            payer = infusion.authorization.coverage.payer if infusion.authorization else None
            for policy in payer.policies if payer else ():
                if policy.hcpcs_code == infusion.hcpcs_code and policy.max_mg_per_dose:
                    return (
                        infusion.id,
                        infusion.hcpcs_code,
                        format(policy.max_mg_per_dose.normalize(), "f"),
                    )
        return None

    found = live_server.query(scheduled_with_limit)
    assert found, "the demo clinic has a scheduled infusion under a payer limit per dose"
    infusion_id, code, limit = found
    site.sign_in("admin")
    site.visit(f"/infusions/{infusion_id}")
    hint = page.locator("#r-dose_mg-hint")
    static = hint.get_attribute("data-static")  # what the page says without script
    assert static == f"Payer limit: {limit} mg per dose of {code}"
    page.fill("#r-dose_mg", "1")
    assert "bills as" in hint.inner_text() and f"payer limit {limit} mg" in hint.inner_text()
    page.fill("#r-dose_mg", str(float(limit) * 2))
    assert "over it" in hint.inner_text()
