"""A payer's allowed amounts per billing unit: the API (GET/PUT /api/v1/payers/{id}/rates)
and the page (/payers/{id}/rates). Blank is unknown, never zero; each change is audited; a
negative amount is refused naming the field, with nothing changed."""

from __future__ import annotations

import re

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, PayerRate
from priorauth.services import reference
from tests import factories
from tests.api import builders as b
from tests.web.auth_helpers import sign_in


def rates_of(api, payer_id) -> dict:
    response = api.get(f"/api/v1/payers/{payer_id}/rates")
    assert response.status_code == 200, response.get_json()
    return {r["hcpcs_code"]: r["dollars_per_unit"] for r in response.get_json()["rates"]}


def put(api, payer_id, rates, expect=200):
    response = api.put(f"/api/v1/payers/{payer_id}/rates", json={"rates": rates})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def events() -> list[tuple]:
    query = sa.select(AuditEvent.action, AuditEvent.changes).where(
        AuditEvent.entity_type == "payer_rates"
    )
    return [tuple(row) for row in db.session.execute(query.order_by(AuditEvent.id))]


def test_every_code_starts_unknown_and_a_rate_is_kept_to_the_cent(api):
    payer = b.payer(api)
    codes = [drug.code for drug in reference.catalog()]
    assert rates_of(api, payer["id"]) == dict.fromkeys(codes)
    answer = put(api, payer["id"], [{"hcpcs_code": "j1439", "dollars_per_unit": "0.855"}])
    assert answer["payer_id"] == payer["id"]
    assert rates_of(api, payer["id"])["J1439"] == "0.86"
    assert events() == [("created", {"hcpcs_code": "J1439", "dollars_per_unit": "0.86"})]


def test_put_replaces_audits_only_changes_and_leaving_out_is_unknown(api):
    payer = b.payer(api)
    put(api, payer["id"], [{"hcpcs_code": "J1439", "dollars_per_unit": 1.5}])
    put(api, payer["id"], [{"hcpcs_code": "J1439", "dollars_per_unit": "1.50"}])  # unchanged
    put(api, payer["id"], [{"hcpcs_code": "J1439", "dollars_per_unit": "2"},
                           {"hcpcs_code": "J1756", "dollars_per_unit": None}])  # fmt: skip
    put(api, payer["id"], [{"hcpcs_code": "J1756", "dollars_per_unit": "0"}])  # J1439 left out
    found = rates_of(api, payer["id"])
    assert (found["J1439"], found["J1756"]) == (None, "0.00")  # zero is a rate, blank is not
    assert events() == [
        ("created", {"hcpcs_code": "J1439", "dollars_per_unit": "1.50"}),
        ("updated", {"dollars_per_unit": "2.00"}),
        ("updated", {"dollars_per_unit": None}),  # codes in order: J1439, then J1756
        ("created", {"hcpcs_code": "J1756", "dollars_per_unit": "0.00"}),
    ]
    rows = db.session.scalars(sa.select(PayerRate).order_by(PayerRate.hcpcs_code)).all()
    assert [(r.hcpcs_code, r.dollars_per_unit) for r in rows] == [("J1439", None), ("J1756", 0)]


def test_bad_amounts_and_codes_are_refused_naming_the_field(api):
    payer = b.payer(api)
    put(api, payer["id"], [{"hcpcs_code": "J1439", "dollars_per_unit": "1"}])
    cases = [
        ([{"hcpcs_code": "J1439", "dollars_per_unit": "-0.01"}], "rates[0].dollars_per_unit"),
        ([{"hcpcs_code": "J1439", "dollars_per_unit": "1000001"}], "rates[0].dollars_per_unit"),
        ([{"hcpcs_code": "J1439", "dollars_per_unit": "lots"}], "rates[0].dollars_per_unit"),
        ([{"hcpcs_code": "J9999", "dollars_per_unit": "1"}], "rates[0].hcpcs_code"),
        ([{"hcpcs_code": "J1439"}, {"hcpcs_code": "J1439"}], "rates[1].hcpcs_code"),
        ([{"hcpcs_code": "XX", "dollars_per_unit": "1"}], "rates[0].hcpcs_code"),
    ]
    for rates, field in cases:
        body = put(api, payer["id"], rates, expect=422)
        assert field in body["errors"], (rates, body)
    response = api.put(f"/api/v1/payers/{payer['id']}/rates", json={})
    assert response.status_code == 422 and "rates" in response.get_json()["errors"]
    assert rates_of(api, payer["id"])["J1439"] == "1.00"


def test_only_admins_change_rates_and_other_clinics_payers_are_not_found(api, client, clinic):
    payer = b.payer(api)
    desk = factories.ApiClient(client, factories.token(factories.user(clinic, "front_desk")))
    assert rates_of(desk, payer["id"])["J1439"] is None
    put(desk, payer["id"], [{"hcpcs_code": "J1439", "dollars_per_unit": "1"}], expect=403)
    other = factories.clinic()
    stranger = factories.ApiClient(client, factories.token(factories.user(other, "admin")))
    assert stranger.get(f"/api/v1/payers/{payer['id']}/rates").status_code == 404
    put(stranger, payer["id"], [], expect=404)


def test_the_page_edits_the_rates_and_says_unknown(api, client, admin, clinic):
    payer = b.payer(api, name="Harbor")
    sign_in(client, admin.email)
    index = client.get("/payers").get_data(as_text=True)
    assert f'href="/payers/{payer["id"]}/rates"' in index
    url = f"/payers/{payer['id']}/rates"
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'id="f-J1439" name="J1439" type="number" value=""', page)
    refused = client.post(url, data={"J1439": "-2", "J1756": "1.25"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "J1439: dollars per unit must not be negative" in text
    assert 'href="#f-J1439"' in text and 'value="1.25"' in text  # the form keeps what was typed
    assert rates_of(api, payer["id"])["J1756"] is None  # nothing saved
    saved = client.post(url, data={"J1439": "0.85", "J1756": ""})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(url)
    assert re.search(r'name="J1439" type="number" value="0.85"', client.get(url).get_data(True))
    client.post("/logout")
    desk = factories.user(clinic, "front_desk")
    sign_in(client, desk.email)
    shown = client.get(url).get_data(as_text=True)
    assert '<dd data-rate="J1439">$0.85</dd>' in shown
    assert '<dd data-rate="J1756">unknown</dd>' in shown and "<form" not in shown.split("<main")[1]
    assert client.post(url, data={"J1439": "9"}).status_code == 403
    assert rates_of(api, payer["id"])["J1439"] == "0.85"
