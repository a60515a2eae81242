"""Emailed links that let a person choose a password: a reset, or an invitation.

A link carries a signed token: the user's id and a fingerprint of their password hash and
session version, with the time it was made. It expires after PASSWORD_RESET_LINK_HOURS or
PASSWORD_INVITE_LINK_HOURS, and works once: setting the password changes the fingerprint (so
does signing out, or an admin ending the user's sessions). Nothing is stored for a link.
The email that carries a link is notify/password_links.py (sent by the page, after the commit).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from priorauth.extensions import db
from priorauth.models import User
from priorauth.models.base import INTEGER_MAX
from priorauth.services import clock

HOURS_SETTING = {"reset": "PASSWORD_RESET_LINK_HOURS", "invite": "PASSWORD_INVITE_LINK_HOURS"}
ENDPOINT = {"reset": "auth.reset_password", "invite": "auth.accept_invite"}


class _ClockSigner(TimestampSigner):
    """Stamps and ages tokens with priorauth's clock (which tests move)."""

    def get_timestamp(self) -> int:
        return clock.epoch_seconds(clock.now_utc())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in HOURS_SETTING:
        raise ValueError(f"unknown password link purpose {purpose!r}")
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt=f"priorauth.password-link.{purpose}",
        signer=_ClockSigner,
    )


def _fingerprint(user: User) -> str:
    """Changes when the password or the session version does, which spends the link."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    state = f"{user.id}:{user.password_hash}:{user.session_version}".encode()
    return hmac.new(key, state, hashlib.sha256).hexdigest()[:32]


def lifetime(purpose: str) -> timedelta:
    return timedelta(hours=current_app.config[HOURS_SETTING[purpose]])


def make_token(user: User, purpose: str) -> str:
    """A token for a reset ("reset") or an invitation ("invite") link."""
    return _serializer(purpose).dumps({"user": user.id, "state": _fingerprint(user)})


def user_for_token(token: str, purpose: str) -> User | None:
    """The active user the token was made for; None when it is forged, expired or spent."""
    max_age = int(lifetime(purpose).total_seconds())
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except BadData:
        return None
    user_id = data.get("user") if isinstance(data, dict) else None
    if type(user_id) is not int or not 1 <= user_id <= INTEGER_MAX:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(str(data.get("state")), _fingerprint(user)) else None


def link_for(user: User, purpose: str) -> str:
    """The full link, under BASE_URL (works without a request, e.g. from the command line)."""
    path = current_app.url_map.bind("localhost").build(
        ENDPOINT[purpose], {"token": make_token(user, purpose)}
    )
    return current_app.config["BASE_URL"].rstrip("/") + path
