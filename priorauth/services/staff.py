"""Staff administration: invite, change role, deactivate and reactivate a clinic's users.

Each action is scoped to the actor's clinic (another clinic's user is not found; an actor of
None is an operator at the command line and may act on any user), records an audit event,
flushes and never commits.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from priorauth.errors import Conflict, NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import Clinic, Role, User
from priorauth.models.base import INTEGER_MAX
from priorauth.services import accounts, audit
from priorauth.services.scope import get_owned

ROLES = tuple(r.value for r in Role)
NAME_LENGTH = 200
EMAIL_LENGTH = 254


def member(actor, user_id: int) -> User:
    """A user of the actor's clinic (404 for another clinic's); any user for actor None."""
    if actor is not None:
        return get_owned(User, user_id, actor.clinic_id, what="user")
    user = db.session.get(User, user_id) if 1 <= user_id <= INTEGER_MAX else None
    if user is None:
        raise NotFound(f"user {user_id} not found", {"id": [f"no user with id {user_id}"]})
    return user


def by_email(email: str) -> User:
    """The user with this email (any clinic: for operators)."""
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        raise NotFound(f"no user with email {email}", {"email": [f"no user with email {email}"]})
    return user


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationFailed.on("role", f"must be one of {', '.join(ROLES)}")
    return role


def _lock_clinic(clinic_id: int) -> None:
    """Serialise admin changes of one clinic until the transaction ends, so that two admins
    demoting each other at once cannot both pass the last-admin check.

    PostgreSQL: SELECT ... FOR UPDATE on the clinic row. SQLite: a no-op UPDATE opens the
    write transaction now, which makes the other one wait.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(Clinic.id).where(Clinic.id == clinic_id).with_for_update())
        return
    table = Clinic.__table__
    db.session.execute(sa.update(table).where(table.c.id == clinic_id).values(id=table.c.id))


def _keep_an_admin(user: User, what: str) -> None:
    """Refuse to leave the clinic without an active admin."""
    if user.role != Role.ADMIN or not user.active:
        return
    _lock_clinic(user.clinic_id)
    others = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.clinic_id == user.clinic_id,
            User.role == Role.ADMIN.value,
            User.active.is_(True),
            User.id != user.id,
        )
    )
    if not others:
        raise Conflict(
            f"{user.name} is the clinic's last active admin and cannot be {what}; "
            "make someone else an admin first",
            code="LAST_ADMIN",
        )


def change_role(actor, user_id: int, role: str) -> User:
    """Give the user another role; their sessions end so the new role applies at once."""
    user = member(actor, user_id)
    old = user.role
    if _check_role(role) == old:
        return user
    _keep_an_admin(user, "given another role")
    user.role = role
    accounts.end_sessions(user)
    audit.record(actor, user, "role_changed", changes={"from": old, "to": role})
    return user


def deactivate(actor, user_id: int) -> User:
    """The user can no longer sign in or use a token; their sessions end."""
    user = member(actor, user_id)
    if not user.active:
        raise Conflict(f"{user.name} is already deactivated", code="ALREADY_INACTIVE")
    _keep_an_admin(user, "deactivated")
    user.active = False
    accounts.end_sessions(user)
    audit.record(actor, user, "deactivated")
    return user


def reactivate(actor, user_id: int) -> User:
    user = member(actor, user_id)
    if user.active:
        raise Conflict(f"{user.name} is already active", code="ALREADY_ACTIVE")
    user.active = True
    audit.record(actor, user, "reactivated")
    return user


def _invitee(name: str, email: str) -> tuple[str, str]:
    """Checked name and email of a new user, or ValidationFailed naming the field."""
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not name:
        raise ValidationFailed.on("name", "is required")
    if len(name) > NAME_LENGTH:
        raise ValidationFailed.on("name", f"is longer than {NAME_LENGTH} characters")
    local, at, domain = email.partition("@")
    if not (local and at and "." in domain) or any(c.isspace() for c in email):
        raise ValidationFailed.on("email", "is not an email address")
    if len(email) > EMAIL_LENGTH:
        raise ValidationFailed.on("email", f"is longer than {EMAIL_LENGTH} characters")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise ValidationFailed.on("email", f"{email} already has an account")
    return name, email


def invite(actor, name: str, email: str, role: str) -> User:
    """A new user of the actor's clinic with an unusable random password.

    The caller commits, then sends the invitation link (notify.password_links.send_link).
    """
    _check_role(role)
    name, email = _invitee(name, email)
    user = User(clinic_id=actor.clinic_id, email=email, name=name, role=role)
    user.set_password(secrets.token_urlsafe(32))  # known to no one: the link sets one
    db.session.add(user)
    db.session.flush()
    audit.record(actor, user, "invited", changes={"email": email, "role": role})
    return user


def reset_target(actor, user_id: int) -> User:
    """The user to send a password reset link to: only an active one.

    (The caller sends it with notify.password_links.send_link(user, "reset", actor).)
    """
    user = member(actor, user_id)
    if not user.active:
        raise Conflict(
            f"{user.name} is deactivated; reactivate them before sending a reset link",
            code="INACTIVE",
        )
    return user
