"""Authorization requests, their checklist and their transitions."""

from __future__ import annotations

from dataclasses import asdict

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.api.audit import commits
from priorauth.api.idempotency import idempotent
from priorauth.domain.workflow import STORED_STATUSES
from priorauth.extensions import db
from priorauth.models.base import INTEGER_MAX
from priorauth.permissions import EDIT_AUTHORIZATIONS, START_RENEWALS, role_required
from priorauth.queries import lists
from priorauth.queries.owner_sql import parse_owner
from priorauth.queries.paging import TOTAL_HEADER, window
from priorauth.schemas import Date, UtcDateTime, id_field
from priorauth.schemas.authorizations import (
    AuthorizationInSchema,
    AuthorizationOutSchema,
    AuthorizationPatchSchema,
    ChecklistSchema,
    PayerChangeSchema,
    RenewalSchema,
    TransitionSchema,
)
from priorauth.schemas.owners import owner_filter
from priorauth.services import audit, renewals
from priorauth.services import authorizations as service
from priorauth.services.clock import clinic_today, utcnow
from priorauth.services.transitions import transition
from priorauth.services.usage import views

blp = Blueprint(
    "authorizations", __name__, url_prefix="/authorizations", description="Authorization requests"
)


class ListQuery(ma.Schema):
    patient_id = id_field()
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in STORED_STATUSES]))
    owner = owner_filter()
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))
    offset = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=INTEGER_MAX))


class AsOfQuery(ma.Schema):
    as_of = Date()


class AuditEventSchema(ma.Schema):
    at = UtcDateTime()
    user_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    changes = ma.fields.Dict(allow_none=True)
    note = ma.fields.String(allow_none=True)


def _today():
    return clinic_today(current_user.clinic)


@blp.route("")
class Authorizations(MethodView):
    @commits
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, AuthorizationOutSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """Requests of the clinic, newest first; filter by patient or stored status. Audited.
        X-Total-Count says how many match in all: ask for the next ones with `offset`."""
        limit, offset = args.pop("limit"), args.pop("offset")
        args["owner"] = parse_owner(args.pop("owner", None), current_user.id)
        query = lists.authorizations_with_coverage(current_user.clinic_id, **args)
        rows, total = window(query, limit, offset)
        audit.viewed_all(current_user, rows)
        return views(rows, _today()), {"X-Total-Count": str(total)}

    @role_required(EDIT_AUTHORIZATIONS)
    @idempotent
    @blp.arguments(AuthorizationInSchema)
    @blp.response(201, AuthorizationOutSchema)
    def post(self, data):
        """Log a request as a draft; units are computed from dose, code and administrations."""
        auth = service.create_authorization(current_user, data)
        db.session.commit()
        return service.get_authorization(current_user.clinic_id, auth.id, _today())


@blp.route("/<int:auth_id>")
class AuthorizationById(MethodView):
    @commits
    @blp.response(200, AuthorizationOutSchema)
    def get(self, auth_id):
        auth = service.get_authorization(current_user.clinic_id, auth_id, _today())
        audit.viewed(current_user, auth.auth)
        return auth

    @role_required(EDIT_AUTHORIZATIONS)
    @blp.arguments(AuthorizationPatchSchema)
    @blp.response(200, AuthorizationOutSchema)
    def patch(self, data, auth_id):
        """Edit a draft or pended request."""
        service.update_authorization(current_user, auth_id, data)
        db.session.commit()
        return service.get_authorization(current_user.clinic_id, auth_id, _today())


@blp.route("/<int:auth_id>/checklist")
class Checklist(MethodView):
    @commits
    @blp.arguments(AsOfQuery, location="query")
    @blp.response(200, ChecklistSchema)
    def get(self, args, auth_id):
        """What the payer asks, item by item: met, missing, not met, stale or not required."""
        as_of = args.get("as_of") or _today()
        auth = service.get_authorization(current_user.clinic_id, auth_id, as_of)
        audit.viewed(current_user, auth.auth, note="checklist")
        checklist = service.checklist_for(auth.auth, as_of)
        return {**asdict(checklist), "as_of": as_of}


@blp.route("/<int:auth_id>/transitions")
class Transitions(MethodView):
    @role_required(EDIT_AUTHORIZATIONS)
    @blp.arguments(TransitionSchema)
    @blp.response(200, AuthorizationOutSchema)
    def post(self, data, auth_id):
        """Move the request on: submit, pend, approve, deny, appeal, cancel, not required."""
        transition(current_user, auth_id, data, utcnow(), _today())
        db.session.commit()
        return service.get_authorization(current_user.clinic_id, auth_id, _today())


@blp.route("/<int:auth_id>/renew")
class Renew(MethodView):
    @role_required(START_RENEWALS)
    @idempotent
    @blp.arguments(RenewalSchema)
    @blp.response(201, AuthorizationOutSchema)
    def post(self, data, auth_id):
        """Extend or renew an approval: a new draft linked to it (renews_id). Fields left out
        are copied from the approval; the dates start the day after its end, same length."""
        auth = renewals.renew(current_user, auth_id, data)
        db.session.commit()
        return service.get_authorization(current_user.clinic_id, auth.id, _today())


@blp.route("/<int:auth_id>/payer-changes")
class PayerChanges(MethodView):
    @role_required(EDIT_AUTHORIZATIONS)
    @blp.arguments(PayerChangeSchema)
    @blp.response(200, AuthorizationOutSchema)
    def post(self, data, auth_id):
        """Record the payer's change to the approved dates, units or administrations (its
        reference required); refused when it leaves fewer than already given or booked."""
        renewals.record_payer_change(current_user, auth_id, data)
        db.session.commit()
        return service.get_authorization(current_user.clinic_id, auth_id, _today())


@blp.route("/<int:auth_id>/history")
class History(MethodView):
    @commits
    @blp.response(200, AuditEventSchema(many=True))
    def get(self, auth_id):
        """Every change to the request: who, when, from, to, note (views are not listed)."""
        auth = service.get_authorization(current_user.clinic_id, auth_id, _today())
        audit.viewed(current_user, auth.auth, note="history")
        return audit.history("authorization_requests", auth_id, current_user.clinic_id)
