"""The spreadsheet import's rules that test_sheet_rows.py leaves open (domain/sheet_columns.py,
sheet_rows.py, sheet_values.py): which headers are known, the exact import key, the default of
one administration, one-day date ranges, the problem sentences, the two-digit year pivot and
an expired approval that ends today.

The known headers (`KNOWN`) are built once, when the module is imported; their builder
`_known` is called here too so that the rule it states is checked where it is made."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest

from priorauth.domain import sheet_columns as cols
from priorauth.domain import sheet_rows as rows
from priorauth.domain import sheet_values as values
from priorauth.domain.sheet_rows import Problem

TODAY = date(2026, 11, 30)
CATALOG = {"J1437": Decimal("10")}


def check(**changes):
    base = {
        "mrn": "M1",
        "payer": "Blue",
        "hcpcs_code": "J1437",
        "dose_mg": "1000",
        "requested_start": "2026-01-05",
        "requested_end": "2026-03-31",
        "status": "approved",
        "auth_number": "A-1",
    }
    cells = {k: v for k, v in (base | changes).items() if v is not None}
    return rows.check_row(4, cells, {}, CATALOG, TODAY)


# --- sheet_columns: the headers a clinic may use


def test_a_header_is_known_by_our_field_name_our_label_or_a_synonym():
    known = cols._known()
    assert known == cols.KNOWN
    assert known["diagnosiscodes"] == "diagnosis_codes"  # our field name, nothing else
    assert known["diagnoses"] == "diagnosis_codes"  # our template's label, nothing else
    assert known["decidedon"] == "decided_on"  # field name
    assert known["dx"] == "diagnosis_codes"  # a synonym
    for name, label in cols.FIELDS.items():
        assert known[cols.normalize(name)] == name
        assert known[cols.normalize(label)] == name
    assert set(known.values()) == set(cols.FIELDS)
    assert "none" not in known


def test_a_header_spelled_as_our_field_name_is_mapped_to_it():
    mapping = cols.guess_mapping(["diagnosis_codes", "Diagnoses", "decided_on"])
    assert mapping == {
        "diagnosis_codes": "diagnosis_codes",
        "Diagnoses": None,
        "decided_on": "decided_on",
    }


# --- sheet_rows: the import key


def test_the_import_key_is_the_sha256_of_mrn_code_start_and_auth_number_or_payer():
    """The key is stored with each request; re-importing the same sheet must find it again, so
    its text is fixed: upper-case MRN, code and authorization number, the ISO start, '|'
    between them, and 'payer:<lower-case payer>' when there is no authorization number."""
    with_number = rows.import_key(" m-1 ", "j1437", date(2026, 1, 5), " a-1 ", "Blue")
    text = "M-1|J1437|2026-01-05|A-1"
    assert with_number == hashlib.sha256(text.encode()).hexdigest()
    without = rows.import_key("m-1", "J1437", date(2026, 1, 5), " ", " Blue Cross ")
    text = "M-1|J1437|2026-01-05|payer:blue cross"
    assert without == hashlib.sha256(text.encode()).hexdigest()


def test_the_authorization_number_not_the_payer_names_an_approved_request():
    day = date(2026, 1, 5)
    assert rows.import_key("M1", "J1437", day, "A-1", "Blue") == rows.import_key(
        "M1", "J1437", day, "A-1", "Aetna"
    )
    assert rows.import_key("M1", "J1437", day, None, "Blue") != rows.import_key(
        "M1", "J1437", day, None, "Aetna"
    )


# --- sheet_rows: the row's checks


def test_without_administrations_a_row_is_one_administration():
    row, problems = check()
    assert problems == []
    assert (row.administrations, row.units_requested, row.units_approved) == (1, 100, 100)


def test_a_request_and_an_approval_may_last_one_day():
    row, problems = check(
        requested_start="2026-01-05",
        requested_end="2026-01-05",
        approved_start="2026-01-05",
        approved_end="2026-01-05",
        status="denied",
    )
    assert problems == []
    assert row.requested_end == row.requested_start == date(2026, 1, 5)


def test_dates_out_of_order_are_named_in_words():
    _, problems = check(
        requested_end="2026-01-04", approved_start="2026-02-01", approved_end="2026-01-31"
    )
    assert problems == [
        Problem(4, "Requested end", "is before the requested start"),
        Problem(4, "Approved end", "is before the approved start"),
    ]


def test_a_partial_approval_without_its_number_names_its_status_in_words():
    _, problems = check(status="partially approved", auth_number=None)
    assert [(p.column, p.message.startswith("is empty;")) for p in problems] == [
        ("Auth number", True)
    ]
    assert problems[0].message == "is empty; a partially approved request needs it"


def test_an_expired_approval_must_have_ended_before_today():
    _, problems = check(status="expired", approved_end="2026-11-30")
    assert problems == [Problem(4, "Status", "says expired but the approval ends 2026-11-30")]
    row, problems = check(status="expired", approved_end="2026-11-29")
    assert problems == [] and row.expired


# --- sheet_values: the cells


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("1/2/00", date(2000, 1, 2)),
        ("1/2/67", date(2067, 1, 2)),
        ("1/2/68", date(2068, 1, 2)),
        ("1/2/69", date(1969, 1, 2)),
        ("1/2/99", date(1999, 1, 2)),
    ],
)
def test_a_two_digit_year_up_to_68_is_this_century_from_69_the_last(cell, day):
    assert values.parse_date(cell) == day


def test_a_cell_that_is_not_a_number_says_so():
    with pytest.raises(values.CellError) as raised:
        values.parse_decimal("ten")
    assert str(raised.value) == "'ten' is not a number"


def test_every_unreadable_diagnosis_is_listed_with_commas():
    with pytest.raises(values.CellError) as raised:
        values.parse_diagnoses("D50.9; 123, xyz")
    assert str(raised.value) == "123, XYZ is not an ICD-10-CM code"
