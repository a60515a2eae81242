"""Acting on one reminder: acknowledge it, or give it an owner (docs/follow-through.md)."""

from __future__ import annotations

import marshmallow as ma

from priorauth.schemas import Strict, UtcDateTime, id_field, no_nul

KEY_LENGTH = 120


class AcknowledgeReminderSchema(Strict):
    key = ma.fields.String(
        required=True,
        validate=[ma.validate.Length(min=1, max=KEY_LENGTH), no_nul],
        metadata={"label": "Reminder", "description": "the reminder's key"},
    )


class ReassignReminderSchema(AcknowledgeReminderSchema):
    owner_id = id_field(required=True, metadata={"label": "Owner"})


class LinkReassignSchema(Strict):
    """The reassign link's page: only the owner (the reminder is the link's)."""

    owner_id = id_field(required=True, metadata={"label": "Owner"})


class ReminderStateSchema(ma.Schema):
    """What staff did with a reminder (the API's answer to acknowledge and reassign)."""

    key = ma.fields.String()
    type = ma.fields.String()
    authorization_id = ma.fields.Integer(allow_none=True)
    infusion_id = ma.fields.Integer(allow_none=True)
    patient_id = ma.fields.Integer(allow_none=True)
    due_date = ma.fields.Date()
    first_seen_on = ma.fields.Date()
    escalates_on = ma.fields.Date(
        metadata={"description": "unacknowledged on this day, it escalates"}
    )
    owner_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "its own owner (null: the request's or queue's)"}
    )
    acknowledged_at = UtcDateTime(allow_none=True)
    acknowledged_by_id = ma.fields.Integer(allow_none=True)
    escalated_at = UtcDateTime(allow_none=True)


class EscalatedSchema(ma.Schema):
    """One escalated reminder, as the escalated page lists it."""

    key = ma.fields.String()
    type = ma.fields.String()
    message = ma.fields.String()
    due_date = ma.fields.Date()
    escalates_on = ma.fields.Date()
    days_overdue = ma.fields.Integer()
    path = ma.fields.String(metadata={"description": "the page of its request or infusion"})
    patient = ma.fields.String(metadata={"description": "MRN and initials"})
    owner_name = ma.fields.String(
        allow_none=True, metadata={"description": "its own, the request's or the queue's owner"}
    )
    authorization_id = ma.fields.Integer(allow_none=True)
    infusion_id = ma.fields.Integer(allow_none=True)
    patient_id = ma.fields.Integer(allow_none=True)
