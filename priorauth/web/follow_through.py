"""Pages: the escalated reminders, acknowledging and reassigning one reminder, and the
digest's single-use links to do either (docs/follow-through.md)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain.queues import BY_REMINDER
from priorauth.errors import Conflict, NotFound
from priorauth.permissions import REASSIGN_OWNERS, may
from priorauth.queries import escalations
from priorauth.queries.reminders import thresholds_of
from priorauth.schemas.reminder_states import (
    AcknowledgeReminderSchema,
    LinkReassignSchema,
    ReassignReminderSchema,
)
from priorauth.services import action_links, owners, reminder_states
from priorauth.services.clock import clinic_now
from priorauth.web.commit import committed
from priorauth.web.forms import parse_form, safe_next, service_errors

bp = Blueprint("follow_through", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user (a link's reader signs in, then comes back)."""


@bp.get("/escalated")
def escalated():
    """Due reminders nobody acknowledged in time, with their owner; states synced first."""
    clinic = current_user.clinic
    now = clinic_now(clinic)
    reminders, _ = committed(lambda: escalations.synced(clinic, now))
    messages = {reminder_states.key_of(r): r.message for r in reminders}
    return render_template(
        "follow_through/escalated.html",
        rows=escalations.rows(clinic.id, now.date(), messages),
        users=owners.active_users(clinic.id),
        days=clinic.escalation_business_days,
        today=now.date(),
    )


def _back() -> str:
    return safe_next(request.form.get("next")) or url_for("follow_through.escalated")


def _act(schema, use_case, done: str):
    """Parse the form, run the use case on the reminder, say how it went, go back."""
    data, errors = parse_form(schema, request.form)
    if errors:
        flash(" ".join(m for v in errors.values() for m in v), "error")
        return redirect(_back())
    _, refusal = committed(lambda: use_case(data))
    if refusal is None:
        flash(done, "success")
    else:
        flash(" ".join(m for v in service_errors(refusal).values() for m in v), "error")
    return redirect(_back())


@bp.post("/reminders/acknowledge")
def acknowledge():
    return _act(
        AcknowledgeReminderSchema(),
        lambda data: reminder_states.acknowledge(current_user, data["key"]),
        "Acknowledged: the reminder will not escalate.",
    )


@bp.post("/reminders/reassign")
def reassign():
    if not may(REASSIGN_OWNERS):
        abort(403)
    return _act(
        ReassignReminderSchema(),
        lambda data: reminder_states.reassign(current_user, data["key"], data["owner_id"]),
        "The reminder has a new owner.",
    )


def _link_page(token: str, errors: dict | None = None, status: int = 200):
    """The link's page: what it will do, or why it cannot (used, expired, no longer due)."""
    try:
        link, state = action_links.open_link(current_user, token)
    except NotFound as refusal:
        if "token" in refusal.errors:
            abort(404)
        return _spent(refusal, 410)
    except Conflict as refusal:
        return _spent(refusal, 410)
    if link.action == "reassign" and not may(REASSIGN_OWNERS):
        abort(403)
    return render_template(
        "follow_through/link.html",
        link=link,
        state=state,
        token=token,
        kind=BY_REMINDER[state.type].group_title_for(thresholds_of(current_user.clinic)),
        owner_options=[(u.id, u.name) for u in owners.active_users(current_user.clinic_id)],
        errors=errors or {},
    ), status


def _spent(refusal, status: int):
    """A link that cannot be used: a clear page, nothing changed."""
    return render_template("follow_through/link_spent.html", refusal=refusal), status


@bp.get("/links/<token>")
def link(token: str):
    return _link_page(token)


@bp.post("/links/<token>")
def use_link(token: str):
    """Do what the link is for: acknowledge, or give the reminder the owner chosen."""
    owner_id = None
    if "owner_id" in request.form:  # a reassign link's form (the link says what it does)
        data, errors = parse_form(LinkReassignSchema(), request.form)
        if errors:
            return _link_page(token, errors, 400)
        owner_id = data["owner_id"]
    allowed = may(REASSIGN_OWNERS)
    _, refusal = committed(lambda: action_links.use(current_user, token, owner_id, allowed))
    if refusal is None:
        flash("Acknowledged." if owner_id is None else "The reminder has a new owner.", "success")
        return redirect(url_for("follow_through.escalated"))
    if isinstance(refusal, NotFound) and "token" in refusal.errors:
        abort(404)
    return _link_page(token, service_errors(refusal), refusal.status)
