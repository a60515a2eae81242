"""App-wide request guards, run before every view in this order: sign-in, CSRF, JSON body
(each one a step of priorauth/factory.py's create_app).

Sign-in comes first so that a write without a session is answered "sign in" (401 JSON for the
API, a redirect to the sign-in page for pages) rather than "bad CSRF token".
"""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from priorauth.api.errors import is_api_request, json_error
from priorauth.extensions import csrf, login_manager

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
BODY_METHODS = ("POST", "PUT", "PATCH")
OPENAPI_PATH = "/api/v1/openapi.json"
PUBLIC_BLUEPRINTS = ("auth", "calendar_feed")  # sign-in, sign-out, password reset; feed
# The views that take a file (multipart/form-data): their body may be as large as an
# attachment (ATTACHMENT_MAX_BYTES) plus this margin for the form's other fields.
UPLOAD_ENDPOINTS = (
    "api_attachments.Attachments",
    "attachments.upload_for_patient",
    "attachments.upload_for_request",
    "imports.upload",  # a spreadsheet to import (services/sheet_import.py)
)
UPLOAD_BODY_MARGIN = 256 * 1024


def _is_public_page() -> bool:
    """Endpoints anyone may reach: static files, the sign-in pages, unknown URLs (404)."""
    endpoint = request.endpoint
    return endpoint in (None, "static") or request.blueprint in PUBLIC_BLUEPRINTS


def require_sign_in():
    """Every /api/v1 call needs a bearer token or a signed-in session; so does every page
    but the public ones (the views' own @login_required stays as a second lock)."""
    if is_api_request():
        if request.path == OPENAPI_PATH or current_user.is_authenticated:
            return None
        return json_error(401, "UNAUTHORIZED", "sign in or send Authorization: Bearer <token>")
    if _is_public_page() or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


def allow_upload_bodies():
    """An upload's body may exceed MAX_CONTENT_LENGTH, up to the attachment limit and a
    margin (a larger one is answered 413 before anything is read)."""
    if request.method == "POST" and request.endpoint in UPLOAD_ENDPOINTS:
        limit = current_app.config["ATTACHMENT_MAX_BYTES"] + UPLOAD_BODY_MARGIN
        request.max_content_length = max(limit, current_app.config["MAX_CONTENT_LENGTH"])


def _is_bearer_only() -> bool:
    """Signed in by a valid bearer token and carrying no session cookie: no browser is
    involved, so there is no cross-site request to forge."""
    by_bearer = request.environ.get("priorauth.auth") == "bearer"
    cookie_name = current_app.config.get("SESSION_COOKIE_NAME", "session")
    return by_bearer and cookie_name not in request.cookies


def protect_from_csrf():
    """CSRF on every unsafe request, except API calls authenticated by a bearer token alone.

    (WTF_CSRF_CHECK_DEFAULT is off so that this is the one place that decides.)
    """
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    if request.method in SAFE_METHODS or request.endpoint in (None, "static"):
        return
    if is_api_request() and current_user.is_authenticated and _is_bearer_only():
        return
    csrf.protect()


def _body_refused(status: int, code: str, problem: str):
    return json_error(status, code, f"body: {problem}", {"body": [problem]})


def require_json_object():
    """Writes take a JSON object: a form, no body or `null` is refused, never read as {}.

    (Else a PUT of a policy with a form body would clear the policy, a PATCH would pass.)
    """
    if request.method not in BODY_METHODS or not is_api_request():
        return None
    if request.endpoint in UPLOAD_ENDPOINTS:
        if request.mimetype == "multipart/form-data":
            return None
        problem = "send the file as multipart/form-data"
        return _body_refused(415, "UNSUPPORTED_MEDIA_TYPE", problem)
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
