"""The JSON API under /api/v1 (flask-smorest)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from priorauth.api.errors import is_api_request, json_error, register_error_handlers
from priorauth.extensions import csrf

BEARER_SCHEME = {"type": "http", "scheme": "bearer"}


def require_sign_in():
    """Every /api/v1 call needs a bearer token or a signed-in session (which also needs CSRF)."""
    if not is_api_request() or request.path == "/api/v1/openapi.json":
        return None
    if not current_user.is_authenticated:
        return json_error(401, "UNAUTHORIZED", "sign in or send Authorization: Bearer <token>")
    if request.environ.get("priorauth.auth") != "bearer" and request.method not in (
        "GET",
        "HEAD",
        "OPTIONS",
    ):
        csrf.protect()
    return None


def blueprints():
    from priorauth.api import codes

    return (codes.blp,)


def register_blueprints(app, api) -> None:
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    api.spec.options["security"] = [{"bearerAuth": []}]
    for blp in blueprints():
        csrf.exempt(blp)
        api.register_blueprint(blp, url_prefix=f"/api/v1{blp.url_prefix or ''}")
    app.before_request(require_sign_in)
    register_error_handlers(app)
