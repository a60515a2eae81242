"""Shared by the sign-in, session and password tests: signing in, moving the clock, audits."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent
from priorauth.services import clock
from tests import factories

REFUSED = "Email or password is not right."
TOO_MANY = "Too many sign-in attempts from this address. Wait a few minutes and try again."


def sign_in(client, email: str, password: str = factories.PASSWORD, address: str = "127.0.0.1"):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


class Clock:
    """Moves priorauth's clock (services.clock.now_utc) forward from the moment of creation."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.start = clock.now_utc()
        self.set(minutes=0)

    def set(self, **since_start) -> None:
        moment = self.start + timedelta(**since_start)
        self.monkeypatch.setattr(clock, "now_utc", lambda: moment)


def actions_on(user) -> list[str]:
    """The audit actions recorded against the user, oldest first."""
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_type == "users", AuditEvent.entity_id == user.id)
        .order_by(AuditEvent.id)
    ).all()


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def client_with_cookie(app, value: str):
    """A fresh client (another browser) that sends a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other
