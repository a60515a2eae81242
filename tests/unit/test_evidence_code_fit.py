"""Which code fits which patient (docs/domain.md §3): Triferic for hemodialysis only,
ferumoxytol Q0139 for ESRD on dialysis and Q0138 for everyone else. The checklist's CKD item
is not met and names the code that fits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from priorauth.domain import evidence_rules as rules
from priorauth.domain.evidence import (
    CkdStatus,
    Diagnosis,
    Dialysis,
    ItemStatus,
    PatientEvidence,
    Policy,
    RequestFacts,
    build_checklist,
)

AS_OF = date(2026, 10, 12)
DAY = date(2026, 9, 1)
MET, MISSING, NOT_MET = ItemStatus.MET, ItemStatus.MISSING, ItemStatus.NOT_MET
NOT_REQUIRED = ItemStatus.NOT_REQUIRED
D = Decimal


def ckd(dialysis: str, stage: int = 5) -> CkdStatus:
    return CkdStatus(stage, Dialysis(dialysis), DAY)


def request(code: str, diagnoses=(), requires_dialysis=None) -> RequestFacts:
    if requires_dialysis is None:
        requires_dialysis = code in ("Q0139", "J1443", "J1444", "J1445")
    return RequestFacts(code, D(510), 2, tuple(diagnoses), requires_dialysis=requires_dialysis)


def ckd_item(code: str, *ckds, diagnoses=(), on_record=()):
    evidence = PatientEvidence(
        ckd=tuple(ckds), diagnoses=tuple(Diagnosis(c, DAY) for c in on_record)
    )
    checklist = build_checklist(Policy(), request(code, diagnoses), evidence, AS_OF)
    found = checklist.get("CKD_STATUS")
    return found.status, found.detail, found.evidence_kind


# --- the constants, stated in full ----------------------------------------------------------


def test_the_codes_each_rule_knows():
    assert rules.TRIFERIC == ("J1443", "J1444", "J1445")
    assert (rules.FERUMOXYTOL_NOT_ESRD, rules.FERUMOXYTOL_ESRD) == ("Q0138", "Q0139")
    assert rules.ESRD_ON_DIALYSIS == ("N18.6", "Z99.2")


# --- ferumoxytol: Q0138 without ESRD on dialysis, Q0139 with it -----------------------------


def test_q0138_for_a_hemodialysis_patient_with_n186_and_z992_is_not_met_and_names_q0139():
    found = ckd_item("Q0138", ckd("hemodialysis"), diagnoses=("N18.6", "Z99.2"))
    assert found == (
        NOT_MET,
        "Ferumoxytol for a patient with ESRD on dialysis is billed as Q0139, not Q0138 "
        "(CKD stage 5, hemodialysis (2026-09-01))",
        "request",
    )


@pytest.mark.parametrize("mode", ["hemodialysis", "peritoneal"])
def test_q0138_for_any_patient_on_dialysis_is_not_met(mode):
    status, detail, _ = ckd_item("Q0138", ckd(mode))
    assert status == NOT_MET and detail.startswith("Ferumoxytol for a patient with ESRD")


def test_q0138_with_n186_and_z992_and_no_ckd_status_is_not_met():
    found = ckd_item("Q0138", diagnoses=("N18.6", "Z99.2"))
    assert found == (
        NOT_MET,
        "Ferumoxytol for a patient with ESRD on dialysis is billed as Q0139, not Q0138 "
        "(diagnoses N18.6 and Z99.2 on file)",
        "request",
    )


def test_esrd_diagnoses_count_from_the_request_and_the_record_together_without_dots():
    status, detail, _ = ckd_item("Q0138", diagnoses=("n186",), on_record=("Z992",))
    assert status == NOT_MET and "diagnoses N18.6 and Z99.2 on file" in detail


@pytest.mark.parametrize("codes", [("N18.6",), ("Z99.2",), ("N18.5", "Z99.2"), ()])
def test_q0138_without_both_esrd_diagnoses_and_no_ckd_is_not_required(codes):
    found = ckd_item("Q0138", diagnoses=codes)
    assert found == (NOT_REQUIRED, "no CKD documented: non-CKD lab thresholds apply", None)


def test_q0138_for_ckd_without_dialysis_fits():
    found = ckd_item("Q0138", ckd("none", 4), diagnoses=("N18.6", "Z99.2"))
    assert found[0] == NOT_MET  # the diagnoses still say ESRD on dialysis
    found = ckd_item("Q0138", ckd("none", 4), diagnoses=("N18.4",))
    assert found == (MET, "CKD stage 4, no dialysis (2026-09-01): CKD thresholds apply", None)


def test_q0139_for_a_patient_not_on_dialysis_is_not_met_and_names_q0138():
    found = ckd_item("Q0139", ckd("none", 4))
    assert found == (
        NOT_MET,
        "Ferumoxytol for a patient not on dialysis is billed as Q0138, not Q0139; "
        "latest: CKD stage 4, no dialysis (2026-09-01)",
        "request",
    )


@pytest.mark.parametrize("mode", ["hemodialysis", "peritoneal"])
def test_q0139_on_either_dialysis_is_met(mode):
    found = ckd_item("Q0139", ckd(mode))
    name = "hemodialysis" if mode == "hemodialysis" else "peritoneal dialysis"
    detail = (
        f"CKD stage 5, {name} (2026-09-01): on dialysis as Q0139 requires; CKD thresholds apply"
    )
    assert found == (MET, detail, None)


def test_q0139_without_ckd_status_is_missing_the_ckd_status():
    found = ckd_item("Q0139", diagnoses=("N18.6", "Z99.2"))
    assert found == (
        MISSING, "Q0139 is for patients on dialysis: no CKD status on file", "ckd_status",
    )  # fmt: skip


def test_another_dialysis_code_not_on_dialysis_names_its_code():
    status, detail = rules.ckd_rule(ckd("none", 4), True, "J9999")
    assert (status, detail) == (
        NOT_MET, "J9999 is for patients on dialysis; latest: CKD stage 4, no dialysis (2026-09-01)",
    )  # fmt: skip


def test_a_code_without_restriction_fits_a_dialysis_patient():
    status, detail = rules.ckd_rule(ckd("hemodialysis"), False, "J1756", ("N18.6", "Z99.2"))
    assert (status, detail) == (MET, "CKD stage 5, hemodialysis (2026-09-01): CKD thresholds apply")


# --- Triferic: hemodialysis only --------------------------------------------------------------


@pytest.mark.parametrize("code", ["J1443", "J1444", "J1445"])
def test_triferic_on_peritoneal_dialysis_is_not_met_and_says_what_fits(code):
    found = ckd_item(code, ckd("peritoneal"))
    assert found == (
        NOT_MET,
        f"Triferic ({code}) is for hemodialysis only, not peritoneal dialysis "
        "(latest: CKD stage 5, peritoneal dialysis (2026-09-01)): no Triferic code fits; "
        "for ESRD on dialysis ferumoxytol is billed as Q0139",
        "request",
    )


@pytest.mark.parametrize("code", ["J1443", "J1444", "J1445"])
def test_triferic_on_hemodialysis_is_met(code):
    found = ckd_item(code, ckd("hemodialysis"))
    detail = (
        f"CKD stage 5, hemodialysis (2026-09-01): on hemodialysis as {code} requires; "
        "CKD thresholds apply"
    )
    assert found == (MET, detail, None)


def test_triferic_without_dialysis_is_not_met():
    found = ckd_item("J1444", ckd("none", 4))
    assert found == (
        NOT_MET,
        "J1444 (Triferic) is for patients on hemodialysis; "
        "latest: CKD stage 4, no dialysis (2026-09-01)",
        "request",
    )


def test_triferic_without_ckd_status_is_missing():
    found = ckd_item("J1444", diagnoses=("N18.6", "Z99.2"))
    assert found == (
        MISSING,
        "J1444 (Triferic) is for patients on hemodialysis: no CKD status on file",
        "ckd_status",
    )


def test_triferic_is_known_by_code_whatever_the_catalog_flag_and_case():
    status, detail = rules.ckd_rule(ckd("peritoneal"), False, " j1444 ")
    assert status == NOT_MET and detail.startswith("Triferic (J1444) is for hemodialysis only")


def test_the_latest_ckd_status_decides():
    older = CkdStatus(5, Dialysis.HEMODIALYSIS, date(2026, 1, 1))
    status, _, _ = ckd_item("J1444", older, ckd("peritoneal"))
    assert status == NOT_MET


# --- esrd_on_dialysis directly ----------------------------------------------------------------


def test_esrd_on_dialysis_in_words():
    assert rules.esrd_on_dialysis(ckd("peritoneal"), ()) == (
        "CKD stage 5, peritoneal dialysis (2026-09-01)"
    )
    assert rules.esrd_on_dialysis(ckd("none"), ["N18.6", "z99.2"]) == (
        "diagnoses N18.6 and Z99.2 on file"
    )
    assert rules.esrd_on_dialysis(ckd("none"), ["N18.6"]) is None
    assert rules.esrd_on_dialysis(None, ["Z99.2"]) is None
    assert rules.esrd_on_dialysis(None, []) is None
