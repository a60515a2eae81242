"""marshmallow schemas that parse input for both the API and the pages, and dump answers."""

from __future__ import annotations

import re

import marshmallow as ma

ICD10_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
HCPCS_SHAPE = re.compile(r"^[A-Z][0-9]{4}$")


class Strict(ma.Schema):
    """Unknown fields are refused, so a typo is named instead of ignored."""

    class Meta:
        unknown = ma.RAISE


def icd10(value: str) -> None:
    if not ICD10_SHAPE.match(value.strip().upper()):
        raise ma.ValidationError(
            f"{value!r} is not an ICD-10-CM code (letter, two characters, optional dot and up to "
            "four more, e.g. D50.9)"
        )


def hcpcs(value: str) -> None:
    if not HCPCS_SHAPE.match(value.strip().upper()):
        raise ma.ValidationError(f"{value!r} is not a HCPCS code (a letter and four digits)")


class UpperString(ma.fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().upper()


def greater_than_zero(value) -> None:
    if value is not None and value <= 0:
        raise ma.ValidationError("must be greater than 0")


def positive_decimal(**kwargs) -> ma.fields.Decimal:
    return ma.fields.Decimal(as_string=True, places=3, validate=greater_than_zero, **kwargs)


def dates_ordered(data: dict, start: str, end: str) -> None:
    if data.get(start) and data.get(end) and data[end] < data[start]:
        raise ma.ValidationError(f"must be on or after {start}", end)


def not_negative(value) -> None:
    if value is not None and value < 0:
        raise ma.ValidationError("must not be negative")
