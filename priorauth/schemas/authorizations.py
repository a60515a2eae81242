"""Authorization requests, their transitions and their checklist."""

from __future__ import annotations

import marshmallow as ma

from priorauth.domain.vocab import Channel, DenialReason, Urgency
from priorauth.domain.workflow import STORED_STATUSES
from priorauth.domain.x12 import ACTION_CODES
from priorauth.schemas import (
    MAX_UNITS,
    Date,
    DecimalString,
    Integer,
    Strict,
    UpperString,
    UtcDateTime,
    dates_ordered,
    hcpcs,
    icd10,
    id_field,
    not_blank,
    positive_decimal,
)

V = ma.validate
CHANNELS = list(Channel.values())
DENIAL_REASONS = dict(DenialReason.choices())  # value -> words, in vocabulary order


class AuthorizationInSchema(Strict):
    patient_id = id_field(required=True)
    coverage_id = id_field(required=True)
    hcpcs_code = UpperString(required=True, validate=hcpcs)
    diagnosis_codes = ma.fields.List(UpperString(validate=icd10), load_default=list)
    ordering_provider = ma.fields.String(allow_none=True, validate=V.Length(max=200))
    dose_mg = positive_decimal(required=True)
    administrations = Integer(required=True, validate=V.Range(min=1, max=100))
    requested_start = Date(required=True)
    requested_end = Date(required=True)
    urgency = ma.fields.String(load_default="standard", validate=V.OneOf(Urgency.values()))
    notes = ma.fields.String(allow_none=True, validate=V.Length(max=5000))

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        dates_ordered(data, "requested_start", "requested_end")


class AuthorizationPatchSchema(AuthorizationInSchema):
    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)
        for field in self.fields.values():
            field.load_default = ma.missing


class AuthorizationOutSchema(ma.Schema):
    id = ma.fields.Integer()
    patient_id = ma.fields.Integer()
    coverage_id = ma.fields.Integer()
    payer_id = ma.fields.Integer(attribute="coverage.payer_id")
    payer_name = ma.fields.String(attribute="coverage.payer.name")
    hcpcs_code = ma.fields.String()
    diagnosis_codes = ma.fields.List(ma.fields.String())
    ordering_provider = ma.fields.String(allow_none=True)
    dose_mg = DecimalString()
    administrations = ma.fields.Integer()
    requested_start = ma.fields.Date()
    requested_end = ma.fields.Date()
    urgency = ma.fields.String()
    status = ma.fields.String(attribute="current_status")  # expired / exhausted derived
    stored_status = ma.fields.String(attribute="status")
    submitted_at = UtcDateTime(allow_none=True)
    submission_channel = ma.fields.String(allow_none=True)
    payer_reference = ma.fields.String(allow_none=True)
    decided_on = ma.fields.Date(allow_none=True)
    auth_number = ma.fields.String(allow_none=True)
    units_requested = ma.fields.Integer()
    units_approved = ma.fields.Integer(allow_none=True)
    # Units words: docs/domain.md §9 (priorauth/domain/usage.py).
    units_given = ma.fields.Integer(attribute="usage.units_given")
    units_used = ma.fields.Function(
        lambda auth: auth.usage.units_given,
        dump_only=True,
        metadata={"type": "integer", "description": "older name of units_given"},
    )
    units_booked = ma.fields.Integer(attribute="usage.units_booked")
    units_not_yet_used = ma.fields.Integer(attribute="usage.units_not_yet_used", allow_none=True)
    units_left = ma.fields.Integer(attribute="usage.units_left", allow_none=True)
    administrations_approved = ma.fields.Integer(allow_none=True)
    approved_start = ma.fields.Date(allow_none=True)
    approved_end = ma.fields.Date(allow_none=True)
    denial_reason = ma.fields.String(allow_none=True)
    denial_note = ma.fields.String(allow_none=True)
    appeal_deadline = ma.fields.Date(allow_none=True)
    review_action_code = ma.fields.String(
        allow_none=True, metadata={"description": "the X12 278 action code of the last step"}
    )
    renews_id = ma.fields.Integer(allow_none=True)
    notes = ma.fields.String(allow_none=True)
    owner_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "who works it; null: its queue's default owner"}
    )
    version = ma.fields.Integer()


class TransitionSchema(Strict):
    """One workflow step: `to` a status, or the payer's X12 278 `action_code` (its status;
    when both are given they must agree: services/transitions.py)."""

    to = ma.fields.String(validate=V.OneOf([s.value for s in STORED_STATUSES]))
    action_code = UpperString(
        allow_none=True,
        validate=V.OneOf(list(ACTION_CODES)),
        metadata={"label": "X12 action code", "description": "A1, A2, A3, A4, A6, C or CT"},
    )
    note = ma.fields.String(allow_none=True, validate=V.Length(max=5000))
    override_reason = ma.fields.String(allow_none=True, validate=V.Length(min=3, max=2000))
    channel = ma.fields.String(allow_none=True, validate=V.OneOf(CHANNELS))
    payer_reference = ma.fields.String(allow_none=True, validate=V.Length(max=80))
    auth_number = ma.fields.String(allow_none=True, validate=[V.Length(min=1, max=80), not_blank])
    approved_units = Integer(allow_none=True, validate=V.Range(min=1, max=MAX_UNITS))
    approved_administrations = Integer(allow_none=True, validate=V.Range(min=1, max=1000))
    approved_start = Date(allow_none=True)
    approved_end = Date(allow_none=True)
    denial_reason = ma.fields.String(allow_none=True, validate=V.OneOf(list(DENIAL_REASONS)))
    decided_on = Date(allow_none=True)

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        dates_ordered(data, "approved_start", "approved_end")

    @ma.validates_schema
    def _status_or_code(self, data, **kwargs):
        if not data.get("to") and not data.get("action_code"):
            raise ma.ValidationError("give the status or the payer's X12 action_code", "to")


class RenewalSchema(AuthorizationPatchSchema):
    """A renewal's fields; whatever is left out is copied from the approval it renews."""

    class Meta(AuthorizationPatchSchema.Meta):
        exclude = ("patient_id",)


class PayerChangeSchema(Strict):
    """A payer's change to an approval: its reference, and the new dates or units."""

    payer_reference = ma.fields.String(required=True, validate=[V.Length(min=1, max=80), not_blank])
    approved_units = Integer(allow_none=True, validate=V.Range(min=1, max=MAX_UNITS))
    approved_administrations = Integer(allow_none=True, validate=V.Range(min=1, max=1000))
    approved_start = Date(allow_none=True)
    approved_end = Date(allow_none=True)
    note = ma.fields.String(allow_none=True, validate=V.Length(max=5000))

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        dates_ordered(data, "approved_start", "approved_end")


class ChecklistItemSchema(ma.Schema):
    requirement = ma.fields.String()
    status = ma.fields.String()
    detail = ma.fields.String()
    evidence_kind = ma.fields.String(allow_none=True)


class ChecklistSchema(ma.Schema):
    ready = ma.fields.Boolean()
    pa_required = ma.fields.Boolean()
    as_of = ma.fields.Date()
    items = ma.fields.List(ma.fields.Nested(ChecklistItemSchema))
