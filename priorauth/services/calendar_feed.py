"""The calendar feed's secret URL: create or rotate it (the plain secret is shown once, only
its hash is stored), remove it, and find whose feed a secret opens."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from priorauth.errors import Conflict
from priorauth.extensions import db
from priorauth.models import User
from priorauth.models.users import hash_token
from priorauth.services import audit, clock

PREFIX = "cal_"
LONGEST = 100  # a secret is 47 characters; anything much longer is not one of ours


def issue(user: User) -> str:
    """A new feed secret for the user -> the plain secret (its URL works from now on).

    A user who had one gets a new one: the old URL answers 404 from then on (rotation).
    """
    action = "calendar_feed_rotated" if user.calendar_token_hash else "calendar_feed_created"
    plain = PREFIX + secrets.token_urlsafe(32)
    user.calendar_token_hash = hash_token(plain)
    user.calendar_token_created_at = clock.now_utc()
    audit.record(user, user, action)
    return plain


def remove(user: User) -> None:
    """Remove the user's feed: its URL answers 404 from now on."""
    if user.calendar_token_hash is None:
        raise Conflict("You have no calendar feed to remove.", code="NO_CALENDAR_FEED")
    user.calendar_token_hash = None
    user.calendar_token_created_at = None
    audit.record(user, user, "calendar_feed_removed")


def user_for_secret(secret: str) -> User | None:
    """The active user whose feed this secret opens, else None (one indexed lookup)."""
    if not secret.startswith(PREFIX) or len(secret) > LONGEST:
        return None
    query = sa.select(User).where(User.calendar_token_hash == hash_token(secret))
    user = db.session.scalar(query)
    return user if user is not None and user.active else None
