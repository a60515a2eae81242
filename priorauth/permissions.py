"""Who may do what: roles per action, checked by api/ and web/ before calling a service."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from priorauth.domain.vocab import Role
from priorauth.errors import Forbidden

EDIT_PAYERS = (Role.ADMIN,)
EDIT_CLINIC = (Role.ADMIN,)
EDIT_PATIENTS = (Role.FRONT_DESK, Role.ADMIN)
EDIT_EVIDENCE = (Role.FRONT_DESK, Role.ADMIN)
EDIT_AUTHORIZATIONS = (Role.FRONT_DESK, Role.ADMIN)
EDIT_LETTERS = (Role.FRONT_DESK, Role.ADMIN)  # draft and edit a request's letters
EDIT_LETTER_TEMPLATES = (Role.ADMIN,)  # the clinic's wording of each letter kind
SEND_PACKETS = (Role.FRONT_DESK, Role.ADMIN)  # mark a submission or appeal packet sent
# A scheduler who finds a booking past an approval starts its renewal draft; the front desk
# completes the evidence and submits it.
START_RENEWALS = (Role.SCHEDULER, Role.FRONT_DESK, Role.ADMIN)
BOOK_INFUSIONS = (Role.SCHEDULER, Role.FRONT_DESK, Role.ADMIN)
RECORD_ADMINISTRATION = (Role.BILLING, Role.ADMIN)
BILLING = (Role.BILLING, Role.ADMIN)  # the billing worklist, marking billed, claim-line CSV
VERIFY_ELIGIBILITY = (Role.SCHEDULER, Role.FRONT_DESK, Role.ADMIN)
# Upload and delete a patient's documents (everyone signed in may view and download them).
EDIT_ATTACHMENTS = (Role.FRONT_DESK, Role.ADMIN)
VIEW_AUDIT = (Role.ADMIN,)
# Give requests to an owner, one by one or in bulk from a queue (docs/follow-through.md).
REASSIGN_OWNERS = (Role.FRONT_DESK, Role.SCHEDULER, Role.ADMIN)
MANAGE_STAFF = (Role.ADMIN,)


def has_role(user, allowed: tuple[str, ...]) -> bool:
    """Admins may do everything; others need one of the roles."""
    return user.role == Role.ADMIN or user.role in allowed


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
