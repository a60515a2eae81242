"""The facts a letter cites, as plain values a sandboxed template can print (docs/domain.md,
"Letters"). The evidence cited is the evidence the checklist used: the latest lab of each test
as of the day, and the oral iron trial the trial rule counted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from priorauth.domain import evidence_rules as rules
from priorauth.domain.appeals import denial_context
from priorauth.domain.evidence_facts import LabTest, OralIronTrial, PatientEvidence, Policy
from priorauth.domain.icd10 import describe
from priorauth.domain.vocab import label

LAB_ORDER = (LabTest.FERRITIN, LabTest.TSAT, LabTest.HEMOGLOBIN)
EXCUSING = ("intolerance", "contraindication")


@dataclass(frozen=True)
class LetterFacts:
    """Everything a letter says about one request, as read from the database."""

    clinic_name: str
    patient_name: str
    mrn: str
    birth_date: date
    payer_name: str
    member_id: str
    plan_name: str | None
    hcpcs_code: str
    drug_name: str
    brand: str
    dose_mg: Decimal
    administrations: int
    units: int
    requested_start: date
    requested_end: date
    diagnosis_codes: tuple[str, ...]
    ordering_provider: str | None
    urgency: str
    requires_dialysis: bool = False
    auth_number: str | None = None
    payer_reference: str | None = None
    denial_reason: str | None = None
    denial_note: str | None = None
    decided_on: date | None = None
    appeal_deadline: date | None = None


def trial_cited(trials: Sequence[OralIronTrial], min_days: int | None, as_of: date):
    """The trial the checklist's oral iron rule counts (evidence_rules.oral_iron_rule): the
    first intolerance or contraindication, else the longest failed trial long enough, else the
    longest trial; None when there is none."""
    excused = [t for t in trials if t.outcome in EXCUSING]
    if excused:
        return min(excused, key=lambda t: t.start_date)
    failed = [t for t in trials if t.outcome == "inadequate_response"]
    done = [t for t in failed if rules.trial_days(t, as_of) >= (min_days or 0)]
    pool = done or list(trials)
    return max(pool, key=lambda t: rules.trial_days(t, as_of), default=None)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _lab(lab) -> dict[str, str] | None:
    if lab is None:
        return None
    name, unit = rules.LAB_NAMES[str(lab.test)]
    value, day = rules.fmt(lab.value), _day(lab.observed_on)
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "date": day,
        "text": rules.describe_lab(lab),
    }


def _trial(trial: OralIronTrial | None, as_of: date) -> dict[str, Any] | None:
    if trial is None:
        return None
    outcome = str(trial.outcome) if trial.outcome else ""
    end = _day(trial.end_date) or "ongoing"
    days = rules.trial_days(trial, as_of)
    words = label(outcome).lower() if outcome else "no outcome recorded"
    text = f"{trial.drug} from {_day(trial.start_date)} to {end} ({days} days): {words}"
    note = (trial.note or "").strip()
    return {
        "drug": trial.drug,
        "start": _day(trial.start_date),
        "end": end,
        "days": days,
        "outcome": outcome,
        "outcome_label": words,
        "note": note,
        "excused": outcome in EXCUSING,
        "text": text + (f" ({note})" if note else ""),
    }


def _ckd(evidence: PatientEvidence) -> dict[str, Any] | None:
    ckd = rules.latest(evidence.ckd)
    if ckd is None:
        return None
    dialysis = str(ckd.dialysis)
    return {
        "stage": ckd.stage,
        "dialysis": rules.DIALYSIS_NAMES[dialysis],
        "on_dialysis": dialysis != "none",
        "date": _day(ckd.observed_on),
        "text": rules.describe_ckd(ckd),
    }


def _limits(policy: Policy | None, ckd: bool) -> dict[str, Any]:
    """The payer's criteria the letter may quote (the CKD pair when CKD is documented)."""
    if policy is None:
        return {"known": False, "accepted_diagnoses": [], "preferred_codes": []}
    ferritin, tsat = policy.ferritin_max, policy.tsat_max
    if ckd:  # the CKD pair, each where the payer states one (evidence._iron_thresholds)
        ferritin = ferritin if policy.ferritin_max_ckd is None else policy.ferritin_max_ckd
        tsat = tsat if policy.tsat_max_ckd is None else policy.tsat_max_ckd
    plain = {
        "ferritin_max": ferritin,
        "tsat_max": tsat,
        "hemoglobin_max": policy.hemoglobin_max,
        "max_mg_per_dose": policy.max_mg_per_dose,
        "max_mg_per_authorization": policy.max_mg_per_authorization,
    }
    limits = {k: (rules.fmt(v) if v is not None else None) for k, v in plain.items()}
    return limits | {
        "known": True,
        "labs_max_age_days": policy.labs_max_age_days,
        "oral_iron_min_days": policy.oral_iron_min_days,
        "max_administrations": policy.max_administrations,
        "accepted_diagnoses": list(policy.accepted_diagnoses),
        "preferred_codes": list(policy.preferred_codes),
    }


