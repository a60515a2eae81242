"""POST and GET /api/v1/authorizations/{id}/follow-ups: follow-ups with the payer on a
request awaiting its answer (docs/follow-through.md)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.api.audit import commits
from priorauth.extensions import db
from priorauth.permissions import EDIT_AUTHORIZATIONS, role_required
from priorauth.schemas.follow_ups import FollowUpInSchema, FollowUpOutSchema
from priorauth.services import follow_ups
from priorauth.services.clock import now_utc

blp = Blueprint(
    "follow_ups",
    __name__,
    url_prefix="/authorizations",
    description="Follow-ups with the payer on requests awaiting its answer",
)


@blp.route("/<int:auth_id>/follow-ups")
class FollowUps(MethodView):
    @commits
    @blp.response(200, FollowUpOutSchema(many=True))
    def get(self, auth_id):
        """The request's follow-ups, latest first. Audited."""
        return follow_ups.viewed(current_user, auth_id)

    @role_required(EDIT_AUTHORIZATIONS)
    @blp.arguments(FollowUpInSchema)
    @blp.response(201, FollowUpOutSchema)
    def post(self, data, auth_id):
        """Log a follow-up (channel, who was reached, what the payer said); it restarts the
        follow-up cadence. Refused (409 NOT_AWAITING_PAYER) unless submitted or appealed."""
        row = follow_ups.log(current_user, auth_id, data, now_utc())
        db.session.commit()
        return row
