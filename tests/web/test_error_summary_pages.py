"""Issue 10's error summary where it was still missing: the billing worklist's two forms open
with the same summary as every other form ("Error:" in the title), a payer's change posted to a
request that is not approved is refused in words on the page instead of vanishing, and the
summary has its own look (a heading, a red left border of at least 3:1, underlined links)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, Infusion
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.contrast import contrast
from tests.web.test_billing_pages import biller, three_states
from tests.web.test_css_contrast import COLORS
from tests.web.test_schedule_pages import sign_in

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "priorauth" / "static" / "app.css").read_text()


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def summaries(html: str) -> list[str]:
    return re.findall(r'<div class="error-summary".*?</div>', html, re.S)


# --- billing -----------------------------------------------------------------------------------


def test_bad_billing_filters_open_with_the_error_summary_linking_each_field(client, api, clinic):
    biller(clinic, client)
    page = client.get(f"/billing?start={iso(TODAY)}&end={iso(TODAY - timedelta(days=1))}")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert title(html).startswith("Error: Billing")
    [summary] = summaries(html)
    assert re.search(r'<a href="#b-end" data-field="end">[^<]*must be on or after From', summary)
    assert 'id="b-end"' in html  # the link's target: the To field of the filter form
    assert html.index("error-summary") < html.index('aria-label="Filter the billing worklist"')


def test_a_refused_marking_lists_every_reason_atop_the_marking_form(client, api, clinic):
    made = three_states(api)
    biller(clinic, client)
    ids = [made["ready"]["id"], made["missing"]["id"], made["billed"]["id"]]
    page = client.post("/billing/billed", data={"infusion_ids": [str(i) for i in ids]})
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert title(html).startswith("Error: Billing")
    [summary] = summaries(html)
    form = html.index('id="mark-billed"')
    assert form < html.index("error-summary") < html.index('<table class="billing">')
    items = re.findall(r"<li>([^<]*)</li>", summary)
    assert len(items) == 2, items
    assert any(f"Infusion {made['missing']['id']} is missing documentation" in i for i in items)
    assert any(f"Infusion {made['billed']['id']} was already marked billed" in i for i in items)
    assert 'class="flash error"' not in html  # one summary, not a flash per message
    assert db.session.get(Infusion, made["ready"]["id"]).billed_at is None


def test_a_good_billing_page_has_no_summary_and_a_plain_title(client, api, clinic):
    biller(clinic, client)
    html = client.get("/billing").get_data(as_text=True)
    assert summaries(html) == [] and title(html).startswith("Billing")


# --- a payer's change on a request that is not approved ----------------------------------------


def _draft(api) -> dict:
    payer = b.payer(api, name="Harbor Health")
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api, mrn="MRN-PC")
    coverage = b.coverage(api, patient["id"], payer["id"])
    return b.request(api, patient["id"], coverage["id"])


def _denied(api) -> dict:
    auth = _draft(api)
    b.move(api, auth["id"], to="submitted", channel="fax", override_reason="test setup")
    return b.move(api, auth["id"], to="denied", denial_reason="labs_out_of_range")


@pytest.mark.parametrize(("make", "words"), [(_draft, "draft"), (_denied, "denied")])
def test_a_payer_change_to_a_request_not_approved_is_refused_in_words(
    client, api, admin, make, words
):
    auth = make(api)
    sign_in(client, admin)
    data = {"payer_reference": "CALL-1", "approved_units": "400"}
    response = client.post(f"/authorizations/{auth['id']}/payer-change", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert title(html).startswith("Error: ")
    said = (
        '<p class="flash error" role="status">Only an approved request can have its approval '
        f"changed by the payer; request #{auth['id']} is {words}: nothing was recorded.</p>"
    )
    assert said in html
    assert "Record a change by the payer" not in html  # no hidden form holding the errors
    db.session.expire_all()
    row = db.session.get(AuthorizationRequest, auth["id"])
    assert row.status == words and row.units_approved is None
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_id == auth["id"])
    ).all()
    assert "payer_change" not in actions
    # said once: the next page does not repeat it
    again = client.get(f"/authorizations/{auth['id']}").get_data(as_text=True)
    assert "nothing was recorded" not in again and not title(again).startswith("Error:")


# --- the summary's own look ---------------------------------------------------------------------


def _rule(selector: str) -> str:
    found = re.search(rf"(?m)^{re.escape(selector)} \{{([^}}]*)\}}", CSS)
    assert found, f"app.css has no rule {selector}"
    return found.group(1)


def test_the_error_summary_has_its_own_style_not_the_flash_one():
    box = _rule(".error-summary")
    border = re.search(r"border-left:(\d+)px solid var\(--(\w+)\)", box)
    assert border and int(border.group(1)) >= 3 and border.group(2) == "bad"
    for background in ("card", "bg"):  # the border against the box and against the page
        assert contrast(COLORS["bad"], COLORS[background]) >= 3
    assert "background:var(--card)" in box
    assert "text-decoration:underline" in _rule(".error-summary a")
    assert "font-size" in _rule(".error-summary h2")
    for template in ("templates/macros.html", "templates/auth/_fields.html"):
        text = (ROOT / template).read_text()
        assert '<div class="error-summary" role="alert"' in text, template
        assert "flash error error-summary" not in text, template
