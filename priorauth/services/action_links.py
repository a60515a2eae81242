"""A digest's links to act on one reminder: acknowledge it, or give it an owner.

A link carries a random secret; only its SHA-256 is stored (`ActionLink.token_hash`). It
expires after ACTION_LINK_DAYS, works once (`used_at`) and needs a signed-in user of the
link's clinic: for anyone else it does not exist (404) and stays unused. A used or expired
link changes nothing. Links are made when a digest is rendered for sending (notify/).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from priorauth.errors import Conflict, Forbidden, NotFound
from priorauth.extensions import db
from priorauth.models import ActionLink, ReminderState, User
from priorauth.models.users import hash_token
from priorauth.services import clock, reminder_states

ACTIONS = ("acknowledge", "reassign")


def lifetime() -> timedelta:
    return timedelta(days=current_app.config["ACTION_LINK_DAYS"])


def issue(
    user: User, keys: Iterable[str], actions: Iterable[str] = ACTIONS
) -> dict[str, dict[str, str]]:
    """A link of each action for each reminder key, for the user's digest:
    {key: {"acknowledge": token, "reassign": token}} (the tokens are shown only here); only
    the actions given (a reader who may not reassign gets no reassign link). One statement
    however many."""
    expires = clock.now_utc() + lifetime()
    chosen = tuple(actions)
    # hex, not urlsafe: a token never looks like a word or a code in the digest's text
    found = {key: {action: secrets.token_hex(32) for action in chosen} for key in keys}
    rows = [
        {
            "clinic_id": user.clinic_id,
            "token_hash": hash_token(token),
            "action": action,
            "reminder_key": key,
            "user_id": user.id,
            "expires_at": expires,
        }
        for key, tokens in found.items()
        for action, token in tokens.items()
    ]
    if rows:
        db.session.execute(sa.insert(ActionLink.__table__), rows)
    return found


def _gone(code: str, message: str) -> Conflict:
    return Conflict(message, {"token": [message]}, code=code)


def open_link(actor: User, token: str) -> tuple[ActionLink, ReminderState]:
    """The link and its reminder, if the actor may use it now: an unknown token or another
    clinic's is NotFound; a used one LINK_USED, an expired one LINK_EXPIRED (409); a reminder
    no longer due NotFound."""
    link = db.session.scalar(
        sa.select(ActionLink).where(ActionLink.token_hash == hash_token(token))
    )
    if link is None or link.clinic_id != actor.clinic_id:
        raise NotFound("This link does not exist.", {"token": ["no such link"]})
    if link.used_at is not None:
        raise _gone("LINK_USED", "This link was already used; it works once.")
    if link.expires_at <= clock.now_utc():
        raise _gone("LINK_EXPIRED", "This link has expired.")
    return link, reminder_states.open_state(actor.clinic_id, link.reminder_key)


def _spend(link: ActionLink, actor: User, now: datetime) -> None:
    link.used_at, link.used_by_id = now, actor.id


def use(actor: User, token: str, owner_id=None, may_reassign: bool = True) -> ReminderState:
    """Do what the link is for (acknowledge, or reassign to owner_id: only who may give
    items to someone) and spend it; a refusal leaves the link unused."""
    link, _ = open_link(actor, token)
    if link.action == "reassign" and not may_reassign:
        raise Forbidden("Your role may not give reminders to someone.")
    if link.action == "reassign":
        state = reminder_states.reassign(actor, link.reminder_key, owner_id)
    else:
        state = reminder_states.acknowledge(actor, link.reminder_key)
    _spend(link, actor, clock.now_utc())
    db.session.flush()
    return state
