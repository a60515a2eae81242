"""Owners on the pages (docs/follow-through.md, Owners): give a request to someone from its
page, reassign the ticked rows of a queue in bulk, and the clinic's default owner of each
queue (its own section on the clinic settings page, saved here).

A refusal (an owner who is not an active user of the clinic, a request of another clinic,
no row ticked) answers the error page with its status, naming the field; nothing changes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain import queues as registry
from priorauth.errors import ValidationFailed
from priorauth.permissions import EDIT_CLINIC, REASSIGN_OWNERS, may, role_required
from priorauth.queries import owner_sql
from priorauth.queries.reminders import thresholds_of
from priorauth.schemas.owners import OwnerSchema, QueueOwnersSchema, ReassignSchema
from priorauth.services import owners
from priorauth.web.commit import committed
from priorauth.web.forms import parse_form, safe_next, service_errors

bp = Blueprint("owners", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


NO_ONE = "none"  # the owner select's "No one (the queue's default owner)"


def _owner_field(form) -> dict:
    """The owner select's "none" means no owner (the queue's default owner then); left
    blank, the owner is missing (a refusal naming it)."""
    return {"owner_id": None} if form.get("owner_id", "").strip() == NO_ONE else {}


def _parsed(schema, list_fields: tuple[str, ...] = ()) -> dict:
    """The form loaded by the schema, or the refusal naming each field."""
    extra = _owner_field(request.form) if "owner_id" in schema.fields else {}
    data, errors = parse_form(schema, request.form, list_fields, **extra)
    if data is None:
        raise ValidationFailed(_sentences(errors), errors)
    return data


def _sentences(errors: dict) -> str:
    return " ".join(str(m) for messages in errors.values() for m in messages)


def _done(use_case, schema):
    """Run and commit the use case, or answer its refusal (rolled back) in words naming
    the form's fields by their labels."""
    result, refusal = committed(use_case)
    if refusal is not None:
        worded = service_errors(refusal, schema.fields)
        raise type(refusal)(_sentences(worded), refusal.errors)
    return result


def _name(owner_id: int | None) -> str:
    if owner_id is None:
        return "no one (the queue's default owner)"
    return owner_sql.owner_names(current_user.clinic_id)[owner_id][0]


@bp.post("/authorizations/<int:auth_id>/owner")
@role_required(REASSIGN_OWNERS)
def reassign(auth_id: int):
    schema = OwnerSchema()
    owner_id = _parsed(schema)["owner_id"]
    _done(lambda: owners.reassign(current_user, auth_id, owner_id), schema)
    flash(f"Request #{auth_id} is now owned by {_name(owner_id)}.", "success")
    return redirect(url_for("authorizations.show", auth_id=auth_id), 303)


@bp.post("/queues/reassign")
@role_required(REASSIGN_OWNERS)
def reassign_many():
    """The ticked rows (`ids`) of a queue to the chosen owner (`owner_id`), all or none, then
    back to the queue (`next`)."""
    schema = ReassignSchema()
    data = _parsed(schema, ("ids",))
    changed = _done(
        lambda: owners.reassign_many(current_user, data["ids"], data["owner_id"]), schema
    )
    asked = len(data["ids"])
    flash(
        f"Reassigned {asked} request{'s' * (asked != 1)} to {_name(data['owner_id'])}"
        f" ({len(changed)} changed owner).",
        "success",
    )
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"), 303)


def queue_context(queue: registry.Queue) -> dict:
    """What a queue page needs for owners: the ?owner= filter (`owner`: a user id, "unowned"
    or None; `owner_arg` as it goes in links), the clinic's people by id, and whether the
    rows can be ticked and reassigned (requests, by those who may)."""
    raw = request.args.get("owner", "")
    owner = owner_sql.parse_owner(raw, current_user.id)
    arg = None if owner is None else str(owner)
    if owner == current_user.id and raw.strip().lower() == owner_sql.MINE:
        arg = owner_sql.MINE
    return {
        "owner": owner,
        "owner_arg": arg,
        "people": owner_sql.owner_names(current_user.clinic_id),
        "can_reassign": queue.subject == registry.AUTHORIZATION and may_reassign(),
    }


def owner_choices() -> list[tuple[int, str]]:
    """Jinja global: the active users an item can be given to, (id, name) by name."""
    return [(u.id, u.name) for u in owners.active_users(current_user.clinic_id)]


def queue_owner_settings(form: dict | None = None, errors: dict | None = None) -> dict:
    """Jinja global: what the queue owners form shows (the clinic settings page's section
    and its own page): each queue's title and chosen owner, the people, the errors."""
    limits = thresholds_of(current_user.clinic)
    return {
        "form": _stored() if form is None else form,
        "errors": errors or {},
        "titles": {q.name: q.title_for(limits) for q in registry.QUEUES},
        "choices": owner_choices(),
        "can_edit": may(EDIT_CLINIC),
    }


def _stored() -> dict[str, str]:
    found = owners.queue_owners(current_user.clinic_id)
    return {name: "" if user_id is None else str(user_id) for name, user_id in found.items()}


def _settings_page(form: dict | None = None, errors: dict | None = None, status: int = 200):
    return render_template(
        "clinic/queue_owners.html", qo=queue_owner_settings(form, errors)
    ), status


@bp.get("/clinic/queue-owners")
def queue_owners():
    """Each queue's default owner: the owner of its items that have no owner of their own."""
    return _settings_page()


@bp.post("/clinic/queue-owners")
@role_required(EDIT_CLINIC)
def save_queue_owners():
    data, errors = parse_form(QueueOwnersSchema(), request.form)
    if data is None:
        return _settings_page(request.form, errors, 422)
    _, refusal = committed(lambda: owners.set_queue_owners(current_user, data))
    if refusal is not None:
        errors = service_errors(refusal, QueueOwnersSchema().fields)
        return _settings_page(request.form, errors, refusal.status)
    flash("Default owners of the work queues saved.", "success")
    return redirect(url_for("clinic.settings", _anchor="queue-owners"), 303)


def may_reassign() -> bool:
    """Jinja global: whether the signed-in user may give requests to someone."""
    return may(REASSIGN_OWNERS)


bp.add_app_template_global(owner_choices, "owner_choices")
bp.add_app_template_global(may_reassign, "may_reassign")
bp.add_app_template_global(queue_owner_settings, "queue_owner_settings")
