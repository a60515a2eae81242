"""A made-up request and its evidence: what a clinic's template is rendered against before it
is saved (services.letters.save_template, the templates page's preview). Sample data, not a
rule: it lives beside the templates, not in domain/."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from priorauth.domain import evidence_facts as ef
from priorauth.domain.evidence_facts import LabTest, PatientEvidence
from priorauth.domain.letters import LetterFacts
from priorauth.domain.vocab import DenialReason


def sample_facts() -> tuple[LetterFacts, PatientEvidence]:
    """A made-up request, to check that a template renders before saving it."""
    day = date(2026, 1, 15)
    facts = LetterFacts(
        clinic_name="Sample Infusion Center",
        patient_name="Ada Sample",
        mrn="MRN-0000",
        birth_date=date(1970, 3, 1),
        payer_name="Sample Health",
        member_id="M000",
        plan_name="PPO",
        hcpcs_code="J1439",
        drug_name="ferric carboxymaltose",
        brand="Injectafer",
        dose_mg=Decimal(750),
        administrations=2,
        units=1500,
        requested_start=day,
        requested_end=date(2026, 4, 15),
        diagnosis_codes=("D50.9",),
        ordering_provider="Dr. Sample",
        urgency="standard",
        denial_reason=DenialReason.LABS_OUT_OF_RANGE.value,
        denial_note="sample",
        decided_on=day,
        appeal_deadline=date(2026, 7, 14),
    )
    evidence = ef.PatientEvidence(
        labs=(
            ef.Lab(LabTest.FERRITIN, Decimal(12), day),
            ef.Lab(LabTest.HEMOGLOBIN, Decimal("9.8"), day),
        ),
        trials=(
            ef.OralIronTrial(
                "ferrous sulfate",
                date(2025, 9, 1),
                date(2025, 12, 1),
                ef.TrialOutcome.INADEQUATE_RESPONSE,
            ),
        ),
    )
    return facts, evidence
