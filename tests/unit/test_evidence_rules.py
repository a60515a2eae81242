"""Checklist rules the examples in test_evidence.py leave open (pinned by mutation testing)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from priorauth.domain import evidence_rules as rules
from priorauth.domain.evidence import (
    CkdStatus,
    Diagnosis,
    Dialysis,
    ItemStatus,
    Lab,
    LabTest,
    OralIronTrial,
    PatientEvidence,
    Policy,
    PriorProduct,
    RequestFacts,
    TrialOutcome,
    build_checklist,
)

AS_OF = date(2026, 10, 12)
MET, MISSING, NOT_MET = ItemStatus.MET, ItemStatus.MISSING, ItemStatus.NOT_MET
NOT_REQUIRED = ItemStatus.NOT_REQUIRED
REQUEST = RequestFacts("J1439", Decimal(750), 2, (), payer_name="Acme Health")


def trial(days, outcome="inadequate_response", drug="ferrous sulfate", start=date(2026, 1, 1)):
    end = start + timedelta(days=days - 1)
    return OralIronTrial(drug, start, end, None if outcome is None else TrialOutcome(outcome))


def oral_iron(*trials, as_of=AS_OF, min_days=90):
    return rules.oral_iron_rule(min_days, trials, as_of)


# --- diagnosis codes with and without the dot


def test_normalize_code_is_upper_case_without_dots_or_spaces():
    assert rules.normalize_code("d50.9") == "D509"
    assert rules.normalize_code(" d 63.1 ") == "D631"


@pytest.mark.parametrize(
    ("accepted", "code"), [("D631", "D63.1"), ("D63.1", "D631"), ("d63.1", "D63.10")]
)
def test_a_diagnosis_code_matches_with_or_without_the_dot(accepted, code):
    status, text = rules.diagnosis_rule((accepted,), (code,), "on the request", "Acme")
    assert (status, text) == (MET, f"{code} on the request matches accepted {accepted}")


def test_the_dot_does_not_make_a_different_code_match():
    assert rules.diagnosis_rule(("D63.1",), ("D63.0",), "on the request", "Acme")[0] == NOT_MET
    assert rules.matching_prefix("D6.31", ("D631",)) == "D631"
    assert rules.matching_prefix("D50", ("D509",)) is None


def test_blank_diagnosis_codes_are_ignored_and_no_list_names_the_payer():
    assert rules.diagnosis_rule(("D50",), ("  ", ""), "on the request", "Acme")[0] == MISSING
    assert rules.diagnosis_rule((), ("D50",), "on the request", "Acme") == (
        NOT_REQUIRED,
        "Acme lists no accepted diagnoses",
    )


def test_checklist_names_the_payer_when_it_lists_no_diagnoses():
    found = build_checklist(Policy(), REQUEST, PatientEvidence(), AS_OF).get("DIAGNOSIS_SUPPORTED")
    assert found.detail == "Acme Health lists no accepted diagnoses"


# --- oral iron trials


def test_two_qualifying_trials_cite_the_longest():
    status, text = oral_iron(
        trial(95, drug="ferrous gluconate", start=date(2026, 5, 1)), trial(120), trial(100)
    )
    assert (status, text) == (
        MET,
        "120 days of ferrous sulfate with inadequate response, 90 required",
    )


def test_a_trial_of_exactly_the_required_length_with_no_outcome_is_not_met():
    """Long enough but no outcome: says so and what to record, rather than 'too short'."""
    assert oral_iron(trial(90, outcome=None)) == (
        NOT_MET,
        "90 days of ferrous sulfate but no outcome recorded: "
        "record inadequate response, intolerance or contraindication",
    )
    assert oral_iron(trial(89, outcome=None)) == (
        NOT_MET,
        "89 days of ferrous sulfate, 90 required",
    )


def test_a_trial_that_ends_on_the_as_of_day_is_not_so_far():
    ends_today = trial(30, start=AS_OF - timedelta(days=29))
    assert oral_iron(ends_today) == (NOT_MET, "30 days of ferrous sulfate, 90 required")
    tomorrow = trial(31, start=AS_OF - timedelta(days=29))
    assert oral_iron(tomorrow) == (NOT_MET, "30 days of ferrous sulfate so far, 90 required")


def test_an_excused_trial_without_a_note_has_no_parentheses():
    assert oral_iron(trial(3, outcome="intolerance")) == (
        MET,
        "intolerance to ferrous sulfate documented (from 2026-01-01): replaces the 90-day trial",
    )


def test_the_earliest_excused_trial_is_cited():
    late = trial(3, outcome="contraindication", start=date(2026, 6, 1))
    early = trial(3, outcome="intolerance", drug="ferrous fumarate", start=date(2026, 2, 1))
    status, text = oral_iron(late, early)
    assert text.startswith("intolerance to ferrous fumarate documented (from 2026-02-01)")


def test_trial_days_are_inclusive_and_stop_at_as_of():
    assert rules.trial_days(trial(1), AS_OF) == 1
    assert rules.trial_days(trial(500), date(2026, 1, 10)) == 10


# --- lab ages in words


def lab(test, value, day):
    return Lab(LabTest(test), Decimal(value), day)


@pytest.mark.parametrize(("age", "words"), [(0, "0 days"), (1, "1 day"), (2, "2 days")])
def test_lab_age_is_counted_in_days_singular_for_one(age, words):
    found = lab("ferritin", "12", AS_OF - timedelta(days=age))
    status, text = rules.labs_recent_rule(60, [("ferritin", found)], AS_OF)
    day = AS_OF - timedelta(days=age)
    assert (status, text) == (MET, f"ferritin on {day} is {words} old: within 60 days")


# --- evidence dated on the checklist's day counts


def test_evidence_dated_on_the_as_of_day_counts():
    evidence = PatientEvidence(
        labs=(lab("ferritin", "12", AS_OF),),
        trials=(OralIronTrial("ferrous sulfate", AS_OF, None, TrialOutcome.INTOLERANCE),),
        ckd=(CkdStatus(3, Dialysis.NONE, AS_OF),),
        diagnoses=(Diagnosis("D50.9", AS_OF),),
        prior_products=(PriorProduct("J1756", AS_OF),),
    )
    assert evidence.as_of(AS_OF) == evidence
    assert evidence.as_of(AS_OF - timedelta(days=1)) == PatientEvidence()


def test_checklist_get_is_none_for_a_requirement_it_does_not_hold():
    checklist = build_checklist(None, REQUEST, PatientEvidence(), AS_OF)
    assert checklist.get("IRON_LABS") is None
    assert checklist.get("PAYER_POLICY").status == MISSING


# --- every checklist sentence in full (the pages and the API show them as written)

POLICY = Policy(
    accepted_diagnoses=("D50", "D63.1"),
    ferritin_max=Decimal(30),
    tsat_max=Decimal(20),
    hemoglobin_max=Decimal(13),
    labs_max_age_days=60,
    oral_iron_min_days=90,
    preferred_codes=("J1756", "J2916"),
    max_mg_per_dose=Decimal(750),
    max_mg_per_authorization=Decimal(1500),
    max_administrations=2,
)


NOTHING_ON_FILE = PatientEvidence()


def details(policy=POLICY, request=REQUEST, evidence=NOTHING_ON_FILE):
    checklist = build_checklist(policy, request, evidence, AS_OF)
    return {i.requirement: (i.status, i.detail, i.evidence_kind) for i in checklist.items}


def test_not_required_sentences_when_the_policy_asks_nothing():
    assert details(Policy()) == {
        "PRIOR_AUTHORIZATION": (
            MET, "PA required: Acme Health requires prior authorization for J1439", None,
        ),
        "DIAGNOSIS_SUPPORTED": (NOT_REQUIRED, "Acme Health lists no accepted diagnoses", None),
        "ORAL_IRON_TRIAL": (NOT_REQUIRED, "no oral iron trial required", None),
        "CKD_STATUS": (NOT_REQUIRED, "no CKD documented: non-CKD lab thresholds apply", None),
        "IRON_LABS": (NOT_REQUIRED, "no ferritin or TSAT threshold in the policy", None),
        "HEMOGLOBIN": (NOT_REQUIRED, "no hemoglobin threshold in the policy", None),
        "LABS_RECENT": (NOT_REQUIRED, "no lab age limit in the policy", None),
        "STEP_THERAPY": (NOT_REQUIRED, "no step therapy: no preferred products", None),
        "DOSE_PER_ADMINISTRATION": (NOT_REQUIRED, "no limit on mg per administration", None),
        "DOSE_PER_AUTHORIZATION": (NOT_REQUIRED, "no limit on mg per authorization", None),
        "ADMINISTRATIONS": (NOT_REQUIRED, "no limit on administrations", None),
    }  # fmt: skip


def test_missing_sentences_with_nothing_on_file():
    request = RequestFacts("J1439", None, None, (), payer_name="Acme Health")
    found = details(request=request)
    assert found["DIAGNOSIS_SUPPORTED"] == (
        MISSING, "no diagnosis code on the request or the patient's record", "diagnosis",
    )  # fmt: skip
    assert found["IRON_LABS"] == (
        MISSING, "no ferritin (below 30) or TSAT (below 20) on file", "lab",
    )  # fmt: skip
    assert found["HEMOGLOBIN"] == (
        MISSING, "no hemoglobin on file (must be below 13 g/dL)", "lab",
    )  # fmt: skip
    assert found["LABS_RECENT"] == (
        MISSING, "no ferritin or TSAT or hemoglobin on file (labs must be at most 60 days old)",
        "lab",
    )  # fmt: skip
    assert found["STEP_THERAPY"] == (
        MISSING, "Acme Health prefers J1756 or J2916: try J1756 or J2916 first, "
        "or record the prior product", "prior_product",
    )  # fmt: skip
    assert found["DOSE_PER_ADMINISTRATION"] == (
        MISSING, "the dose not on the request (limit 750 mg per administration)", "request",
    )  # fmt: skip
    assert found["DOSE_PER_AUTHORIZATION"] == (
        MISSING, "the dose or the administrations not on the request "
        "(limit 1500 mg per authorization)", "request",
    )  # fmt: skip
    assert found["ADMINISTRATIONS"] == (
        MISSING, "the number of administrations not on the request (limit 2 administrations)",
        "request",
    )  # fmt: skip


def test_request_limits_exceeded_say_so_and_point_at_the_request():
    request = RequestFacts("J1439", Decimal(800), 3, ("D50.9", "D64.9"), payer_name="Acme Health")
    found = details(request=request)
    assert found["DOSE_PER_ADMINISTRATION"] == (
        NOT_MET, "800 mg per administration exceeds the limit of 750 mg per administration",
        "request",
    )  # fmt: skip
    assert found["DOSE_PER_AUTHORIZATION"] == (
        NOT_MET, "3 x 800 mg = 2400 mg exceeds the limit of 1500 mg per authorization", "request",
    )  # fmt: skip
    assert found["ADMINISTRATIONS"] == (
        NOT_MET, "3 administrations exceeds the limit of 2 administrations", "request",
    )  # fmt: skip


def test_a_zero_dose_and_one_administration_are_written_as_such():
    request = RequestFacts("J1439", Decimal(0), 1, (), payer_name="Acme Health")
    found = details(request=request)
    assert found["DOSE_PER_ADMINISTRATION"][1] == (
        "0 mg per administration is within the limit of 750 mg per administration"
    )
    assert found["DOSE_PER_AUTHORIZATION"][1] == (
        "1 x 0 mg = 0 mg is within the limit of 1500 mg per authorization"
    )
    assert (
        found["ADMINISTRATIONS"][1] == "1 administration is within the limit of 2 administrations"
    )
    none_given = RequestFacts("J1439", Decimal(10), 0, (), payer_name="Acme Health")
    assert details(request=none_given)["DOSE_PER_AUTHORIZATION"][1] == (
        "0 x 10 mg = 0 mg is within the limit of 1500 mg per authorization"
    )


def test_diagnoses_not_accepted_are_all_listed():
    status, text = rules.diagnosis_rule(("D50", "D63.1"), ("D64.9", "E11.9"), "on the request", "A")
    assert (status, text) == (
        NOT_MET, "D64.9, E11.9 on the request not accepted; accepted: D50, D63.1",
    )  # fmt: skip


def test_a_preferred_code_needs_no_step_therapy():
    assert rules.step_therapy_rule(("j1756",), " J1756 ", (), "Acme") == (
        NOT_REQUIRED, "no step therapy: J1756 is a preferred product",
    )  # fmt: skip


def test_labs_recent_lists_every_stale_lab_and_every_recent_one():
    old, older = AS_OF - timedelta(days=61), AS_OF - timedelta(days=90)
    stale = [("ferritin", lab("ferritin", "12", old)), ("tsat", lab("tsat", "10", older))]
    assert rules.labs_recent_rule(60, stale, AS_OF) == (
        ItemStatus.STALE,
        f"ferritin on {old} is 61 days old; TSAT on {older} is 90 days old: "
        "older than 60 days, repeat the labs",
    )
    recent = [("ferritin", lab("ferritin", "12", AS_OF)), ("tsat", lab("tsat", "10", AS_OF))]
    assert rules.labs_recent_rule(60, recent, AS_OF)[1] == (
        f"ferritin on {AS_OF} is 0 days, TSAT on {AS_OF} is 0 days old: within 60 days"
    )


def test_with_ckd_documented_tsat_falls_back_to_the_non_ckd_threshold():
    """No CKD-specific TSAT threshold: the non-CKD one still applies (it is not dropped)."""
    policy = Policy(ferritin_max=Decimal(30), tsat_max=Decimal(20), ferritin_max_ckd=Decimal(100))
    evidence = PatientEvidence(
        labs=(lab("ferritin", "150", AS_OF), lab("tsat", "15", AS_OF)),
        ckd=(CkdStatus(3, Dialysis.NONE, AS_OF),),
    )
    status, detail, _ = details(policy, evidence=evidence)["IRON_LABS"]
    assert status == MET
    assert detail == (
        f"ferritin 150 ng/mL on {AS_OF} is not below 100; TSAT 15 % on {AS_OF} is below 20: met"
    )


def test_fmt_writes_quantities_without_noise_and_never_minus_zero():
    assert rules.fmt(Decimal("-0.00")) == "0"
    assert rules.fmt(Decimal("1000")) == "1000"
    assert rules.fmt(Decimal("11.50")) == "11.5"
    assert rules.fmt(Decimal("Infinity")) == "Infinity"


def test_a_checklist_without_a_policy_is_not_ready_and_needs_pa():
    checklist = build_checklist(None, REQUEST, PatientEvidence(), AS_OF)
    assert checklist.ready is False
    assert checklist.pa_required is True
    assert [i.requirement for i in checklist.items] == ["PAYER_POLICY"]
