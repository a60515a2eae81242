"""Billing (billing and admin roles): the claim lines of a date range, and marking
administrations billed (docs/domain.md §4)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.api.audit import commits
from priorauth.extensions import db
from priorauth.permissions import BILLING, role_required
from priorauth.queries import billing as queries
from priorauth.schemas.billing import (
    BilledSchema,
    BillingFilterSchema,
    ClaimLineRowSchema,
    MarkBilledSchema,
)
from priorauth.services import audit
from priorauth.services.billing import mark_billed
from priorauth.services.clock import clinic_today, now_utc

blp = Blueprint("billing", __name__, url_prefix="/billing", description="Billing")


@blp.route("/claim-lines")
class ClaimLines(MethodView):
    @commits
    @role_required(BILLING)
    @blp.arguments(BillingFilterSchema, location="query")
    @blp.response(200, ClaimLineRowSchema(many=True))
    def get(self, args):
        """Every claim line of the administrations given from `start` to `end` (clinic-local
        days; default the last 30 days), by billing status; the rows of the CSV. Audited."""
        found = queries.claims(current_user.clinic_id, args, clinic_today(current_user.clinic))
        audit.viewed_all(current_user, [claim.infusion for claim in found], "claim lines")
        return queries.line_rows(found)


@blp.route("/billed")
class Billed(MethodView):
    @role_required(BILLING)
    @blp.arguments(MarkBilledSchema)
    @blp.response(200, BilledSchema)
    def post(self, data):
        """Mark administrations billed, all or none (409 NOT_READY_TO_BILL naming each one
        that is not administered, already billed or missing documentation); audited."""
        rows = mark_billed(current_user, data["infusion_ids"], now_utc())
        db.session.commit()
        return {"marked": [row.id for row in rows]}
