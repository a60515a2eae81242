"""Browser sessions: what the cookie holds and when a session ends.

Besides Flask-Login's user id, the (signed) cookie holds the user's session version at sign-in
and when the session began and was last used, in epoch seconds: nothing about the person.
A session ends when the user's version moves on (sign-out, password or role change,
deactivation), after SESSION_IDLE_MINUTES without a request, or SESSION_MAX_HOURS after
sign-in. There is no remember-me cookie.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import login_user, logout_user

from priorauth.api.errors import is_api_request
from priorauth.models import User
from priorauth.services import accounts, clock

VERSION, STARTED, SEEN = "ver", "signed_in_at", "seen_at"
USER_ID = "_user_id"  # where Flask-Login keeps the signed-in user's id


def _now() -> int:
    return clock.epoch_seconds(clock.now_utc())


def begin(user: User) -> None:
    """Sign the user in on this browser, in a fresh session."""
    session.clear()
    login_user(user, remember=False)
    session[VERSION] = user.session_version
    session[STARTED] = session[SEEN] = _now()


def renew(user: User) -> None:
    """Keep this browser signed in after the user's version moved on (their own password
    change): the session is re-issued with the new version; older copies stay refused."""
    session[VERSION] = user.session_version
    session[SEEN] = _now()


def end() -> None:
    """Sign this browser out (the caller ends the user's other sessions, if it should)."""
    logout_user()
    for key in (VERSION, STARTED, SEEN):
        session.pop(key, None)


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the active user, when the session carries their version."""
    user = accounts.load_user(user_id)
    if user is None or session.get(VERSION) != user.session_version:
        return None
    return user


def _why_ended(now: int) -> str | None:
    """Why the session has ended by the clock, in words; None while it lasts."""
    started, seen = session.get(STARTED), session.get(SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return "Your session ended. Sign in again."
    idle = current_app.config["SESSION_IDLE_MINUTES"]
    if now - seen > idle * 60:
        return f"Your session ended after {idle} minutes without activity. Sign in again."
    hours = current_app.config["SESSION_MAX_HOURS"]
    if now - started > hours * 3600:
        return f"Your session ended {hours} hours after you signed in. Sign in again."
    return None


def end_when_expired():
    """Before every request: note the activity, or end a session that is idle or too old.

    A page is then sent to the sign-in page with the reason; an API call carries on without
    a user (and is answered 401 unless it has a bearer token).
    """
    if USER_ID not in session:
        return None
    now = _now()
    reason = _why_ended(now)
    if reason is None:
        session[SEEN] = now
        return None
    end()
    if is_api_request():
        return None
    flash(reason, "info")
    if request.blueprint == "auth" or request.endpoint in (None, "static"):
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))
