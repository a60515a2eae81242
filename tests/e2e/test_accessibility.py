"""Every page, as the admin sees it (the role with every form): labelled controls, one h1,
a lang, text alternatives for images and charts, and nothing fetched from another host."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e

OPTIONAL_PAGES = ("/reminders", "/digests/mine")
REPORTS = ("turnaround", "outcomes", "denial_reasons", "coordinators", "revenue", "follow_ups")


def _demo_rows(session) -> dict:
    """Ids of one row of each kind the pages show, from the demo clinic."""
    from priorauth.models import AuthorizationRequest, Infusion, PayerPolicy

    def first(model, *where):
        return session.scalars(sa.select(model).where(*where).order_by(model.id).limit(1)).one()

    approved = first(AuthorizationRequest, AuthorizationRequest.status == "approved")
    draft = first(AuthorizationRequest, AuthorizationRequest.status == "draft")
    denied = first(AuthorizationRequest, AuthorizationRequest.status == "denied")
    policy = first(PayerPolicy)
    return {
        "patient": approved.patient_id,
        "requests": (approved.id, draft.id, denied.id),
        "booked": first(Infusion, Infusion.status == "scheduled").id,
        "given": first(Infusion, Infusion.status == "administered").id,
        "payer": policy.payer_id,
        "policy": f"/payers/{policy.payer_id}/policies/{policy.hcpcs_code}",
    }


def _pages(rows: dict) -> list[str]:
    requests = [f"/authorizations/{i}" for i in rows["requests"]]
    return [
        "/",
        "/patients",
        "/patients/new",
        f"/patients/{rows['patient']}",
        f"/patients/{rows['patient']}/edit",
        "/authorizations",
        *requests,
        f"/authorizations/{rows['requests'][1]}/edit",
        "/authorizations/new",
        f"/authorizations/new?patient_id={rows['patient']}",
        "/schedule",
        "/schedule?view=week",
        "/schedule/coverage-check",
        f"/infusions/{rows['booked']}",
        f"/infusions/{rows['given']}",
        "/payers",
        "/payers/new",
        f"/payers/{rows['payer']}/edit",
        rows["policy"],
        f"/payers/{rows['payer']}/rates",
        "/reports",
        *(f"/reports/{name}" for name in REPORTS),
    ]


def test_every_page_is_accessible_and_local(site, page, live_server):
    site.visit("/login")
    site.sign_in("admin")
    for path in _pages(live_server.query(_demo_rows)):
        site.visit(path)
    for path in OPTIONAL_PAGES:
        if page.request.get(live_server.path(path)).status != 404:
            site.visit(path)
    assert len(site.audited) >= 20, site.audited


def test_every_work_queue_is_accessible_and_lists_as_many_rows_as_its_count(site, live_server):
    site.sign_in("admin")
    counts = site.queue_counts()
    assert len(counts) == 7, f"the dashboard shows {sorted(counts)}"
    for name, count in counts.items():
        site.visit(f"/queues/{name}")
        total = int(site.page.locator("[data-total]").get_attribute("data-total"))
        rows = site.page.locator("tr.queue-row").count()
        assert total == count, f"{name}: the dashboard says {count}, the list {total}"
        assert rows == min(count, 25), f"{name}: {rows} rows shown for a count of {count}"


def test_form_errors_are_labelled_and_keep_what_was_typed(site, page):
    site.sign_in("front_desk")
    site.visit("/patients/new")
    page.fill("#f-first_name", "Ada")
    site.submit(page.get_by_role("button", name="Add patient"), status=422)
    assert page.input_value("#f-first_name") == "Ada"
    assert page.get_attribute("#f-mrn", "aria-invalid") == "true"
    assert page.locator("#f-mrn-error").inner_text().strip()


BAD_PAGE = """<!doctype html><html><head><title>bad</title></head><body>
<h1>One</h1><h1>Two</h1>
<input id="unnamed" name="q"><label for="other">Other</label><input id="other" name="o">
<input type="hidden" name="csrf_token"><button type="submit">Go</button>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<svg width="10" height="10"><rect width="10" height="10"/></svg>
<svg aria-hidden="true"><rect width="1" height="1"/></svg>
<svg role="img"><title>A chart</title></svg>
<img alt="" src="http://203.0.113.9/tracker.png">
</body></html>"""


def test_the_checks_catch_what_they_look_for(site, page):
    """The audit is not vacuous: a page with each problem is reported, one by one."""
    page.set_content(BAD_PAGE)
    problems = site.accessibility_problems()
    assert problems[0] == "<html> has no lang"
    assert problems[1] == "2 <h1> elements instead of exactly one"
    assert len(problems) == 5, problems
    assert 'id="unnamed"' in problems[2] and problems[2].startswith("control without a label")
    assert problems[3].startswith("<img> without alt") and "svg" in problems[4]
    assert page.foreign_requests == ["http://203.0.113.9/tracker.png"]
    page.foreign_requests.clear()  # seen and blocked: the page fixture must not fail on it
