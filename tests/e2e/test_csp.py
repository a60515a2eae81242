"""The main pages under the Content-Security-Policy, in Chromium: no violation reported (no
inline script, style or handler is blocked), and the one script (static/app.js) still runs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e

# Records what the browser refuses, whether or not it also says so on the console.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""
CSP_WORDS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


def _ids(session) -> dict:
    from priorauth.models import AuthorizationRequest, Infusion

    def first(model, *where):
        return session.scalars(sa.select(model.id).where(*where).order_by(model.id).limit(1)).one()

    approved = session.scalars(
        sa.select(AuthorizationRequest).where(AuthorizationRequest.status == "approved").limit(1)
    ).one()
    return {
        "patient": approved.patient_id,
        "request": approved.id,
        "infusion": first(Infusion, Infusion.status == "scheduled"),
    }


def _main_pages(ids: dict) -> list[str]:
    return [
        "/",  # dashboard, with the pipeline chart
        f"/patients/{ids['patient']}",
        f"/authorizations/{ids['request']}",  # the units bar chart
        "/schedule?view=week",
        "/schedule/coverage-check",
        "/digests/mine",
        "/reminders",
        f"/infusions/{ids['infusion']}",
        "/reports/outcomes",  # a report's bar chart, grouped bars with a legend
        "/reports/revenue",
    ]


@pytest.fixture
def watched(page):
    """The page, with every CSP complaint on the console or as a violation event kept."""
    complaints: list[str] = []
    page.on(
        "console",
        lambda message: (
            complaints.append(message.text)
            if any(word in message.text for word in CSP_WORDS)
            else None
        ),
    )
    page.add_init_script(RECORD_VIOLATIONS)
    page.csp_complaints = complaints
    return page


def test_main_pages_raise_no_csp_violation(site, watched, live_server):
    ids = live_server.query(_ids)
    site.sign_in("admin")
    for path in _main_pages(ids):
        response = site.visit(path)
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        violations = watched.evaluate("window.__cspViolations")
        assert not violations, f"{path}: {violations}"
        assert not watched.csp_complaints, f"{path}: {watched.csp_complaints}"
    site.visit("/")
    assert watched.locator("#pipeline-chart rect").count() > 0, "the chart is drawn"


def test_the_confirm_question_comes_from_the_static_script(site, watched, live_server):
    ids = live_server.query(_ids)
    site.sign_in("admin")
    site.visit(f"/infusions/{ids['infusion']}")
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    watched.once("dialog", dismiss)
    watched.get_by_role("button", name="Cancel infusion").click()
    assert asked == ["Cancel this infusion? Its units go back to the authorization."]
    infusion = ids["infusion"]
    sql = sa.text("SELECT status FROM infusions WHERE id = :i")
    status = live_server.query(lambda session: session.scalar(sql, {"i": infusion}))
    assert status == "scheduled", "dismissing the question must not send the form"
    assert not watched.csp_complaints and not watched.evaluate("window.__cspViolations")


def test_the_recorder_sees_a_blocked_inline_style(site, watched):
    """The check itself: an inline style attribute added to the page is refused and seen."""
    site.visit("/login")
    watched.evaluate("document.querySelector('h1').setAttribute('style', 'color: red')")
    watched.wait_for_function("window.__cspViolations.length > 0")
    assert "style-src" in watched.evaluate("window.__cspViolations")[0]
