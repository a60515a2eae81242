"""Sign-in page, sign-out, roles and the production secret-key guard."""

from __future__ import annotations

import pytest

from priorauth import create_app
from priorauth.config import ConfigError


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
    response = client.post("/login", data={"email": admin.email, "password": "secret-pass"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_next_parameter_never_leaves_the_site(client, admin):
    response = client.post(
        "/login?next=https://evil.example/", data={"email": admin.email, "password": "secret-pass"}
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
        response = client.post("/login", data={"email": admin.email, "password": "secret-pass"})
        assert response.status_code == 400
    finally:
        app_ctx.config["WTF_CSRF_ENABLED"] = False


def test_search_boxes_survive_a_nul_character(client, admin):
    client.post("/login", data={"email": admin.email, "password": "secret-pass"})
    for page in ("/search?q=a%00b", "/patients?q=%00"):
        assert client.get(page).status_code == 200
