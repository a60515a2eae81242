"""A payer's allowed amounts: dollars per billing unit of each drug code (blank: unknown)."""

from __future__ import annotations

import marshmallow as ma

from priorauth.schemas import DecimalString, Strict, UpperString, UtcDateTime, at_most, hcpcs

MAX_DOLLARS_PER_UNIT = 1_000_000


def not_negative(value) -> None:
    if value is not None and value < 0:
        raise ma.ValidationError("must not be negative (leave it blank when unknown)")


class RateSchema(Strict):
    hcpcs_code = UpperString(required=True, validate=hcpcs, metadata={"label": "Drug code"})
    dollars_per_unit = DecimalString(
        allow_none=True,
        load_default=None,
        places=2,
        validate=[not_negative, at_most(MAX_DOLLARS_PER_UNIT)],
        metadata={
            "label": "Dollars per unit",
            "description": "the payer's allowed amount per billing unit; null: unknown",
        },
    )
    brand = ma.fields.String(dump_only=True)
    updated_at = UtcDateTime(dump_only=True, allow_none=True)


class RatesSchema(Strict):
    """Every rate of a payer. PUT replaces them: a code left out (or null) becomes unknown."""

    payer_id = ma.fields.Integer(dump_only=True)
    rates = ma.fields.List(ma.fields.Nested(RateSchema), required=True)
