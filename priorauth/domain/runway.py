"""The runway: booked infusions in date order, each checked as the earlier ones spend units."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from priorauth.domain.coverage import (
    AUTHORIZATION_REASONS,
    AuthFacts,
    CoverageAnswer,
    CoverageQuestion,
    CoverageWindow,
    InfusionFacts,
    PolicyFacts,
    check_coverage,
)


@dataclass(frozen=True)
class PlannedInfusion:
    id: int
    hcpcs_code: str
    service_date: date
    dose_mg: Decimal
    mg_per_unit: Decimal


@dataclass(frozen=True)
class RunwayStep:
    infusion_id: int
    service_date: date
    dose_mg: Decimal
    answer: CoverageAnswer


@dataclass(frozen=True)
class Runway:
    steps: tuple[RunwayStep, ...]
    first_uncovered: RunwayStep | None


def project_runway(
    planned: Sequence[PlannedInfusion],
    authorizations: Sequence[AuthFacts],
    given: Sequence[InfusionFacts],
    policy_on: Callable[[str, date], PolicyFacts | None],
    coverages: Sequence[CoverageWindow],
) -> Runway:
    """Check each booked infusion after the given ones and the earlier booked ones spent.

    `policy_on(code, day)` is the payer policy for that code on that day (plans change).
    """
    spent = list(given)
    steps: list[RunwayStep] = []
    for plan in sorted(planned, key=lambda p: (p.service_date, p.id)):
        question = CoverageQuestion(
            plan.hcpcs_code, plan.service_date, plan.dose_mg, plan.mg_per_unit, plan.id
        )
        policy = policy_on(plan.hcpcs_code, plan.service_date)
        answer = check_coverage(question, authorizations, spent, policy, coverages)
        steps.append(RunwayStep(plan.id, plan.service_date, plan.dose_mg, answer))
        spent.append(_as_spent(plan, answer))
    first = next((s for s in steps if not s.answer.covered), None)
    return Runway(tuple(steps), first)


def _as_spent(plan: PlannedInfusion, answer: CoverageAnswer) -> InfusionFacts:
    """The step as an infusion: it spends units only on an authorization that served it."""
    served = answer.authorization_id is not None and not (
        AUTHORIZATION_REASONS & set(answer.reason_codes)
    )
    auth_id = answer.authorization_id if served else None
    units = answer.units_required
    return InfusionFacts(plan.id, plan.hcpcs_code, plan.service_date, units, auth_id)
