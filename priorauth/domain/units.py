"""Billing units and claim lines for IV iron codes (docs/domain.md §1 and §2)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

JW = "JW"
JZ = "JZ"

# Where an administration's claim stands in billing (docs/domain.md §4).
READY = "ready"
MISSING_DOCUMENTATION = "missing_documentation"
BILLED = "billed"
BILLING_STATUSES = (READY, MISSING_DOCUMENTATION, BILLED)


class UnitsError(ValueError):
    """A dose or waste amount that cannot be billed."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ClaimLine:
    hcpcs_code: str
    units: int
    modifiers: tuple[str, ...] = ()
    service_date: date | None = None


def billing_units(dose_mg: Decimal | int | str, mg_per_unit: Decimal | int | str) -> int:
    """Units for a dose: dose / mg per unit, rounded up; any dose above zero bills at least one."""
    dose = Decimal(dose_mg)
    per_unit = Decimal(mg_per_unit)
    if per_unit <= 0:
        raise UnitsError("mg_per_unit", "mg per unit must be greater than 0")
    if dose < 0:
        raise UnitsError("dose_mg", "dose must not be negative")
    return math.ceil(dose / per_unit)


def waste_units(dose_mg, discarded_mg, mg_per_unit) -> int:
    """units(dose + discarded) - units(dose): discard the rounding has not already paid."""
    total = billing_units(Decimal(dose_mg) + Decimal(discarded_mg), mg_per_unit)
    return total - billing_units(dose_mg, mg_per_unit)


def claim_lines(
    hcpcs_code: str,
    mg_per_unit,
    dose_mg,
    discarded_mg=0,
    *,
    multi_dose: bool = False,
    waste_modifiers: bool = True,
    service_date: date | None = None,
) -> list[ClaimLine]:
    """The claim lines for one administration: the dose, and a JW line for billable waste.

    Multi-dose containers never carry JW/JZ and bill no waste; a payer that does
    not want waste modifiers gets the dose line alone, without JZ or JW. Every line
    carries the date of service, the day the drug was given.
    """
    if Decimal(dose_mg) <= 0:
        raise UnitsError("dose_mg", "dose given must be greater than 0 mg")
    if Decimal(discarded_mg) < 0:
        raise UnitsError("discarded_mg", "discarded amount must not be negative")
    dose_line = billing_units(dose_mg, mg_per_unit)
    if multi_dose or not waste_modifiers:
        return [ClaimLine(hcpcs_code, dose_line, (), service_date)]
    waste = waste_units(dose_mg, discarded_mg, mg_per_unit)
    if waste == 0:
        return [ClaimLine(hcpcs_code, dose_line, (JZ,), service_date)]
    return [
        ClaimLine(hcpcs_code, dose_line, (), service_date),
        ClaimLine(hcpcs_code, waste, (JW,), service_date),
    ]


def missing_claim_documentation(
    reaction_note: str | None, claim_auth_numbers: list[str | None], auth_expected: bool
) -> list[str]:
    """What an administration lacks before it can be claimed (docs/domain.md §4).

    A tolerance or reaction note, and, unless the payer needs no authorization, an
    authorization number on every claim line.
    """
    missing = []
    if not (reaction_note or "").strip():
        missing.append("no reaction or tolerance note")
    if auth_expected and (not claim_auth_numbers or not all(claim_auth_numbers)):
        missing.append("no authorization number on its claim lines")
    return missing


def stored_lines_missing(reaction_note: str | None, lines: list[dict]) -> list[str]:
    """missing_claim_documentation for claim lines as stored: an authorization number is
    expected unless the lines say the payer's policy of that day needed none."""
    auth_expected = not lines or any(line.get("auth_required", True) for line in lines)
    numbers = [line.get("auth_number") for line in lines]
    return missing_claim_documentation(reaction_note, numbers, auth_expected)


def billing_status(billed: bool, missing: list[str]) -> str:
    """BILLED once marked billed; else MISSING_DOCUMENTATION while anything is missing
    (`missing_claim_documentation`), else READY to bill."""
    if billed:
        return BILLED
    return MISSING_DOCUMENTATION if missing else READY
