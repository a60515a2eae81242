"""A coordinator renews an approval from its page: Renew, the prefilled form, a new draft
linked to the old request, and the old request linking back (docs/domain.md §5)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e


def _an_approval(live_server) -> tuple[int, str, str]:
    """The first approved demo request: its id, approved end and dose as the form shows it."""
    from priorauth.models import AuthorizationRequest

    def read(session):
        auth = session.scalars(
            sa.select(AuthorizationRequest)
            .where(AuthorizationRequest.status == "approved")
            .order_by(AuthorizationRequest.id)
        ).first()
        assert auth is not None, "the demo clinic has no approved request"
        return auth.id, auth.approved_end, format(auth.dose_mg.normalize(), "f")

    return live_server.query(read)


def test_a_coordinator_renews_an_approval_from_its_page(site, page, live_server):
    old_id, approved_end, dose = _an_approval(live_server)
    site.sign_in("front_desk")
    site.visit(f"/authorizations/{old_id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Renew or extend").click()
    site.check()
    assert urlsplit(page.url).path == f"/authorizations/{old_id}/renew"
    assert page.locator("h1").inner_text() == f"Extend or renew request #{old_id}"
    start = approved_end + timedelta(days=1)
    assert page.locator("#f-requested_start").input_value() == start.isoformat()
    assert page.locator("#f-dose_mg").input_value() == dose
    assert f"as of {start.isoformat()}" in page.locator("#renewal-checklist-h").inner_text()

    page.fill("#f-ordering_provider", "Dr. Renewal")
    site.submit(page.get_by_role("button", name="Log the renewal as a draft"))
    match = re.search(r"/authorizations/(\d+)$", page.url)
    assert match and int(match.group(1)) != old_id, page.url
    new_id = int(match.group(1))
    assert page.locator("h1 .badge").inner_text().strip() == "draft"
    assert f"Request #{new_id} logged as a draft renewing request #{old_id}." in (
        page.locator("main").inner_text()
    )
    facts = page.locator("dl.facts")
    assert start.isoformat() in facts.inner_text() and "Dr. Renewal" in facts.inner_text()

    with page.expect_navigation():
        facts.get_by_role("link", name=f"request #{old_id}").click()
    site.check()
    assert urlsplit(page.url).path == f"/authorizations/{old_id}"
    back = page.locator("dl.facts").get_by_role("link", name=f"request #{new_id}")
    assert back.get_attribute("href") == f"/authorizations/{new_id}"
