"""Clinic settings: admins change the time zone, digest hour and thresholds."""

from __future__ import annotations

from priorauth.extensions import db
from priorauth.models import AuditEvent
from tests import factories

GOOD = {
    "timezone": "America/Chicago",
    "digest_hour": "7",
    "expiring_days": "7, 30,14",
    "uncovered_days": "10",
    "appeal_days": "21",
    "upcoming_business_days": "3",
}


def sign_in(client, user):
    assert (
        client.post("/login", data={"email": user.email, "password": "correct-horse-7"}).status_code
        == 302
    )


def test_admin_saves_settings_with_an_audit_event(client, admin, clinic):
    sign_in(client, admin)
    assert client.post("/clinic", data=GOOD).status_code == 302
    db.session.expire_all()
    assert (clinic.timezone, clinic.digest_hour, clinic.expiring_days) == (
        "America/Chicago",
        7,
        "30,14,7",
    )
    assert (clinic.uncovered_days, clinic.appeal_days, clinic.upcoming_business_days) == (10, 21, 3)
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "settings_updated")
    ).one()
    assert event.changes["digest_hour"] == 7


def test_bad_settings_are_named_and_change_nothing(client, admin, clinic):
    sign_in(client, admin)
    bad = {**GOOD, "timezone": "Mars/Olympus", "digest_hour": "25", "expiring_days": "soon"}
    response = client.post("/clinic", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "not a time zone" in html and "Mars/Olympus" in html
    assert "whole days between 1 and 365" in html
    db.session.expire_all()
    assert (clinic.timezone, clinic.digest_hour) == ("UTC", 6)


def test_front_desk_reads_but_cannot_change(client, clinic):
    user = factories.user(clinic, "front_desk")
    sign_in(client, user)
    page = client.get("/clinic").get_data(as_text=True)
    assert "Only an admin can change these." in page
    assert client.post("/clinic", data=GOOD).status_code == 403