def _diagnoses(facts: LetterFacts, evidence: PatientEvidence) -> list[dict[str, str]]:
    """The request's codes, or the patient's record's when the request names none (as the
    checklist reads them)."""
    codes = list(facts.diagnosis_codes) or [d.code for d in evidence.diagnoses]
    unique = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    return [{"code": c, "description": describe(c)} for c in unique]


def _request(facts: LetterFacts) -> dict[str, Any]:
    dose, count = facts.dose_mg, facts.administrations
    return {
        "code": facts.hcpcs_code,
        "drug": facts.drug_name,
        "brand": facts.brand,
        "dose_mg": rules.fmt(dose),
        "administrations": count,
        "total_mg": rules.fmt(dose * count),
        "units": facts.units,
        "start": _day(facts.requested_start),
        "end": _day(facts.requested_end),
        "urgency": facts.urgency,
        "auth_number": facts.auth_number or "",
        "payer_reference": facts.payer_reference or "",
    }


def letter_context(
    facts: LetterFacts,
    evidence: PatientEvidence,
    policy: Policy | None,
    drug_names: Mapping[str, str],
    as_of: date,
) -> dict[str, Any]:
    """The plain values a letter template is rendered with (see PLACEHOLDERS)."""
    evidence = evidence.as_of(as_of)
    labs = {t: _lab(rules.latest(x for x in evidence.labs if x.test == t)) for t in LAB_ORDER}
    min_days = policy.oral_iron_min_days if policy else None
    ckd = _ckd(evidence)
    context = {
        "today": _day(as_of),
        "clinic": {"name": facts.clinic_name},
        "patient": {
            "name": facts.patient_name,
            "mrn": facts.mrn,
            "birth_date": _day(facts.birth_date),
        },
        "payer": {
            "name": facts.payer_name,
            "member_id": facts.member_id,
            "plan": facts.plan_name or "",
        },
        "request": _request(facts),
        "prescriber": facts.ordering_provider or "",
        "diagnoses": _diagnoses(facts, evidence),
        "labs": [lab for lab in labs.values() if lab is not None],
        "ferritin": labs[LabTest.FERRITIN],
        "tsat": labs[LabTest.TSAT],
        "hemoglobin": labs[LabTest.HEMOGLOBIN],
        "trial": _trial(trial_cited(evidence.trials, min_days, as_of), as_of),
        "ckd": ckd,
        "prior_products": [
            {
                "code": p.hcpcs_code,
                "drug": drug_names.get(p.hcpcs_code, ""),
                "date": _day(p.given_on),
            }
            for p in sorted(evidence.prior_products, key=lambda p: p.given_on)
        ],
        "policy": _limits(policy, ckd is not None),
    }
    context["denial"] = denial_context(facts, context)
    return context


PLACEHOLDERS = (
    ("today", "the letter's date (YYYY-MM-DD)"),
    ("clinic.name", "the clinic"),
    ("patient.name, patient.mrn, patient.birth_date", "the patient"),
    ("payer.name, payer.member_id, payer.plan", "the payer and the patient's membership"),
    ("request.code, request.drug, request.brand", "the HCPCS code and its drug"),
    ("request.dose_mg, request.administrations, request.total_mg", "the dose"),
    ("request.units, request.start, request.end", "billing units and requested dates"),
    ("request.auth_number, request.payer_reference", "the payer's numbers, when known"),
    ("prescriber", "the ordering provider"),
    ("diagnoses (each: code, description)", "the request's diagnoses"),
    ("labs (each: name, value, unit, date, text)", "the latest iron labs and hemoglobin"),
    ("ferritin, tsat, hemoglobin (value, unit, date, text)", "one lab, or none"),
    ("trial (drug, start, end, days, outcome_label, note, excused, text)", "oral iron"),
    ("ckd (stage, dialysis, on_dialysis, date, text)", "the latest CKD status, or none"),
    ("prior_products (each: code, drug, date)", "IV iron already given"),
    ("policy (ferritin_max, tsat_max, hemoglobin_max, ...)", "the payer's criteria"),
    ("denial (reason, reason_label, note, decided_on, appeal_deadline, argument)", "appeals"),
)
