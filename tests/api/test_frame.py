"""The API frame: authentication, the error contract, the OpenAPI document, clinic scoping."""

from __future__ import annotations

from openapi_spec_validator import validate

from tests import factories


def test_codes_with_token_lists_the_catalog(api):
    response = api.get("/api/v1/codes")
    assert response.status_code == 200
    codes = {row["code"]: row for row in response.get_json()}
    assert set(codes) == {
        "J1437",
        "J1439",
        "J1443",
        "J1444",
        "J1445",
        "J1750",
        "J1756",
        "J2916",
        "Q0138",
        "Q0139",
    }
    assert codes["J1444"]["drug"] == "ferric pyrophosphate citrate powder, 0.1 mg of iron"
    assert codes["J1444"]["mg_per_unit"] == "0.100"
    assert codes["J1439"]["drug"] == "ferric carboxymaltose"
    assert codes["J1445"]["verified"] is False


def test_codes_without_token_is_401_json(client):
    response = client.get("/api/v1/codes")
    assert response.status_code == 401
    body = response.get_json()
    assert body["code"] == "UNAUTHORIZED"
    assert "Bearer" in body["message"]
    assert body["errors"] == {}


def test_wrong_token_is_401(client, admin):
    response = client.get("/api/v1/codes", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_session_sign_in_also_reaches_the_api(client, admin):
    response = client.post(
        "/login", data={"email": admin.email, "password": "correct-horse-7"}, follow_redirects=False
    )
    assert response.status_code == 302
    assert client.get("/api/v1/codes").status_code == 200


def test_unknown_api_route_is_404_json(api):
    response = api.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert response.get_json()["code"] == "NOT_FOUND"


def test_unknown_page_is_html_not_json(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_method_not_allowed_is_json(api):
    response = api.delete("/api/v1/codes")
    assert response.status_code == 405
    assert response.get_json()["code"] == "METHOD_NOT_ALLOWED"


def test_openapi_document_is_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert "/api/v1/codes" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_token_is_stored_hashed(app_ctx, admin):
    from priorauth.extensions import db
    from priorauth.models import ApiToken

    plain = factories.token(admin)
    stored = db.session.scalars(db.select(ApiToken.token_hash)).all()
    assert plain not in stored
    assert len(stored[0]) == 64
