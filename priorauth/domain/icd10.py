"""Descriptions of the ICD-10-CM codes the product meets (payer lists, demo patients), for
letters. A code not listed is described by its nearest listed parent ("K50.90" -> "K50"), or
not at all: the letter then shows the code alone."""

from __future__ import annotations

from priorauth.domain.evidence_rules import normalize_code

DESCRIPTIONS = {
    "D50": "Iron deficiency anemia",
    "D50.0": "Iron deficiency anemia secondary to blood loss (chronic)",
    "D50.1": "Sideropenic dysphagia",
    "D50.8": "Other iron deficiency anemias",
    "D50.9": "Iron deficiency anemia, unspecified",
    "D63.0": "Anemia in neoplastic disease",
    "D63.1": "Anemia in chronic kidney disease",
    "D63.8": "Anemia in other chronic diseases classified elsewhere",
    "D64.81": "Anemia due to antineoplastic chemotherapy",
    "D64.9": "Anemia, unspecified",
    "K50": "Crohn's disease",
    "K50.90": "Crohn's disease, unspecified, without complications",
    "K51": "Ulcerative colitis",
    "K51.90": "Ulcerative colitis, unspecified, without complications",
    "K90": "Intestinal malabsorption",
    "K90.0": "Celiac disease",
    "K90.9": "Intestinal malabsorption, unspecified",
    "K92.1": "Melena",
    "K92.2": "Gastrointestinal hemorrhage, unspecified",
    "N18": "Chronic kidney disease (CKD)",
    "N18.1": "Chronic kidney disease, stage 1",
    "N18.2": "Chronic kidney disease, stage 2 (mild)",
    "N18.3": "Chronic kidney disease, stage 3 (moderate)",
    "N18.30": "Chronic kidney disease, stage 3 unspecified",
    "N18.31": "Chronic kidney disease, stage 3a",
    "N18.32": "Chronic kidney disease, stage 3b",
    "N18.4": "Chronic kidney disease, stage 4 (severe)",
    "N18.5": "Chronic kidney disease, stage 5",
    "N18.6": "End stage renal disease",
    "N18.9": "Chronic kidney disease, unspecified",
    "N92.0": "Excessive and frequent menstruation with regular cycle",
    "O99.01": "Anemia complicating pregnancy",
    "Z99.2": "Dependence on renal dialysis",
}
_BY_NORMAL = {normalize_code(code): words for code, words in DESCRIPTIONS.items()}


def describe(code: str) -> str:
    """The words for a code, of the code or its nearest listed parent; "" when unknown."""
    norm = normalize_code(code)
    for length in range(len(norm), 2, -1):
        words = _BY_NORMAL.get(norm[:length])
        if words:
            return words
    return ""
