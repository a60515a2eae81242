"""The scheduler's question, answered from the database in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from priorauth.domain import coverage as cov
from priorauth.domain.workflow import APPROVED_STATUSES, AWAITING_PAYER, Status
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Coverage, Infusion, PayerPolicy
from priorauth.services.eligibility import lapsed_patients
from priorauth.services.payers import drug_code

COUNTED = (Status.DRAFT, Status.DENIED, Status.PENDED, *AWAITING_PAYER, *APPROVED_STATUSES)
LIVE_INFUSIONS = ("scheduled", "administered")


@dataclass
class PatientCodeState:
    """Everything the coverage rules need for one patient and one code."""

    authorizations: list[AuthorizationRequest]
    infusions: list[Infusion]
    coverages: list[Coverage]
    policies: dict[int, PayerPolicy]  # by payer id
    mg_per_unit: Decimal
    lapsed: bool = False  # a re-verification found the plan inactive or changed

    def policy_on(self, day: date) -> PayerPolicy | None:
        """The policy of the plan active that day, else of the latest plan on file."""
        active = [c for c in self.coverages if c.active_on(day)] or self.coverages[:1]
        return self.policies.get(active[0].payer_id) if active else None


def load_state(patient_id: int, code: str) -> PatientCodeState:
    drug = drug_code(code)
    auths = db.session.scalars(
        sa.select(AuthorizationRequest)
        .options(joinedload(AuthorizationRequest.coverage).joinedload(Coverage.payer))
        .where(
            AuthorizationRequest.patient_id == patient_id,
            AuthorizationRequest.hcpcs_code == drug.code,
            AuthorizationRequest.status.in_([s.value for s in COUNTED]),
        )
    ).all()
    infusions = db.session.scalars(
        sa.select(Infusion).where(
            Infusion.patient_id == patient_id,
            Infusion.hcpcs_code == drug.code,
            Infusion.status.in_(LIVE_INFUSIONS),
        )
    ).all()
    coverages = db.session.scalars(
        sa.select(Coverage)
        .where(Coverage.patient_id == patient_id)
        .order_by(Coverage.start_date.desc(), Coverage.id.desc())
    ).all()
    policies = db.session.scalars(
        sa.select(PayerPolicy).where(
            PayerPolicy.payer_id.in_({c.payer_id for c in coverages}),
            PayerPolicy.hcpcs_code == drug.code,
        )
    ).all()
    return PatientCodeState(
        list(auths),
        list(infusions),
        list(coverages),
        {p.payer_id: p for p in policies},
        drug.mg_per_unit,
        lapsed=patient_id in lapsed_patients([patient_id]),
    )


def decision_due(auth: AuthorizationRequest) -> date | None:
    """When the payer's answer is due: its response time after the last submission."""
    if auth.submitted_at is None or auth.status not in {
        s.value for s in AWAITING_PAYER | {Status.PENDED}
    }:
        return None
    payer = auth.coverage.payer
    if auth.urgency == "expedited":
        return (auth.submitted_at + timedelta(hours=payer.expedited_response_hours)).date()
    return (auth.submitted_at + timedelta(days=payer.standard_response_days)).date()


def auth_facts(auth: AuthorizationRequest) -> cov.AuthFacts:
    return cov.AuthFacts(
        id=auth.id,
        status=auth.status,
        hcpcs_code=auth.hcpcs_code,
        approved_start=auth.approved_start,
        approved_end=auth.approved_end,
        units_approved=auth.units_approved,
        administrations_approved=auth.administrations_approved,
        decision_due=decision_due(auth),
        auth_number=auth.auth_number,
    )


def infusion_facts(infusion: Infusion) -> cov.InfusionFacts:
    administered = infusion.status == "administered"
    return cov.InfusionFacts(
        id=infusion.id,
        hcpcs_code=infusion.hcpcs_code,
        service_date=infusion.scheduled_at.date(),
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


def coverage_windows(state: PatientCodeState) -> list[cov.CoverageWindow]:
    return [
        cov.CoverageWindow(c.start_date, c.end_date, verified_inactive=state.lapsed)
        for c in state.coverages
    ]


def answer(state: PatientCodeState, code: str, day: date, dose_mg, exclude_infusion_id=None):
    """check_coverage over a loaded state (no further queries)."""
    question = cov.CoverageQuestion(
        hcpcs_code=code,
        service_date=day,
        dose_mg=Decimal(dose_mg),
        mg_per_unit=state.mg_per_unit,
        exclude_infusion_id=exclude_infusion_id,
    )
    return cov.check_coverage(
        question,
        [auth_facts(a) for a in state.authorizations],
        [infusion_facts(i) for i in state.infusions],
        policy_facts(state.policy_on(day)),
        coverage_windows(state),
    )


def check(patient_id: int, code: str, day: date, dose_mg, exclude_infusion_id=None):
    """Is the patient covered for this code, dose and date? The answer explains itself."""
    state = load_state(patient_id, code.upper())
    return answer(state, code.upper(), day, dose_mg, exclude_infusion_id)
