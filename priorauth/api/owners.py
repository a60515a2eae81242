"""Owners (docs/follow-through.md): give a request to an owner, reassign requests in bulk,
and the clinic's default owner per work queue."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.extensions import db
from priorauth.permissions import EDIT_CLINIC, REASSIGN_OWNERS, role_required
from priorauth.schemas.authorizations import AuthorizationOutSchema
from priorauth.schemas.owners import (
    OwnerSchema,
    QueueOwnersSchema,
    ReassignedSchema,
    ReassignSchema,
)
from priorauth.services import authorizations, owners
from priorauth.services.clock import clinic_today

blp = Blueprint("owners", __name__, description="Owners of requests and work queues")


@blp.route("/authorizations/<int:auth_id>/owner")
class RequestOwner(MethodView):
    @role_required(REASSIGN_OWNERS)
    @blp.arguments(OwnerSchema)
    @blp.response(200, AuthorizationOutSchema)
    def patch(self, data, auth_id):
        """Give the request to an active user of the clinic (null: back to its queue's
        default owner); audited as "reassigned" when the owner changes."""
        owners.reassign(current_user, auth_id, data["owner_id"])
        db.session.commit()
        today = clinic_today(current_user.clinic)
        return authorizations.get_authorization(current_user.clinic_id, auth_id, today)


@blp.route("/authorizations/reassign")
class Reassign(MethodView):
    @role_required(REASSIGN_OWNERS)
    @blp.arguments(ReassignSchema)
    @blp.response(200, ReassignedSchema)
    def post(self, data):
        """Give several requests to one owner in one transaction: an id that is not a request
        of the clinic refuses them all (404 naming `ids`); one audit event per request whose
        owner changes."""
        changed = owners.reassign_many(current_user, data["ids"], data["owner_id"])
        db.session.commit()
        return {
            "owner_id": data["owner_id"],
            "ids": data["ids"],
            "changed": [a.id for a in changed],
        }


@blp.route("/clinic/queue-owners")
class QueueOwners(MethodView):
    @blp.response(200, QueueOwnersSchema)
    def get(self):
        """Each work queue's default owner (a user id; null: none): the owner of the queue's
        items that have no owner of their own."""
        return owners.queue_owners(current_user.clinic_id)

    @role_required(EDIT_CLINIC)
    @blp.arguments(QueueOwnersSchema)
    @blp.response(200, QueueOwnersSchema)
    def put(self, data):
        """Replace the default owners (admins): a queue left out or null has none. Each must
        be an active user of the clinic (422 naming the queue); one audit event."""
        answer = owners.set_queue_owners(current_user, data)
        db.session.commit()
        return answer
