"""API tokens: issue, list, revoke, and find the user of a bearer token."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from types import SimpleNamespace

import sqlalchemy as sa

from priorauth.errors import Conflict, NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import ApiToken, User
from priorauth.models.base import INTEGER_MAX
from priorauth.models.users import hash_token
from priorauth.services import audit, clock

MAX_DAYS = 3650
LABEL_LENGTH = 100
# A token's last use is written at most this often, not on every request.
USE_STAMP_EVERY = timedelta(minutes=1)


def state(token: ApiToken, now: datetime) -> str:
    """revoked, expired or active (the token's own state; its user may still be inactive)."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def _bearer_token(request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def user_from_bearer(request) -> User | None:
    """Flask-Login request loader: `Authorization: Bearer <token>`.

    A revoked or expired token, or one of a deactivated user, is no token at all (401).
    """
    plain = _bearer_token(request)
    if plain is None:
        return None
    found = db.session.execute(_by_hash(), {"token_hash": hash_token(plain)}).first()
    now = clock.now_utc()
    if found is None:
        return None
    token = SimpleNamespace(**found._mapping)  # the token's columns read beside its user
    if state(token, now) != "active" or not found.User.active:
        return None
    _stamp_use(token, now)
    request.environ["priorauth.auth"] = "bearer"
    return found.User


@cache
def _by_hash() -> sa.Select:
    """The user and the token's state in one statement, one entity (not two: the request
    loader runs on every API call); built once."""
    return (
        sa.select(
            User,
            ApiToken.id.label("id"),
            ApiToken.revoked_at,
            ApiToken.expires_at,
            ApiToken.last_used_at,
        )
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == sa.bindparam("token_hash"))
    )


def _stamp_use(row: ApiToken, now: datetime) -> None:
    """Write last_used_at when the stored value is older than a minute.

    It goes through its own short transaction, so it neither waits for nor commits the
    request's own work (a GET commits nothing; a refused write rolls back).
    """
    if row.last_used_at is not None and now - row.last_used_at < USE_STAMP_EVERY:
        return
    stale = sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - USE_STAMP_EVERY)
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(ApiToken).where(ApiToken.id == row.id, stale).values(last_used_at=now)
        )


def _label(label: str | None) -> str | None:
    label = (label or "").strip()
    if len(label) > LABEL_LENGTH:
        raise ValidationFailed.on("label", f"is longer than {LABEL_LENGTH} characters")
    return label or None


def _expiry(expires_in_days: int | None) -> datetime | None:
    if expires_in_days is None:
        return None
    if not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= MAX_DAYS:
        raise ValidationFailed.on("expires_in_days", f"must be whole days from 1 to {MAX_DAYS}")
    return clock.now_utc() + timedelta(days=expires_in_days)


def issue(
    user: User, label: str | None = None, expires_in_days: int | None = None, actor=None
) -> tuple[ApiToken, str]:
    """A new token for the user -> (row, plain token). Only the hash is stored: show it once.

    `actor` is who asked (None: an operator at the command line).
    """
    if not user.active:
        raise Conflict(f"{user.email} is deactivated; reactivate them first", code="INACTIVE")
    label, expires_at = _label(label), _expiry(expires_in_days)
    row, plain = ApiToken.issue(user)
    row.label, row.expires_at = label, expires_at
    db.session.add(row)
    db.session.flush()
    changes = {"token_id": row.id, "label": label, "expires_at": expires_at}
    audit.record(actor, user, "api_token_issued", changes=changes)
    return row, plain


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def find(actor, token_id) -> ApiToken:
    """The token, when it belongs to someone in the actor's clinic (any clinic for None)."""
    usable_id = isinstance(token_id, int) and 1 <= token_id <= INTEGER_MAX
    row = db.session.get(ApiToken, token_id) if usable_id else None
    if row is None or (actor is not None and row.user.clinic_id != actor.clinic_id):
        raise NotFound(f"API token {token_id} not found", {"id": [f"no API token {token_id}"]})
    return row


def revoke(actor, token_id: int) -> ApiToken:
    """Revoke a token for good; from then on it answers 401 like an unknown token."""
    row = find(actor, token_id)
    if row.revoked_at is not None:
        raise Conflict(f"API token {row.id} was already revoked")
    row.revoked_at = clock.now_utc()
    changes = {"token_id": row.id, "label": row.label}
    audit.record(actor, row.user, "api_token_revoked", changes=changes)
    return row
