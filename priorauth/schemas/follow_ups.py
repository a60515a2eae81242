"""A follow-up with the payer on a request awaiting its answer (docs/follow-through.md)."""

from __future__ import annotations

import marshmallow as ma

from priorauth.domain.vocab import Channel
from priorauth.schemas import ClinicDateTime, Strict, UtcDateTime

V = ma.validate


class FollowUpInSchema(Strict):
    channel = ma.fields.String(
        required=True,
        validate=V.OneOf(Channel.values()),
        metadata={"label": "Channel", "description": "how the payer was reached"},
    )
    contact = ma.fields.String(
        allow_none=True,
        validate=V.Length(max=200),
        metadata={"label": "Who was reached", "description": "the payer's person or line"},
    )
    payer_said = ma.fields.String(
        allow_none=True,
        validate=V.Length(max=5000),
        metadata={"label": "What the payer said"},
    )
    at = ClinicDateTime(
        metadata={"label": "When", "description": "when the payer was reached (default: now)"}
    )


class FollowUpOutSchema(ma.Schema):
    id = ma.fields.Integer()
    authorization_id = ma.fields.Integer()
    at = UtcDateTime()
    channel = ma.fields.String()
    contact = ma.fields.String(allow_none=True)
    payer_said = ma.fields.String(allow_none=True)
    logged_by_id = ma.fields.Integer(allow_none=True)
    logged_by_name = ma.fields.String(attribute="logged_by.name", allow_none=True)
