"""The clinic's staff (admins only): invite, change role, deactivate, reset, API tokens."""

from __future__ import annotations

import logging
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain.vocab import Role, label
from priorauth.errors import AppError, NotFound
from priorauth.extensions import db
from priorauth.notify import password_links as link_mail
from priorauth.permissions import MANAGE_STAFF, ensure_role
from priorauth.queries import lists
from priorauth.queries.paging import page_request
from priorauth.services import clock, staff, tokens
from priorauth.web.commit import committed
from priorauth.web.forms import refusal_errors
from priorauth.web.paging import pager

bp = Blueprint("staff", __name__, url_prefix="/staff")
log = logging.getLogger("priorauth.staff")

ROLE_OPTIONS = Role.choices()
INVITE_FIELDS = ("name", "email", "role")


@bp.before_request
@login_required
def _admins_only():
    """Every page here needs a signed-in admin (others get 403)."""
    ensure_role(current_user, MANAGE_STAFF)


def _send_link(user, purpose: str) -> bool:
    """Mail the user a link to set a password ("invite" or "reset"), after the commit.

    A mail server that refuses or cannot be reached is said in words (no 500): the admin
    can send a reset link later, which sets a password just as well.
    """
    try:
        link_mail.send_link(user, purpose, current_user)
    except OSError as error:  # smtplib errors and a full or unwritable outbox
        db.session.rollback()
        log.warning("password link (%s) for user %s not sent: %s", purpose, user.id, error)
        flash("The email could not be sent; try “Send a password reset link” later.", "error")
        return False
    db.session.commit()
    return True


def _index(form, errors, status: int = 200):
    """The staff list (a page of it) and the invitation form."""
    members = lists.staff(current_user.clinic_id, *page_request(request.args))
    page = render_template(
        "staff/index.html",
        members=members.items,
        paging=pager(members, endpoint="staff.index"),
        now=clock.now_utc(),
        roles=ROLE_OPTIONS,
        form=form,
        errors=errors,
    )
    return page, status


@bp.get("")
def index():
    return _index({"role": Role.FRONT_DESK}, {})


@bp.post("/invite")
def invite():
    form = request.form
    user, refusal = committed(
        lambda: staff.invite(current_user, form.get("name"), form.get("email"), form.get("role"))
    )
    if refusal is not None:
        return _index(form, refusal_errors(refusal, INVITE_FIELDS), refusal.status)
    if _send_link(user, "invite"):
        flash(f"{user.name} is invited; a link to set a password went to {user.email}.", "success")
    return redirect(url_for("staff.show", user_id=user.id))


def _show(user_id: int, errors: dict, status: int = 200):
    member = staff.member(current_user, user_id)
    now = clock.now_utc()
    rows = [(token, tokens.state(token, now)) for token in tokens.tokens_of(member)]
    page = render_template(
        "staff/show.html",
        member=member,
        tokens=rows,
        now=now,
        roles=ROLE_OPTIONS,
        form={"role": member.role},
        errors=errors,
    )
    return page, status


@bp.get("/<int:user_id>")
def show(user_id: int):
    return _show(user_id, {})


def _act(user_id: int, action, done: str):
    """Run a staff action, commit and go back to the user's page; a refusal is shown there."""
    _, refusal = committed(action)
    if isinstance(refusal, NotFound):
        raise refusal
    if refusal is not None:
        return _show(user_id, refusal_errors(refusal, ("role",)), refusal.status)
    flash(done, "success")
    return redirect(url_for("staff.show", user_id=user_id))


@bp.post("/<int:user_id>/role")
def change_role(user_id: int):
    role = request.form.get("role", "")
    action = partial(staff.change_role, current_user, user_id, role)
    return _act(user_id, action, f"Role changed to {label(role, Role).lower()}.")


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int):
    action = partial(staff.deactivate, current_user, user_id)
    return _act(user_id, action, "Deactivated: they are signed out and their tokens refused.")


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id: int):
    action = partial(staff.reactivate, current_user, user_id)
    return _act(user_id, action, "Reactivated: they can sign in again.")


@bp.post("/<int:user_id>/reset")
def send_reset(user_id: int):
    try:
        user = staff.reset_target(current_user, user_id)
    except NotFound:
        raise
    except AppError as error:
        return _show(user_id, refusal_errors(error, ()), error.status)
    if _send_link(user, "reset"):
        flash(f"A link to set a new password went to {user.email}.", "success")
    return redirect(url_for("staff.show", user_id=user.id))


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    user_id = tokens.find(current_user, token_id).user_id  # another clinic's token: 404
    action = partial(tokens.revoke, current_user, token_id)
    return _act(user_id, action, f"API token {token_id} revoked.")
