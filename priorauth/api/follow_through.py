"""Follow-through (docs/follow-through.md): the escalated reminders, acknowledging one, and
giving one an owner of its own."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.api.audit import commits
from priorauth.extensions import db
from priorauth.permissions import REASSIGN_OWNERS, role_required
from priorauth.queries import escalations
from priorauth.schemas.reminder_states import (
    AcknowledgeReminderSchema,
    EscalatedSchema,
    ReassignReminderSchema,
    ReminderStateSchema,
)
from priorauth.services import reminder_states
from priorauth.services.clock import clinic_now

blp = Blueprint("follow_through", __name__, description="Escalated reminders")


@blp.route("/reminders/escalated")
class Escalated(MethodView):
    @commits  # the reminder states it brought in step
    @blp.response(200, EscalatedSchema(many=True))
    def get(self):
        """Due reminders nobody acknowledged within the clinic's escalation business days,
        longest escalated first, with their owner."""
        clinic = current_user.clinic
        now = clinic_now(clinic)
        reminders = escalations.synced(clinic, now)
        messages = {reminder_states.key_of(r): r.message for r in reminders}
        return escalations.rows(clinic.id, now.date(), messages)


@blp.route("/reminders/acknowledge")
class Acknowledge(MethodView):
    @blp.arguments(AcknowledgeReminderSchema)
    @blp.response(200, ReminderStateSchema)
    def post(self, data):
        """Acknowledge one due reminder (its key): it no longer escalates. 404 when no
        reminder of that key is due; 409 ALREADY_ACKNOWLEDGED. Audited."""
        state = reminder_states.acknowledge(current_user, data["key"])
        db.session.commit()
        return state


@blp.route("/reminders/reassign")
class Reassign(MethodView):
    @role_required(REASSIGN_OWNERS)
    @blp.arguments(ReassignReminderSchema)
    @blp.response(200, ReminderStateSchema)
    def post(self, data):
        """Give one due reminder an owner of its own (an active user of the clinic, else 422
        naming owner_id). Audited as "reassigned"."""
        state = reminder_states.reassign(current_user, data["key"], data["owner_id"])
        db.session.commit()
        return state
