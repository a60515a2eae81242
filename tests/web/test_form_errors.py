"""A failed form, as a person meets it: an error summary at the top of the form listing every
problem with a link to its field, "Error:" first in the page title, messages naming fields by
their labels, refusals in words on the visible form, nothing chosen for the user in a required
select, and an approval far above the request confirmed before it is recorded."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Infusion, Patient, Payer
from tests.web.demo_forms import first, seed_two_clinics, sign_in_admin
from tests.web.visible_text import page_problems, visible_text


@pytest.fixture
def two_clinics(app_ctx):
    return seed_two_clinics()


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def _summary(html: str) -> str:
    found = re.search(r'<div class="[^"]*error-summary[^"]*".*?</div>', html, re.S)
    assert found, "no error summary"
    return found.group(0)


def test_a_failed_form_opens_with_an_error_summary_linking_each_field(app_ctx, two_clinics):
    client = app_ctx.test_client()
    sign_in_admin(client)
    patient = first(Patient, Patient.clinic_id == two_clinics[0])
    body = {"member_id": "", "start_date": "2025-03-10", "end_date": "2025-03-01"}
    answer = client.post(f"/patients/{patient}/coverages", data=body)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert _title(html).startswith("Error: ")
    summary = _summary(html)
    assert 'href="#cov-payer_id"' in summary and "Payer is required." in summary
    assert 'href="#cov-member_id"' in summary and "Member ID is required." in summary
    assert 'id="cov-payer_id"' in html and "data-error-summary" in summary
    assert page_problems(html) == []


def test_another_clinics_payer_is_refused_in_words_beside_the_payer(app_ctx, two_clinics):
    client = app_ctx.test_client()
    sign_in_admin(client)
    ours, theirs = two_clinics
    patient = first(Patient, Patient.clinic_id == ours)
    payer = first(Payer, Payer.clinic_id == theirs)
    body = {"payer_id": payer, "member_id": "M1", "start_date": "2025-01-01"}
    html = client.post(f"/patients/{patient}/coverages", data=body).get_data(as_text=True)
    assert f"There is no payer {payer} in this clinic: choose one from the list." in html
    assert 'href="#cov-payer_id"' in _summary(html)


def test_a_cancelled_infusion_says_why_it_cannot_change(app_ctx, two_clinics):
    client = app_ctx.test_client()
    sign_in_admin(client)
    infusion = first(Infusion, Infusion.clinic_id == two_clinics[0], Infusion.status == "scheduled")
    assert client.post(f"/infusions/{infusion}", data={"status": "cancelled"}).status_code == 302
    answer = client.post(f"/infusions/{infusion}", data={"status": "no_show"})
    assert answer.status_code == 409
    text = visible_text(answer.get_data(as_text=True))
    assert "A cancelled infusion cannot be changed." in text
    assert page_problems(answer.get_data(as_text=True)) == []


def test_a_tampered_next_step_is_refused_in_words(app_ctx, two_clinics):
    client = app_ctx.test_client()
    sign_in_admin(client)
    auth = first(AuthorizationRequest, AuthorizationRequest.clinic_id == two_clinics[0])
    answer = client.post(f"/authorizations/{auth}/transition", data={"to": "granted"})
    assert answer.status_code == 422
    assert "Next step must be one of the choices offered." in _summary(
        answer.get_data(as_text=True)
    )


def test_required_selects_start_empty(app_ctx, two_clinics):
    client = app_ctx.test_client()
    sign_in_admin(client)
    html = client.get("/schedule/coverage-check").get_data(as_text=True)
    select = re.search(r'<select id="f-hcpcs_code".*?</select>', html, re.S).group(0)
    assert re.search(r'<option value="">Choose…</option>', select)
    assert " selected" not in select and " required" in select
    answer = client.post("/schedule/coverage-check", data={"hcpcs_code": "", "dose_mg": "5"})
    assert "Drug code is required." in answer.get_data(as_text=True)


def _submitted(clinic_id: int) -> AuthorizationRequest:
    return db.session.scalar(
        sa.select(AuthorizationRequest)
        .where(
            AuthorizationRequest.clinic_id == clinic_id, AuthorizationRequest.status == "submitted"
        )
        .order_by(AuthorizationRequest.id)
        .limit(1)
    )


def test_approving_far_more_units_than_requested_asks_to_confirm(app_ctx, two_clinics):
    client = app_ctx.test_client()
    sign_in_admin(client)
    auth = _submitted(two_clinics[0])
    today = date.today()
    body = {
        "to": "approved",
        "auth_number": "A-77",
        "approved_units": str(auth.units_requested * 10),
        "approved_start": today.isoformat(),
        "approved_end": (today + timedelta(days=90)).isoformat(),
    }
    path = f"/authorizations/{auth.id}/transition"
    answer = client.post(path, data=body)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "tick the box to confirm it" in _summary(html)
    assert 'name="confirm_units" value="yes"' in html
    db.session.expire_all()
    assert db.session.get(AuthorizationRequest, auth.id).status == "submitted"
    assert client.post(path, data={**body, "confirm_units": "yes"}).status_code == 302
    db.session.expire_all()
    approved = db.session.get(AuthorizationRequest, auth.id)
    assert (approved.status, approved.units_approved) == ("approved", auth.units_requested * 10)


def test_approving_what_was_requested_needs_no_confirmation(app_ctx, two_clinics):
    client = app_ctx.test_client()
    sign_in_admin(client)
    auth = _submitted(two_clinics[0])
    today = date.today()
    body = {
        "to": "approved",
        "auth_number": "A-78",
        "approved_units": str(auth.units_requested),
        "approved_start": today.isoformat(),
        "approved_end": (today + timedelta(days=90)).isoformat(),
    }
    assert client.post(f"/authorizations/{auth.id}/transition", data=body).status_code == 302


def test_dose_fields_show_the_payer_limit_without_script(app_ctx, two_clinics):
    """The limit is in the page beside the dose; app.js gets each code's mg per unit."""
    client = app_ctx.test_client()
    sign_in_admin(client)
    rows = db.session.scalars(
        sa.select(Infusion)
        .where(Infusion.clinic_id == two_clinics[0], Infusion.status == "scheduled")
        .order_by(Infusion.id)
    )
    for infusion in rows:
        payer = infusion.authorization.coverage.payer if infusion.authorization else None
        limits = {p.hcpcs_code: p.max_mg_per_dose for p in (payer.policies if payer else ())}
        if limits.get(infusion.hcpcs_code):
            break
    else:
        pytest.fail("the demo clinic has no scheduled infusion under a payer limit per dose")
    limit = format(limits[infusion.hcpcs_code].normalize(), "f")
    html = client.get(f"/infusions/{infusion.id}").get_data(as_text=True)
    hint = re.search(r'<small class="hint" id="r-dose_mg-hint">([^<]*)</small>', html).group(1)
    assert hint == f"Payer limit: {limit} mg per dose of {infusion.hcpcs_code}"
    assert 'data-dose-output="r-dose_mg-hint"' in html and "J1437:10" in html
    check = client.get("/schedule/coverage-check").get_data(as_text=True)
    assert 'id="f-dose_mg-hint">Billed in whole units</small>' in check
