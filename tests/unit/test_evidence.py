"""Evidence checklist: every requirement in each status, with docs/domain.md §3 thresholds."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from priorauth.domain.evidence import (
    Checklist,
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
    Requirement,
    TrialOutcome,
    build_checklist,
)
from priorauth.domain.evidence_rules import fmt

AS_OF = date(2026, 10, 12)
LAB_DAY = date(2026, 10, 2)
MET, MISSING, NOT_MET = ItemStatus.MET, ItemStatus.MISSING, ItemStatus.NOT_MET
STALE, NOT_REQUIRED = ItemStatus.STALE, ItemStatus.NOT_REQUIRED
D = Decimal

POLICY = Policy(
    accepted_diagnoses=("D50", "D63.1"),
    ferritin_max=D(30),
    tsat_max=D(20),
    ferritin_max_ckd=D(100),
    tsat_max_ckd=D(30),
    hemoglobin_max=D(13),
    labs_max_age_days=60,
    oral_iron_min_days=90,
    preferred_codes=("J1756", "J2916"),
    max_mg_per_dose=D(750),
    max_mg_per_authorization=D(1500),
    max_administrations=2,
)
BARE = Policy()  # PA required, nothing else asked
REQUEST = RequestFacts("J1439", D(750), 2, ("D50.9",), payer_name="Acme Health")


def lab(test: str, value, day: date = LAB_DAY) -> Lab:
    return Lab(LabTest(test), D(str(value)), day)


def trial(days: int, outcome="inadequate_response", drug="ferrous sulfate", start=date(2026, 1, 1)):
    end = start + timedelta(days=days - 1)
    return OralIronTrial(drug, start, end, None if outcome is None else TrialOutcome(outcome))


def ckd(stage=3, dialysis="none", day=date(2026, 9, 1)) -> CkdStatus:
    return CkdStatus(stage, Dialysis(dialysis), day)


GOOD = PatientEvidence(
    labs=(lab("ferritin", 12), lab("tsat", 10), lab("hemoglobin", "10.2")),
    trials=(trial(100),),
    prior_products=(PriorProduct("J1756", date(2026, 3, 1)),),
)


def check(policy=POLICY, request=REQUEST, evidence=GOOD, as_of=AS_OF) -> Checklist:
    return build_checklist(policy, request, evidence, as_of)


def item_of(requirement: str, **kw):
    found = check(**kw).get(requirement)
    assert found is not None, requirement
    return found


def status_of(requirement: str, **kw) -> ItemStatus:
    return item_of(requirement, **kw).status


def labs(*rows) -> PatientEvidence:
    return replace(GOOD, labs=tuple(rows))


# --- the whole checklist ---------------------------------------------------------------------


def test_complete_evidence_is_ready_with_items_in_order():
    result = check()
    assert result.ready and result.pa_required
    assert result.problems == ()
    assert [i.requirement for i in result.items] == [
        "PRIOR_AUTHORIZATION", "DIAGNOSIS_SUPPORTED", "ORAL_IRON_TRIAL", "CKD_STATUS",
        "IRON_LABS", "HEMOGLOBIN", "LABS_RECENT", "STEP_THERAPY", "DOSE_PER_ADMINISTRATION",
        "DOSE_PER_AUTHORIZATION", "ADMINISTRATIONS",
    ]  # fmt: skip
    assert result.get("CKD_STATUS").status == NOT_REQUIRED


def test_one_stale_lab_makes_it_not_ready():
    old = date(2026, 7, 1)
    result = check(evidence=labs(lab("ferritin", 12, old), lab("tsat", 10), lab("hemoglobin", 10)))
    assert not result.ready
    assert [(i.requirement, i.status) for i in result.problems] == [("LABS_RECENT", STALE)]


def test_empty_evidence_lists_every_evidence_problem_with_its_kind():
    result = check(request=replace(REQUEST, diagnosis_codes=()), evidence=PatientEvidence())
    kinds = {i.requirement: i.evidence_kind for i in result.problems}
    assert kinds == {
        "DIAGNOSIS_SUPPORTED": "diagnosis",
        "ORAL_IRON_TRIAL": "oral_iron_trial",
        "IRON_LABS": "lab",
        "HEMOGLOBIN": "lab",
        "LABS_RECENT": "lab",
        "STEP_THERAPY": "prior_product",
    }
    assert not result.ready


def test_met_items_carry_no_evidence_kind():
    assert all(i.evidence_kind is None for i in check().items)


def test_no_policy_is_a_single_missing_item():
    result = check(policy=None)
    assert not result.ready and result.pa_required
    assert len(result.items) == 1
    only = result.items[0]
    assert (only.requirement, only.status) == ("PAYER_POLICY", MISSING)
    assert only.detail == (
        "no policy on file for Acme Health and J1439: record the payer's criteria first"
    )


def test_bare_policy_asks_only_for_pa_and_is_ready_without_evidence():
    result = check(policy=BARE, evidence=PatientEvidence())
    assert result.ready
    statuses = {i.requirement: i.status for i in result.items}
    assert statuses.pop("PRIOR_AUTHORIZATION") == MET
    assert set(statuses.values()) == {NOT_REQUIRED}


# --- PRIOR_AUTHORIZATION -----------------------------------------------------------------------


def test_pa_required_is_met_and_names_payer_and_code():
    found = item_of("PRIOR_AUTHORIZATION")
    assert found.status == MET
    assert "PA required" in found.detail and "Acme Health" in found.detail


def test_pa_not_required():
    result = check(policy=replace(POLICY, pa_required=False))
    assert result.pa_required is False
    first = result.items[0]
    assert first.status == NOT_REQUIRED
    assert first.detail == "Acme Health does not require prior authorization for J1439"


# --- DIAGNOSIS_SUPPORTED -----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["D50.9", "d509", " D50.0", "D63.1"])
def test_diagnosis_prefix_accepts(code):
    found = item_of("DIAGNOSIS_SUPPORTED", request=replace(REQUEST, diagnosis_codes=(code,)))
    assert found.status == MET
    assert "matches accepted" in found.detail and code in found.detail


def test_diagnosis_cites_matching_prefix():
    found = item_of("DIAGNOSIS_SUPPORTED", request=replace(REQUEST, diagnosis_codes=("D50.9",)))
    assert found.detail == "D50.9 on the request matches accepted D50"


def test_diagnosis_not_accepted_lists_accepted_ones():
    found = item_of("DIAGNOSIS_SUPPORTED", request=replace(REQUEST, diagnosis_codes=("D64.9",)))
    assert found.status == NOT_MET
    assert "D64.9" in found.detail and "accepted: D50, D63.1" in found.detail


def test_diagnosis_d63_is_not_d63_1():
    found = item_of("DIAGNOSIS_SUPPORTED", request=replace(REQUEST, diagnosis_codes=("D63.0",)))
    assert found.status == NOT_MET


def test_diagnosis_missing_when_no_codes_anywhere():
    assert status_of("DIAGNOSIS_SUPPORTED", request=replace(REQUEST, diagnosis_codes=())) == MISSING


def test_diagnosis_falls_back_to_patient_record():
    evidence = replace(GOOD, diagnoses=(Diagnosis("D50.8", date(2026, 5, 1)),))
    request = replace(REQUEST, diagnosis_codes=())
    found = item_of("DIAGNOSIS_SUPPORTED", request=request, evidence=evidence)
    assert found.status == MET
    assert found.detail == "D50.8 on the patient's record matches accepted D50"


def test_diagnosis_request_codes_win_over_record():
    evidence = replace(GOOD, diagnoses=(Diagnosis("D50.8", date(2026, 5, 1)),))
    request = replace(REQUEST, diagnosis_codes=("E11.9",))
    assert status_of("DIAGNOSIS_SUPPORTED", request=request, evidence=evidence) == NOT_MET


def test_future_diagnosis_is_ignored():
    evidence = replace(GOOD, diagnoses=(Diagnosis("D50.8", AS_OF + timedelta(days=1)),))
    request = replace(REQUEST, diagnosis_codes=())
    assert status_of("DIAGNOSIS_SUPPORTED", request=request, evidence=evidence) == MISSING


def test_diagnosis_not_required_without_accepted_list():
    policy = replace(POLICY, accepted_diagnoses=())
    request = replace(REQUEST, diagnosis_codes=())
    assert status_of("DIAGNOSIS_SUPPORTED", policy=policy, request=request) == NOT_REQUIRED


# --- ORAL_IRON_TRIAL ---------------------------------------------------------------------------


def trials(*rows) -> PatientEvidence:
    return replace(GOOD, trials=tuple(rows))


def test_trial_of_90_days_is_met_and_89_is_not():
    assert trial(90).end_date == date(2026, 3, 31)
    met = item_of("ORAL_IRON_TRIAL", evidence=trials(trial(90)))
    assert met.status == MET and "90 days of ferrous sulfate" in met.detail
    short = item_of("ORAL_IRON_TRIAL", evidence=trials(trial(89)))
    assert short.status == NOT_MET
    assert short.detail == "89 days of ferrous sulfate, 90 required"


def test_short_trials_cite_the_longest():
    found = item_of(
        "ORAL_IRON_TRIAL", evidence=trials(trial(30, drug="ferrous gluconate"), trial(60))
    )
    assert found.detail == "60 days of ferrous sulfate, 90 required"


@pytest.mark.parametrize("outcome", ["intolerance", "contraindication"])
def test_intolerance_or_contraindication_replaces_trial_length(outcome):
    found = item_of("ORAL_IRON_TRIAL", evidence=trials(trial(5, outcome=outcome)))
    assert found.status == MET
    assert found.detail.startswith(f"{outcome} to ferrous sulfate documented")
    assert "replaces the 90-day trial" in found.detail


def test_contraindication_without_drug_cites_its_note():
    row = OralIronTrial(
        "", date(2026, 2, 1), None, TrialOutcome.CONTRAINDICATION, "bariatric surgery"
    )
    found = item_of("ORAL_IRON_TRIAL", evidence=trials(row))
    assert found.status == MET
    assert found.detail == (
        "contraindication to oral iron documented (from 2026-02-01) (bariatric surgery): "
        "replaces the 90-day trial"
    )


def test_no_trial_is_missing():
    found = item_of("ORAL_IRON_TRIAL", evidence=trials())
    assert found.status == MISSING and "90 days required" in found.detail


@pytest.mark.parametrize("days, expected", [(None, NOT_REQUIRED), (0, NOT_REQUIRED), (90, MISSING)])
def test_trial_not_required_when_policy_does_not_ask(days, expected):
    policy = replace(POLICY, oral_iron_min_days=days)
    assert status_of("ORAL_IRON_TRIAL", policy=policy, evidence=trials()) == expected


def test_ongoing_trial_counts_to_as_of():
    start = AS_OF - timedelta(days=89)
    row = OralIronTrial("ferrous sulfate", start, None, TrialOutcome.INADEQUATE_RESPONSE)
    assert status_of("ORAL_IRON_TRIAL", evidence=trials(row)) == MET
    day_before = AS_OF - timedelta(days=1)
    found = item_of("ORAL_IRON_TRIAL", evidence=trials(row), as_of=day_before)
    assert (
        found.status == NOT_MET and found.detail == "89 days of ferrous sulfate so far, 90 required"
    )


def test_trial_ending_after_as_of_counts_only_to_as_of():
    row = trial(200, start=AS_OF - timedelta(days=59))
    found = item_of("ORAL_IRON_TRIAL", evidence=trials(row))
    assert found.detail == "60 days of ferrous sulfate so far, 90 required"


def test_long_trial_without_outcome_is_not_met():
    found = item_of("ORAL_IRON_TRIAL", evidence=trials(trial(120, outcome=None)))
    assert found.status == NOT_MET and "no outcome recorded" in found.detail


def test_future_trial_is_ignored():
    row = trial(5, outcome="intolerance", start=AS_OF + timedelta(days=1))
    assert status_of("ORAL_IRON_TRIAL", evidence=trials(row)) == MISSING


# --- CKD_STATUS --------------------------------------------------------------------------------

Q0139 = RequestFacts("Q0139", D(510), 2, ("D63.1",), requires_dialysis=True)


def test_ckd_documented_is_informational():
    found = item_of("CKD_STATUS", evidence=replace(GOOD, ckd=(ckd(),)))
    assert found.status == MET
    assert found.detail == "CKD stage 3, no dialysis (2026-09-01): CKD thresholds apply"


def test_no_ckd_is_not_required():
    found = item_of("CKD_STATUS")
    assert found.status == NOT_REQUIRED
    assert found.detail == "no CKD documented: non-CKD lab thresholds apply"


def test_dialysis_drug_without_ckd_record_is_missing():
    found = item_of("CKD_STATUS", request=Q0139)
    assert (found.status, found.evidence_kind) == (MISSING, "ckd_status")
    assert "Q0139" in found.detail


def test_dialysis_drug_with_no_dialysis_is_not_met():
    found = item_of("CKD_STATUS", request=Q0139, evidence=replace(GOOD, ckd=(ckd(4),)))
    assert found.status == NOT_MET
    assert "stage 4, no dialysis (2026-09-01)" in found.detail


@pytest.mark.parametrize("mode", ["hemodialysis", "peritoneal"])
def test_dialysis_drug_on_dialysis_is_met(mode):
    found = item_of("CKD_STATUS", request=Q0139, evidence=replace(GOOD, ckd=(ckd(5, mode),)))
    assert found.status == MET and mode in found.detail


def test_dialysis_uses_latest_record_and_ignores_future_ones():
    rows = (ckd(5, "none", date(2026, 1, 1)), ckd(5, "hemodialysis", date(2026, 6, 1)))
    assert status_of("CKD_STATUS", request=Q0139, evidence=replace(GOOD, ckd=rows)) == MET
    rows += (ckd(5, "none", AS_OF + timedelta(days=1)),)
    assert status_of("CKD_STATUS", request=Q0139, evidence=replace(GOOD, ckd=rows)) == MET
    rows += (ckd(5, "none", AS_OF),)
    assert status_of("CKD_STATUS", request=Q0139, evidence=replace(GOOD, ckd=rows)) == NOT_MET


# --- IRON_LABS ---------------------------------------------------------------------------------


def test_iron_labs_detail_cites_values_dates_and_thresholds():
    found = item_of("IRON_LABS", evidence=labs(lab("ferritin", 45), lab("tsat", 18)))
    assert found.status == MET
    assert found.detail == (
        "ferritin 45 ng/mL on 2026-10-02 is not below 30; TSAT 18 % on 2026-10-02 is below 20: met"
    )


@pytest.mark.parametrize(
    "ferritin, tsat, expected",
    [("30", "20", NOT_MET), ("29.9", "20", MET), ("30", "19.9", MET), ("30.00", "20.0", NOT_MET)],
)
def test_iron_labs_at_threshold_are_not_below(ferritin, tsat, expected):
    evidence = labs(lab("ferritin", ferritin), lab("tsat", tsat))
    assert status_of("IRON_LABS", evidence=evidence) == expected


def test_ferritin_45_fails_without_ckd_and_passes_with_ckd():
    evidence = labs(lab("ferritin", 45), lab("tsat", 25))
    found = item_of("IRON_LABS", evidence=evidence)
    assert found.status == NOT_MET and found.detail.endswith(": not met")
    with_ckd = item_of("IRON_LABS", evidence=replace(evidence, ckd=(ckd(),)))
    assert with_ckd.status == MET
    assert "ferritin 45 ng/mL on 2026-10-02 is below 100" in with_ckd.detail
    assert "TSAT 25 % on 2026-10-02 is below 30" in with_ckd.detail


@pytest.mark.parametrize("ferritin, expected", [("100", NOT_MET), ("99.9", MET)])
def test_ckd_ferritin_threshold_boundary(ferritin, expected):
    evidence = replace(labs(lab("ferritin", ferritin), lab("tsat", 30)), ckd=(ckd(),))
    assert status_of("IRON_LABS", evidence=evidence) == expected


def test_ckd_threshold_falls_back_to_non_ckd_one():
    policy = replace(POLICY, ferritin_max_ckd=None, tsat_max_ckd=None)
    evidence = replace(labs(lab("ferritin", 45), lab("tsat", 25)), ckd=(ckd(),))
    found = item_of("IRON_LABS", policy=policy, evidence=evidence)
    assert found.status == NOT_MET and "not below 30" in found.detail


def test_one_lab_missing_and_other_not_below_says_not_on_file():
    found = item_of("IRON_LABS", evidence=labs(lab("ferritin", 45)))
    assert found.status == NOT_MET
    assert (
        found.detail == "ferritin 45 ng/mL on 2026-10-02 is not below 30; TSAT not on file: not met"
    )


def test_one_lab_missing_and_other_below_is_met():
    assert status_of("IRON_LABS", evidence=labs(lab("tsat", 12))) == MET


def test_no_iron_labs_is_missing():
    found = item_of("IRON_LABS", evidence=labs(lab("hemoglobin", 10)))
    assert (found.status, found.evidence_kind) == (MISSING, "lab")
    assert "ferritin" in found.detail and "TSAT" in found.detail


def test_iron_labs_not_required_without_thresholds():
    policy = replace(POLICY, ferritin_max=None, tsat_max=None)
    assert status_of("IRON_LABS", policy=policy, evidence=labs()) == NOT_REQUIRED


def test_only_ferritin_threshold_ignores_tsat():
    policy = replace(POLICY, tsat_max=None)
    found = item_of("IRON_LABS", policy=policy, evidence=labs(lab("ferritin", 45), lab("tsat", 5)))
    assert found.status == NOT_MET and "TSAT" not in found.detail


def test_latest_lab_wins_over_older_lower_value():
    evidence = labs(lab("ferritin", 10, date(2026, 9, 1)), lab("ferritin", 45), lab("tsat", 25))
    assert status_of("IRON_LABS", evidence=evidence) == NOT_MET


def test_future_labs_are_ignored():
    future = AS_OF + timedelta(days=1)
    evidence = labs(lab("ferritin", 45), lab("tsat", 25), lab("ferritin", 5, future))
    found = item_of("IRON_LABS", evidence=evidence)
    assert found.status == NOT_MET and "ferritin 45" in found.detail
    assert status_of("IRON_LABS", evidence=labs(lab("tsat", 5, future))) == MISSING


# --- HEMOGLOBIN --------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [("13", NOT_MET), ("13.0", NOT_MET), ("12.9", MET)])
def test_hemoglobin_threshold(value, expected):
    found = item_of("HEMOGLOBIN", evidence=labs(lab("hemoglobin", value)))
    assert found.status == expected


def test_hemoglobin_detail_cites_value_and_date():
    found = item_of("HEMOGLOBIN", evidence=labs(lab("hemoglobin", "11.50")))
    assert found.detail == "hemoglobin 11.5 g/dL on 2026-10-02 is below 13"
    found = item_of("HEMOGLOBIN", evidence=labs(lab("hemoglobin", "13.4")))
    assert found.detail == "hemoglobin 13.4 g/dL on 2026-10-02 is not below 13"


def test_hemoglobin_missing_and_not_required():
    found = item_of("HEMOGLOBIN", evidence=labs(lab("ferritin", 5)))
    assert found.status == MISSING and "below 13 g/dL" in found.detail
    policy = replace(POLICY, hemoglobin_max=None)
    assert status_of("HEMOGLOBIN", policy=policy, evidence=labs()) == NOT_REQUIRED


# --- LABS_RECENT -------------------------------------------------------------------------------


def aged(days: int, test="ferritin") -> Lab:
    return lab(test, 5, AS_OF - timedelta(days=days))


def recent_policy(**kw) -> Policy:
    return replace(BARE, ferritin_max=D(30), labs_max_age_days=60, **kw)


def test_lab_exactly_at_age_limit_is_recent():
    found = item_of("LABS_RECENT", policy=recent_policy(), evidence=labs(aged(60)))
    assert found.status == MET
    assert found.detail == "ferritin on 2026-08-13 is 60 days old: within 60 days"


def test_lab_one_day_older_is_stale_citing_date_and_age():
    found = item_of("LABS_RECENT", policy=recent_policy(), evidence=labs(aged(61)))
    assert (found.status, found.evidence_kind) == (STALE, "lab")
    assert "ferritin on 2026-08-12 is 61 days old" in found.detail
    assert "60 days" in found.detail


def test_stale_when_any_required_lab_is_old():
    policy = recent_policy(tsat_max=D(20), hemoglobin_max=D(13))
    evidence = labs(aged(10), aged(10, "tsat"), aged(90, "hemoglobin"))
    found = item_of("LABS_RECENT", policy=policy, evidence=evidence)
    assert found.status == STALE
    assert "hemoglobin" in found.detail and "ferritin" not in found.detail


def test_latest_lab_of_a_kind_decides_staleness():
    evidence = labs(aged(90), aged(5))
    assert status_of("LABS_RECENT", policy=recent_policy(), evidence=evidence) == MET


def test_unrequired_lab_kinds_do_not_go_stale():
    evidence = labs(aged(5), aged(200, "hemoglobin"), aged(200, "tsat"))
    assert status_of("LABS_RECENT", policy=recent_policy(), evidence=evidence) == MET


def test_labs_recent_missing_when_no_required_lab():
    found = item_of("LABS_RECENT", policy=recent_policy(), evidence=labs(aged(5, "hemoglobin")))
    assert found.status == MISSING and "at most 60 days" in found.detail


def test_labs_recent_not_required():
    no_age = replace(POLICY, labs_max_age_days=None)
    assert status_of("LABS_RECENT", policy=no_age, evidence=labs(aged(300))) == NOT_REQUIRED
    no_labs = replace(BARE, labs_max_age_days=60)
    assert status_of("LABS_RECENT", policy=no_labs, evidence=labs(aged(300))) == NOT_REQUIRED


def test_lab_age_limit_follows_as_of():
    evidence = labs(lab("ferritin", 5, date(2026, 8, 13)))
    later = AS_OF + timedelta(days=1)
    assert status_of("LABS_RECENT", policy=recent_policy(), evidence=evidence, as_of=later) == STALE


# --- STEP_THERAPY ------------------------------------------------------------------------------


def priors(*rows) -> PatientEvidence:
    return replace(GOOD, prior_products=tuple(rows))


def test_step_therapy_met_by_prior_product():
    evidence = priors(
        PriorProduct("J2916", date(2026, 2, 1)), PriorProduct("j1756", date(2026, 4, 1))
    )
    found = item_of("STEP_THERAPY", evidence=evidence)
    assert found.status == MET
    assert found.detail == "preferred product J1756 given on 2026-04-01"


def test_step_therapy_missing_names_preferred_products():
    found = item_of("STEP_THERAPY", evidence=priors(PriorProduct("Q0138", date(2026, 2, 1))))
    assert found.status == MISSING
    assert "try J1756 or J2916 first, or record the prior product" in found.detail


def test_future_prior_product_is_ignored():
    evidence = priors(PriorProduct("J1756", AS_OF + timedelta(days=3)))
    assert status_of("STEP_THERAPY", evidence=evidence) == MISSING


def test_step_therapy_not_required_for_preferred_code_or_no_preferences():
    request = replace(REQUEST, hcpcs_code="J1756")
    assert status_of("STEP_THERAPY", request=request, evidence=priors()) == NOT_REQUIRED
    policy = replace(POLICY, preferred_codes=())
    assert status_of("STEP_THERAPY", policy=policy, evidence=priors()) == NOT_REQUIRED


# --- dose limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dose, expected", [(D(750), MET), (D("750.0"), MET), (D(751), NOT_MET), (None, MISSING)]
)
def test_dose_per_administration(dose, expected):
    found = item_of("DOSE_PER_ADMINISTRATION", request=replace(REQUEST, dose_mg=dose))
    assert found.status == expected


def test_dose_per_administration_detail_and_not_required():
    found = item_of("DOSE_PER_ADMINISTRATION", request=replace(REQUEST, dose_mg=D(1000)))
    assert (
        found.detail == "1000 mg per administration exceeds the limit of 750 mg per administration"
    )
    policy = replace(POLICY, max_mg_per_dose=None)
    assert status_of("DOSE_PER_ADMINISTRATION", policy=policy) == NOT_REQUIRED


@pytest.mark.parametrize(
    "dose, count, expected",
    [(D(750), 2, MET), (D(510), 3, NOT_MET), (None, 2, MISSING), (D(750), None, MISSING)],
)
def test_dose_per_authorization(dose, count, expected):
    request = replace(REQUEST, dose_mg=dose, administrations=count)
    assert status_of("DOSE_PER_AUTHORIZATION", request=request) == expected


def test_dose_per_authorization_detail_and_not_required():
    request = replace(REQUEST, dose_mg=D(510), administrations=3)
    found = item_of("DOSE_PER_AUTHORIZATION", request=request)
    assert found.detail == "3 x 510 mg = 1530 mg exceeds the limit of 1500 mg per authorization"
    policy = replace(POLICY, max_mg_per_authorization=None)
    assert status_of("DOSE_PER_AUTHORIZATION", policy=policy, request=request) == NOT_REQUIRED


@pytest.mark.parametrize("count, expected", [(1, MET), (2, MET), (3, NOT_MET), (None, MISSING)])
def test_administrations(count, expected):
    request = replace(REQUEST, administrations=count)
    found = item_of("ADMINISTRATIONS", request=request)
    assert found.status == expected
    if expected == MISSING:
        assert found.evidence_kind == "request"


def test_administrations_detail_and_not_required():
    found = item_of("ADMINISTRATIONS", request=replace(REQUEST, administrations=3))
    assert found.detail == "3 administrations exceeds the limit of 2 administrations"
    policy = replace(POLICY, max_administrations=None)
    assert status_of("ADMINISTRATIONS", policy=policy) == NOT_REQUIRED


# --- helpers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text", [(D("45.00"), "45"), (D("11.50"), "11.5"), (D("1E+3"), "1000"), (D("0.0"), "0")]
)
def test_fmt_drops_trailing_noise(value, text):
    assert fmt(value) == text


def test_requirement_codes_are_plain_strings():
    assert Requirement.IRON_LABS == "IRON_LABS"
    assert check().items[4].requirement == "IRON_LABS"


# --- properties --------------------------------------------------------------------------------

days_ago = st.integers(min_value=-30, max_value=200).map(lambda n: AS_OF - timedelta(days=n))
values = st.decimals(min_value=0, max_value=200, places=1)
lab_rows = st.builds(Lab, st.sampled_from(LabTest), values, days_ago)
ckd_rows = st.builds(CkdStatus, st.integers(1, 5), st.sampled_from(Dialysis), days_ago)
trial_rows = st.builds(
    OralIronTrial,
    st.just("ferrous sulfate"),
    days_ago,
    st.none() | days_ago,
    st.none() | st.sampled_from(TrialOutcome),
)
evidence_st = st.builds(
    PatientEvidence,
    labs=st.lists(lab_rows, max_size=6).map(tuple),
    trials=st.lists(trial_rows, max_size=3).map(tuple),
    ckd=st.lists(ckd_rows, max_size=2).map(tuple),
    prior_products=st.lists(
        st.builds(PriorProduct, st.sampled_from(["J1756", "Q0138"]), days_ago)
    ).map(tuple),
)
request_st = st.builds(
    RequestFacts,
    st.sampled_from(["J1439", "Q0139", "J1756"]),
    st.none() | st.decimals(min_value=0, max_value=2000, places=0),
    st.none() | st.integers(0, 5),
    st.lists(st.sampled_from(["D50.9", "D63.1", "E11.9"]), max_size=2).map(tuple),
    st.booleans(),
)


@given(evidence_st, request_st, st.sampled_from([POLICY, BARE, replace(POLICY, pa_required=False)]))
def test_ready_means_no_problem_items(evidence, request, policy):
    result = build_checklist(policy, request, evidence, AS_OF)
    assert result.ready == (not result.problems)
    assert len(result.items) == 11 and result.items[0].requirement == "PRIOR_AUTHORIZATION"
    assert all(i.detail for i in result.items)
    problems = {ItemStatus.MISSING, ItemStatus.NOT_MET, ItemStatus.STALE}
    assert all((i.evidence_kind is None) or (i.status in problems) for i in result.items)


@given(evidence_st, request_st)
def test_future_evidence_never_changes_the_checklist(evidence, request):
    def past(rows, when):
        return tuple(r for r in rows if getattr(r, when) <= AS_OF)

    trimmed = PatientEvidence(
        labs=past(evidence.labs, "observed_on"),
        trials=past(evidence.trials, "start_date"),
        ckd=past(evidence.ckd, "observed_on"),
        prior_products=past(evidence.prior_products, "given_on"),
    )
    assert build_checklist(POLICY, request, evidence, AS_OF) == build_checklist(
        POLICY, request, trimmed, AS_OF
    )


@given(st.decimals(min_value=0, max_value=60, places=2), st.booleans())
def test_iron_labs_met_exactly_when_ferritin_below_threshold(ferritin, has_ckd):
    evidence = labs(lab("ferritin", ferritin), lab("tsat", 50))
    evidence = replace(evidence, ckd=(ckd(),) if has_ckd else ())
    limit = D(100) if has_ckd else D(30)
    expected = MET if ferritin < limit else NOT_MET
    assert status_of("IRON_LABS", evidence=evidence) == expected
