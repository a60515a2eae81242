"""Sessions end on sign-out, password change, inactivity and age; the cookie holds no person."""

from __future__ import annotations

import pytest

from priorauth.config import from_environment
from priorauth.extensions import db
from tests import factories
from tests.web.auth_helpers import Clock, client_with_cookie, session_cookie, sign_in

NEW_PASSWORD = "violet-lantern-harbor"
SESSION_KEYS = {"_user_id", "_fresh", "_id", "ver", "signed_in_at", "seen_at", "csrf_token"}


def _is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_copied_before_sign_out_is_refused_after(client, admin):
    assert sign_in(client, admin.email).status_code == 302
    copied = session_cookie(client)
    assert client_with_cookie(client.application, copied).get("/").status_code == 200
    client.post("/logout")
    assert _is_sign_in_redirect(client_with_cookie(client.application, copied).get("/"))


def test_sign_out_ends_the_users_other_sessions(client, admin):
    sign_in(client, admin.email)
    other = client.application.test_client()
    sign_in(other, admin.email)
    other.post("/logout")
    assert _is_sign_in_redirect(client.get("/"))


def test_a_cookie_copied_before_a_password_change_is_refused_after(client, admin):
    sign_in(client, admin.email)
    copied = session_cookie(client)
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this browser stays signed in
    assert _is_sign_in_redirect(client_with_cookie(client.application, copied).get("/"))


def test_idle_past_the_timeout_is_signed_out_with_the_reason(client, admin, monkeypatch):
    clock = Clock(monkeypatch)
    sign_in(client, admin.email)
    clock.set(minutes=29)
    assert client.get("/").status_code == 200
    clock.set(minutes=58)  # 29 minutes after the last request
    assert client.get("/").status_code == 200
    clock.set(minutes=89)
    response = client.get("/patients")
    assert _is_sign_in_redirect(response)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session ended after 30 minutes without activity. Sign in again." in page
    assert _is_sign_in_redirect(client.get("/"))


def test_a_session_ends_after_its_absolute_lifetime(client, admin, monkeypatch):
    clock = Clock(monkeypatch)
    sign_in(client, admin.email)
    for minutes in range(25, 12 * 60 + 1, 25):  # active all day, never idle
        clock.set(minutes=minutes)
        assert client.get("/").status_code == 200, minutes
    clock.set(hours=12, minutes=1)
    response = client.get("/")
    assert _is_sign_in_redirect(response)
    page = client.get("/login").get_data(as_text=True)
    assert "Your session ended 12 hours after you signed in. Sign in again." in page


def test_an_expired_session_is_refused_by_the_api_too(client, admin, monkeypatch):
    clock = Clock(monkeypatch)
    sign_in(client, admin.email)
    assert client.get("/api/v1/codes").status_code == 200
    clock.set(minutes=31)
    assert client.get("/api/v1/codes").status_code == 401


def test_a_deactivated_users_session_ends(client, admin):
    sign_in(client, admin.email)
    admin.active = False
    db.session.commit()
    assert _is_sign_in_redirect(client.get("/"))


def test_the_cookie_holds_ids_timestamps_and_version_only(client, admin):
    sign_in(client, admin.email)
    client.get("/")
    serializer = client.application.session_interface.get_signing_serializer(client.application)
    data = serializer.loads(session_cookie(client))
    assert set(data) <= SESSION_KEYS
    assert data["ver"] == admin.session_version
    assert isinstance(data["signed_in_at"], int) and isinstance(data["seen_at"], int)
    assert admin.email not in str(data) and admin.name not in str(data)
    assert client.get_cookie("remember_token") is None


@pytest.mark.parametrize(
    ("env", "secure", "expected"),
    [
        ("production", None, True),
        ("production", "false", False),
        ("development", None, False),
        ("development", "true", True),
    ],
)
def test_session_cookie_is_secure_in_production_unless_turned_off(
    monkeypatch, tmp_path, env, secure, expected
):
    monkeypatch.setenv("PRIORAUTH_ENV", env)
    if secure is None:
        monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    else:
        monkeypatch.setenv("SESSION_COOKIE_SECURE", secure)
    assert from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is expected
