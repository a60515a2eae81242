"""A payer's prior-authorization phone and portal, by form: what the digest tells staff to
call (priorauth/schemas/payers.py, templates/payers/form.html)."""

from __future__ import annotations

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import Payer
from tests.web.test_frontdesk_pages import sign_in

FORM = {"name": "Cedar Mutual", "kind": "commercial", "requires_waste_modifiers": "true"}


def _payer() -> Payer:
    db.session.expire_all()
    return db.session.scalar(sa.select(Payer).where(Payer.name == "Cedar Mutual"))


def test_an_admin_records_the_payers_phone_and_portal(client, admin):
    sign_in(client, admin)
    form = {**FORM, "phone": "1-800-555-0100 x12", "portal_url": "https://pa.cedar.example"}
    assert client.post("/payers/new", data=form).status_code == 302
    payer = _payer()
    assert (payer.phone, payer.portal_url) == ("1-800-555-0100 x12", "https://pa.cedar.example")
    page = client.get(f"/payers/{payer.id}/edit").get_data(as_text=True)
    assert 'value="1-800-555-0100 x12"' in page and 'value="https://pa.cedar.example"' in page
    assert "Prior-authorization phone" in page and "Prior-authorization portal" in page
    cleared = {**FORM, "phone": "", "portal_url": ""}
    assert client.post(f"/payers/{payer.id}/edit", data=cleared).status_code == 302
    assert (_payer().phone, _payer().portal_url) == (None, None)


def test_a_bad_phone_or_portal_is_refused_beside_its_field(client, admin):
    sign_in(client, admin)
    bad = {**FORM, "phone": "ask the front desk", "portal_url": "pa.cedar.example"}
    response = client.post("/payers/new", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the phone number with at least 7 digits" in page
    assert "Enter the portal&#39;s address" in page or "Enter the portal's address" in page
    assert 'id="f-phone-error"' in page and 'id="f-portal_url-error"' in page
    assert _payer() is None
