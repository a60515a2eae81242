"""Digest items per type: set on the clinic settings page and by PATCH /api/v1/clinic (admins,
audited, 1-100, bad input named and nothing changed); every group's full-list link opens."""

from __future__ import annotations

import re

import pytest

from priorauth.extensions import db
from priorauth.models import AuditEvent
from tests import factories
from tests.integration.test_digests import FROZEN, demo_user, seed_demo
from tests.web.test_clinic_settings import GOOD, sign_in

FIELD = "digest_items_per_type"


def audited() -> list[dict]:
    query = db.select(AuditEvent).where(AuditEvent.action == "settings_updated")
    return [event.changes for event in db.session.scalars(query.order_by(AuditEvent.id))]


def test_the_settings_page_shows_and_saves_it_with_an_audit_event(client, admin, clinic):
    sign_in(client, admin)
    page = client.get("/clinic").get_data(as_text=True)
    assert re.search(r'name="digest_items_per_type" type="number" value="10"', page)
    assert "Digest items per type" in page
    assert client.post("/clinic", data={**GOOD, FIELD: "25"}).status_code == 302
    db.session.expire_all()
    assert clinic.digest_items_per_type == 25
    assert audited()[-1][FIELD] == 25


def test_left_empty_it_keeps_its_value(client, admin, clinic):
    sign_in(client, admin)
    assert client.post("/clinic", data={**GOOD, FIELD: " "}).status_code == 302
    db.session.expire_all()
    assert clinic.digest_items_per_type == 10
    assert FIELD not in audited()[-1]


@pytest.mark.parametrize("bad", ["0", "101", "ten", "-3", "2.5"])
def test_a_bad_number_is_named_and_changes_nothing(client, admin, clinic, bad):
    sign_in(client, admin)
    response = client.post("/clinic", data={**GOOD, FIELD: bad})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="f-digest_items_per_type-error"' in html and "Digest items per type" in html
    db.session.expire_all()
    assert (clinic.digest_items_per_type, clinic.timezone) == (10, "UTC")
    assert audited() == []


def test_the_api_reads_and_changes_it(api, clinic):
    assert api.get("/api/v1/clinic").get_json()[FIELD] == 10
    answer = api.patch("/api/v1/clinic", json={FIELD: 3})
    assert answer.status_code == 200
    assert answer.get_json()[FIELD] == 3 and answer.get_json()["timezone"] == "UTC"
    db.session.expire_all()
    assert clinic.digest_items_per_type == 3
    assert audited() == [{FIELD: 3}]


@pytest.mark.parametrize("bad", [0, 101, "ten", None, 2.5])
def test_the_api_refuses_bad_input_naming_the_field_and_changes_nothing(api, clinic, bad):
    answer = api.patch("/api/v1/clinic", json={FIELD: bad, "digest_hour": 9})
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == "VALIDATION_ERROR" and list(body["errors"]) == [FIELD]
    db.session.expire_all()
    assert (clinic.digest_items_per_type, clinic.digest_hour) == (10, 6)
    assert audited() == []


def test_only_an_admin_changes_it_over_the_api(client, clinic):
    token = factories.token(factories.user(clinic, "scheduler"))
    scheduler = factories.ApiClient(client, token)
    assert scheduler.get("/api/v1/clinic").get_json()[FIELD] == 10
    assert scheduler.patch("/api/v1/clinic", json={FIELD: 3}).status_code == 403
    db.session.expire_all()
    assert clinic.digest_items_per_type == 10


def test_every_full_list_link_of_a_digest_opens(client, app_ctx):
    seed_demo()
    sign_in_demo(client)
    page = client.get(f"/digests/mine?date={FROZEN}").get_data(as_text=True)
    links = re.findall(r'<p class="digest-more[^>]*>.*?<a href="([^"]+)"', page)
    assert len(links) == 9
    for link in {link.replace("&amp;", "&") for link in links}:
        path, _, anchor = link.partition("#")
        response = client.get(path)
        assert response.status_code == 200, link
        if anchor:  # the reminders page of the digest's day has the group (today may not)
            on_the_day = client.get(f"{path}?as_of={FROZEN}").get_data(as_text=True)
            assert f'id="{anchor}"' in on_the_day, link


def sign_in_demo(client) -> None:
    address = demo_user("admin").email
    response = client.post("/login", data={"email": address, "password": "demo-password"})
    assert response.status_code == 302
