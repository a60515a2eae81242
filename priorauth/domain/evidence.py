"""Payer policy + request + evidence -> what is missing before submission (docs/domain.md §3).

The facts (LabTest, PatientEvidence, Policy, RequestFacts, ...) live in evidence_facts.py and
are importable from here as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from priorauth.domain import evidence_rules as rules
from priorauth.domain.evidence_facts import (
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
    Requirement,
    TrialOutcome,
)
from priorauth.domain.evidence_rules import ChecklistItem, ItemStatus, fmt, item

__all__ = [
    "PROBLEM_STATUSES",
    "Checklist",
    "ChecklistItem",
    "CkdStatus",
    "Diagnosis",
    "Dialysis",
    "ItemStatus",
    "Lab",
    "LabTest",
    "OralIronTrial",
    "PatientEvidence",
    "Policy",
    "PriorProduct",
    "RequestFacts",
    "Requirement",
    "TrialOutcome",
    "build_checklist",
]


PROBLEM_STATUSES = frozenset({ItemStatus.MISSING, ItemStatus.NOT_MET, ItemStatus.STALE})


@dataclass(frozen=True)
class Checklist:
    ready: bool
    pa_required: bool
    items: tuple[ChecklistItem, ...]

    @property
    def problems(self) -> tuple[ChecklistItem, ...]:
        """Items that block submission: missing, not met or stale."""
        return tuple(i for i in self.items if i.status in PROBLEM_STATUSES)

    def get(self, requirement: str) -> ChecklistItem | None:
        """The item for a requirement code, if present."""
        return next((i for i in self.items if i.requirement == requirement), None)


@dataclass(frozen=True)
class _Context:
    policy: Policy
    request: RequestFacts
    evidence: PatientEvidence
    as_of: date


def build_checklist(
    policy: Policy | None, request: RequestFacts, evidence: PatientEvidence, as_of: date
) -> Checklist:
    """Every requirement of the policy, in order, each met / missing / not met / stale."""
    if policy is None:
        text = (
            f"no policy on file for {request.payer_name} and {request.hcpcs_code}: "
            "record the payer's criteria first"
        )
        missing = item(Requirement.PAYER_POLICY, ItemStatus.MISSING, text)
        return Checklist(ready=False, pa_required=True, items=(missing,))
    ctx = _Context(policy, request, evidence.as_of(as_of), as_of)
    items = tuple(rule(ctx) for rule in _RULES)
    ready = not any(i.status in PROBLEM_STATUSES for i in items)
    return Checklist(ready=ready, pa_required=policy.pa_required, items=items)


def _prior_authorization(ctx: _Context) -> ChecklistItem:
    code, payer = ctx.request.hcpcs_code, ctx.request.payer_name
    if ctx.policy.pa_required:
        text = f"PA required: {payer} requires prior authorization for {code}"
        return item(Requirement.PRIOR_AUTHORIZATION, ItemStatus.MET, text)
    text = f"{payer} does not require prior authorization for {code}"
    return item(Requirement.PRIOR_AUTHORIZATION, ItemStatus.NOT_REQUIRED, text)


def _diagnosis(ctx: _Context) -> ChecklistItem:
    accepted = ctx.policy.accepted_diagnoses
    codes, source = ctx.request.diagnosis_codes, "on the request"
    if not codes:
        codes, source = tuple(d.code for d in ctx.evidence.diagnoses), "on the patient's record"
    status, text = rules.diagnosis_rule(accepted, codes, source, ctx.request.payer_name)
    return item(Requirement.DIAGNOSIS_SUPPORTED, status, text, "diagnosis")


def _oral_iron(ctx: _Context) -> ChecklistItem:
    min_days = ctx.policy.oral_iron_min_days
    status, text = rules.oral_iron_rule(min_days, ctx.evidence.trials, ctx.as_of)
    return item(Requirement.ORAL_IRON_TRIAL, status, text, "oral_iron_trial")


def _ckd_status(ctx: _Context) -> ChecklistItem:
    """CKD status, and whether the code fits the patient's dialysis (the diagnoses counted are
    the request's and the patient's record's together); a code that does not fit is fixed on
    the request, a missing CKD status on the patient's record."""
    latest = rules.latest(ctx.evidence.ckd)
    request = ctx.request
    diagnoses = (*request.diagnosis_codes, *(d.code for d in ctx.evidence.diagnoses))
    status, text = rules.ckd_rule(latest, request.requires_dialysis, request.hcpcs_code, diagnoses)
    kind = "request" if status == ItemStatus.NOT_MET else "ckd_status"
    return item(Requirement.CKD_STATUS, status, text, kind)


