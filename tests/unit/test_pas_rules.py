"""Da Vinci PAS, the pure parts: a request's Claim Bundle from plain values, its supporting
info, and a ClaimResponse read as the step it records; the X12 action code helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fhir.resources.R4B.bundle import Bundle

from priorauth.domain import pas, x12
from priorauth.domain.evidence import (
    CkdStatus,
    Dialysis,
    Lab,
    LabTest,
    OralIronTrial,
    PatientEvidence,
    PriorProduct,
    TrialOutcome,
)
from priorauth.domain.pas_evidence import supporting_info
from priorauth.domain.pas_response import PasProblem, Requested, read_answer

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
D = date
ASKED = Requested(units=150, start=D(2026, 3, 1), end=D(2026, 5, 31))
ACTION_URL = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction"
CODE_URL = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewActionCode"
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"


def _facts(**changes) -> pas.PasFacts:
    request = pas.PasRequest(
        id=7,
        hcpcs_code="J1439",
        drug_name="ferric carboxymaltose",
        diagnosis_codes=("D50.9", "N18.4"),
        ordering_provider="Dr. Grace Hopper",
        dose_mg=Decimal("750.000"),
        administrations=2,
        units_requested=1500,
        requested_start=D(2026, 3, 1),
        requested_end=D(2026, 5, 31),
        expedited=False,
    )
    values = {
        "clinic": pas.PasOrganization(3, "Riverside Infusion"),
        "payer": pas.PasOrganization(5, "Blue Harbor Health", "800-555-0100"),
        "patient": pas.PasPatient(11, "MRN-1", "Ada", "Lovelace", D(1970, 3, 1), "F"),
        "coverage": pas.PasCoverage(13, "M123", "Gold PPO", D(2025, 1, 1), D(2026, 12, 31)),
        "request": request,
        "evidence": PatientEvidence(),
    }
    return pas.PasFacts(**(values | changes))


def _resources(bundle: dict) -> dict:
    return {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}


def test_the_bundle_is_a_collection_whose_claim_asks_preauthorization_for_the_request():
    bundle = pas.claim_bundle(_facts(), NOW)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection" and bundle["timestamp"] == "2026-03-16T12:00:00+00:00"
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [
        "Claim",
        "Patient",
        "Coverage",
        "Organization",
        "Organization",
        "Practitioner",
    ]
    claim = bundle["entry"][0]["resource"]
    assert (claim["use"], claim["status"]) == ("preauthorization", "active")
    assert claim["priority"]["coding"][0]["code"] == "normal"
    item = claim["item"][0]
    assert item["productOrService"]["coding"][0] == {
        "system": pas.HCPCS,
        "code": "J1439",
        "display": "ferric carboxymaltose",
    }
    assert item["quantity"] == {"value": 1500, "unit": "units"}
    assert item["servicedPeriod"] == {"start": "2026-03-01", "end": "2026-05-31"}
    assert item["diagnosisSequence"] == [1, 2] and item["careTeamSequence"] == [1]
    assert [d["diagnosisCodeableConcept"]["coding"][0] for d in claim["diagnosis"]] == [
        {"system": pas.ICD10_CM, "code": "D50.9"},
        {"system": pas.ICD10_CM, "code": "N18.4"},
    ]


def test_references_resolve_to_the_entries_and_are_stable():
    bundle = pas.claim_bundle(_facts(), NOW)
    urls = {e["resource"]["id"]: e["fullUrl"] for e in bundle["entry"]}
    claim = bundle["entry"][0]["resource"]
    assert claim["patient"]["reference"] == urls["patient-11"]
    assert claim["insurer"]["reference"] == urls["payer-5"]
    assert claim["provider"]["reference"] == urls["clinic-3"]
    assert claim["insurance"][0]["coverage"]["reference"] == urls["coverage-13"]
    assert claim["careTeam"][0]["provider"]["reference"] == urls["ordering-provider"]
    assert pas.claim_bundle(_facts(), NOW) == bundle
    assert pas.urn(3, "patient", 11) != pas.urn(4, "patient", 11)


def test_patient_coverage_and_organizations_carry_the_identifiers():
    found = _resources(pas.claim_bundle(_facts(), NOW))
    patient, coverage = found["Patient"], found["Coverage"]
    assert patient["identifier"][0]["value"] == "MRN-1"
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "MR"
    assert patient["name"] == [{"family": "Lovelace", "given": ["Ada"]}]
    assert (patient["birthDate"], patient["gender"]) == ("1970-03-01", "female")
    assert coverage["subscriberId"] == "M123"
    assert coverage["period"] == {"start": "2025-01-01", "end": "2026-12-31"}
    assert coverage["class"][0]["value"] == "Gold PPO"
    bundle = pas.claim_bundle(_facts(), NOW)
    payer, clinic = (e["resource"] for e in bundle["entry"][3:5])
    assert payer["name"] == "Blue Harbor Health" and payer["type"][0]["coding"][0]["code"] == "pay"
    assert payer["telecom"] == [{"system": "phone", "value": "800-555-0100"}]
    assert clinic["name"] == "Riverside Infusion" and "telecom" not in clinic
    assert found["Practitioner"]["name"] == [{"text": "Dr. Grace Hopper"}]


@pytest.mark.parametrize(("sex", "gender"), [("M", "male"), ("X", "other"), (None, "unknown")])
def test_sex_as_fhir_gender(sex, gender):
    patient = pas.PasPatient(11, "MRN-1", "Ada", "Lovelace", D(1970, 3, 1), sex)
    assert _resources(pas.claim_bundle(_facts(patient=patient), NOW))["Patient"]["gender"] == gender


def test_what_the_request_does_not_have_is_left_out_not_empty():
    bare = pas.PasRequest(
        7, "J1439", "ferric carboxymaltose", (), None, Decimal("750"), 1, 750,
        D(2026, 3, 1), D(2026, 3, 31), True,
    )  # fmt: skip
    coverage = pas.PasCoverage(13, "M123", None, D(2025, 1, 1), None)
    bundle = pas.claim_bundle(_facts(request=bare, coverage=coverage), NOW)
    Bundle.model_validate(bundle)
    found = _resources(bundle)
    claim = found["Claim"]
    assert "diagnosis" not in claim and "careTeam" not in claim and "Practitioner" not in found
    assert (
        "diagnosisSequence" not in claim["item"][0] and "careTeamSequence" not in claim["item"][0]
    )
    assert claim["priority"]["coding"][0]["code"] == "stat"
    assert (
        found["Coverage"]["period"] == {"start": "2025-01-01"} and "class" not in found["Coverage"]
    )
    assert [s["sequence"] for s in claim["supportingInfo"]] == [1]


def test_supporting_info_is_the_dose_latest_labs_trials_latest_ckd_and_prior_products():
    evidence = PatientEvidence(
        labs=(
            Lab(LabTest.FERRITIN, Decimal("40"), D(2026, 1, 5)),
            Lab(LabTest.FERRITIN, Decimal("25.5"), D(2026, 2, 20)),
            Lab(LabTest.TSAT, Decimal("12"), D(2026, 2, 20)),
        ),
        trials=(
            OralIronTrial("ferrous gluconate", D(2025, 11, 1), None, None),
            OralIronTrial(
                "ferrous sulfate", D(2025, 6, 1), D(2025, 9, 1), TrialOutcome.INTOLERANCE
            ),
        ),
        ckd=(
            CkdStatus(3, Dialysis.NONE, D(2025, 1, 1)),
            CkdStatus(4, Dialysis.HEMODIALYSIS, D(2026, 1, 10)),
        ),
        prior_products=(PriorProduct("J1750", D(2025, 4, 2)),),
    )
    info = supporting_info(Decimal("750.000"), 2, evidence)
    assert [i["sequence"] for i in info] == list(range(1, 8))
    assert info[0]["valueString"] == "750 mg per administration, 2 administrations"
    ferritin, tsat = info[1], info[2]
    assert ferritin["code"]["coding"][0]["code"] == "2276-4"
    assert ferritin["valueQuantity"]["value"] == Decimal("25.5")
    assert ferritin["valueQuantity"]["unit"] == "ng/mL" and ferritin["timingDate"] == "2026-02-20"
    assert tsat["code"]["coding"][0]["code"] == "2502-3" and tsat["valueQuantity"]["unit"] == "%"
    first_trial, second_trial = info[3], info[4]
    assert first_trial["valueString"] == "ferrous sulfate: intolerance"
    assert first_trial["timingPeriod"] == {"start": "2025-06-01", "end": "2025-09-01"}
    assert second_trial["valueString"] == "ferrous gluconate: outcome not recorded"
    assert second_trial["timingPeriod"] == {"start": "2025-11-01"}
    assert info[5]["valueString"] == "stage 4; dialysis: hemodialysis"
    assert info[5]["timingDate"] == "2026-01-10"
    assert (info[6]["valueString"], info[6]["timingDate"]) == ("J1750", "2025-04-02")
    assert all(i["category"]["coding"][0]["code"] == "info" for i in info)
    Bundle.model_validate(pas.claim_bundle(_facts(evidence=evidence), NOW))


def test_hemoglobin_is_coded_in_grams_per_decilitre():
    evidence = PatientEvidence(labs=(Lab(LabTest.HEMOGLOBIN, Decimal("9.8"), D(2026, 2, 1)),))
    lab = supporting_info(Decimal("100"), 1, evidence)[1]
    assert lab["code"]["coding"][0]["code"] == "718-7" and lab["valueQuantity"]["unit"] == "g/dL"


# A ClaimResponse, read


def _action(code: str | None = None, number: str | None = None) -> dict:
    parts = []
    if number:
        parts.append({"url": "number", "valueString": number})
    if code:
        concept = {"coding": [{"system": "https://codesystem.x12.org/005010/306", "code": code}]}
        parts.append({"url": "code", "valueCodeableConcept": concept})
    return {"url": ACTION_URL, "extension": parts}


def _response(*items, **fields) -> dict:
    body = {"created": "2026-03-10T09:00:00Z", "outcome": "complete"}
    return body | {"item": list(items)} | fields


def _item(*adjudication_extensions, **fields) -> dict:
    adjudication = {"category": {"coding": [{"code": "submitted"}]}}
    if adjudication_extensions:
        adjudication["extension"] = list(adjudication_extensions)
    return {"itemSequence": 1, "adjudication": [adjudication]} | fields


def test_a1_without_units_or_dates_approves_what_was_requested():
    answer = read_answer(_response(_item(_action("A1", "AUTH-9"))), ASKED)
    assert answer.action_code == "A1"
    assert answer.fields == {
        "auth_number": "AUTH-9",
        "approved_start": "2026-03-01",
        "approved_end": "2026-05-31",
        "approved_units": 150,
        "decided_on": "2026-03-10",
    }
    assert answer.where["action_code"] == "item[0].adjudication[0].extension(reviewAction).code"
    assert answer.where["auth_number"] == "item[0].adjudication[0].extension(reviewAction).number"


def test_a2_reads_preauth_ref_period_and_the_authorized_quantity():
    detail = {
        "url": PAS + "extension-itemAuthorizedDetail",
        "extension": [{"url": "quantity", "valueQuantity": {"value": 90}}],
    }
    response = _response(
        _item(_action("a2", "IGNORED"), extension=[detail]),
        preAuthRef="PA-77",
        preAuthPeriod={"start": "2026-03-05T00:00:00Z", "end": "2026-04-30"},
        disposition=" Partially certified ",
        processNote=[{"text": "90 units"}, {"text": " "}, {}],
    )
    answer = read_answer(response, ASKED)
    assert answer.action_code == "A2"
    assert answer.fields == {
        "note": "Partially certified 90 units",
        "auth_number": "PA-77",
        "approved_start": "2026-03-05",
        "approved_end": "2026-04-30",
        "approved_units": 90,
        "decided_on": "2026-03-10",
    }
    assert answer.where["approved_units"] == "item[0].extension(itemAuthorizedDetail).quantity"
    assert answer.where["auth_number"] == "preAuthRef"


def test_a6_reads_the_item_period_and_an_adjudication_value():
    period = {"url": PAS + "extension-itemPreAuthPeriod", "valuePeriod": {"start": "2026-03-02"}}
    item = _item(_action("A6"), extension=[period])
    item["adjudication"].append({"category": {"text": "allowed"}, "value": 80})
    answer = read_answer(_response(item), ASKED)
    assert answer.fields["approved_start"] == "2026-03-02"
    assert "approved_end" not in answer.fields
    assert answer.where["approved_end"] == "item[0].extension(itemPreAuthPeriod).end"
    assert answer.fields["approved_units"] == 80
    assert answer.where["approved_units"] == "item[0].adjudication[1].value"
    assert "auth_number" not in answer.fields and answer.where["auth_number"] == "preAuthRef"


def test_a_partial_answer_without_units_or_dates_names_where_they_belong():
    empty_period = {"url": PAS + "extension-itemPreAuthPeriod"}
    detail = {"url": PAS + "extension-itemAuthorizedDetail", "extension": []}
    answer = read_answer(
        _response(_item(_action("A2")), _item(extension=[empty_period, detail])), ASKED
    )
    assert not {"approved_units", "approved_start", "approved_end"} & set(answer.fields)
    assert answer.where["approved_start"] == "preAuthPeriod.start"
    assert answer.where["approved_units"] == "item[1].extension(itemAuthorizedDetail).quantity"


def test_a3_is_a_denial_for_another_reason_with_what_the_payer_wrote():
    answer = read_answer(
        _response(_item(_action("A3")), disposition="Not medically necessary"), ASKED
    )
    assert answer.action_code == "A3"
    assert answer.fields == {
        "note": "Not medically necessary",
        "denial_reason": "other",
        "decided_on": "2026-03-10",
    }


@pytest.mark.parametrize(("code", "meaning"), [("A4", "pended"), ("CT", "contact payer")])
def test_a_pend_without_words_says_the_code(code, meaning):
    answer = read_answer(_response(_item(_action(code))), ASKED)
    assert answer.fields == {"note": f"The payer pended the request (X12 {code}: {meaning})."}


def test_a_pend_keeps_what_the_payer_asked_for_and_cancel_needs_no_words():
    asked_for = read_answer(_response(_item(_action("A4")), disposition="Send labs"), ASKED)
    assert asked_for.fields == {"note": "Send labs"}
    cancelled = read_answer(_response(_item(_action("C"))), ASKED)
    assert cancelled.action_code == "C" and cancelled.fields == {}


def test_a_queued_answer_without_a_code_is_a_pend():
    answer = read_answer(_response(_item(), outcome="queued"), ASKED)
    assert answer.action_code == "A4" and answer.where["action_code"] == "outcome"


def test_the_older_item_level_code_and_extension_names_are_read():
    coded = {
        "url": CODE_URL,
        "valueCodeableConcept": {"coding": [{"display": "no code"}, {"code": " a1 "}]},
    }
    period = {
        "url": PAS + "extension-preAuthPeriod",
        "valuePeriod": {"start": "2026-03-03", "end": "2026-03-30"},
    }
    detail = {
        "url": PAS + "extension-authorizedItemDetail",
        "extension": [{"url": "quantity", "valueQuantity": {"value": 40}}],
    }
    item = {"itemSequence": 1, "extension": [{"url": "other"}, coded, period, detail]}
    answer = read_answer(_response(item, preAuthRef="R-1"), ASKED)
    assert answer.action_code == "A1"
    assert answer.where["action_code"] == "item[0].extension(reviewActionCode)"
    assert answer.fields["approved_start"] == "2026-03-03"
    assert answer.fields["approved_units"] == 40


def test_a_quantity_part_without_a_value_falls_back_to_the_request_for_a1():
    detail = {"url": PAS + "extension-itemAuthorizedDetail", "extension": [{"url": "quantity"}]}
    answer = read_answer(_response(_item(_action("A1", "N-1"), extension=[detail])), ASKED)
    assert answer.fields["approved_units"] == 150


def test_review_actions_without_a_code_do_not_count():
    answer = read_answer(_response(_item(_action(None, "N-1"), _action("A3")), _item()), ASKED)
    assert answer.action_code == "A3"


@pytest.mark.parametrize(
    ("response", "where", "words"),
    [
        (
            _response(_item(_action("A1")), _item(_action("A3"))),
            "item",
            "different review action codes: A1, A3",
        ),
        (_response(_item()), "item", "no review action code (A1, A2, A3, A4, A6, C, CT)"),
        (_response(), "item", "no review action code"),
        (
            _response(_item(_action("NA"))),
            "item[0].adjudication[0].extension(reviewAction).code",
            "NA is not a review action code priorauth records",
        ),
        (
            _response(
                _item(_action("A1")),
                outcome="error",
                error=[{"code": {"coding": [{"code": "AAE-57"}]}}, {"code": {}}],
            ),
            "outcome",
            "the payer answered with an error (codes: AAE-57)",
        ),
        (_response(outcome="error"), "outcome", "(codes: none given)"),
    ],
)
def test_what_cannot_be_read_is_named(response, where, words):
    with pytest.raises(PasProblem) as refused:
        read_answer(response, ASKED)
    assert refused.value.where == where and words in refused.value.message
    assert str(refused.value).startswith(f"{where}: ")


def test_action_code_choices_and_meanings():
    assert x12.codes_for("partially_approved") == [
        ("A2", "A2: certified in part"),
        ("A6", "A6: modified"),
    ]
    assert x12.codes_for(x12.Status.PENDED) == [("A4", "A4: pended"), ("CT", "CT: contact payer")]
    assert x12.codes_for("submitted") == []
    assert x12.meaning_of(" c ") == "cancelled"
    assert x12.meaning_of(None) == x12.meaning_of("ZZ") == ""
