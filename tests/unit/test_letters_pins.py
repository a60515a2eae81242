"""What a letter and an appeal cite, pinned value by value (domain/letters.py, appeals.py,
icd10.py): the trial counted, the labs and their dates, the payer's limits (the CKD pair), each
denial reason's paragraph word for word, and the description of a code or its nearest parent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from priorauth.domain import evidence_facts as ef
from priorauth.domain.appeals import argument as appeal_argument
from priorauth.domain.icd10 import describe
from priorauth.domain.letters import LetterFacts, letter_context, trial_cited

TODAY = date(2026, 3, 1)
FACTS = LetterFacts(
    clinic_name="Harbor Infusion",
    patient_name="Ada Lovelace",
    mrn="MRN-77",
    birth_date=date(1970, 3, 1),
    payer_name="Blue Harbor Health",
    member_id="M123",
    plan_name="Gold PPO",
    hcpcs_code="J1439",
    drug_name="ferric carboxymaltose",
    brand="Injectafer",
    dose_mg=Decimal("750.0"),
    administrations=2,
    units=1500,
    requested_start=date(2026, 3, 2),
    requested_end=date(2026, 5, 30),
    diagnosis_codes=(" d50.9 ", "K90.0", "D50.9", " ", "Q99.9"),
    ordering_provider="Dr. Grace Hopper",
    urgency="expedited",
    auth_number="A-1",
    payer_reference="R-2",
)
FAILED = ef.OralIronTrial(
    "ferrous sulfate", date(2025, 10, 1), date(2026, 1, 5), ef.TrialOutcome.INADEQUATE_RESPONSE
)
EVIDENCE = ef.PatientEvidence(
    labs=(
        ef.Lab(ef.LabTest.FERRITIN, Decimal(40), date(2025, 12, 1)),
        ef.Lab(ef.LabTest.FERRITIN, Decimal("12.0"), date(2026, 2, 10)),
        ef.Lab(ef.LabTest.TSAT, Decimal(9), date(2026, 2, 9)),
        ef.Lab(ef.LabTest.HEMOGLOBIN, Decimal("9.8"), date(2026, 2, 11)),
    ),
    trials=(FAILED,),
    ckd=(
        ef.CkdStatus(2, ef.Dialysis.NONE, date(2025, 6, 1)),
        ef.CkdStatus(5, ef.Dialysis.HEMODIALYSIS, date(2026, 1, 20)),
    ),
    diagnoses=(ef.Diagnosis("N18.6", date(2025, 9, 1)),),
    prior_products=(
        ef.PriorProduct("J1756", date(2025, 6, 3)),
        ef.PriorProduct("J9999", date(2025, 2, 1)),
    ),
)
POLICY = ef.Policy(
    accepted_diagnoses=("D50", "K90"),
    ferritin_max=Decimal(30),
    tsat_max=Decimal(20),
    ferritin_max_ckd=Decimal("100.0"),
    tsat_max_ckd=Decimal(25),
    hemoglobin_max=Decimal(13),
    labs_max_age_days=30,
    oral_iron_min_days=90,
    preferred_codes=("J1756", "J2916"),
    max_mg_per_dose=Decimal(750),
    max_mg_per_authorization=Decimal(1500),
    max_administrations=2,
)
NAMES = {"J1756": "iron sucrose"}


def context(facts=FACTS, evidence=EVIDENCE, policy=POLICY):
    return letter_context(facts, evidence, policy, NAMES, TODAY)


def trial(drug, start, end, outcome, note=""):
    return ef.OralIronTrial(drug, start, end, outcome, note)


# --- trial_cited -------------------------------------------------------------------------------


def test_the_earliest_intolerance_or_contraindication_is_cited_before_any_failure():
    late = trial("a", date(2026, 1, 10), None, ef.TrialOutcome.INTOLERANCE)
    early = trial("b", date(2025, 12, 1), date(2025, 12, 3), ef.TrialOutcome.CONTRAINDICATION)
    assert trial_cited((FAILED, late, early), 90, TODAY) is early
    assert trial_cited((FAILED, late), 90, TODAY) is late
    assert trial_cited((early, FAILED), 90, TODAY) is early


def test_a_failed_trial_exactly_as_long_as_the_plan_asks_is_counted():
    exact = trial("a", date(2025, 12, 2), date(2026, 3, 1), ef.TrialOutcome.INADEQUATE_RESPONSE)
    longer_unrecorded = trial("b", date(2025, 6, 1), date(2026, 1, 1), None)
    assert trial_cited((longer_unrecorded, exact), 90, TODAY) is exact
    assert trial_cited((longer_unrecorded, exact), 91, TODAY) is longer_unrecorded


def test_the_longest_failed_trial_long_enough_is_cited():
    short = trial("a", date(2026, 1, 1), date(2026, 1, 10), ef.TrialOutcome.INADEQUATE_RESPONSE)
    other = trial("c", date(2025, 1, 1), date(2025, 12, 1), None)
    assert trial_cited((short, FAILED, other), 5, TODAY) is FAILED
    assert trial_cited((FAILED, short), 5, TODAY) is FAILED


def test_without_a_minimum_any_failed_trial_counts():
    future = trial("a", date(2026, 3, 2), None, ef.TrialOutcome.INADEQUATE_RESPONSE)
    other = trial("b", date(2025, 1, 1), date(2025, 12, 1), None)
    assert trial_cited((other, future), None, TODAY) is future


def test_with_no_trial_long_enough_the_longest_of_all_is_cited():
    short = trial("a", date(2026, 1, 1), date(2026, 1, 10), ef.TrialOutcome.INADEQUATE_RESPONSE)
    unrecorded = trial("b", date(2026, 1, 1), date(2026, 1, 30), None)
    assert trial_cited((short, unrecorded), 90, TODAY) is unrecorded
    assert trial_cited((unrecorded, short), 90, TODAY) is unrecorded


# --- the letter's context ----------------------------------------------------------------------


def test_the_whole_context_of_a_letter_is_pinned():
    ctx = context()
    assert ctx == {
        "today": "2026-03-01",
        "clinic": {"name": "Harbor Infusion"},
        "patient": {"name": "Ada Lovelace", "mrn": "MRN-77", "birth_date": "1970-03-01"},
        "payer": {"name": "Blue Harbor Health", "member_id": "M123", "plan": "Gold PPO"},
        "request": {
            "code": "J1439",
            "drug": "ferric carboxymaltose",
            "brand": "Injectafer",
            "dose_mg": "750",
            "administrations": 2,
            "total_mg": "1500",
            "units": 1500,
            "start": "2026-03-02",
            "end": "2026-05-30",
            "urgency": "expedited",
            "auth_number": "A-1",
            "payer_reference": "R-2",
        },
        "prescriber": "Dr. Grace Hopper",
        "diagnoses": [
            {"code": "D50.9", "description": "Iron deficiency anemia, unspecified"},
            {"code": "K90.0", "description": "Celiac disease"},
            {"code": "Q99.9", "description": ""},
        ],
        "labs": [ctx["ferritin"], ctx["tsat"], ctx["hemoglobin"]],
        "ferritin": {
            "name": "ferritin",
            "value": "12",
            "unit": "ng/mL",
            "date": "2026-02-10",
            "text": "ferritin 12 ng/mL on 2026-02-10",
        },
        "tsat": {
            "name": "TSAT",
            "value": "9",
            "unit": "%",
            "date": "2026-02-09",
            "text": "TSAT 9 % on 2026-02-09",
        },
        "hemoglobin": {
            "name": "hemoglobin",
            "value": "9.8",
            "unit": "g/dL",
            "date": "2026-02-11",
            "text": "hemoglobin 9.8 g/dL on 2026-02-11",
        },
        "trial": {
            "drug": "ferrous sulfate",
            "start": "2025-10-01",
            "end": "2026-01-05",
            "days": 97,
            "outcome": "inadequate_response",
            "outcome_label": "inadequate response",
            "note": "",
            "excused": False,
            "text": "ferrous sulfate from 2025-10-01 to 2026-01-05 (97 days): inadequate response",
        },
        "ckd": {
            "stage": 5,
            "dialysis": "hemodialysis",
            "on_dialysis": True,
            "date": "2026-01-20",
            "text": "CKD stage 5, hemodialysis (2026-01-20)",
        },
        "prior_products": [
            {"code": "J9999", "drug": "", "date": "2025-02-01"},
            {"code": "J1756", "drug": "iron sucrose", "date": "2025-06-03"},
        ],
        "policy": {
            "known": True,
            "ferritin_max": "100",
            "tsat_max": "25",
            "hemoglobin_max": "13",
            "max_mg_per_dose": "750",
            "max_mg_per_authorization": "1500",
            "labs_max_age_days": 30,
            "oral_iron_min_days": 90,
            "max_administrations": 2,
            "accepted_diagnoses": ["D50", "K90"],
            "preferred_codes": ["J1756", "J2916"],
        },
        "denial": None,
    }


def test_empty_optional_facts_print_as_empty_text():
    facts = replace(
        FACTS, plan_name=None, ordering_provider=None, auth_number=None, payer_reference=None
    )
    ctx = context(facts)
    assert ctx["payer"]["plan"] == "" and ctx["prescriber"] == ""
    assert ctx["request"]["auth_number"] == "" and ctx["request"]["payer_reference"] == ""


def test_without_evidence_nothing_is_cited():
    ctx = context(replace(FACTS, diagnosis_codes=()), ef.PatientEvidence(), None)
    assert ctx["labs"] == [] and ctx["diagnoses"] == []
    assert ctx["ferritin"] is None and ctx["tsat"] is None and ctx["hemoglobin"] is None
    assert ctx["trial"] is None and ctx["ckd"] is None and ctx["prior_products"] == []
    assert ctx["policy"] == {"known": False, "accepted_diagnoses": [], "preferred_codes": []}


def test_the_records_diagnoses_are_cited_when_the_request_names_none():
    ctx = context(replace(FACTS, diagnosis_codes=()))
    assert ctx["diagnoses"] == [{"code": "N18.6", "description": "End stage renal disease"}]


def test_evidence_after_the_day_is_not_cited():
    later = ef.Lab(ef.LabTest.TSAT, Decimal(30), date(2026, 3, 2))
    ctx = context(evidence=replace(EVIDENCE, labs=(*EVIDENCE.labs, later)))
    assert ctx["tsat"]["value"] == "9"


def test_a_ckd_without_dialysis_is_not_on_dialysis():
    ckd = ef.CkdStatus(3, ef.Dialysis.NONE, date(2026, 1, 2))
    ctx = context(evidence=replace(EVIDENCE, ckd=(ckd,)))
    assert ctx["ckd"] == {
        "stage": 3,
        "dialysis": "no dialysis",
        "on_dialysis": False,
        "date": "2026-01-02",
        "text": "CKD stage 3, no dialysis (2026-01-02)",
    }
    peritoneal = replace(ckd, dialysis=ef.Dialysis.PERITONEAL)
    ctx = context(evidence=replace(EVIDENCE, ckd=(peritoneal,)))
    assert ctx["ckd"]["dialysis"] == "peritoneal dialysis" and ctx["ckd"]["on_dialysis"] is True


def test_an_ongoing_excused_trial_with_a_note():
    excuse = ef.TrialOutcome.INTOLERANCE
    ongoing = trial("ferrous gluconate", date(2026, 2, 1), None, excuse, " GI ")
    ctx = context(evidence=replace(EVIDENCE, trials=(ongoing,)))
    assert ctx["trial"] == {
        "drug": "ferrous gluconate",
        "start": "2026-02-01",
        "end": "ongoing",
        "days": 29,
        "outcome": "intolerance",
        "outcome_label": "intolerance",
        "note": "GI",
        "excused": True,
        "text": "ferrous gluconate from 2026-02-01 to ongoing (29 days): intolerance (GI)",
    }
    contra = replace(ongoing, outcome=ef.TrialOutcome.CONTRAINDICATION, note="")
    ctx = context(evidence=replace(EVIDENCE, trials=(contra,)))
    assert ctx["trial"]["excused"] is True and ctx["trial"]["outcome"] == "contraindication"


def test_a_trial_without_outcome_says_so():
    open_ = trial("ferrous sulfate", date(2026, 2, 20), date(2026, 2, 25), None)
    ctx = context(evidence=replace(EVIDENCE, trials=(open_,)))
    assert ctx["trial"]["outcome"] == "" and ctx["trial"]["excused"] is False
    assert ctx["trial"]["outcome_label"] == "no outcome recorded"
    assert ctx["trial"]["text"] == (
        "ferrous sulfate from 2026-02-20 to 2026-02-25 (6 days): no outcome recorded"
    )


def test_without_ckd_the_general_limits_are_quoted():
    ctx = context(evidence=replace(EVIDENCE, ckd=()))
    assert ctx["policy"]["ferritin_max"] == "30" and ctx["policy"]["tsat_max"] == "20"


def test_with_ckd_each_limit_falls_back_to_the_general_one_when_the_payer_states_none():
    policy = replace(POLICY, ferritin_max_ckd=None)
    assert context(policy=policy)["policy"]["ferritin_max"] == "30"
    assert context(policy=policy)["policy"]["tsat_max"] == "25"
    policy = replace(POLICY, tsat_max_ckd=None)
    assert context(policy=policy)["policy"]["tsat_max"] == "20"
    assert context(policy=policy)["policy"]["ferritin_max"] == "100"


def test_limits_the_payer_does_not_state_are_none():
    policy = ef.Policy(oral_iron_min_days=60)
    limits = context(policy=policy)["policy"]
    assert limits == {
        "known": True,
        "ferritin_max": None,
        "tsat_max": None,
        "hemoglobin_max": None,
        "max_mg_per_dose": None,
        "max_mg_per_authorization": None,
        "labs_max_age_days": None,
        "oral_iron_min_days": 60,
        "max_administrations": None,
        "accepted_diagnoses": [],
        "preferred_codes": [],
    }


# --- the denial and each reason's argument -----------------------------------------------------


def denied(reason, evidence=EVIDENCE, policy=POLICY, **facts):
    facts = replace(FACTS, denial_reason=reason, **facts)
    return context(facts, evidence, policy)["denial"]


def test_the_denial_carries_its_words_note_and_dates():
    denial = denied(
        "labs_out_of_range",
        denial_note="ferritin too high",
        decided_on=date(2026, 2, 20),
        appeal_deadline=date(2026, 8, 19),
    )
    assert {k: v for k, v in denial.items() if k != "argument"} == {
        "reason": "labs_out_of_range",
        "reason_label": "Labs out of range or too old",
        "note": "ferritin too high",
        "decided_on": "2026-02-20",
        "appeal_deadline": "2026-08-19",
    }


def test_an_unknown_reason_keeps_its_words_and_is_answered_as_other():
    denial = denied("payer_whim", denial_note=None)
    assert denial["reason_label"] == "payer_whim"
    assert denial["note"] == "" and denial["decided_on"] == "" and denial["appeal_deadline"] == ""
    assert denial["argument"] == denied("other", denial_note=None)["argument"]
    assert appeal_argument("payer_whim", context()) == denial["argument"]


DIAGNOSES = "D50.9 (Iron deficiency anemia, unspecified), K90.0 (Celiac disease), Q99.9"
LABS = "ferritin 12 ng/mL on 2026-02-10; TSAT 9 % on 2026-02-09; hemoglobin 9.8 g/dL on 2026-02-11"
TRIAL = "a trial of ferrous sulfate from 2025-10-01 to 2026-01-05 (97 days): inadequate response"
CKD = "CKD stage 5, hemodialysis (2026-01-20)"
DOSE = (
    "J1439 (ferric carboxymaltose) 750 mg per administration, 2 administrations "
    "(1500 mg in all, 1500 units), from 2026-03-02 to 2026-05-30"
)
PRIOR = "J9999 on 2025-02-01, J1756 iron sucrose on 2025-06-03"
RECORD = (
    f"The complete documentation: ordered by Dr. Grace Hopper, {DOSE}. Diagnoses: {DIAGNOSES}. "
    f"Labs: {LABS}. Oral iron: {TRIAL}. Kidney status: {CKD}. Prior IV iron: {PRIOR}."
)
ARGUMENTS = {
    "diagnosis_not_supported": (
        f"The diagnoses supporting this request are {DIAGNOSES}, with {CKD}. Blue Harbor Health "
        f"lists D50, K90 as accepted diagnoses. The iron deficiency is documented by {LABS}."
    ),
    "oral_iron_not_documented": (
        f"Oral iron was tried before IV iron: {TRIAL} (the plan asks for 90 days). "
        f"Labs after oral iron: {LABS}."
    ),
    "labs_out_of_range": (
        f"The patient's most recent labs: {LABS}. The plan's criteria: ferritin at most 100; "
        f"TSAT at most 25; hemoglobin at most 13, labs within 30 days. Status: {CKD}."
    ),
    "documentation_missing": RECORD,
    "dose_or_frequency_exceeded": (
        f"The dose requested is {DOSE}, the labeled dosing for this product. The plan allows: "
        "at most (mg per administration) 750; at most (mg per authorization) 1500; "
        f"at most (administrations) 2. It is needed to replete iron given {LABS}."
    ),
    "step_therapy_required": (
        f"IV iron already given: {PRIOR}. The plan's preferred products: J1756, J2916. "
        f"Oral iron: {TRIAL}. Labs: {LABS}."
    ),
    "off_label_use": (
        f"J1439 (ferric carboxymaltose) is requested for {DIAGNOSES}, an indication on its "
        f"label: iron deficiency anemia with {CKD}, documented by {LABS}."
    ),
    "not_medically_necessary": (
        f"IV iron is medically necessary: the patient has {DIAGNOSES}; labs: {LABS}; "
        f"oral iron: {TRIAL}; kidney status: {CKD}."
    ),
    "other": f'The denial states: "see policy". {RECORD}',
}


@pytest.mark.parametrize("reason", sorted(ARGUMENTS))
def test_each_reason_is_answered_word_for_word(reason):
    assert denied(reason, denial_note="see policy")["argument"] == ARGUMENTS[reason]


NOTHING = {
    "diagnosis_not_supported": (
        "The diagnoses supporting this request are no diagnosis code on file, with no chronic "
        "kidney disease documented. The iron deficiency is documented by no iron labs on file."
    ),
    "oral_iron_not_documented": (
        "Oral iron was tried before IV iron: no oral iron trial is on file. "
        "Labs after oral iron: no iron labs on file."
    ),
    "labs_out_of_range": (
        "The patient's most recent labs: no iron labs on file. "
        "Status: no chronic kidney disease documented."
    ),
    "dose_or_frequency_exceeded": (
        f"The dose requested is {DOSE}, the labeled dosing for this product. "
        "It is needed to replete iron given no iron labs on file."
    ),
    "step_therapy_required": (
        "IV iron already given: no IV iron product given before. Oral iron: no oral iron trial "
        "is on file. Labs: no iron labs on file."
    ),
    "other": (
        "The complete documentation: ordered by the ordering provider, "
        f"{DOSE}. Diagnoses: no diagnosis code on file. Labs: no iron labs on file. "
        "Oral iron: no oral iron trial is on file. Kidney status: no chronic kidney disease "
        "documented. Prior IV iron: no IV iron product given before."
    ),
}


@pytest.mark.parametrize("reason", sorted(NOTHING))
def test_without_evidence_or_criteria_each_reason_says_what_is_missing(reason):
    facts = {"diagnosis_codes": (), "ordering_provider": None}
    text = denied(reason, ef.PatientEvidence(), None, **facts)["argument"]
    assert text == NOTHING[reason]


def test_a_policy_stating_no_criteria_quotes_none():
    policy = ef.Policy()
    assert denied("labs_out_of_range", policy=policy)["argument"] == (
        f"The patient's most recent labs: {LABS}. Status: {CKD}."
    )
    assert denied("dose_or_frequency_exceeded", policy=policy)["argument"] == (
        f"The dose requested is {DOSE}, the labeled dosing for this product. "
        f"It is needed to replete iron given {LABS}."
    )
    assert denied("oral_iron_not_documented", policy=policy)["argument"] == (
        f"Oral iron was tried before IV iron: {TRIAL}. Labs after oral iron: {LABS}."
    )


def test_a_single_criterion_is_quoted_alone():
    policy = ef.Policy(tsat_max=Decimal(20), max_administrations=3)
    assert denied("labs_out_of_range", policy=policy)["argument"] == (
        f"The patient's most recent labs: {LABS}. The plan's criteria: TSAT at most 20. "
        f"Status: {CKD}."
    )
    assert (
        "The plan allows: at most (administrations) 3. It"
        in (denied("dose_or_frequency_exceeded", policy=policy)["argument"])
    )


def test_an_excused_trial_is_cited_as_the_excuse():
    note = trial("ferrous gluconate", date(2025, 11, 3), None, ef.TrialOutcome.INTOLERANCE, "rash")
    text = denied("oral_iron_not_documented", replace(EVIDENCE, trials=(note,)))["argument"]
    assert text.startswith(
        "Oral iron was tried before IV iron: intolerance to ferrous gluconate documented from "
        "2025-11-03 (rash) (the plan asks for 90 days). "
    )
    bare = replace(note, note="")
    text = denied("oral_iron_not_documented", replace(EVIDENCE, trials=(bare,)))["argument"]
    assert text.startswith(
        "Oral iron was tried before IV iron: intolerance to ferrous gluconate documented from "
        "2025-11-03 (the plan asks for 90 days). "
    )


def test_other_without_a_note_is_the_whole_record():
    assert denied("other")["argument"] == RECORD


def test_other_with_no_denial_in_its_context_is_the_whole_record():
    ctx = context()
    assert appeal_argument("other", ctx) == RECORD
    assert appeal_argument("other", ctx | {"denial": {"note": "x"}}).startswith(
        'The denial states: "x". The complete'
    )


# --- icd10.describe ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("D50.9", "Iron deficiency anemia, unspecified"),
        ("d 50.9", "Iron deficiency anemia, unspecified"),
        ("K50.901", "Crohn's disease, unspecified, without complications"),
        ("K50.919", "Crohn's disease"),
        ("D50", "Iron deficiency anemia"),
        ("N18", "Chronic kidney disease (CKD)"),
        ("D63", ""),
        ("D5", ""),
        ("", ""),
        ("Q99.9", ""),
    ],
)
def test_a_code_is_described_by_itself_or_its_nearest_listed_parent(code, words):
    assert describe(code) == words


def test_the_trial_cited_in_a_letter_counts_the_plans_minimum_days():
    short = trial("a", date(2026, 1, 1), date(2026, 1, 10), ef.TrialOutcome.INADEQUATE_RESPONSE)
    unrecorded = trial("b", date(2025, 12, 1), date(2026, 1, 30), None)
    evidence = replace(EVIDENCE, trials=(short, unrecorded))
    assert context(evidence=evidence)["trial"]["drug"] == "b"  # no failed trial of 90 days
    assert context(evidence=evidence, policy=None)["trial"]["drug"] == "a"  # no minimum


def test_other_answers_a_context_built_without_a_denial():
    ctx = {k: v for k, v in context().items() if k != "denial"}
    assert appeal_argument("other", ctx) == RECORD
