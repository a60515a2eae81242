"""Units rules the examples in test_units.py leave open (pinned by mutation testing)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from priorauth.domain.units import (
    JW,
    JZ,
    ClaimLine,
    UnitsError,
    billing_units,
    claim_lines,
    missing_claim_documentation,
)


def refusal(call, *args) -> UnitsError:
    with pytest.raises(UnitsError) as error:
        call(*args)
    return error.value


def test_units_error_carries_the_field_and_its_message_as_text():
    error = UnitsError("dose_mg", "dose must not be negative")
    assert (error.field, error.message) == ("dose_mg", "dose must not be negative")
    assert str(error) == "dose must not be negative"


@pytest.mark.parametrize("per_unit", [0, "0.000", -1, "-12.5"])
def test_zero_or_negative_mg_per_unit_is_refused_naming_the_field(per_unit):
    error = refusal(billing_units, 100, per_unit)
    assert error.field == "mg_per_unit"
    assert error.message == "mg per unit must be greater than 0"
    assert str(error) == "mg per unit must be greater than 0"


def test_a_tiny_positive_mg_per_unit_is_accepted():
    assert billing_units(1, Decimal("0.001")) == 1000


def test_negative_dose_refusal_says_so():
    error = refusal(billing_units, Decimal("-0.1"), 10)
    assert (error.field, error.message) == ("dose_mg", "dose must not be negative")


@pytest.mark.parametrize("dose", [0, "-1"])
def test_claim_lines_refuse_a_dose_that_is_not_above_zero(dose):
    error = refusal(claim_lines, "J1437", 10, dose, 0)
    assert (error.field, error.message) == ("dose_mg", "dose given must be greater than 0 mg")


def test_claim_lines_refuse_a_negative_discard():
    error = refusal(claim_lines, "J1437", 10, 100, "-0.5")
    assert error.field == "discarded_mg"
    assert error.message == "discarded amount must not be negative"


def test_claim_lines_without_a_discard_means_nothing_discarded_jz():
    """Called with no discard at all: nothing was discarded, so the dose line carries JZ."""
    assert claim_lines("J1437", 10, 1000) == [ClaimLine("J1437", 100, (JZ,))]
    assert claim_lines("J1437", 10, 995) == [ClaimLine("J1437", 100, (JZ,))]


def test_one_mg_discarded_crossing_a_unit_bills_a_jw_unit():
    assert claim_lines("J1437", 10, 1000, 1) == [
        ClaimLine("J1437", 100),
        ClaimLine("J1437", 1, (JW,)),
    ]


def test_a_missing_reaction_note_is_not_documented():
    """A NULL note counts as missing, exactly like an empty or blank one."""
    missing = ["no reaction or tolerance note"]
    assert missing_claim_documentation(None, ["A-1"], True) == missing
    assert missing_claim_documentation("", ["A-1"], True) == missing
    assert missing_claim_documentation(None, [], False) == missing


def test_missing_note_and_auth_number_are_both_listed_note_first():
    assert missing_claim_documentation(None, [None], True) == [
        "no reaction or tolerance note",
        "no authorization number on its claim lines",
    ]
