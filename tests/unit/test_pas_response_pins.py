"""A ClaimResponse read as a step (domain/pas_response.py): the rules the mutation run found
unpinned. Plain FHIR JSON in, the answer (its fields and where each is read) or the refusal out."""

from __future__ import annotations

from datetime import date

import pytest

from priorauth.domain.pas_response import PasProblem, Requested, read_answer

ASKED = Requested(units=150, start=date(2026, 3, 1), end=date(2026, 5, 31))
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"


def _concept(code: str) -> dict:
    return {"coding": [{"system": "https://codesystem.x12.org/005010/306", "code": code}]}


def _adjudicated(code: str) -> dict:
    """An item whose adjudication carries a reviewAction with `code` (PAS STU 2)."""
    action = {
        "url": PAS + "extension-reviewAction",
        "extension": [{"url": "code", "valueCodeableConcept": _concept(code)}],
    }
    return {"itemSequence": 1, "adjudication": [{"extension": [action]}]}


def _refusal(response: dict) -> PasProblem:
    with pytest.raises(PasProblem) as refused:
        read_answer(response, ASKED)
    return refused.value


def test_a_review_action_whose_code_part_has_the_older_name_review_action_code_is_read():
    action = {
        "url": PAS + "extension-reviewAction",
        "extension": [{"url": "reviewActionCode", "valueCodeableConcept": _concept("A3")}],
    }
    response = {"outcome": "complete", "item": [{"adjudication": [{"extension": [action]}]}]}
    answer = read_answer(response, ASKED)
    assert answer.action_code == "A3"
    assert answer.where["action_code"] == "item[0].adjudication[0].extension(reviewAction).code"


def test_extensions_without_a_url_are_passed_over():
    coded = {"url": PAS + "extension-reviewActionCode", "valueCodeableConcept": _concept("A4")}
    response = {"outcome": "complete", "item": [{"extension": [{"valueString": "x"}, coded]}]}
    assert read_answer(response, ASKED).action_code == "A4"


def test_a_queued_response_without_any_item_is_a_pend():
    answer = read_answer({"outcome": "queued"}, ASKED)
    assert answer.action_code == "A4" and answer.where["action_code"] == "outcome"


def test_a_complete_response_without_any_item_has_no_review_action_code():
    problem = _refusal({"outcome": "complete"})
    assert problem.where == "item"
    assert (
        problem.message
        == "no review action code (A1, A2, A3, A4, A6, C, CT) in item[].adjudication"
    )


def test_an_unknown_code_is_refused_naming_every_code_priorauth_records():
    problem = _refusal({"outcome": "complete", "item": [_adjudicated("ZZ")]})
    assert problem.where == "item[0].adjudication[0].extension(reviewAction).code"
    assert problem.message == (
        "ZZ is not a review action code priorauth records (A1, A2, A3, A4, A6, C, CT)"
    )


def test_an_error_answer_lists_every_error_code_it_gives():
    errors = [{"code": _concept("AAE-57")}, {"code": {}}, {"code": _concept("aae-44")}]
    problem = _refusal({"outcome": "error", "error": errors})
    assert problem.where == "outcome"
    assert problem.message == "the payer answered with an error (codes: AAE-57, AAE-44)"


def test_an_item_level_certification_without_adjudications_approves_the_requested_units():
    coded = {"url": PAS + "extension-reviewActionCode", "valueCodeableConcept": _concept("A1")}
    response = {"outcome": "complete", "item": [{"extension": [coded]}]}
    answer = read_answer(response, ASKED)
    assert answer.fields["approved_units"] == 150
    assert answer.where["approved_units"] == "item[0].extension(itemAuthorizedDetail).quantity"


def test_a_partial_item_level_answer_without_adjudications_has_no_units():
    coded = {"url": PAS + "extension-reviewActionCode", "valueCodeableConcept": _concept("A2")}
    answer = read_answer({"outcome": "complete", "item": [{"extension": [coded]}]}, ASKED)
    assert "approved_units" not in answer.fields


def test_the_note_is_read_from_the_disposition():
    response = {"outcome": "complete", "item": [_adjudicated("A4")], "disposition": "Send labs"}
    answer = read_answer(response, ASKED)
    assert answer.fields["note"] == "Send labs" and answer.where["note"] == "disposition"


def test_a_pend_without_words_still_names_the_disposition_for_its_note():
    answer = read_answer({"outcome": "complete", "item": [_adjudicated("CT")]}, ASKED)
    assert answer.where == {"action_code": answer.where["action_code"], "note": "disposition"}


def test_a_denial_names_the_item_for_its_reason_and_created_for_its_day():
    response = {"outcome": "complete", "item": [_adjudicated("A3")], "created": "2026-03-10"}
    answer = read_answer(response, ASKED)
    assert answer.where == {
        "action_code": "item[0].adjudication[0].extension(reviewAction).code",
        "note": "disposition",
        "denial_reason": "item",
        "decided_on": "created",
    }
    assert answer.fields == {"denial_reason": "other", "decided_on": "2026-03-10"}


def test_an_approval_without_a_created_day_still_names_created_for_its_day():
    answer = read_answer({"outcome": "complete", "item": [_adjudicated("A1")]}, ASKED)
    assert "decided_on" not in answer.fields and answer.where["decided_on"] == "created"
