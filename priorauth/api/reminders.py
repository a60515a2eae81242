"""GET /api/v1/reminders?as_of=YYYY-MM-DD: what is due, derived from state (never stored)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.api.audit import commits
from priorauth.queries.reminders import reminders_for
from priorauth.schemas import Date
from priorauth.services.clock import moment

blp = Blueprint("reminders", __name__, url_prefix="/reminders", description="Reminders")


class AsOfQuery(ma.Schema):
    as_of = Date(metadata={"description": "evaluated at the clinic's digest hour"})


class PayerContactSchema(ma.Schema):
    name = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    portal_url = ma.fields.String(allow_none=True)
    fax = ma.fields.String(allow_none=True)


class ReminderSchema(ma.Schema):
    type = ma.fields.String()
    due_date = ma.fields.Date()
    message = ma.fields.String()
    authorization_id = ma.fields.Integer(allow_none=True)
    infusion_id = ma.fields.Integer(allow_none=True)
    patient_id = ma.fields.Integer(allow_none=True)
    urgency = ma.fields.Integer(metadata={"description": "days until due_date (negative: late)"})
    payer = ma.fields.Nested(
        PayerContactSchema,
        allow_none=True,
        metadata={"description": "whom to call about a reminder on an authorization"},
    )


@blp.route("")
class Reminders(MethodView):
    @commits  # the stored facts it found stale and refreshed
    @blp.arguments(AsOfQuery, location="query")
    @blp.response(200, ReminderSchema(many=True))
    def get(self, args):
        """Reminders due for the clinic, most urgent first."""
        clinic = current_user.clinic
        return reminders_for(clinic, moment(clinic, args.get("as_of")))
