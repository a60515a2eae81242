"""Payers and payer x code policies."""

from __future__ import annotations

import re

import marshmallow as ma

from priorauth.domain.vocab import Channel, PayerKind
from priorauth.schemas import (
    MAX_DOSE_MG,
    MAX_LAB_VALUE,
    DecimalString,
    Integer,
    Strict,
    UpperString,
    UtcDateTime,
    at_most,
    greater_than_zero,
    hcpcs,
    icd10,
    not_blank,
)

V = ma.validate


PHONE_SHAPE = r"^(?=(?:\D*\d){7})[0-9+().\- ]+(?: ?(?:x|ext\.?) ?\d{1,6})?$"


class PayerSchema(Strict):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=[V.Length(min=1, max=200), not_blank])
    kind = ma.fields.String(load_default="commercial", validate=V.OneOf(PayerKind.values()))
    contact = ma.fields.String(allow_none=True, validate=V.Length(max=300))
    phone = ma.fields.String(
        allow_none=True,
        metadata={"description": "the payer's prior-authorization phone line"},
        validate=V.Regexp(
            PHONE_SHAPE,
            flags=re.IGNORECASE,
            error="Enter the phone number with at least 7 digits, e.g. 1-800-555-0100 x12.",
        ),
    )
    fax = ma.fields.String(
        allow_none=True,
        metadata={"description": "the payer's prior-authorization fax number"},
        validate=[
            V.Length(max=40),
            V.Regexp(
                PHONE_SHAPE,
                flags=re.IGNORECASE,
                error="Enter the fax number with at least 7 digits, e.g. 1-800-555-0199.",
            ),
        ],
    )
    portal_url = ma.fields.String(
        allow_none=True,
        metadata={"description": "the payer's prior-authorization portal (https://...)"},
        validate=[
            V.Length(max=300),
            V.URL(schemes={"http", "https"}, error="Enter the portal's address, e.g. https://…"),
        ],
    )
    preferred_channel = ma.fields.String(
        allow_none=True,
        validate=V.OneOf(Channel.values()),
        metadata={"description": "how the payer prefers to receive a request"},
    )
    standard_response_days = Integer(load_default=15, validate=V.Range(min=1, max=90))
    expedited_response_hours = Integer(load_default=72, validate=V.Range(min=1, max=720))
    appeal_window_days = Integer(load_default=180, validate=V.Range(min=1, max=730))
    requires_waste_modifiers = ma.fields.Boolean(load_default=True)


class PayerPatchSchema(PayerSchema):
    """PATCH: every field optional, no defaults filled in."""

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)
        for field in self.fields.values():
            field.load_default = ma.missing


def _threshold(limit=MAX_LAB_VALUE, places=2):
    """A positive limit, rounded as it is stored (a lab value to 0.01, mg to 0.001)."""
    validate = [greater_than_zero, at_most(limit)]
    return DecimalString(allow_none=True, places=places, validate=validate)


def _days():
    return Integer(allow_none=True, validate=V.Range(min=1, max=3650))


class PolicySchema(Strict):
    payer_id = ma.fields.Integer(dump_only=True)
    hcpcs_code = ma.fields.String(dump_only=True)
    pa_required = ma.fields.Boolean(load_default=True)
    accepted_diagnoses = ma.fields.List(UpperString(validate=icd10), load_default=list)
    ferritin_max = _threshold()
    tsat_max = _threshold()
    ferritin_max_ckd = _threshold()
    tsat_max_ckd = _threshold()
    hemoglobin_max = _threshold()
    labs_max_age_days = _days()
    oral_iron_min_days = _days()
    preferred_codes = ma.fields.List(UpperString(validate=hcpcs), load_default=list)
    max_mg_per_dose = _threshold(MAX_DOSE_MG, places=3)
    max_mg_per_authorization = _threshold(MAX_DOSE_MG * 100, places=3)
    max_administrations = Integer(allow_none=True, validate=V.Range(min=1, max=100))
    min_days_between_doses = Integer(allow_none=True, validate=V.Range(min=0, max=365))
    default_authorization_days = _days()
    updated_at = UtcDateTime(dump_only=True)
