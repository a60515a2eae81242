"""Who may do what: roles per action, checked by api/ and web/ before calling a service."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from priorauth.errors import Forbidden

EDIT_PAYERS = ("admin",)
EDIT_PATIENTS = ("front_desk", "admin")
EDIT_EVIDENCE = ("front_desk", "admin")
EDIT_AUTHORIZATIONS = ("front_desk", "admin")
BOOK_INFUSIONS = ("scheduler", "front_desk", "admin")
RECORD_ADMINISTRATION = ("billing", "admin")
VERIFY_ELIGIBILITY = ("scheduler", "front_desk", "admin")


def ensure_role(user, allowed: tuple[str, ...]) -> None:
    if user.role != "admin" and user.role not in allowed:
        raise Forbidden(
            f"your role ({user.role}) cannot do this; it needs one of: {', '.join(allowed)}"
        )


def role_required(allowed: tuple[str, ...]):
    """Decorator for views: refuse with 403 unless the signed-in user has one of the roles."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            ensure_role(current_user, allowed)
            return view(*args, **kwargs)

        return wrapper

    return decorate
