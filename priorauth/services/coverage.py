"""The scheduler's question, answered from the database in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from priorauth.domain import coverage as cov
from priorauth.domain.vocab import InfusionStatus
from priorauth.domain.workflow import APPROVED_STATUSES, AWAITING_PAYER, Status
from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import (
    AuthorizationRequest,
    Clinic,
    Coverage,
    DrugCode,
    Infusion,
    PayerPolicy,
)
from priorauth.services.clock import to_clinic_time
from priorauth.services.eligibility import lapsed_patients

COUNTED = (Status.DRAFT, Status.DENIED, Status.PENDED, *AWAITING_PAYER, *APPROVED_STATUSES)
LIVE_INFUSIONS = (InfusionStatus.SCHEDULED, InfusionStatus.ADMINISTERED)


@dataclass
class PatientState:
    """Everything the coverage rules need for one patient, all codes."""

    patient_id: int
    authorizations: list[AuthorizationRequest] = field(default_factory=list)
    infusions: list[Infusion] = field(default_factory=list)
    coverages: list[Coverage] = field(default_factory=list)  # newest first
    policies: dict[tuple[int, str], PayerPolicy] = field(default_factory=dict)
    lapsed: bool = False  # a re-verification found the plan inactive or changed
    clinic: Clinic | None = None  # the patient's clinic (its time zone dates the answers due)


def load_states(patient_ids: Iterable[int]) -> tuple[dict[int, PatientState], dict]:
    """-> (state by patient id, mg per unit by code) in 6-7 queries, however many patients."""
    ids = sorted(set(patient_ids))
    states = {pid: PatientState(pid) for pid in ids}
    if not ids:
        return states, {}
    auths = _authorizations(ids)
    clinic = db.session.get(Clinic, auths[0].clinic_id) if auths else None
    for auth in auths:
        states[auth.patient_id].authorizations.append(auth)
        states[auth.patient_id].clinic = clinic
    for infusion in _infusions(ids):
        states[infusion.patient_id].infusions.append(infusion)
    coverages = _coverages(ids)
    for row in coverages:
        states[row.patient_id].coverages.append(row)
    policies = _policies({c.payer_id for c in coverages})
    for state in states.values():
        payers = {c.payer_id for c in state.coverages}
        state.policies = {k: p for k, p in policies.items() if k[0] in payers}
    for pid in lapsed_patients(ids):
        states[pid].lapsed = True
    return states, _mg_per_unit()


def _authorizations(ids: list[int]) -> list[AuthorizationRequest]:
    return db.session.scalars(
        sa.select(AuthorizationRequest)
        .options(joinedload(AuthorizationRequest.coverage).joinedload(Coverage.payer))
        .where(
            AuthorizationRequest.patient_id.in_(ids),
            AuthorizationRequest.status.in_([s.value for s in COUNTED]),
        )
        .order_by(AuthorizationRequest.id)
    ).all()


def _infusions(ids: list[int]) -> list[Infusion]:
    return db.session.scalars(
        sa.select(Infusion)
        .where(
            Infusion.patient_id.in_(ids),
            Infusion.status.in_(LIVE_INFUSIONS),
        )
        .order_by(Infusion.scheduled_at, Infusion.id)
    ).all()


def _coverages(ids: list[int]) -> list[Coverage]:
    return db.session.scalars(
        sa.select(Coverage)
        .where(Coverage.patient_id.in_(ids))
        .order_by(Coverage.start_date.desc(), Coverage.id.desc())
    ).all()


def _policies(payer_ids: set[int]) -> dict[tuple[int, str], PayerPolicy]:
    rows = db.session.scalars(
        sa.select(PayerPolicy).where(PayerPolicy.payer_id.in_(sorted(payer_ids)))
    ).all()
    return {(p.payer_id, p.hcpcs_code): p for p in rows}


def _mg_per_unit() -> dict[str, Decimal]:
    return dict(db.session.execute(sa.select(DrugCode.code, DrugCode.mg_per_unit)).all())


def answer_due_at(auth: AuthorizationRequest, clinic: Clinic | None = None) -> datetime | None:
    """When the payer's answer is due, clinic-local (cov.answer_due, as the reminders), while
    the request waits on one."""
    if auth.submitted_at is None or auth.status not in {
        s.value for s in AWAITING_PAYER | {Status.PENDED}
    }:
        return None
    payer, clinic = auth.coverage.payer, clinic or db.session.get(Clinic, auth.clinic_id)
    submitted = to_clinic_time(clinic, auth.submitted_at)
    return cov.answer_due(
        submitted, auth.urgency, payer.standard_response_days, payer.expedited_response_hours
    )


def decision_due(auth: AuthorizationRequest, clinic: Clinic | None = None) -> date | None:
    """The clinic-local day the payer's answer is due."""
    due = answer_due_at(auth, clinic)
    return due.date() if due else None


