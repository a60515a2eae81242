"""The spreadsheet import's rules for one row and for the columns (domain/sheet_rows.py,
domain/sheet_columns.py): dates, numbers, status words, units against dose, decisions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from priorauth.domain import sheet_columns as cols
from priorauth.domain import sheet_rows as rows
from priorauth.domain import sheet_values as values
from priorauth.domain.sheet_rows import Problem

TODAY = date(2026, 11, 30)
CATALOG = {"J1439": Decimal("1"), "J1437": Decimal("10")}
HEADERS = {"hcpcs_code": "Code", "status": "Auth status"}


def cells(**changes) -> dict:
    base = {
        "mrn": "M1",
        "payer": "Blue",
        "hcpcs_code": "j1437",
        "dose_mg": "1,000",
        "requested_start": "1/5/26",
        "requested_end": "2026-03-31",
        "status": "Approved",
        "auth_number": "A-1",
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def check(**changes):
    return rows.check_row(7, cells(**changes), HEADERS, CATALOG, TODAY)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("03/04/2026", date(2026, 3, 4)),
        ("3/4/26", date(2026, 3, 4)),
        ("2026-03-04", date(2026, 3, 4)),
        ("03-04-2026", date(2026, 3, 4)),
        ("3-4-70", date(1970, 3, 4)),
        (" 2026-3-4 ", date(2026, 3, 4)),
        (datetime(2026, 3, 4, 9, 30), date(2026, 3, 4)),
        (date(2026, 3, 4), date(2026, 3, 4)),
    ],
)
def test_dates_in_the_common_us_formats(value, day):
    assert values.parse_date(value) == day


@pytest.mark.parametrize("value", ["31/12/2026", "2/30/2026", "3/4-2026", "2026/03/04", "soon"])
def test_a_day_first_or_impossible_date_is_not_a_date(value):
    with pytest.raises(values.CellError, match=f"'{value}' is not a date"):
        values.parse_date(value)


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("Approved", "approved"),
        ("APPROVED ", "approved"),
        ("Partially approved", "partially_approved"),
        ("denied", "denied"),
        ("Pending", "submitted"),
        ("pended", "pended"),
        ("Expired", "expired"),
        ("Auth not required", "not_required"),
        ("N/A", "not_required"),
        ("Cancelled", "cancelled"),
        ("canceled", "cancelled"),
        ("In appeal", "appealed"),
        ("draft", "draft"),
        ("A1", "approved"),
        ("a3", "denied"),
    ],
)
def test_status_words_and_x12_codes_map_onto_our_statuses(word, status):
    assert values.parse_status(word) == status


def test_an_unknown_status_word_is_refused():
    with pytest.raises(values.CellError, match="'sort of' is not a status we know"):
        values.parse_status("sort of")


def test_cells_as_text_numbers_and_codes():
    assert values.text(4711.0) == "4711" and values.text(4.5) == "4.5" and values.text("  ") is None
    assert values.text(datetime(2026, 1, 2, 3, 4)) == "2026-01-02" and values.text(None) is None
    assert values.parse_count("2") == 2 and values.parse_decimal(" 1,020.5 ") == Decimal("1020.5")
    assert values.parse_sex("female") == "F" and values.parse_diagnoses("d50.9; N18.6,Z992") == (
        "D50.9",
        "N18.6",
        "Z992",
    )
    for parse, value, message in (
        (values.parse_count, "1.5", "'1.5' must be a whole number"),
        (values.parse_decimal, "-3", "'-3' must be a number greater than 0"),
        (values.parse_decimal, "NaN", "'NaN' must be a number greater than 0"),
        (values.parse_sex, "unknown", "'unknown' is not F, M or X"),
        (values.parse_diagnoses, "D50.9 iron", "IRON is not an ICD-10-CM code"),
    ):
        with pytest.raises(values.CellError, match=message):
            parse(value)


def test_a_clean_row_reads_as_plain_values():
    row, problems = check(diagnosis_codes="D50.9", sex="M", administrations="2")
    assert problems == []
    assert (row.row, row.hcpcs_code, row.units_requested, row.status) == (
        7,
        "J1437",
        200,
        "approved",
    )
    assert (row.approved_start, row.approved_end) == (date(2026, 1, 5), date(2026, 3, 31))
    assert row.units_approved == 200 and row.diagnosis_codes == ("D50.9",) and not row.expired
    assert len(row.import_key) == 64


def test_the_import_key_names_the_request_not_its_other_cells():
    key = rows.import_key("m1", "J1439", date(2026, 1, 5), None, " Blue ")
    assert key == rows.import_key("M1 ", "j1439", date(2026, 1, 5), "", "blue")
    assert key != rows.import_key("M1", "J1439", date(2026, 1, 5), "A-1", "Blue")
    assert key != rows.import_key("M1", "J1439", date(2026, 1, 6), None, "Blue")


def test_every_problem_of_a_row_is_named_by_row_and_column():
    row, problems = check(
        mrn=None, hcpcs_code="J9999", dose_mg="0", requested_end="soon", status="maybe"
    )
    assert row is None
    assert problems == [
        Problem(7, "MRN", "is empty; it is required"),
        Problem(7, "Dose (mg)", "'0' must be a number greater than 0"),
        Problem(7, "Requested end", "'soon' is not a date (MM/DD/YYYY, M/D/YY or YYYY-MM-DD)"),
        Problem(7, "Auth status", "'maybe' is not a status we know (approved, denied, pending, …)"),
        Problem(7, "Code", "J9999 is not in the drug code catalog"),
    ]


def test_units_must_match_the_dose():
    _, problems = check(units_requested="90", administrations="1")
    assert problems == [
        Problem(
            7, "Units requested", "90 units do not match 1000 mg of J1437 × 1 (that is 100 units)"
        )
    ]


def test_dates_must_be_in_order():
    _, problems = check(requested_end="1/1/26", approved_start="2/1/26", approved_end="1/2/26")
    assert [p.column for p in problems] == ["Requested end", "Approved end"]


def test_an_approval_needs_its_number_and_fewer_units_is_partial():
    _, problems = check(auth_number=None)
    assert problems == [Problem(7, "Auth number", "is empty; an approved request needs it")]
    row, _ = check(units_approved="60")
    assert row.status == "partially_approved" and row.units_approved == 60
    row, _ = check(status="denied", auth_number=None)
    assert row.status == "denied" and row.approved_end is None


def test_expired_is_an_approval_whose_end_has_passed():
    row, problems = check(status="expired", approved_end="10/31/2026")
    assert problems == [] and row.status == "approved" and row.expired
    _, problems = check(status="expired", approved_end="12/31/2026")
    assert problems == [Problem(7, "Auth status", "says expired but the approval ends 2026-12-31")]


def test_a_decision_without_usable_dates_reports_only_the_dates():
    _, problems = check(hcpcs_code="J9999", requested_start=None, status="partial")
    assert [p.column for p in problems] == ["Requested start", "Code"]
    _, problems = check(hcpcs_code=None)
    assert problems == [Problem(7, "Code", "is empty; it is required")]


def test_headers_are_matched_by_our_names_synonyms_and_the_clinic_choices():
    headers = ["Pt ID", "Insurance", "J-Code", "Dose (mg)", "D.O.B.", "Auth #", "Code", "Misc"]
    mapping = cols.guess_mapping(headers, {"Misc": "notes", "Pt ID": "mrn"})
    assert mapping == {
        "Pt ID": "mrn",
        "Insurance": "payer",
        "J-Code": "hcpcs_code",
        "Dose (mg)": "dose_mg",
        "D.O.B.": "birth_date",
        "Auth #": "auth_number",
        "Code": None,  # the code is filled by J-Code already
        "Misc": "notes",
    }
    assert cols.guess_mapping(["x"], {"x": "gone_field"}) == {"x": None}


def test_a_mapping_needs_every_required_field_once():
    assert cols.mapping_problems({"a": "mrn", "b": "mrn", "c": "wat"}) == [
        "no column is chosen for Payer",
        "no column is chosen for HCPCS code",
        "no column is chosen for Dose (mg)",
        "no column is chosen for Requested start",
        "no column is chosen for Requested end",
        "no column is chosen for Status",
        "unknown field 'wat'",
        "MRN is chosen for more than one column",
    ]
    full = {f: f for f in cols.REQUIRED}
    assert cols.mapping_problems(full) == []
