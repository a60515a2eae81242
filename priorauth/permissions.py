"""Who may do what: roles per action, checked by api/ and web/ before calling a service."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from priorauth.errors import Forbidden

EDIT_PAYERS = ("admin",)
EDIT_CLINIC = ("admin",)
EDIT_PATIENTS = ("front_desk", "admin")
EDIT_EVIDENCE = ("front_desk", "admin")
EDIT_AUTHORIZATIONS = ("front_desk", "admin")
# A scheduler who finds a booking past an approval starts its renewal draft; the front desk
# completes the evidence and submits it.
START_RENEWALS = ("scheduler", "front_desk", "admin")
BOOK_INFUSIONS = ("scheduler", "front_desk", "admin")
RECORD_ADMINISTRATION = ("billing", "admin")
BILLING = ("billing", "admin")  # the billing worklist, marking billed, claim-line CSV
VERIFY_ELIGIBILITY = ("scheduler", "front_desk", "admin")
VIEW_AUDIT = ("admin",)
MANAGE_STAFF = ("admin",)


def has_role(user, allowed: tuple[str, ...]) -> bool:
    """Admins may do everything; others need one of the roles."""
    return user.role == "admin" or user.role in allowed


def may(allowed: tuple[str, ...]) -> bool:
    """Whether the signed-in user may (for pages showing or hiding a button)."""
    return has_role(current_user, allowed)


def ensure_role(user, allowed: tuple[str, ...]) -> None:
    if not has_role(user, allowed):
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
