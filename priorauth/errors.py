"""Refusals with a stable code, raised by services and turned into 4xx by api/ and web/."""

from __future__ import annotations


class AppError(Exception):
    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, errors: dict | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.extra = extra


class ValidationFailed(AppError):
    status = 422
    code = "VALIDATION_ERROR"

    @classmethod
    def on(cls, field: str, message: str) -> ValidationFailed:
        return cls(f"{field}: {message}", {field: [message]})


class NotFound(AppError):
    status = 404
    code = "NOT_FOUND"


class Forbidden(AppError):
    status = 403
    code = "FORBIDDEN"


class Conflict(AppError):
    status = 409
    code = "CONFLICT"

    def __init__(self, message: str, errors: dict | None = None, code: str | None = None, **extra):
        super().__init__(message, errors, **extra)
        if code:
            self.code = code
