"""The JSON API under /api/v1 (flask-smorest)."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from priorauth.api.errors import is_api_request, json_error, register_error_handlers
from priorauth.extensions import csrf

BEARER_SCHEME = {"type": "http", "scheme": "bearer"}


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
BODY_METHODS = ("POST", "PUT", "PATCH")


def require_sign_in():
    """Every /api/v1 call needs a bearer token or a signed-in session."""
    if not is_api_request() or request.path == "/api/v1/openapi.json":
        return None
    if not current_user.is_authenticated:
        return json_error(401, "UNAUTHORIZED", "sign in or send Authorization: Bearer <token>")
    return None


def protect_from_csrf():
    """CSRF on every unsafe request, except API calls that carry a bearer token.

    (WTF_CSRF_CHECK_DEFAULT is off so that this is the one place that decides.)
    """
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.method in SAFE_METHODS or request.endpoint in (None, "static"):
        return
    if is_api_request() and request.environ.get("priorauth.auth") == "bearer":
        return
    if is_api_request() and "Authorization" in request.headers:
        return  # a bad token: require_sign_in answers 401
    csrf.protect()


def _body_refused(status: int, code: str, problem: str):
    return json_error(status, code, f"body: {problem}", {"body": [problem]})


def require_json_object():
    """Writes take a JSON object: a form, no body or `null` is refused, never read as {}.

    (Else a PUT of a policy with a form body would clear the policy, a PATCH would pass.)
    """
    if request.method not in BODY_METHODS or not is_api_request():
        return None
    if not request.is_json:
        problem = "send a JSON object with Content-Type: application/json"
        return _body_refused(415, "UNSUPPORTED_MEDIA_TYPE", problem)
    try:
        body = request.get_json()
    except (BadRequest, RecursionError):  # not JSON, or nested too deep to parse
        return _body_refused(400, "BAD_REQUEST", "Invalid JSON body.")
    if not isinstance(body, dict):
        return _body_refused(422, "VALIDATION_ERROR", "must be a JSON object")
    return None


def blueprints():
    from priorauth.api import (
        authorizations,
        codes,
        coverage,
        infusions,
        patients,
        payers,
        reminders,
        runway,
    )

    return (
        codes.blp,
        payers.blp,
        patients.blp,
        authorizations.blp,
        coverage.blp,
        infusions.blp,
        runway.blp,
        reminders.blp,
    )


def register_blueprints(app, api) -> None:
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    api.spec.options["security"] = [{"bearerAuth": []}]
    for blp in blueprints():
        api.register_blueprint(
            blp, url_prefix=f"/api/v1{blp.url_prefix or ''}", name=f"api_{blp.name}"
        )
    app.before_request(require_sign_in)
    app.before_request(protect_from_csrf)
    app.before_request(require_json_object)
    register_error_handlers(app)
