"""Users, sign-in and API tokens."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import Clinic, Role, User
from priorauth.services import audit, clock, holidays, passwords

log = logging.getLogger("priorauth.auth")


def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if str(user_id).isdigit() else None
    return user if user is not None and user.active else None


@cache
def _unknown_account_hash() -> str:
    """A hash to check the password of an unknown email against: every refusal takes as
    long as a wrong password of a real account, so timing does not tell who has one."""
    return generate_password_hash(secrets.token_urlsafe(16))


def _is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def sign_in(email: str, password: str) -> User | None:
    """The user, when the password is right and the account active and not locked; else None.

    Every refusal looks alike to the caller. A known account gets its failure counter and
    an audit event (signed_in, sign_in_failed, locked); an unknown email has no user row and
    no clinic to audit against, so it is only logged, without the address that was typed.
    """
    email = (email or "").strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email)) if email else None
    if user is None:
        check_password_hash(_unknown_account_hash(), password)
        log.info("sign-in refused: no account has the email given")
        return None
    now = clock.now_utc()
    right = user.check_password(password)  # checked even when locked: same work either way
    if _is_locked(user, now):
        audit.record(None, user, "sign_in_failed", note="account locked")
    elif not right or not user.active:
        _count_failure(user, now, "wrong password" if not right else "account deactivated")
    else:
        _signed_in(user, now)
        return user
    return None


def _signed_in(user: User, now: datetime) -> None:
    user.failed_sign_ins, user.locked_until, user.last_sign_in_at = 0, None, now
    audit.record(user, user, "signed_in")


def _count_failure(user: User, now: datetime, why: str) -> None:
    """One more failure in a row; at SIGN_IN_LOCKOUT_FAILURES the account locks for a while."""
    user.failed_sign_ins = User.failed_sign_ins + 1  # in SQL: concurrent failures all count
    audit.record(None, user, "sign_in_failed", note=why)  # flushes, so the count is fresh
    failures = user.failed_sign_ins
    if failures < current_app.config["SIGN_IN_LOCKOUT_FAILURES"]:
        return
    minutes = current_app.config["SIGN_IN_LOCKOUT_MINUTES"]
    user.failed_sign_ins, user.locked_until = 0, now + timedelta(minutes=minutes)
    changes = {"failures": failures, "locked_until": user.locked_until}
    audit.record(None, user, "locked", changes=changes)


def end_sessions(user: User) -> None:
    """End every signed-in session of the user (their cookies carry the old version)."""
    user.session_version = User.session_version + 1
    db.session.flush()


def sign_out(user: User) -> None:
    """Sign out: this and every other session of the user ends."""
    end_sessions(user)
    audit.record(user, user, "signed_out")


def _new_password_errors(user: User, new: str, confirm: str) -> dict:
    errors = {}
    found = passwords.problems(new or "", email=user.email, name=user.name)
    if found:
        errors["new_password"] = found
    if (new or "") != (confirm or ""):
        errors["confirm"] = ["does not match the new password"]
    return errors


def _refuse(errors: dict) -> None:
    if errors:
        field, problems = next(iter(errors.items()))
        raise ValidationFailed(f"{field}: {problems[0]}", errors)


def _store_password(user: User, password: str) -> None:
    user.set_password(password)
    user.password_changed_at = clock.now_utc()
    end_sessions(user)


def change_password(user: User, current: str, new: str, confirm: str) -> User:
    """The user's own change; every session of theirs ends (the caller renews its own)."""
    errors = {}
    if not user.check_password(current or ""):
        errors["current_password"] = ["is not your current password"]
    elif (new or "") == current:
        errors["new_password"] = ["must differ from your current password"]
    _refuse(errors or _new_password_errors(user, new, confirm))
    _store_password(user, new)
    audit.record(user, user, "password_changed")
    return user


def set_password_from_link(user: User, purpose: str, new: str, confirm: str) -> User:
    """A password chosen through a reset or invitation link (which this use spends)."""
    _refuse(_new_password_errors(user, new, confirm))
    _store_password(user, new)
    user.failed_sign_ins, user.locked_until = 0, None
    action = "invite_accepted" if purpose == "invite" else "password_reset"
    audit.record(user, user, action)
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
    if password is not None:
        found = passwords.problems(password, email=email, name=name)
        _refuse({"password": found} if found else {})
    password = password or secrets.token_urlsafe(12)
    user = User(clinic=clinic, email=email, name=name, role=role)
    user.set_password(password)
    db.session.add(user)
    audit.record(None, user, "created", changes={"email": email, "role": role})
    return user, password


def update_digest_settings(actor, opt_in: bool, when_empty: bool) -> User:
    """The signed-in user's own digest choices."""
    settings = {"digest_opt_in": opt_in, "digest_when_empty": when_empty}
    audit.apply_changes(actor, actor, settings, "digest_settings")
    return actor


def update_clinic(actor, data: dict) -> Clinic:
    """An admin changes the clinic's time zone, digest hour or reminder thresholds."""
    holidays.check_place(actor.clinic, data)
    audit.apply_changes(actor, actor.clinic, data, "settings_updated")
    return actor.clinic
