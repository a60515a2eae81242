"""Bench-only WSGI app for `make load`: priorauth's app plus a one-query reference endpoint.

    gunicorn tests.bench.load_app:app     (configured from the environment, as wsgi.py)
    build(overrides=None) -> Flask        the same, with create_app's overrides (tests)

    POST /bench/coverage-check   (also /api/v1/bench/coverage-check, which it is served as)
                                 JSON {"patient_id", "hcpcs_code", "service_date", "dose_mg"}
        -> 200 {"covered", "authorization_id", "units_required", "units_left", "reasons"}
           (the body of POST /api/v1/coverage-check), 404 for a patient outside the caller's
           clinic, 422 for a code outside the catalog, 401 without a usable bearer token.

The reference sits behind the same token check as the API (Flask-Login's request loader,
services.tokens.user_from_bearer, run by the app's sign-in gate for /api/v1) and answers with
tests/bench/floors.coverage_floor: one hand-written statement. Marshmallow is skipped: the
body is parsed by hand, so the gap to the API endpoint is the app's own cost.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import jsonify, request
from flask_login import current_user

from priorauth.factory import create_app
from tests.bench.floors import coverage_floor

REFERENCE_PATH = "/bench/coverage-check"
# Served under /api/v1 so that the API's own gates apply to it as to the API endpoint: the
# token check (401 in JSON), no CSRF for bearer-only calls, a JSON object body.
API_PATH = "/api/v1/bench/coverage-check"


def _error(status: int, message: str):
    response = jsonify({"code": "REFERENCE_ERROR", "message": message})
    response.status_code = status
    return response


def _question(body) -> tuple:
    return (
        int(body["patient_id"]),
        str(body["hcpcs_code"]),
        date.fromisoformat(body["service_date"]),
        Decimal(str(body["dose_mg"])),
    )


def reference_coverage_check():
    """The coverage question answered by the floor, for the caller's clinic."""
    if not current_user.is_authenticated:
        return _error(401, "send Authorization: Bearer <token>")
    try:
        patient_id, code, day, dose = _question(request.get_json(silent=True) or {})
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return _error(422, "patient_id, hcpcs_code, service_date and dose_mg")
    try:
        answer = coverage_floor(patient_id, code, day, dose, clinic_id=current_user.clinic_id)
    except LookupError as error:
        return _error(422, str(error))
    if answer is None:
        return _error(404, f"patient {patient_id} not found")
    return jsonify(
        covered=answer.covered,
        authorization_id=answer.authorization_id,
        units_required=answer.units_required,
        units_left=answer.units_left,
        reasons=[{"code": r.code, "message": r.message} for r in answer.reasons],
    )


def build(overrides: dict | None = None):
    """create_app(overrides) with the reference endpoint added."""
    application = create_app(overrides)
    application.add_url_rule(
        API_PATH, "bench_reference", reference_coverage_check, methods=["POST"]
    )
    application.wsgi_app = _alias(application.wsgi_app)
    return application


def _alias(wsgi_app):
    """REFERENCE_PATH is served as API_PATH."""

    def serve(environ, start_response):
        if environ.get("PATH_INFO") == REFERENCE_PATH:
            environ["PATH_INFO"] = API_PATH
        return wsgi_app(environ, start_response)

    return serve


def __getattr__(name: str):
    """`app`, built from the environment on first use (gunicorn's lookup), so that tests can
    import build() without creating an app."""
    if name != "app":
        raise AttributeError(name)
    globals()["app"] = application = build()
    return application
