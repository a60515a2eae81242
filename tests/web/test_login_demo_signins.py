"""The sign-in page lists the demo sign-ins (emails and the shared password) only on a
development server whose database has the demo clinic; never in production, never without it."""

from __future__ import annotations

import tomllib

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import Clinic
from priorauth.queries.demo_signins import DEMO_CLINIC_FILE
from tests import factories

DEMO = tomllib.loads(DEMO_CLINIC_FILE.read_text())


@pytest.fixture
def demo_staff(app_ctx):
    """The demo clinic's users, as the demo seed names them (and one who left)."""
    clinic = factories.clinic(DEMO["name"], DEMO["timezone"])
    emails = []
    for user in DEMO["users"]:
        email = f"{user['mailbox']}@{DEMO['email_domain']}"
        factories.user(clinic, user["role"], email=email, password=DEMO["password"])
        emails.append(email)
    return emails


def test_development_server_with_the_demo_clinic_lists_its_sign_ins(client, demo_staff):
    html = client.get("/login").get_data(as_text=True)
    assert 'id="demo-signins"' in html
    assert f"<code>{DEMO['password']}</code>" in html
    for email in demo_staff:
        assert f"<code>{email}</code>" in html
    assert "(front desk)" in html and "front_desk" not in html
    signed_in = client.post("/login", data={"email": demo_staff[0], "password": DEMO["password"]})
    assert signed_in.status_code == 302  # what the page offers works


def test_a_refused_sign_in_still_lists_them(client, demo_staff):
    refused = client.post("/login", data={"email": demo_staff[0], "password": "wrong"})
    assert refused.status_code == 422
    assert f"<code>{demo_staff[0]}</code>" in refused.get_data(as_text=True)


def test_production_never_lists_demo_sign_ins(client, app_ctx, demo_staff, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "PRIORAUTH_ENV", "production")
    html = client.get("/login").get_data(as_text=True)
    assert 'id="demo-signins"' not in html
    assert DEMO["password"] not in html
    assert not [email for email in demo_staff if email in html]


def test_no_demo_clinic_no_demo_sign_ins(client, admin):
    """A clinic of its own (not the demo one): nothing to offer."""
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="demo-signins"' not in html and DEMO["password"] not in html
    assert admin.email not in html


def test_a_real_clinic_user_with_the_demo_clinic_name_is_not_listed(client, demo_staff):
    """Only the demo mailboxes are offered, not every user of a clinic with that name."""
    clinic = db.session.scalar(sa.select(Clinic).where(Clinic.name == DEMO["name"]))
    factories.user(clinic, "billing", email="real.person@clinic.example")
    html = client.get("/login").get_data(as_text=True)
    assert "real.person@clinic.example" not in html
    assert f"<code>{demo_staff[-1]}</code>" in html
