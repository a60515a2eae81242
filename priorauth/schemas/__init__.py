"""marshmallow schemas that parse input for both the API and the pages, and dump answers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import has_request_context
from flask_login import current_user

from priorauth.models.base import INTEGER_MAX

# Input limits, so that storage (PostgreSQL integer, Numeric(10,3), Numeric(8,2)) and date
# arithmetic (deadlines, windows) never overflow: bad input is a 422 naming the field.
MAX_DOSE_MG = 10000
MAX_LAB_VALUE = 100000
MAX_UNITS = 10_000_000
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)

ICD10_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
HCPCS_SHAPE = re.compile(r"^[A-Z][0-9]{4}$")


def no_nul(value: str) -> None:
    """For query text: a NUL character cannot reach a PostgreSQL query."""
    if "\x00" in value:
        raise ma.ValidationError("must not contain NUL characters")


def _text_problem(value) -> str | None:
    """Why a JSON value cannot be stored as text (NUL, lone surrogates), else None."""
    if isinstance(value, list):
        return next(filter(None, map(_text_problem, value)), None)
    if not isinstance(value, str):
        return None
    if "\x00" in value:
        return "must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text"
    return None


class Strict(ma.Schema):
    """Unknown fields are refused, so a typo is named instead of ignored."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _storable_text(self, data, **kwargs):
        if isinstance(data, dict):
            errors = {k: [p] for k, v in data.items() if (p := _text_problem(v))}
            if errors:
                raise ma.ValidationError(errors)
        return data


class Integer(ma.fields.Integer):
    """A whole number: 1.5 is refused instead of silently cut to 1."""

    def _validated(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def id_field(**kwargs) -> Integer:
    """The id of a row: a whole number a database key can hold."""
    error = "must be an id between {min} and {max}"
    return Integer(validate=ma.validate.Range(min=1, max=INTEGER_MAX, error=error), **kwargs)


def in_calendar(day: date) -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ma.ValidationError(f"must be between {EARLIEST_DAY} and {LATEST_DAY}")


class Date(ma.fields.Date):
    """A day between 1900 and 2199."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        in_calendar(day)
        return day


def clinic_zone() -> ZoneInfo:
    """The time zone of the signed-in user's clinic (UTC outside a signed-in request)."""
    if has_request_context() and current_user.is_authenticated:
        return ZoneInfo(current_user.clinic.timezone)
    return ZoneInfo("UTC")


def utc_text(moment: datetime) -> str:
    """An aware moment as RFC 3339 in UTC with Z, e.g. 2025-03-01T15:30:00Z."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


class UtcDateTime(ma.fields.DateTime):
    """A stored timestamp (naive UTC in the database), answered in UTC with Z."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return utc_text(value if value.tzinfo else value.replace(tzinfo=UTC))


CLINIC_TIME_HELP = (
    "answered in UTC (Z); accepted with an offset, or without one as the clinic's local time"
)


class ClinicDateTime(ma.fields.DateTime):
    """A clinic wall-clock time (stored naive, clinic-local) on a day between 1900 and 2199.

    Answered in UTC with Z; read either without an offset (clinic-local, as the pages send it)
    or with one (converted to the clinic's local time).
    """

    def __init__(self, **kwargs):
        metadata = {"description": CLINIC_TIME_HELP, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return utc_text(value.replace(tzinfo=clinic_zone()) if not value.tzinfo else value)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        in_calendar(moment.date())
        if moment.tzinfo is None:
            return moment
        local = moment.astimezone(clinic_zone()).replace(tzinfo=None)
        in_calendar(local.date())
        return local


DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


class DecimalString(ma.fields.Decimal):
    """A decimal answered as an exact string ("750.000"; never a float) and documented as a
    string of that shape; input may be such a string or a JSON number."""

    def __init__(self, **kwargs):
        shape = {"type": "string", "pattern": DECIMAL_PATTERN}
        metadata = {**shape, **kwargs.pop("metadata", {})}
        super().__init__(as_string=True, metadata=metadata, **kwargs)


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


def at_most(limit: int):
    """A ceiling for a decimal (a function: apispec would print a Range's bound as a string)."""

    def check(value) -> None:
        if value is not None and value > limit:
            raise ma.ValidationError(f"must be at most {limit}")

    return check


def not_blank(value: str) -> None:
    if value is not None and not value.strip():
        raise ma.ValidationError("must not be blank")


def positive_decimal(limit: int = MAX_DOSE_MG, **kwargs) -> ma.fields.Decimal:
    """mg, to the thousandth, above 0 and at most `limit`."""
    validate = [greater_than_zero, at_most(limit)]
    return DecimalString(places=3, validate=validate, **kwargs)


def dates_ordered(data: dict, start: str, end: str) -> None:
    if data.get(start) and data.get(end) and data[end] < data[start]:
        raise ma.ValidationError(f"must be on or after {start}", end)


def not_negative(value) -> None:
    if value is not None and value < 0:
        raise ma.ValidationError("must not be negative")
