"""The audit trail's filters (page and API) and the events the API answers."""

from __future__ import annotations

import marshmallow as ma

from priorauth.models.base import INTEGER_MAX
from priorauth.schemas import Date, Integer, UtcDateTime, dates_ordered, id_field

# What the audit trail can be filtered by: the action's kind, in words for the page.
ACTION_KINDS = {"viewed": "Viewed a record", "changes": "Changes", "sign_in": "Sign-in"}
PAGE_SIZE = 50


class AuditFilterSchema(ma.Schema):
    """Who, which patient, what kind of action, between which clinic-local days."""

    patient_id = id_field()
    user_id = id_field()
    action = ma.fields.String(
        validate=ma.validate.OneOf(list(ACTION_KINDS)),
        metadata={"description": "viewed, changes (everything but views and sign-ins), sign_in"},
    )
    since = Date(metadata={"description": "first clinic-local day, inclusive"})
    until = Date(metadata={"description": "last clinic-local day, inclusive"})

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        dates_ordered(data, "since", "until")


class AuditPageQuery(AuditFilterSchema):
    page = Integer(load_default=1, validate=ma.validate.Range(min=1, max=INTEGER_MAX // PAGE_SIZE))


class AuditApiQuery(AuditFilterSchema):
    limit = Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))
    offset = Integer(load_default=0, validate=ma.validate.Range(min=0, max=INTEGER_MAX))


class AuditEventOutSchema(ma.Schema):
    id = ma.fields.Integer()
    at = UtcDateTime(metadata={"description": "UTC, ISO 8601 with Z"})
    user_id = ma.fields.Integer(allow_none=True)
    user_name = ma.fields.Function(lambda e: e.user.name if e.user else None, allow_none=True)
    action = ma.fields.String()
    entity_type = ma.fields.String()
    entity_id = ma.fields.Integer()
    patient_id = ma.fields.Integer(allow_none=True)
    remote_addr = ma.fields.String(allow_none=True)
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String(allow_none=True)
    changes = ma.fields.Dict(allow_none=True)
    note = ma.fields.String(allow_none=True)
