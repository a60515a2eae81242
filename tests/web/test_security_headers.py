"""Security headers on every response, and page templates the Content-Security-Policy allows
(no inline script, style or event handler)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from priorauth.security import CONTENT_SECURITY_POLICY
from tests import factories

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
INLINE = {
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> block": re.compile(r"<style[\s>]", re.I),
    "inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
}
_addresses = itertools.count(1)


def sign_in(client, user) -> None:
    """Sign in from an address of its own (sign-in is rate limited per address)."""
    n = next(_addresses)
    address = f"10.77.{n // 250}.{n % 250 + 1}"
    response = client.post(
        "/login",
        data={"email": user.email, "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": address},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def assert_security_headers(response, cached: bool = False) -> None:
    headers = response.headers
    where = f"{response.request.method} {response.request.path}"
    assert headers.get("Content-Security-Policy") == EXPECTED_CSP, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), where
    if not cached:
        assert headers.get("Cache-Control") == "no-store", where


def assert_no_inline_code(html: str, where: str) -> None:
    for what, pattern in INLINE.items():
        found = pattern.search(html)
        assert found is None, f"{where}: {what}: {found and found.group(0)[:120]}"


def test_the_policy_is_the_one_asked_for():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


def test_signed_out_answers_carry_the_headers(client):
    for path in ("/login", "/", "/api/v1/codes", "/api/v1/openapi.json", "/no-such-page"):
        response = client.get(path)
        assert_security_headers(response)
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/codes").status_code == 401


SIGNED_IN_PAGES = (
    "/",
    "/patients",
    "/patients/new",
    "/authorizations",
    "/schedule?view=week",
    "/schedule/coverage-check",
    "/digests/mine",
    "/reminders",
    "/payers",
    "/clinic",
    "/search",
    "/queues/expiring",
)


def test_signed_in_pages_carry_the_headers_and_no_inline_code(client, admin):
    sign_in(client, admin)
    for path in SIGNED_IN_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "text/html"
        assert_security_headers(response)
        assert_no_inline_code(response.get_data(as_text=True), path)
    results = client.post("/search", data={"q": "nobody-by-this-name"})
    assert results.status_code == 200
    assert_security_headers(results)
    api = client.get("/api/v1/codes")
    assert api.status_code == 200 and api.mimetype == "application/json"
    assert_security_headers(api)


def test_static_files_may_be_cached_but_carry_the_other_headers(client):
    for path in ("/static/app.css", "/static/app.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response, cached=True)
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
        response.close()


@pytest.mark.parametrize("secure", [True, False])
def test_hsts_only_when_session_cookies_are_secure(app_ctx, secure):
    saved = app_ctx.config["SESSION_COOKIE_SECURE"]
    app_ctx.config["SESSION_COOKIE_SECURE"] = secure
    try:
        response = app_ctx.test_client().get("/login")
    finally:
        app_ctx.config["SESSION_COOKIE_SECURE"] = saved
    hsts = response.headers.get("Strict-Transport-Security")
    if secure:
        assert hsts is not None and hsts.startswith("max-age=") and int(hsts[8:].split(";")[0]) > 0
    else:
        assert hsts is None


def _page_templates() -> list[Path]:
    """Every template a page renders; templates/email/ are emails (inline styles on purpose)."""
    return [p for p in sorted(TEMPLATES.rglob("*.html")) if "email" not in p.parts]


def test_page_templates_have_no_inline_script_style_or_handler():
    checked = _page_templates()
    assert len(checked) > 20, checked
    for path in checked:
        assert_no_inline_code(path.read_text(), str(path.relative_to(TEMPLATES)))


def _one_item_digest():
    from datetime import date

    from priorauth.domain.digests import Digest, DigestItem, Group

    item = DigestItem("expiring", date(2025, 3, 10), "Auth #7 expires", "/authorizations/7", 1)
    return Digest(date(2025, 3, 3), (Group("expiring", "Expiring", (item,)),))


def test_digest_page_has_no_inline_styles_but_the_email_keeps_them(client, admin):
    from flask import render_template_string

    from priorauth.notify.render import render

    sign_in(client, admin)
    page = client.get("/digests/mine").get_data(as_text=True)
    assert 'class="digest-' in page
    assert_no_inline_code(page, "/digests/mine")
    digest = _one_item_digest()
    with client.application.test_request_context("/digests/mine"):
        body = render_template_string(
            '{% include "email/_digest_body.html" %}', digest=digest, base_url=""
        )
    assert 'class="digest-counts"' in body and 'href="/authorizations/7"' in body
    assert_no_inline_code(body, "the digest body on a page")
    email = render(digest, admin, base_url="http://clinic.test").html
    assert '<table class="digest-counts" style="border-collapse:collapse;' in email
    assert '<li class="digest-item" data-type="expiring" style="margin:0 0 8px;">' in email
