"""The JSON error contract of /api/v1: {"code", "message", "errors": {field: [..]}}."""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify, render_template, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from priorauth.errors import AppError, Conflict, ValidationFailed
from priorauth.extensions import db


class ErrorReasonSchema(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)


class ErrorSchema(ma.Schema):
    """The error body of every /api/v1 answer (documents the contract in openapi.json)."""

    code = ma.fields.String(
        required=True, metadata={"description": "stable code, e.g. VALIDATION_ERROR"}
    )
    message = ma.fields.String(required=True)
    errors = ma.fields.Dict(
        required=True,
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={
            "description": "messages by field name; a list item is named by its 0-based index "
            "(diagnosis_codes[1]), a nested field by its path (parent.child)"
        },
    )
    reasons = ma.fields.List(
        ma.fields.Nested(ErrorReasonSchema),
        metadata={"description": "NOT_COVERED: every reason the booking is not covered"},
    )
    current_status = ma.fields.String(
        metadata={"description": "a refused transition: the request's stored status"}
    )
    allowed = ma.fields.List(
        ma.fields.String(), metadata={"description": "a refused transition: the statuses allowed"}
    )


HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    500: "INTERNAL_ERROR",
}
SAVED_MEANWHILE = Conflict(
    "Someone saved a conflicting change at the same moment, so nothing was changed. "
    "Go back, reload the page and try again."
)


def is_api_request() -> bool:
    return request.path == "/api/v1" or request.path.startswith("/api/v1/")


def json_error(status: int, code: str, message: str, errors: dict | None = None, **extra):
    body = {"code": code, "message": message, "errors": errors or {}, **extra}
    response = jsonify(body)
    response.status_code = status
    return response


def _child_key(parent: str, key) -> str:
    """diagnosis_codes[1] for a list item (0-based, as sent), coverage.payer_id for a field."""
    if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
        return f"{parent}[{key}]"
    return f"{parent}.{key}"


def flatten_fields(messages: dict, parent: str = "") -> dict[str, list[str]]:
    """marshmallow nests errors of list items and nested objects; answer one level of
    "field": [messages], with the path in the key."""
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        name = _child_key(parent, key) if parent else str(key)
        if isinstance(value, dict):
            flat.update(flatten_fields(value, name))
        else:
            flat[name] = [str(m) for m in value] if isinstance(value, list) else [str(value)]
    return flat


def _flatten(messages: dict) -> dict:
    """webargs nests errors by location ({"json": {"dose_mg": [..]}}); clients want fields.
    (Its one non-dict shape, an invalid JSON body, never gets here: guards.py answers it.)"""
    flat: dict = {}
    for fields in messages.values():
        flat.update(flatten_fields(fields))
    return flat


def _message_for(errors: dict, default: str) -> str:
    if not errors:
        return default
    field, problems = next(iter(errors.items()))
    first = problems[0] if isinstance(problems, list) and problems else problems
    return f"{field}: {first}" if not isinstance(first, dict) else f"{field} is invalid"


def handle_http_exception(error: HTTPException):
    if not is_api_request():
        return render_template("error.html", error=error), error.code
    data = getattr(error, "data", None) or {}
    errors = _flatten(data.get("errors") or data.get("messages") or {})
    message = data.get("message") or _message_for(errors, error.description or error.name)
    headers = data.get("headers") or {}
    code = HTTP_CODES.get(error.code, error.name.upper())
    response = json_error(error.code, code, message, errors)
    response.headers.update(headers)
    return response


def handle_app_error(error: AppError):
    db.session.rollback()
    if not is_api_request():
        return render_template("error.html", error=error), error.status
    errors = flatten_fields(error.errors)
    return json_error(error.status, error.code, error.message, errors, **error.extra)


def handle_validation_error(error: ma.ValidationError):
    """A schema a view loads itself (webargs answers its own 422s): a 422 naming the field."""
    errors = flatten_fields(error.normalized_messages())
    return handle_app_error(ValidationFailed(_message_for(errors, "invalid input"), errors))


def handle_integrity_error(error: IntegrityError):
    """A constraint the validation missed (another writer got there first between the check
    and the write): refuse with 409 rather than a 500."""
    db.session.rollback()
    if not is_api_request():
        return render_template("error.html", error=SAVED_MEANWHILE), 409
    return json_error(409, "CONFLICT", "the change conflicts with existing data")


def register_error_handlers(app) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(AppError, handle_app_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(ma.ValidationError, handle_validation_error)