def auth_facts(auth: AuthorizationRequest, clinic: Clinic | None = None) -> cov.AuthFacts:
    return cov.AuthFacts(
        id=auth.id,
        status=auth.status,
        hcpcs_code=auth.hcpcs_code,
        approved_start=auth.approved_start,
        approved_end=auth.approved_end,
        units_approved=auth.units_approved,
        administrations_approved=auth.administrations_approved,
        decision_due=decision_due(auth, clinic),
        auth_number=auth.auth_number,
    )


def infusion_facts(infusion: Infusion) -> cov.InfusionFacts:
    """A booked infusion on its booked day; a given one on the day it was given."""
    administered = infusion.status == InfusionStatus.ADMINISTERED
    day = infusion.administered_at if administered and infusion.administered_at else None
    return cov.InfusionFacts(
        id=infusion.id,
        hcpcs_code=infusion.hcpcs_code,
        service_date=(day or infusion.scheduled_at).date(),
        units=(infusion.units_used or 0) if administered else infusion.units_reserved,
        authorization_id=infusion.authorization_id,
        administered=administered,
    )


def policy_facts(policy: PayerPolicy | None) -> cov.PolicyFacts | None:
    if policy is None:
        return None
    return cov.PolicyFacts(
        pa_required=policy.pa_required,
        max_mg_per_dose=policy.max_mg_per_dose,
        min_days_between_doses=policy.min_days_between_doses,
    )


def coverage_windows(state: PatientState) -> list[cov.CoverageWindow]:
    """The patient's plans, each with its payer's policies by code."""
    return [
        cov.CoverageWindow(
            c.start_date,
            c.end_date,
            verified_inactive=state.lapsed,
            policies={
                code: policy_facts(p)
                for (payer, code), p in state.policies.items()
                if payer == c.payer_id
            },
        )
        for c in state.coverages
    ]


def answer(
    state: PatientState,
    code: str,
    day: date,
    dose_mg,
    mg_per_unit: Decimal,
    exclude_infusion_id=None,
) -> cov.CoverageAnswer:
    """check_coverage over a loaded state (no further queries)."""
    question = cov.CoverageQuestion(
        hcpcs_code=code,
        service_date=day,
        dose_mg=Decimal(dose_mg),
        mg_per_unit=mg_per_unit,
        exclude_infusion_id=exclude_infusion_id,
    )
    return cov.check_coverage(
        question,
        [auth_facts(a, state.clinic) for a in state.authorizations],
        [infusion_facts(i) for i in state.infusions],
        coverage_windows(state),
    )


def check(patient_id: int, code: str, day: date, dose_mg, exclude_infusion_id=None):
    """Is the patient covered for this code, dose and date? The answer explains itself."""
    code = code.strip().upper()
    states, mg_per_unit = load_states([patient_id])
    if code not in mg_per_unit:
        raise ValidationFailed.on("hcpcs_code", f"{code} is not in the drug code catalog")
    return answer(states[patient_id], code, day, dose_mg, mg_per_unit[code], exclude_infusion_id)
