"""Users, sign-in and API tokens."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import ApiToken, Clinic, Role, User
from priorauth.models.users import hash_token
from priorauth.services import audit


def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if str(user_id).isdigit() else None
    return user if user is not None and user.active else None


def user_from_bearer(request) -> User | None:
    """Flask-Login request loader: `Authorization: Bearer <token>`."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    row = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip()))
    )
    if row is None or not row.user.active:
        return None
    request.environ["priorauth.auth"] = "bearer"
    return row.user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def find_or_create_clinic(name: str, timezone: str = "America/New_York") -> Clinic:
    clinic = db.session.scalar(sa.select(Clinic).where(Clinic.name == name))
    if clinic is None:
        clinic = Clinic(name=name, timezone=timezone)
        db.session.add(clinic)
        db.session.flush()
    return clinic


def create_user(
    clinic: Clinic, email: str, name: str, role: str, password: str | None = None
) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none is given)."""
    email = email.strip().lower()
    if role not in {r.value for r in Role}:
        raise ValidationFailed.on("role", f"must be one of {', '.join(r.value for r in Role)}")
    if "@" not in email:
        raise ValidationFailed.on("email", "is not an email address")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise ValidationFailed.on("email", f"{email} already has an account")
    password = password or secrets.token_urlsafe(12)
    user = User(clinic=clinic, email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    audit.record(None, user, "created", changes={"email": email, "role": role})
    return user, password


def issue_token(user: User) -> str:
    """A new API token for the user; only its hash is stored, so show it once."""
    row, plain = ApiToken.issue(user)
    db.session.add(row)
    audit.record(None, user, "api_token_issued")
    return plain


def update_digest_settings(actor, opt_in: bool, when_empty: bool) -> User:
    """The signed-in user's own digest choices."""
    settings = {"digest_opt_in": opt_in, "digest_when_empty": when_empty}
    audit.apply_changes(actor, actor, settings, "digest_settings")
    return actor


def update_clinic(actor, data: dict) -> Clinic:
    """An admin changes the clinic's time zone, digest hour or reminder thresholds."""
    audit.apply_changes(actor, actor.clinic, data, "settings_updated")
    return actor.clinic
