"""The packet's evidence summary: for each requirement the payer asks, the evidence the
checklist judged it on, row by row (domain/evidence_summary.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from priorauth.domain.evidence import (
    CkdStatus,
    Diagnosis,
    Dialysis,
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
from priorauth.domain.evidence_summary import SummaryRow, summary_rows, trials_used

TODAY = date(2026, 11, 30)
D = Decimal
FULL = Policy(
    accepted_diagnoses=("D50",),
    ferritin_max=D(30),
    tsat_max=D(20),
    hemoglobin_max=D(13),
    labs_max_age_days=30,
    oral_iron_min_days=90,
    preferred_codes=("J1756",),
    max_mg_per_dose=D(750),
    max_mg_per_authorization=D(1500),
    max_administrations=2,
)
REQUEST = RequestFacts("J1439", D(750), 2, ("D50.9",), payer_name="Blue Harbor")


def day(n: int) -> date:
    return TODAY - timedelta(days=n)


def trial(start: int, end: int | None, outcome=TrialOutcome.INADEQUATE_RESPONSE, drug="FeSO4"):
    return OralIronTrial(drug, day(start), None if end is None else day(end), outcome)


def rows(policy, evidence, request=REQUEST, as_of=TODAY):
    checklist = build_checklist(policy, request, evidence, as_of)
    return summary_rows(checklist, policy, request, evidence, as_of)


EVIDENCE = PatientEvidence(
    labs=(
        Lab(LabTest.FERRITIN, D("40"), day(60)),
        Lab(LabTest.FERRITIN, D("12.50"), day(5)),
        Lab(LabTest.TSAT, D(9), day(5)),
        Lab(LabTest.HEMOGLOBIN, D("9.8"), day(4)),
        Lab(LabTest.HEMOGLOBIN, D("9.1"), day(-2)),  # after as_of: not used
    ),
    trials=(trial(150, 30), trial(400, 380)),
    ckd=(CkdStatus(2, Dialysis.NONE, day(300)), CkdStatus(3, Dialysis.HEMODIALYSIS, day(10))),
    diagnoses=(Diagnosis("D63.1", day(20)),),
    prior_products=(PriorProduct("J1756", day(200)), PriorProduct("J1756", day(100))),
)


def test_every_requirement_with_the_evidence_it_was_judged_on():
    got = rows(FULL, EVIDENCE)
    assert got == (
        SummaryRow("Diagnosis", "met", "diagnosis on the request", "D50.9", ""),
        SummaryRow(
            "Oral iron trial",
            "met",
            "oral iron: FeSO4",
            "121 days, inadequate response",
            f"{day(150)} to {day(30)}",
        ),
        SummaryRow("CKD status", "met", "CKD stage 3", "hemodialysis", str(day(10))),
        SummaryRow("Iron labs", "met", "ferritin", "12.5 ng/mL", str(day(5))),
        SummaryRow("Iron labs", "met", "TSAT", "9 %", str(day(5))),
        SummaryRow("Hemoglobin", "met", "hemoglobin", "9.8 g/dL", str(day(4))),
        SummaryRow("Step therapy", "met", "prior IV iron", "J1756", str(day(100))),
        SummaryRow("Dose", "met", "J1439 per administration", "750 mg", ""),
        SummaryRow("Total dose", "met", "total requested", "2 x 750 mg = 1500 mg", ""),
        SummaryRow("Administrations", "met", "administrations requested", "2", ""),
    )


def test_items_not_required_are_left_out_and_missing_ones_say_so():
    policy = Policy(hemoglobin_max=D(13), oral_iron_min_days=60)
    request = RequestFacts("J1439", D(500), 1)
    got = rows(policy, PatientEvidence(), request)
    assert [(r.requirement, r.status, r.evidence) for r in got] == [
        ("Oral iron trial", "missing", "nothing on file"),
        ("Hemoglobin", "missing", "nothing on file"),
    ]
    assert got[0].value == "no oral iron trial on file (60 days required)"
    assert got[0].date == got[1].date == ""


def test_status_words_of_not_met_and_stale():
    policy = Policy(ferritin_max=D(30), labs_max_age_days=30, max_administrations=1)
    evidence = PatientEvidence(labs=(Lab(LabTest.FERRITIN, D(45), day(40)),))
    got = rows(policy, evidence)
    assert [(r.requirement, r.status) for r in got] == [
        ("Iron labs", "not met"),
        ("Administrations", "not met"),
    ]
    policy = Policy(hemoglobin_max=D(13), labs_max_age_days=30)
    evidence = PatientEvidence(labs=(Lab(LabTest.HEMOGLOBIN, D(9), day(40)),))
    assert [(r.requirement, r.status) for r in rows(policy, evidence)] == [("Hemoglobin", "met")]


def test_diagnoses_come_from_the_record_when_the_request_has_none():
    request = RequestFacts("J1439", D(750), 2)
    evidence = PatientEvidence(diagnoses=EVIDENCE.diagnoses)
    got = rows(Policy(accepted_diagnoses=("D63",)), evidence, request)
    assert got == (SummaryRow("Diagnosis", "met", "diagnosis on record", "D63.1", str(day(20))),)


def test_no_ckd_on_file_and_no_preferred_product_tried():
    policy = Policy(preferred_codes=("J1756",))
    request = RequestFacts("Q0139", D(510), 2, requires_dialysis=True)
    evidence = PatientEvidence(prior_products=(PriorProduct("J1439", day(5)),))
    got = rows(policy, evidence, request)
    assert [(r.requirement, r.status, r.evidence) for r in got] == [
        ("CKD status", "missing", "nothing on file"),
        ("Step therapy", "missing", "nothing on file"),
    ]


def test_a_dose_missing_from_the_request():
    policy = Policy(max_mg_per_dose=D(750), max_mg_per_authorization=D(1500))
    request = RequestFacts("J1439", None, None)
    got = rows(policy, PatientEvidence(), request)
    assert [(r.requirement, r.evidence) for r in got] == [
        ("Dose", "nothing on file"),
        ("Total dose", "nothing on file"),
    ]
    request = RequestFacts("J1439", D(750), None)
    assert rows(Policy(max_mg_per_authorization=D(1500)), PatientEvidence(), request)[0] == (
        SummaryRow(
            "Total dose",
            "missing",
            "nothing on file",
            "the dose or the administrations not on the request (limit 1500 mg per authorization)",
            "",
        )
    )
    request = RequestFacts("J1439", None, 2)
    assert rows(Policy(max_administrations=2), PatientEvidence(), request)[0].value == "2"
    dose_only = rows(Policy(max_mg_per_dose=D(750)), PatientEvidence(), request)
    assert [(r.requirement, r.evidence) for r in dose_only] == [("Dose", "nothing on file")]


def test_no_policy_no_rows():
    assert rows(None, EVIDENCE) == ()


def test_the_trial_the_rule_counts():
    short = trial(50, 10)
    long_failed = trial(200, 50)
    longer_failed = trial(400, 200)
    intolerant = trial(30, 25, TrialOutcome.INTOLERANCE)
    earlier_contra = trial(35, None, TrialOutcome.CONTRAINDICATION)
    ongoing = trial(100, None, None)
    assert trials_used(90, (short, intolerant, earlier_contra), TODAY) == (earlier_contra,)
    assert trials_used(90, (short, long_failed, longer_failed), TODAY) == (longer_failed,)
    assert trials_used(90, (short, ongoing), TODAY) == (ongoing,)
    assert trials_used(90, (trial(95, 6),), TODAY) == (trial(95, 6),)  # 90 days exactly
    assert trials_used(90, (trial(300, 250, None), short), TODAY) == (trial(300, 250, None),)
    assert trials_used(90, (long_failed, trial(400, 100, None)), TODAY) == (long_failed,)
    assert trials_used(90, (trial(95, 6), trial(300, 100, None)), TODAY) == (trial(95, 6),)
    assert trials_used(90, (), TODAY) == ()
    assert trials_used(None, (short, ongoing), TODAY) == (short, ongoing)
    assert trials_used(0, (short,), TODAY) == (short,)


def test_trial_rows_say_the_outcome_and_the_dates():
    policy = Policy(oral_iron_min_days=90)
    excused = PatientEvidence(trials=(trial(30, None, TrialOutcome.INTOLERANCE, drug=" "),))
    assert rows(policy, excused)[0] == SummaryRow(
        "Oral iron trial", "met", "oral iron: oral iron", "intolerance", f"{day(30)} to ongoing"
    )
    pending = PatientEvidence(trials=(trial(120, 10, None),))
    assert rows(policy, pending)[0] == SummaryRow(
        "Oral iron trial",
        "not met",
        "oral iron: FeSO4",
        "111 days, no outcome recorded",
        f"{day(120)} to {day(10)}",
    )
    none_asked = rows(Policy(max_administrations=5), PatientEvidence(trials=EVIDENCE.trials))
    assert [r.requirement for r in none_asked] == ["Administrations"]


def test_evidence_after_the_day_is_not_shown():
    later = PatientEvidence(labs=(Lab(LabTest.TSAT, D(9), day(-1)),))
    got = rows(Policy(tsat_max=D(20)), later)
    assert got == (SummaryRow("Iron labs", "missing", "nothing on file", got[0].value, ""),)
    assert "TSAT" in got[0].value