def _iron_thresholds(ctx: _Context) -> dict[str, Decimal | None]:
    """Ferritin and TSAT thresholds: the CKD pair when CKD is documented, else the non-CKD one."""
    p = ctx.policy
    if ctx.evidence.ckd:
        return {
            LabTest.FERRITIN: p.ferritin_max if p.ferritin_max_ckd is None else p.ferritin_max_ckd,
            LabTest.TSAT: p.tsat_max if p.tsat_max_ckd is None else p.tsat_max_ckd,
        }
    return {LabTest.FERRITIN: p.ferritin_max, LabTest.TSAT: p.tsat_max}


def _latest_lab(ctx: _Context, test: str) -> Lab | None:
    return rules.latest(lab for lab in ctx.evidence.labs if lab.test == test)


def _iron_labs(ctx: _Context) -> ChecklistItem:
    wanted = {t: v for t, v in _iron_thresholds(ctx).items() if v is not None}
    checks = [(t, limit, _latest_lab(ctx, t)) for t, limit in wanted.items()]
    status, text = rules.iron_labs_rule(checks)
    return item(Requirement.IRON_LABS, status, text, "lab")


def _hemoglobin(ctx: _Context) -> ChecklistItem:
    limit = ctx.policy.hemoglobin_max
    lab = _latest_lab(ctx, LabTest.HEMOGLOBIN)
    status, text = rules.hemoglobin_rule(limit, lab)
    return item(Requirement.HEMOGLOBIN, status, text, "lab")


def _labs_recent(ctx: _Context) -> ChecklistItem:
    wanted = [t for t, v in _iron_thresholds(ctx).items() if v is not None]
    if ctx.policy.hemoglobin_max is not None:
        wanted.append(LabTest.HEMOGLOBIN)
    latest = [(t, _latest_lab(ctx, t)) for t in wanted]
    status, text = rules.labs_recent_rule(ctx.policy.labs_max_age_days, latest, ctx.as_of)
    return item(Requirement.LABS_RECENT, status, text, "lab")


def _step_therapy(ctx: _Context) -> ChecklistItem:
    policy, request = ctx.policy, ctx.request
    status, text = rules.step_therapy_rule(
        policy.preferred_codes, request.hcpcs_code, ctx.evidence.prior_products, request.payer_name
    )
    return item(Requirement.STEP_THERAPY, status, text, "prior_product")


def _dose_per_administration(ctx: _Context) -> ChecklistItem:
    dose, limit = ctx.request.dose_mg, ctx.policy.max_mg_per_dose
    text = f"{fmt(dose or 0)} mg per administration"
    status, detail = rules.limit_rule(limit, dose, text, "mg per administration", "the dose")
    return item(Requirement.DOSE_PER_ADMINISTRATION, status, detail, "request")


def _dose_per_authorization(ctx: _Context) -> ChecklistItem:
    dose, count = ctx.request.dose_mg, ctx.request.administrations
    total = None if dose is None or count is None else dose * count
    text = f"{count} x {fmt(dose or 0)} mg = {fmt(total or 0)} mg"
    limit, missing = ctx.policy.max_mg_per_authorization, "the dose or the administrations"
    status, detail = rules.limit_rule(limit, total, text, "mg per authorization", missing)
    return item(Requirement.DOSE_PER_AUTHORIZATION, status, detail, "request")


def _administrations(ctx: _Context) -> ChecklistItem:
    count, limit = ctx.request.administrations, ctx.policy.max_administrations
    text = f"{count} administration{'' if count == 1 else 's'}"
    missing = "the number of administrations"
    status, detail = rules.limit_rule(limit, count, text, "administrations", missing)
    return item(Requirement.ADMINISTRATIONS, status, detail, "request")


_RULES: tuple[Callable[[_Context], ChecklistItem], ...] = (
    _prior_authorization,
    _diagnosis,
    _oral_iron,
    _ckd_status,
    _iron_labs,
    _hemoglobin,
    _labs_recent,
    _step_therapy,
    _dose_per_administration,
    _dose_per_authorization,
    _administrations,
)
