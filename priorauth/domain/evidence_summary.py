"""The evidence summary table of a packet: for each requirement of the checklist, the evidence
the checklist judged it on (the latest labs, the oral iron trial it counted, the CKD status,
the diagnoses, the prior product, the dose), as plain rows of text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from priorauth.domain.evidence import Checklist, PatientEvidence, Policy, RequestFacts
from priorauth.domain.evidence_facts import LabTest, OralIronTrial, Requirement
from priorauth.domain.evidence_rules import (
    DIALYSIS_NAMES,
    LAB_NAMES,
    ItemStatus,
    fmt,
    latest,
    trial_days,
)
from priorauth.domain.letters import trial_cited

REQUIREMENT_NAMES = {
    Requirement.DIAGNOSIS_SUPPORTED: "Diagnosis",
    Requirement.ORAL_IRON_TRIAL: "Oral iron trial",
    Requirement.CKD_STATUS: "CKD status",
    Requirement.IRON_LABS: "Iron labs",
    Requirement.HEMOGLOBIN: "Hemoglobin",
    Requirement.STEP_THERAPY: "Step therapy",
    Requirement.DOSE_PER_ADMINISTRATION: "Dose",
    Requirement.DOSE_PER_AUTHORIZATION: "Total dose",
    Requirement.ADMINISTRATIONS: "Administrations",
}
STATUS_WORDS = {
    ItemStatus.MET: "met",
    ItemStatus.MISSING: "missing",
    ItemStatus.NOT_MET: "not met",
    ItemStatus.STALE: "stale",
    ItemStatus.NOT_REQUIRED: "not required",
}
EXCUSES = ("intolerance", "contraindication")


@dataclass(frozen=True)
class SummaryRow:
    requirement: str
    status: str
    evidence: str
    value: str
    date: str


def summary_rows(
    checklist: Checklist,
    policy: Policy | None,
    request: RequestFacts,
    evidence: PatientEvidence,
    as_of: date,
) -> tuple[SummaryRow, ...]:
    """One row per piece of evidence behind each requirement the payer asks (items not
    required are left out); a requirement with nothing on file gets one row saying so."""
    if policy is None:
        return ()  # nothing asked yet: the checklist says to record the payer's policy
    seen = evidence.as_of(as_of)
    rows: list[SummaryRow] = []
    for item in checklist.items:
        name = REQUIREMENT_NAMES.get(item.requirement)
        if name is None or item.status == ItemStatus.NOT_REQUIRED:
            continue
        status = STATUS_WORDS[item.status]
        found = _evidence(item.requirement, policy, request, seen, as_of)
        if not found:
            found = [("nothing on file", item.detail, "")]
        rows += [SummaryRow(name, status, *cells) for cells in found]
    return tuple(rows)


Cells = list[tuple[str, str, str]]


def _evidence(requirement, policy: Policy, request, seen: PatientEvidence, as_of: date) -> Cells:
    if requirement == Requirement.DIAGNOSIS_SUPPORTED:
        return _diagnoses(request, seen)
    if requirement == Requirement.ORAL_IRON_TRIAL:
        used = trials_used(policy.oral_iron_min_days, seen.trials, as_of)
        return [_trial_cells(t, as_of) for t in used]
    if requirement == Requirement.CKD_STATUS:
        return _ckd(seen)
    if requirement == Requirement.IRON_LABS:
        return _labs(seen, (LabTest.FERRITIN, LabTest.TSAT))
    if requirement == Requirement.HEMOGLOBIN:
        return _labs(seen, (LabTest.HEMOGLOBIN,))
    if requirement == Requirement.STEP_THERAPY:
        return _prior_product(policy, seen)
    return _dose(requirement, request)


def _ckd(seen: PatientEvidence) -> Cells:
    ckd = latest(seen.ckd)
    if ckd is None:
        return []
    return [(f"CKD stage {ckd.stage}", DIALYSIS_NAMES[str(ckd.dialysis)], str(ckd.observed_on))]


def _diagnoses(request: RequestFacts, seen: PatientEvidence) -> Cells:
    if request.diagnosis_codes:
        return [("diagnosis on the request", code, "") for code in request.diagnosis_codes]
    return [("diagnosis on record", d.code, str(d.observed_on)) for d in seen.diagnoses]


def _labs(seen: PatientEvidence, tests: tuple[LabTest, ...]) -> Cells:
    cells = []
    for test in tests:
        lab = latest(lab for lab in seen.labs if lab.test == test)
        if lab is not None:
            name, unit = LAB_NAMES[str(test)]
            cells.append((name, f"{fmt(lab.value)} {unit}", str(lab.observed_on)))
    return cells


def trials_used(
    min_days: int | None, trials: tuple[OralIronTrial, ...], as_of: date
) -> tuple[OralIronTrial, ...]:
    """The trial the oral iron rule counts (the letter cites the same one:
    letters.trial_cited); every trial when the payer asks for none."""
    if not min_days:
        return trials
    cited = trial_cited(trials, min_days, as_of)
    return (cited,) if cited else ()


def _trial_cells(trial: OralIronTrial, as_of: date) -> tuple[str, str, str]:
    outcome = str(trial.outcome).replace("_", " ") if trial.outcome else "no outcome recorded"
    days = f"{trial_days(trial, as_of)} days, "
    value = outcome if trial.outcome in EXCUSES else days + outcome
    end = str(trial.end_date) if trial.end_date else "ongoing"
    drug = trial.drug.strip() or "oral iron"
    return (f"oral iron: {drug}", value, f"{trial.start_date} to {end}")


def _prior_product(policy: Policy, seen: PatientEvidence) -> Cells:
    preferred = {c.strip().upper() for c in policy.preferred_codes}
    tried = [p for p in seen.prior_products if p.hcpcs_code.strip().upper() in preferred]
    last = max(tried, key=lambda p: p.given_on, default=None)
    return [("prior IV iron", last.hcpcs_code.upper(), str(last.given_on))] if last else []


def _dose(requirement: str, request: RequestFacts) -> Cells:
    dose, count = request.dose_mg, request.administrations
    if requirement == Requirement.DOSE_PER_ADMINISTRATION and dose is not None:
        return [(f"{request.hcpcs_code} per administration", f"{fmt(dose)} mg", "")]
    if requirement == Requirement.DOSE_PER_AUTHORIZATION and None not in (dose, count):
        return [("total requested", f"{count} x {fmt(dose)} mg = {fmt(dose * count)} mg", "")]
    if requirement == Requirement.ADMINISTRATIONS and count is not None:
        return [("administrations requested", str(count), "")]
    return []
