"""Date of service on claim lines and where a claim stands in billing (docs/domain.md §4)."""

from __future__ import annotations

from datetime import date

import pytest

from priorauth.domain.units import (
    BILLED,
    BILLING_STATUSES,
    JW,
    JZ,
    MISSING_DOCUMENTATION,
    READY,
    ClaimLine,
    billing_status,
    claim_lines,
    stored_lines_missing,
)

DAY = date(2026, 11, 29)
NO_NOTE = "no reaction or tolerance note"
NO_NUMBER = "no authorization number on its claim lines"


def test_the_billing_statuses_are_ready_missing_documentation_and_billed():
    assert BILLING_STATUSES == ("ready", "missing_documentation", "billed")
    assert (READY, MISSING_DOCUMENTATION, BILLED) == BILLING_STATUSES


@pytest.mark.parametrize(
    ("discarded", "multi", "expected"),
    [
        (0, False, [ClaimLine("J1437", 100, (JZ,), DAY)]),
        (100, False, [ClaimLine("J1437", 90, (), DAY), ClaimLine("J1437", 10, (JW,), DAY)]),
        (100, True, [ClaimLine("J1437", 90, (), DAY)]),
    ],
    ids=["jz", "jw", "multi-dose"],
)
def test_every_claim_line_carries_the_date_of_service(discarded, multi, expected):
    dose = 1000 - discarded
    lines = claim_lines("J1437", 10, dose, discarded, multi_dose=multi, service_date=DAY)
    assert lines == expected


def test_a_payer_without_waste_modifiers_still_gets_the_date():
    lines = claim_lines("J1437", 10, 1000, waste_modifiers=False, service_date=DAY)
    assert lines == [ClaimLine("J1437", 100, (), DAY)]


def test_without_a_date_of_service_the_lines_have_none():
    assert claim_lines("J1756", 1, 200)[0].service_date is None


def test_billed_wins_over_anything_missing():
    assert billing_status(True, [NO_NOTE]) == BILLED
    assert billing_status(True, []) == BILLED


def test_unbilled_with_something_missing_is_missing_documentation():
    assert billing_status(False, [NO_NOTE]) == MISSING_DOCUMENTATION


def test_unbilled_with_nothing_missing_is_ready_to_bill():
    assert billing_status(False, []) == READY


def test_stored_lines_with_note_and_number_miss_nothing():
    lines = [{"auth_number": "A-1", "auth_required": True}]
    assert stored_lines_missing("tolerated", lines) == []


def test_stored_lines_that_needed_no_authorization_miss_no_number():
    lines = [{"auth_number": None, "auth_required": False}]
    assert stored_lines_missing("tolerated", lines) == []


def test_stored_lines_without_number_where_one_was_needed_miss_it():
    lines = [{"auth_number": None, "auth_required": True}]
    assert stored_lines_missing(" ", lines) == [NO_NOTE, NO_NUMBER]


def test_lines_stored_before_dates_of_service_expect_a_number():
    assert stored_lines_missing("ok", [{"auth_number": None}]) == [NO_NUMBER]
    assert stored_lines_missing("ok", [{"auth_number": "A-1"}]) == []


def test_no_lines_at_all_expect_a_number():
    assert stored_lines_missing("ok", []) == [NO_NUMBER]


def test_one_line_that_needed_a_number_is_enough_to_expect_it():
    lines = [{"auth_number": None, "auth_required": False}, {"auth_number": None}]
    assert stored_lines_missing("ok", lines) == [NO_NUMBER]
