"""The cells of a spreadsheet row read as values (docs/interop.md, "Spreadsheet import"): dates
in the common US formats, numbers, the status words clinics write, sex, diagnoses. A cell that
cannot be read raises CellError with the sentence to show."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from priorauth.domain.vocab import Sex
from priorauth.domain.workflow import Status
from priorauth.domain.x12 import status_for_action_code

# MM/DD/YYYY, M/D/YY (also with '-'), and YYYY-MM-DD; read by pattern, not strptime (fast).
US_DATE = re.compile(r"^(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DATE_WORDS = "MM/DD/YYYY, M/D/YY or YYYY-MM-DD"
EXPIRED = "expired"
# Status words (normalized: lower case, letters and spaces) -> our status. "expired" is an
# approval whose end has passed: stored approved, its end date must be in the past.
STATUS_WORDS: dict[str, str] = {
    "approved": Status.APPROVED,
    "approve": Status.APPROVED,
    "certified": Status.APPROVED,
    "authorized": Status.APPROVED,
    "active": Status.APPROVED,
    EXPIRED: EXPIRED,
    "partially approved": Status.PARTIALLY_APPROVED,
    "partial": Status.PARTIALLY_APPROVED,
    "partial approval": Status.PARTIALLY_APPROVED,
    "modified": Status.PARTIALLY_APPROVED,
    "denied": Status.DENIED,
    "denial": Status.DENIED,
    "not certified": Status.DENIED,
    "rejected": Status.DENIED,
    "pending": Status.SUBMITTED,
    "submitted": Status.SUBMITTED,
    "in review": Status.SUBMITTED,
    "under review": Status.SUBMITTED,
    "awaiting decision": Status.SUBMITTED,
    "sent": Status.SUBMITTED,
    "pended": Status.PENDED,
    "more info needed": Status.PENDED,
    "info requested": Status.PENDED,
    "draft": Status.DRAFT,
    "not submitted": Status.DRAFT,
    "to submit": Status.DRAFT,
    "new": Status.DRAFT,
    "auth not required": Status.NOT_REQUIRED,
    "not required": Status.NOT_REQUIRED,
    "no auth required": Status.NOT_REQUIRED,
    "no pa required": Status.NOT_REQUIRED,
    "pa not required": Status.NOT_REQUIRED,
    "n a": Status.NOT_REQUIRED,
    "na": Status.NOT_REQUIRED,
    "cancelled": Status.CANCELLED,
    "canceled": Status.CANCELLED,
    "withdrawn": Status.CANCELLED,
    "void": Status.CANCELLED,
    "appealed": Status.APPEALED,
    "appeal": Status.APPEALED,
    "in appeal": Status.APPEALED,
    "under appeal": Status.APPEALED,
}
DIAGNOSIS = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


class CellError(ValueError):
    """A cell that cannot be read as what its column holds (the message says why)."""


def text(value) -> str | None:
    """A cell as trimmed text; None when empty. Whole numbers from a spreadsheet lose '.0'."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    cleaned = str(value).strip()
    return cleaned or None


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    cleaned = str(value).strip()
    if found := US_DATE.match(cleaned):
        month, _, day, year = found.groups()
        parts = (_full_year(year), int(month), int(day))
    elif found := ISO_DATE.match(cleaned):
        parts = tuple(int(part) for part in found.groups())
    else:
        raise CellError(f"{value!r} is not a date ({DATE_WORDS})")
    try:
        return date(*parts)
    except ValueError:
        raise CellError(f"{value!r} is not a date ({DATE_WORDS})") from None


def _full_year(year: str) -> int:
    """A two-digit year as strptime reads it: 00-68 are 2000-2068, 69-99 are 1969-1999."""
    if len(year) == 4:
        return int(year)
    return int(year) + (2000 if int(year) <= 68 else 1900)


def parse_decimal(value) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise CellError(f"{value!r} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise CellError(f"{value!r} must be a number greater than 0")
    return number


def parse_count(value) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise CellError(f"{value!r} must be a whole number")
    return int(number)


def parse_status(value) -> str:
    """Our status for a status word (or an X12 278 action code); 'expired' stays EXPIRED."""
    word = " ".join(re.sub(r"[^a-z0-9]", " ", str(value).lower()).split())
    found = STATUS_WORDS.get(word) or status_for_action_code(word)
    if found is None:
        raise CellError(f"{value!r} is not a status we know (approved, denied, pending, …)")
    return str(found)


def parse_sex(value) -> str:
    letter = str(value).strip()[:1].upper()
    if letter not in {s.value for s in Sex}:
        raise CellError(f"{value!r} is not F, M or X")
    return letter


def parse_diagnoses(value) -> tuple[str, ...]:
    codes = tuple(c.upper() for c in re.split(r"[;,\s]+", str(value)) if c)
    bad = [c for c in codes if not DIAGNOSIS.match(c)]
    if bad:
        raise CellError(f"{', '.join(bad)} is not an ICD-10-CM code")
    return codes


PARSERS = {
    "birth_date": parse_date,
    "sex": parse_sex,
    "dose_mg": parse_decimal,
    "administrations": parse_count,
    "units_requested": parse_count,
    "diagnosis_codes": parse_diagnoses,
    "requested_start": parse_date,
    "requested_end": parse_date,
    "status": parse_status,
    "submitted_on": parse_date,
    "units_approved": parse_count,
    "approved_start": parse_date,
    "approved_end": parse_date,
    "decided_on": parse_date,
}
