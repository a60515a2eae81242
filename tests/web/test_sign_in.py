"""Sign-in page, sign-out, throttling, lockout, audit and the production secret-key guard."""

from __future__ import annotations

from datetime import timedelta

import pytest

from priorauth.config import ConfigError
from priorauth.extensions import db
from priorauth.factory import create_app
from priorauth.models import User
from priorauth.models.base import utcnow
from tests import factories
from tests.web.auth_helpers import REFUSED, TOO_MANY, Clock, actions_on, sign_in


def test_login_page_renders_with_labelled_fields(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<label for="email">Email</label>' in html
    assert '<label for="password">Password</label>' in html
    assert html.count("<h1>") == 1


def test_pages_need_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_wrong_password_keeps_email_and_says_so(client, admin):
    response = client.post("/login", data={"email": admin.email, "password": "nope"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Email or password is not right." in html
    assert admin.email in html


def test_sign_in_then_out(client, admin):
    response = client.post("/login", data={"email": admin.email, "password": "correct-horse-7"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_next_parameter_never_leaves_the_site(client, admin):
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": admin.email, "password": "correct-horse-7"},
    )
    assert response.headers["Location"] == "/"


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.setenv("PRIORAUTH_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "a-real-random-key"})
    assert app.config["PRIORAUTH_ENV"] == "production"


def test_csrf_is_enforced_on_forms_when_enabled(app_ctx, admin):
    app_ctx.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app_ctx.test_client()
        response = client.post("/login", data={"email": admin.email, "password": "correct-horse-7"})
        assert response.status_code == 400
    finally:
        app_ctx.config["WTF_CSRF_ENABLED"] = False


def test_search_boxes_survive_a_nul_character(client, admin):
    client.post("/login", data={"email": admin.email, "password": "correct-horse-7"})
    for page in ("/search?q=a%00b", "/patients?q=%00"):
        assert client.get(page).status_code == 200


def _without(html: str, email: str) -> str:
    """The page with the typed email taken out (the form keeps what was typed)."""
    return html.replace(email, "EMAIL")


def test_unknown_email_wrong_password_and_locked_answer_alike(client, admin):
    unknown = sign_in(client, "nobody@example.test", "whatever-it-is", address="10.0.0.1")
    wrong = sign_in(client, admin.email, "whatever-it-is", address="10.0.0.2")
    assert unknown.status_code == wrong.status_code == 422
    assert REFUSED in wrong.get_data(as_text=True)
    assert _without(unknown.get_data(as_text=True), "nobody@example.test") == _without(
        wrong.get_data(as_text=True), admin.email
    )
    admin.locked_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    locked = sign_in(client, admin.email, factories.PASSWORD, address="10.0.0.3")
    assert locked.status_code == 422
    assert _without(locked.get_data(as_text=True), admin.email) == _without(
        wrong.get_data(as_text=True), admin.email
    )


def test_eleventh_failure_from_one_address_is_answered_429(client, admin):
    for attempt in range(10):
        email = admin.email if attempt % 2 else f"ghost{attempt}@example.test"
        assert sign_in(client, email, "not-the-password", address="10.0.0.7").status_code == 422
    refused = sign_in(client, admin.email, factories.PASSWORD, address="10.0.0.7")
    assert refused.status_code == 429
    assert TOO_MANY in refused.get_data(as_text=True)
    other_address = sign_in(client, "ghost@example.test", "not-the-password", address="10.0.0.8")
    assert other_address.status_code == 422


def test_successful_sign_ins_do_not_count_against_the_address(client, admin, monkeypatch):
    monkeypatch.setitem(client.application.config, "SIGN_IN_RATE_LIMIT", "2 per 15 minutes")
    for _ in range(3):
        assert sign_in(client, admin.email).status_code == 302
        client.post("/logout")
    assert sign_in(client, admin.email, "not-the-password").status_code == 422
    assert sign_in(client, admin.email, "not-the-password").status_code == 422
    assert sign_in(client, admin.email).status_code == 429


def test_lockout_holds_in_another_app_instance_until_it_expires(client, admin, monkeypatch):
    clock = Clock(monkeypatch)
    for n in range(10):
        assert (
            sign_in(client, admin.email, "not-the-password", address=f"10.1.0.{n}").status_code
            == 422
        )
    db.session.refresh(admin)
    assert admin.locked_until is not None and admin.failed_sign_ins == 0
    other = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": client.application.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "another-host",
            "WTF_CSRF_ENABLED": False,
        }
    )
    try:
        locked = sign_in(other.test_client(), admin.email, address="10.2.0.1")
        assert locked.status_code == 422
        assert REFUSED in locked.get_data(as_text=True)
        clock.set(minutes=14)
        assert sign_in(other.test_client(), admin.email, address="10.2.0.2").status_code == 422
        clock.set(minutes=16)
        assert sign_in(other.test_client(), admin.email, address="10.2.0.3").status_code == 302
    finally:
        with other.app_context():
            db.engine.dispose()
    db.session.refresh(admin)
    assert admin.locked_until is None and admin.failed_sign_ins == 0


def test_success_resets_the_failure_count(client, admin, monkeypatch):
    monkeypatch.setitem(client.application.config, "SIGN_IN_LOCKOUT_FAILURES", 3)
    for _ in range(2):
        sign_in(client, admin.email, "not-the-password")
    assert sign_in(client, admin.email).status_code == 302
    client.post("/logout")
    for _ in range(2):
        sign_in(client, admin.email, "not-the-password")
    assert sign_in(client, admin.email).status_code == 302


def test_deactivated_user_is_refused_with_the_same_words(client, admin):
    admin.active = False
    db.session.commit()
    response = sign_in(client, admin.email)
    assert response.status_code == 422
    assert REFUSED in response.get_data(as_text=True)


def test_sign_ins_are_audited_and_stamped(client, admin):
    sign_in(client, admin.email, "not-the-password")
    sign_in(client, admin.email)
    client.post("/logout")
    assert actions_on(admin) == ["created", "sign_in_failed", "signed_in", "signed_out"]
    user = db.session.get(User, admin.id)
    assert user.last_sign_in_at is not None


def test_lockout_is_audited(client, admin, monkeypatch):
    monkeypatch.setitem(client.application.config, "SIGN_IN_LOCKOUT_FAILURES", 3)
    for n in range(3):
        sign_in(client, admin.email, "not-the-password", address=f"10.3.0.{n}")
    sign_in(client, admin.email, address="10.3.1.1")
    actions = actions_on(admin)
    assert actions.count("sign_in_failed") == 4
    assert actions.count("locked") == 1
    assert "signed_in" not in actions


def test_unknown_email_leaves_no_audit_event_and_no_address_in_the_log(client, admin, caplog):
    caplog.set_level("INFO", logger="priorauth.auth")
    sign_in(client, "stranger@example.test", "not-the-password")
    assert "stranger@example.test" not in caplog.text
    assert "no account" in caplog.text
    assert actions_on(admin) == ["created"]


def test_only_the_sign_in_pages_go_through_the_rate_limiter(app_ctx):
    """The limiter's request filter: limits are looked up for the auth pages alone, so the
    API and the other pages pay nothing for the throttle they do not have."""
    from flask import request

    from priorauth.extensions import _not_throttled

    with app_ctx.test_request_context("/login"):
        assert request.blueprint == "auth"
        assert _not_throttled() is False
    with app_ctx.test_request_context("/api/v1/coverage-check", method="POST"):
        assert _not_throttled() is True
