"""Walk every route of the app: without a session each one (but sign-in, password reset,
static files and openapi.json) asks to sign in, for every method it takes: 401 JSON under
/api/v1, a redirect to /login for pages. With CSRF on, the sign-in check comes first."""

from __future__ import annotations

import re

import pytest

from tests.web.test_security_headers import assert_security_headers

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PUBLIC_ENDPOINTS = ("static", "api-docs.openapi_json", "calendar_feed.feed")  # secret URL
PATH_VALUES = {"code": "J1439", "name": "expiring", "kind": "lab", "token": "a-token-value"}


def _public(endpoint: str) -> bool:
    return endpoint in PUBLIC_ENDPOINTS or endpoint.startswith("auth.")


ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _path_values(rule) -> dict[str, object]:
    """1 for a number, a plausible string (a drug code, a queue name...) for the rest."""
    return {
        name: 1 if converter in ("int", "float") else PATH_VALUES.get(name, "x")
        for converter, name in ARGUMENT.findall(rule.rule)
    }


def _routes(app) -> list[tuple[str, str, str]]:
    """(method, path, endpoint) for every route and method that needs a signed-in user."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if _public(rule.endpoint):
            continue
        values = _path_values(rule)
        for method in sorted(set(rule.methods or ()) & set(METHODS)):
            path = adapter.build(rule.endpoint, values, method=method)
            found.append((method, path, rule.endpoint))
    return found


def _send(client, method: str, path: str):
    body = {"json": {}} if path.startswith("/api/v1/") else {"data": {"q": "x"}}
    return client.open(path, method=method, **({} if method == "GET" else body))


@pytest.fixture(params=[False, True], ids=["csrf-off", "csrf-on"])
def csrf(app_ctx, request):
    saved = app_ctx.config["WTF_CSRF_ENABLED"]
    app_ctx.config["WTF_CSRF_ENABLED"] = request.param
    yield request.param
    app_ctx.config["WTF_CSRF_ENABLED"] = saved


def test_the_walk_covers_pages_api_and_writes(app_ctx):
    routes = _routes(app_ctx)
    endpoints = {endpoint for _, _, endpoint in routes}
    assert len(routes) >= 60, routes
    assert {"home.index", "patients.show", "search.results", "api_patients.Patients"} <= endpoints
    assert {"PATCH", "PUT", "POST", "GET"} <= {method for method, _, _ in routes}
    assert not any(endpoint.startswith("auth.") for endpoint in endpoints)


def test_every_route_asks_to_sign_in(app_ctx, csrf):
    client = app_ctx.test_client()
    problems = []
    for method, path, endpoint in _routes(app_ctx):
        response = _send(client, method, path)
        where = f"{method} {path} ({endpoint})"
        assert_security_headers(response)
        if path.startswith("/api/v1/"):
            body = response.get_json(silent=True) or {}
            if response.status_code != 401 or body.get("code") != "UNAUTHORIZED":
                problems.append(f"{where}: {response.status_code} {body}")
        elif response.status_code != 302 or not response.location.startswith("/login"):
            problems.append(f"{where}: {response.status_code} {response.location}")
    assert not problems, "\n".join(problems)


def test_public_routes_stay_public(client):
    assert client.get("/login").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    static = client.get("/static/app.css")
    assert static.status_code == 200
    static.close()
