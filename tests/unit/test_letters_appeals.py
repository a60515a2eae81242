"""The appeal's argument: each denial reason of the vocabulary answered with the evidence that
addresses it, values and dates (domain/appeals.py, domain/letters.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from priorauth.domain import evidence_facts as ef
from priorauth.domain.appeals import ARGUMENTS
from priorauth.domain.letters import LetterFacts, letter_context, trial_cited
from priorauth.domain.vocab import DenialReason

TODAY = date(2026, 3, 1)
FACTS = LetterFacts(
    clinic_name="Harbor Infusion",
    patient_name="Ada Lovelace",
    mrn="MRN-77",
    birth_date=date(1970, 3, 1),
    payer_name="Blue Harbor Health",
    member_id="M123",
    plan_name=None,
    hcpcs_code="J1439",
    drug_name="ferric carboxymaltose",
    brand="Injectafer",
    dose_mg=Decimal(750),
    administrations=2,
    units=1500,
    requested_start=date(2026, 3, 2),
    requested_end=date(2026, 5, 30),
    diagnosis_codes=("D50.9", "K90.0"),
    ordering_provider="Dr. Grace Hopper",
    urgency="standard",
    denial_note="see policy",
    decided_on=date(2026, 2, 20),
    appeal_deadline=date(2026, 8, 19),
)
EVIDENCE = ef.PatientEvidence(
    labs=(
        ef.Lab(ef.LabTest.FERRITIN, Decimal(40), date(2025, 12, 1)),  # older: not cited
        ef.Lab(ef.LabTest.FERRITIN, Decimal(12), date(2026, 2, 10)),
        ef.Lab(ef.LabTest.TSAT, Decimal(9), date(2026, 2, 10)),
        ef.Lab(ef.LabTest.HEMOGLOBIN, Decimal("9.8"), date(2026, 2, 11)),
        ef.Lab(ef.LabTest.HEMOGLOBIN, Decimal("9.1"), date(2026, 3, 5)),  # after today
    ),
    trials=(
        ef.OralIronTrial(
            "ferrous sulfate",
            date(2025, 10, 1),
            date(2026, 1, 5),
            ef.TrialOutcome.INADEQUATE_RESPONSE,
        ),
    ),
    ckd=(ef.CkdStatus(3, ef.Dialysis.NONE, date(2026, 1, 20)),),
    diagnoses=(ef.Diagnosis("D50.9", date(2025, 9, 1)),),
    prior_products=(ef.PriorProduct("J1756", date(2025, 6, 3)),),
)
POLICY = ef.Policy(
    accepted_diagnoses=("D50", "K90"),
    ferritin_max=Decimal(30),
    tsat_max=Decimal(20),
    ferritin_max_ckd=Decimal(100),
    hemoglobin_max=Decimal(13),
    labs_max_age_days=30,
    oral_iron_min_days=90,
    preferred_codes=("J1756",),
    max_mg_per_dose=Decimal(750),
    max_administrations=2,
)
NAMES = {"J1756": "iron sucrose", "J1439": "ferric carboxymaltose"}
LABS = ("ferritin 12 ng/mL on 2026-02-10", "TSAT 9 % on 2026-02-10")
HGB = "hemoglobin 9.8 g/dL on 2026-02-11"
TRIAL = ("ferrous sulfate", "2025-10-01", "2026-01-05", "97 days", "inadequate response")
DOSE = ("J1439", "750 mg per administration", "2 administrations", "1500 mg", "1500 units")
DIAGNOSES = ("D50.9 (Iron deficiency anemia, unspecified)", "K90.0 (Celiac disease)")


def argument(reason: str, evidence=EVIDENCE, policy=POLICY) -> str:
    facts = replace(FACTS, denial_reason=reason)
    return letter_context(facts, evidence, policy, NAMES, TODAY)["denial"]["argument"]


def assert_cites(text: str, *parts: str) -> None:
    for part in parts:
        assert part in text, (part, text)


def test_every_reason_of_the_vocabulary_has_an_argument():
    assert set(ARGUMENTS) == set(DenialReason)


def test_labs_out_of_range_cites_each_lab_with_value_date_and_the_criteria():
    text = argument("labs_out_of_range")
    assert_cites(text, *LABS, HGB, "ferritin at most 100", "TSAT at most 20", "within 30 days")
    assert "40 ng/mL" not in text and "9.1" not in text  # not the labs the checklist used
    assert "CKD stage 3, no dialysis (2026-01-20)" in text  # why the CKD ferritin limit


def test_oral_iron_not_documented_cites_the_trial_dates_and_outcome():
    assert_cites(argument("oral_iron_not_documented"), *TRIAL, "90 days", *LABS)


def test_oral_iron_not_documented_cites_an_intolerance_instead():
    intolerant = ef.OralIronTrial(
        "ferrous gluconate",
        date(2025, 11, 3),
        date(2025, 11, 20),
        ef.TrialOutcome.INTOLERANCE,
        "nausea and vomiting",
    )
    evidence = replace(EVIDENCE, trials=(*EVIDENCE.trials, intolerant))
    text = argument("oral_iron_not_documented", evidence)
    assert_cites(text, "intolerance to ferrous gluconate", "2025-11-03", "nausea and vomiting")


def test_diagnosis_not_supported_cites_the_diagnoses_with_descriptions():
    text = argument("diagnosis_not_supported")
    assert_cites(text, *DIAGNOSES, "D50, K90", *LABS)


def test_documentation_missing_cites_dose_diagnoses_labs_trial_and_prior_products():
    text = argument("documentation_missing")
    assert_cites(text, *DOSE, "2026-03-02", "2026-05-30", "Dr. Grace Hopper", *DIAGNOSES)
    assert_cites(text, *LABS, HGB, *TRIAL, "J1756 iron sucrose on 2025-06-03")


def test_dose_or_frequency_exceeded_cites_the_dose_units_schedule_and_limits():
    text = argument("dose_or_frequency_exceeded")
    assert_cites(text, *DOSE, "2026-03-02", "2026-05-30", "750", "at most (administrations) 2")


def test_step_therapy_required_cites_the_prior_products_given():
    text = argument("step_therapy_required")
    assert_cites(text, "J1756 iron sucrose on 2025-06-03", "preferred products: J1756", *TRIAL)


def test_step_therapy_without_prior_product_says_so():
    text = argument("step_therapy_required", replace(EVIDENCE, prior_products=()))
    assert "no IV iron product given before" in text


def test_off_label_use_cites_the_code_its_drug_and_the_indication():
    text = argument("off_label_use")
    assert_cites(text, "J1439 (ferric carboxymaltose)", *DIAGNOSES, *LABS)


def test_not_medically_necessary_cites_labs_trial_and_kidney_status():
    text = argument("not_medically_necessary")
    assert_cites(text, *DIAGNOSES, *LABS, HGB, *TRIAL, "CKD stage 3")


def test_other_quotes_the_denial_note_and_the_whole_record():
    text = argument("other")
    assert_cites(text, '"see policy"', *DOSE, *LABS, *TRIAL)


@pytest.mark.parametrize("reason", DenialReason.values())
def test_the_denial_carries_its_reason_words_and_deadline(reason):
    denial = letter_context(replace(FACTS, denial_reason=reason), EVIDENCE, POLICY, NAMES, TODAY)[
        "denial"
    ]
    assert denial["reason_label"] == DenialReason(reason).label
    assert denial["appeal_deadline"] == "2026-08-19" and denial["decided_on"] == "2026-02-20"


def test_a_request_not_denied_has_no_denial():
    assert letter_context(FACTS, EVIDENCE, POLICY, NAMES, TODAY)["denial"] is None


def test_missing_evidence_is_said_not_invented():
    text = argument("not_medically_necessary", ef.PatientEvidence(), None)
    assert_cites(text, "no iron labs on file", "no oral iron trial is on file")


def test_the_trial_cited_is_the_one_the_checklist_counts():
    short = ef.OralIronTrial("ferrous sulfate", date(2026, 1, 1), date(2026, 1, 20), None)
    long_ = EVIDENCE.trials[0]
    assert trial_cited((short, long_), 90, TODAY) == long_
    excuse = ef.OralIronTrial("x", date(2026, 2, 1), None, ef.TrialOutcome.CONTRAINDICATION)
    assert trial_cited((long_, excuse), 90, TODAY) == excuse
    assert trial_cited((short,), 90, TODAY) == short
    assert trial_cited((), 90, TODAY) is None
