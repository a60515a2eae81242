"""Form errors in words: labels from the schemas, marshmallow's phrasing turned into
sentences, list items numbered from 1, and no field name or schema bound left as text."""

from __future__ import annotations

import marshmallow as ma
import pytest

from priorauth.schemas.authorizations import AuthorizationInSchema, TransitionSchema
from priorauth.schemas.infusions import InfusionPatchSchema
from priorauth.schemas.labels import field_label, item_label
from priorauth.schemas.patients import CoverageSchema
from priorauth.web.wording import reworded, worded
from tests.web.visible_text import text_problems


def errors_of(schema: ma.Schema, data: dict) -> dict[str, list[str]]:
    with pytest.raises(ma.ValidationError) as caught:
        schema.load(data)
    return worded(caught.value.messages, schema.fields)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("start_date", "Start date"),
        ("dose_mg", "Dose (mg)"),
        ("hcpcs_code", "Drug code"),
        ("plan_name", "Plan name"),
        ("member_id", "Member ID"),
        ("something_new_mg", "Something new (mg)"),
    ],
)
def test_every_field_has_a_label_in_words(name, label):
    assert field_label(name) == label


def test_a_field_label_in_the_schema_metadata_wins():
    field = ma.fields.String(metadata={"label": "Lot number on the vial"})
    assert field_label("lot_number", field) == "Lot number on the vial"
    assert item_label("diagnosis_codes") == "Diagnosis"


def test_an_end_before_the_start_names_both_dates_by_label():
    found = errors_of(
        CoverageSchema(),
        {"payer_id": 1, "member_id": "A1", "start_date": "2025-03-10", "end_date": "2025-03-01"},
    )
    assert found == {"end_date": ["End date must be on or after the start date."]}


def test_list_errors_say_which_item():
    found = errors_of(AuthorizationInSchema(partial=True), {"diagnosis_codes": ["D50.9", "XYZ"]})
    assert found["diagnosis_codes"][0].startswith("Diagnosis 2: 'XYZ' is not an ICD-10-CM code")


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        ("abc", "Approved units must be a whole number."),
        ("0", "Approved units must be between 1 and 10,000,000."),
        ("99999999999", "Approved units must be between 1 and 10,000,000."),
    ],
)
def test_number_errors_read_as_sentences_without_schema_phrasing(value, sentence):
    found = errors_of(TransitionSchema(), {"to": "approved", "approved_units": value})
    assert found == {"approved_units": [sentence]}
    assert "less than or equal" not in sentence


def test_bad_dates_missing_fields_and_unknown_choices_are_worded():
    found = errors_of(TransitionSchema(), {"to": "bogus", "decided_on": "2024-02-30"})
    assert found == {
        "to": ["Next step must be one of the choices offered."],
        "decided_on": ["Decision date must be a date written as YYYY-MM-DD (e.g. 2025-03-01)."],
    }
    assert errors_of(CoverageSchema(), {"member_id": "A", "start_date": "2025-01-01"}) == {
        "payer_id": ["Payer is required."]
    }


def test_a_whole_form_error_names_its_fields_in_words():
    found = errors_of(InfusionPatchSchema(), {})
    assert list(found) == ["_"]
    assert text_problems(found["_"][0]) == []
    assert "the dose (mg)" in found["_"][0]


def test_service_messages_become_sentences_about_their_field():
    assert reworded("MRN 12 is already used by another patient", "MRN", field_label) == (
        "MRN 12 is already used by another patient."
    )
    assert reworded("is required to record approved", "Authorization number", field_label) == (
        "Authorization number is required to record approved."
    )
    assert reworded("a payer named 'X' already exists", "Name", field_label) == (
        "A payer named 'X' already exists."
    )
    assert reworded("lot expired on 2025-01-01", "Lot expiry", field_label) == (
        "Lot expiry: Lot expired on 2025-01-01."
    )


def test_worded_errors_never_show_field_names_or_schema_bounds():
    schema = AuthorizationInSchema()
    found = errors_of(
        schema,
        {
            "patient_id": "x",
            "coverage_id": "0",
            "dose_mg": "1e9",
            "administrations": "1000",
            "requested_start": "x",
            "extra": "1",
        },
    )
    for messages in found.values():
        for message in messages:
            assert text_problems(message) == [], message
            assert "equal to" not in message and "2147483647" not in message
    assert found["coverage_id"] == ["Coverage must be chosen from the list."]
    assert found["extra"] == ["Extra is not part of this form."]
