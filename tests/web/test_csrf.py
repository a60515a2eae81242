"""CSRF: every unsafe request needs the token, except an API call authenticated by a valid
bearer token that carries no session cookie. (The test app runs with CSRF off; these tests
turn it on and restore it.)"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import Patient
from tests import factories
from tests.web.test_security_headers import sign_in

NEW_PATIENT = {
    "mrn": "CSRF-1",
    "first_name": "Ada",
    "last_name": "Byron",
    "birth_date": "1980-01-01",
}


@pytest.fixture
def csrf_on(app_ctx):
    saved = app_ctx.config["WTF_CSRF_ENABLED"]
    app_ctx.config["WTF_CSRF_ENABLED"] = True
    yield app_ctx
    app_ctx.config["WTF_CSRF_ENABLED"] = saved


def _csrf_token(client) -> str:
    html = client.get("/patients/new").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _signed_in(app, user):
    """A client with a session cookie (signed in with CSRF off, then CSRF back on)."""
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        sign_in(client, user)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert client.get_cookie(app.config["SESSION_COOKIE_NAME"]) is not None
    return client


def _patients() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Patient))


def test_session_with_a_junk_bearer_header_still_needs_the_token(csrf_on, admin):
    client = _signed_in(csrf_on, admin)
    response = client.post(
        "/api/v1/patients", json=NEW_PATIENT, headers={"Authorization": "Bearer junk"}
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "BAD_REQUEST"
    assert "CSRF" in response.get_json()["message"]
    assert _patients() == 0


def test_session_with_a_valid_bearer_token_still_needs_the_csrf_token(csrf_on, admin):
    client = _signed_in(csrf_on, admin)
    bearer = factories.token(admin)
    response = client.post(
        "/api/v1/patients", json=NEW_PATIENT, headers={"Authorization": f"Bearer {bearer}"}
    )
    assert response.status_code == 400 and "CSRF" in response.get_json()["message"]
    assert _patients() == 0


def test_session_with_the_csrf_token_writes(csrf_on, admin):
    client = _signed_in(csrf_on, admin)
    token = _csrf_token(client)
    response = client.post("/api/v1/patients", json=NEW_PATIENT, headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_json()
    assert _patients() == 1


def test_bearer_token_without_a_session_cookie_needs_no_csrf_token(csrf_on, admin):
    client = csrf_on.test_client()
    bearer = factories.token(admin)
    response = client.post(
        "/api/v1/patients", json=NEW_PATIENT, headers={"Authorization": f"Bearer {bearer}"}
    )
    assert response.status_code == 201, response.get_json()
    assert client.get_cookie(csrf_on.config["SESSION_COOKIE_NAME"]) is None
    assert _patients() == 1


def test_a_junk_bearer_token_alone_is_401_not_a_csrf_error(csrf_on):
    response = csrf_on.test_client().post(
        "/api/v1/patients", json=NEW_PATIENT, headers={"Authorization": "Bearer junk"}
    )
    assert response.status_code == 401
    assert response.get_json()["code"] == "UNAUTHORIZED"


def test_page_forms_need_the_token(csrf_on, front_desk):
    client = _signed_in(csrf_on, front_desk)
    refused = client.post("/patients/new", data=NEW_PATIENT)
    assert refused.status_code == 400
    assert _patients() == 0
    accepted = client.post("/patients/new", data={**NEW_PATIENT, "csrf_token": _csrf_token(client)})
    assert accepted.status_code == 302
    assert _patients() == 1


def test_site_search_posts_with_the_token(csrf_on, front_desk):
    client = _signed_in(csrf_on, front_desk)
    assert client.post("/search", data={"q": "anything"}).status_code == 400
    page = client.post("/search", data={"q": "anything", "csrf_token": _csrf_token(client)})
    assert page.status_code == 200
    assert "Results for “anything”" in page.get_data(as_text=True)


def test_without_a_session_sign_in_is_asked_before_the_token(csrf_on):
    client = csrf_on.test_client()
    page = client.post("/patients/new", data=NEW_PATIENT)
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    api = client.post("/api/v1/patients", json=NEW_PATIENT)
    assert api.status_code == 401
    sign_in_form = client.post("/login", data={"email": "x@example.test", "password": "y"})
    assert sign_in_form.status_code == 400  # the sign-in form itself is CSRF-protected
