"""The PAS Claim's supportingInfo stated in full: each item is category `info` (display
"Information") with a text naming what it is; a trial outcome is written in words; only the
latest CKD status is sent; prior products go by date, then code (domain/pas_evidence.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from priorauth.domain.evidence import (
    CkdStatus,
    Dialysis,
    OralIronTrial,
    PatientEvidence,
    PriorProduct,
    TrialOutcome,
)
from priorauth.domain.pas_evidence import supporting_info

INFO = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/claiminformationcategory",
            "code": "info",
            "display": "Information",
        }
    ]
}


def test_each_item_is_information_whose_code_text_says_what_it_is():
    evidence = PatientEvidence(
        trials=(
            OralIronTrial(
                "ferrous sulfate",
                date(2025, 6, 1),
                date(2025, 9, 1),
                TrialOutcome.INADEQUATE_RESPONSE,
            ),
        ),
        ckd=(CkdStatus(4, Dialysis.PERITONEAL, date(2026, 1, 10)),),
        prior_products=(PriorProduct("J1750", date(2025, 4, 2)),),
    )
    assert supporting_info(Decimal("500"), 1, evidence) == [
        {
            "sequence": 1,
            "category": INFO,
            "code": {"text": "Requested dose"},
            "valueString": "500 mg per administration, 1 administrations",
        },
        {
            "sequence": 2,
            "category": INFO,
            "code": {"text": "Oral iron trial"},
            "timingPeriod": {"start": "2025-06-01", "end": "2025-09-01"},
            "valueString": "ferrous sulfate: inadequate response",
        },
        {
            "sequence": 3,
            "category": INFO,
            "code": {"text": "Chronic kidney disease"},
            "timingDate": "2026-01-10",
            "valueString": "stage 4; dialysis: peritoneal",
        },
        {
            "sequence": 4,
            "category": INFO,
            "code": {"text": "Prior IV iron product"},
            "timingDate": "2025-04-02",
            "valueString": "J1750",
        },
    ]


def test_only_the_latest_ckd_status_is_sent_whatever_the_order_given():
    evidence = PatientEvidence(
        ckd=(
            CkdStatus(3, Dialysis.NONE, date(2025, 1, 1)),
            CkdStatus(5, Dialysis.HEMODIALYSIS, date(2026, 2, 1)),
            CkdStatus(4, Dialysis.NONE, date(2025, 7, 1)),
        )
    )
    ckd = supporting_info(Decimal("100"), 1, evidence)[1:]
    assert [(i["timingDate"], i["valueString"]) for i in ckd] == [
        ("2026-02-01", "stage 5; dialysis: hemodialysis")
    ]


def test_prior_products_go_by_date_then_by_code():
    evidence = PatientEvidence(
        prior_products=(
            PriorProduct("J2916", date(2025, 8, 1)),
            PriorProduct("J1756", date(2025, 4, 2)),
            PriorProduct("J1750", date(2025, 4, 2)),
        )
    )
    priors = supporting_info(Decimal("100"), 1, evidence)[1:]
    assert [(i["timingDate"], i["valueString"]) for i in priors] == [
        ("2025-04-02", "J1750"),
        ("2025-04-02", "J1756"),
        ("2025-08-01", "J2916"),
    ]
