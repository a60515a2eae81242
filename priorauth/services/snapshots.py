"""Turn rows into the plain values the domain rules take."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa

from priorauth.domain import evidence as ev
from priorauth.domain.vocab import InfusionStatus
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Infusion, PayerPolicy
from priorauth.services.patients import evidence_of

POLICY_FIELDS = (
    "pa_required",
    "ferritin_max",
    "tsat_max",
    "ferritin_max_ckd",
    "tsat_max_ckd",
    "hemoglobin_max",
    "labs_max_age_days",
    "oral_iron_min_days",
    "max_mg_per_dose",
    "max_mg_per_authorization",
    "max_administrations",
    "min_days_between_doses",
    "default_authorization_days",
)


def policy_facts(policy: PayerPolicy | None) -> ev.Policy | None:
    if policy is None:
        return None
    values = {name: getattr(policy, name) for name in POLICY_FIELDS}
    return ev.Policy(
        accepted_diagnoses=tuple(policy.accepted_diagnoses or ()),
        preferred_codes=tuple(policy.preferred_codes or ()),
        **values,
    )


def request_facts(auth: AuthorizationRequest) -> ev.RequestFacts:
    return ev.RequestFacts(
        hcpcs_code=auth.hcpcs_code,
        dose_mg=Decimal(auth.dose_mg) if auth.dose_mg is not None else None,
        administrations=auth.administrations,
        diagnosis_codes=tuple(auth.diagnosis_codes or ()),
        requires_dialysis=auth.drug.requires_dialysis,
        payer_name=auth.coverage.payer.name,
    )


def evidence_by_patient(patient_ids: set[int]) -> dict[int, ev.PatientEvidence]:
    """Each patient's evidence as the checklist takes it, for many patients in six queries."""
    ids = sorted(patient_ids)
    rows = evidence_of(ids)
    grouped: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for kind, records in rows.items():
        for record in records:
            grouped[record.patient_id][kind].append(record)
    given = _given_products(ids)
    return {pid: _patient_evidence(grouped[pid], given[pid]) for pid in ids}


def _given_products(ids: list[int]) -> dict[int, list[ev.PriorProduct]]:
    found: dict[int, list[ev.PriorProduct]] = defaultdict(list)
    rows = db.session.execute(
        sa.select(Infusion.patient_id, Infusion.hcpcs_code, Infusion.administered_at).where(
            Infusion.patient_id.in_(ids), Infusion.status == InfusionStatus.ADMINISTERED
        )
    ).all()
    for pid, code, at in rows:
        if at is not None:
            found[pid].append(ev.PriorProduct(code, at.date()))
    return found


def _patient_evidence(rows: dict[str, list], given: list[ev.PriorProduct]) -> ev.PatientEvidence:
    return ev.PatientEvidence(
        labs=tuple(
            ev.Lab(ev.LabTest(r.test), Decimal(r.value), r.observed_on) for r in rows["lab"]
        ),
        trials=tuple(
            ev.OralIronTrial(
                r.drug, r.start_date, r.end_date, ev.TrialOutcome(r.outcome) if r.outcome else None
            )
            for r in rows["oral_iron_trial"]
        ),
        ckd=tuple(
            ev.CkdStatus(r.stage, ev.Dialysis(r.dialysis), r.observed_on)
            for r in rows["ckd_status"]
        ),
        diagnoses=tuple(ev.Diagnosis(r.code, r.observed_on) for r in rows["diagnosis"]),
        prior_products=tuple(
            [ev.PriorProduct(r.hcpcs_code, r.given_on) for r in rows["prior_product"]] + given
        ),
    )


def patient_evidence(patient_id: int) -> ev.PatientEvidence:
    return evidence_by_patient({patient_id})[patient_id]
