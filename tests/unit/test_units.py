"""Billing units and JW/JZ claim lines: every example of docs/domain.md §1 and §2."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from priorauth.domain.units import (
    ClaimLine,
    UnitsError,
    billing_units,
    claim_lines,
    missing_claim_documentation,
    waste_units,
)

MG_PER_UNIT = {
    "J1437": "10",
    "J1439": "1",
    "J1443": "0.1",
    "J1444": "0.1",
    "J1445": "0.1",
    "J1750": "50",
    "J1756": "1",
    "J2916": "12.5",
    "Q0138": "1",
    "Q0139": "1",
}


@pytest.mark.parametrize(
    ("dose", "code", "units"),
    [
        ("510", "Q0138", 510),  # docs/domain.md §1 examples
        ("1000", "J1437", 100),
        ("125", "J2916", 10),
        ("6.75", "J1445", 68),  # 67.5 rounded up
        ("272", "J1444", 2720),  # one Triferic packet
        ("0.5", "J1437", 1),  # below one unit bills one unit
        ("1001", "J1437", 101),
        ("125.1", "J2916", 11),
        ("100", "J1750", 2),
        ("101", "J1750", 3),
        ("750", "J1439", 750),
        ("200.5", "J1756", 201),
        ("0.05", "J1444", 1),
    ],
)
def test_units_round_up_to_the_next_whole_unit(dose, code, units):
    assert billing_units(Decimal(dose), Decimal(MG_PER_UNIT[code])) == units


def test_zero_dose_is_zero_units_and_negative_is_refused():
    assert billing_units(0, 10) == 0
    with pytest.raises(UnitsError) as error:
        billing_units(-1, 10)
    assert error.value.field == "dose_mg"


def test_monoferric_900_mg_from_1000_mg_vial_bills_jw_line():
    """docs/domain.md §2: 45 kg at 20 mg/kg = 900 mg from a 1,000 mg single-dose vial."""
    assert claim_lines("J1437", 10, 900, 100) == [
        ClaimLine("J1437", 90),
        ClaimLine("J1437", 10, ("JW",)),
    ]


def test_monoferric_full_vial_bills_one_jz_line():
    assert claim_lines("J1437", 10, 1000, 0) == [ClaimLine("J1437", 100, ("JZ",))]


def test_discard_absorbed_by_rounding_still_bills_jz():
    """A little discarded but already paid by rounding up: one JZ line, never JW and JZ."""
    assert waste_units(995, 3, 10) == 0
    assert claim_lines("J1437", 10, 995, 3) == [ClaimLine("J1437", 100, ("JZ",))]


def test_waste_units_rule():
    assert waste_units(900, 100, 10) == 10
    assert waste_units(125, Decimal("12.5"), Decimal("12.5")) == 1
    assert waste_units(510, 0, 1) == 0


def test_multi_dose_container_has_no_waste_modifier_or_line():
    assert claim_lines("J1756", 1, 100, 100, multi_dose=True) == [ClaimLine("J1756", 100)]


def test_payer_without_waste_modifiers_gets_the_dose_line_only():
    assert claim_lines("J1437", 10, 900, 100, waste_modifiers=False) == [ClaimLine("J1437", 90)]


def test_claim_lines_refuse_bad_amounts():
    with pytest.raises(UnitsError) as error:
        claim_lines("J1437", 10, 0, 0)
    assert error.value.field == "dose_mg"
    with pytest.raises(UnitsError) as error:
        claim_lines("J1437", 10, 100, -5)
    assert error.value.field == "discarded_mg"


doses = st.decimals(min_value="0.001", max_value="5000", places=3)
per_units = st.sampled_from([Decimal(v) for v in sorted(set(MG_PER_UNIT.values()))])


@given(dose=doses, per_unit=per_units)
def test_units_never_under_bill_a_dose(dose, per_unit):
    units = billing_units(dose, per_unit)
    assert units * per_unit >= dose
    assert (units - 1) * per_unit < dose  # and never more than one unit over


@given(dose=doses, discarded=st.decimals(min_value=0, max_value=1000, places=3), per_unit=per_units)
def test_claim_lines_bill_dose_plus_discard_and_never_both_modifiers(dose, discarded, per_unit):
    lines = claim_lines("J0000", per_unit, dose, discarded)
    total = sum(line.units for line in lines)
    assert total == billing_units(dose + discarded, per_unit)
    assert lines[0].units == billing_units(dose, per_unit)
    assert all(not {"JW", "JZ"} <= set(line.modifiers) for line in lines)
    assert [m for line in lines for m in line.modifiers] in (["JZ"], ["JW"])


def test_claim_documentation_needs_a_reaction_note_and_auth_numbers():
    assert missing_claim_documentation("tolerated well", ["A-1", "A-1"], True) == []
    assert missing_claim_documentation("  ", ["A-1"], True) == ["no reaction or tolerance note"]
    assert missing_claim_documentation("ok", ["A-1", None], True) == [
        "no authorization number on its claim lines"
    ]
    assert missing_claim_documentation("ok", [], True) == [
        "no authorization number on its claim lines"
    ]
    assert missing_claim_documentation("ok", [None], False) == []  # payer needs no PA
