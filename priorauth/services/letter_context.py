"""Read a request's letter facts from the database (the pure part is domain/letters.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from priorauth.domain import letters as dl
from priorauth.extensions import db
from priorauth.letters import sample
from priorauth.models import AuthorizationRequest, Clinic, DrugCode
from priorauth.services import clock, snapshots
from priorauth.services.payers import find_policy


def facts_of(auth: AuthorizationRequest, clinic: Clinic) -> dl.LetterFacts:
    patient, coverage, drug = auth.patient, auth.coverage, auth.drug
    return dl.LetterFacts(
        clinic_name=clinic.name,
        patient_name=f"{patient.first_name} {patient.last_name}",
        mrn=patient.mrn,
        birth_date=patient.birth_date,
        payer_name=coverage.payer.name,
        member_id=coverage.member_id,
        plan_name=coverage.plan_name,
        hcpcs_code=auth.hcpcs_code,
        drug_name=drug.drug,
        brand=drug.brand,
        dose_mg=Decimal(auth.dose_mg),
        administrations=auth.administrations,
        units=auth.units_requested,
        requested_start=auth.requested_start,
        requested_end=auth.requested_end,
        diagnosis_codes=tuple(auth.diagnosis_codes or ()),
        ordering_provider=auth.ordering_provider,
        urgency=auth.urgency,
        requires_dialysis=drug.requires_dialysis,
        auth_number=auth.auth_number,
        payer_reference=auth.payer_reference,
        denial_reason=auth.denial_reason,
        denial_note=auth.denial_note,
        decided_on=auth.decided_on,
        appeal_deadline=auth.appeal_deadline,
    )


def drug_names() -> dict[str, str]:
    rows = db.session.execute(sa.select(DrugCode.code, DrugCode.drug))
    return {code: drug for code, drug in rows}


def context_of(auth: AuthorizationRequest, as_of: date | None = None) -> dict[str, Any]:
    """The plain values a letter of this request is rendered with, as of the clinic's today
    (the evidence the checklist shows today)."""
    clinic = db.session.get(Clinic, auth.clinic_id)
    day = as_of or clock.clinic_today(clinic)
    policy = snapshots.policy_facts(find_policy(auth.coverage.payer_id, auth.hcpcs_code))
    evidence = snapshots.patient_evidence(auth.patient_id)
    return dl.letter_context(facts_of(auth, clinic), evidence, policy, drug_names(), day)


def sample_context(clinic: Clinic) -> dict[str, Any]:
    """A made-up request's values in this clinic's name, to try a template on."""
    facts, evidence = sample.sample_facts()
    facts = replace(facts, clinic_name=clinic.name)
    return dl.letter_context(facts, evidence, None, drug_names(), facts.requested_start)
