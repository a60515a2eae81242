"""The runway: booked infusions in date order, each checked as the earlier ones spend units
(docs/domain.md §6). Each step carries both answers, its badge and the reasons behind it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from priorauth.domain.coverage import (
    AUTH_PENDING,
    AUTHORIZATION_REASONS,
    BLOCKING,
    AuthFacts,
    CoverageAnswer,
    CoverageQuestion,
    CoverageWindow,
    InfusionFacts,
    Reason,
    check_coverage,
)


class Badge(StrEnum):
    """A booked infusion's coverage badge on the schedule (docs/domain.md §6)."""

    COVERED = "covered"
    AT_RISK = "at_risk"
    NOT_COVERED = "not_covered"


COVERED, AT_RISK, NOT_COVERED = Badge.COVERED, Badge.AT_RISK, Badge.NOT_COVERED


@dataclass(frozen=True)
class PlannedInfusion:
    id: int
    hcpcs_code: str
    service_date: date
    dose_mg: Decimal
    mg_per_unit: Decimal


@dataclass(frozen=True)
class RunwayStep:
    """A booked infusion: `answer` once the earlier bookings are given, `current` as booked now
    (every other live infusion counted)."""

    infusion_id: int
    service_date: date
    dose_mg: Decimal
    answer: CoverageAnswer
    current: CoverageAnswer | None = None

    @property
    def now(self) -> CoverageAnswer:
        return self.current if self.current is not None else self.answer

    @property
    def badge(self) -> str:
        return badge_for(self.answer, self.now)

    @property
    def reasons(self) -> tuple[Reason, ...]:
        """The reasons that explain the badge."""
        if self.badge == COVERED:
            return self.answer.reasons
        return _blocking(self._failing())

    @property
    def summary(self) -> str:
        """One sentence for the badge's title attribute and the reminder text."""
        text = "; ".join(r.message for r in self.reasons)
        if self.badge == COVERED:
            return text or "covered"
        if self.badge == AT_RISK and self.now.covered:
            return f"covered as booked, but once the earlier bookings are given: {text}"
        if self.badge == AT_RISK:
            return f"covered only if the pending request is approved: {text}"
        return text or "not covered"

    @property
    def units_short(self) -> int:
        """The deficit: units this booking needs beyond what its authorization has left."""
        return max(self.answer.units_short, self.now.units_short)

    def _failing(self) -> CoverageAnswer:
        """The answer that is not covered, the runway's first (the badge is not covered)."""
        return self.answer if not self.answer.covered else self.now


def _blocking(answer: CoverageAnswer) -> tuple[Reason, ...]:
    return tuple(r for r in answer.reasons if r.code in BLOCKING)


def badge_for(answer: CoverageAnswer, current: CoverageAnswer) -> str:
    """covered; at_risk (the runway spends the units first, or only a pending request serves
    it); else not_covered."""
    if answer.covered and current.covered:
        return COVERED
    if current.covered:
        return AT_RISK
    failing = answer if not answer.covered else current
    if {r.code for r in _blocking(failing)} == {AUTH_PENDING}:
        return AT_RISK
    return NOT_COVERED


@dataclass(frozen=True)
class Runway:
    steps: tuple[RunwayStep, ...]
    first_uncovered: RunwayStep | None


def project_runway(
    planned: Sequence[PlannedInfusion],
    authorizations: Sequence[AuthFacts],
    infusions: Sequence[InfusionFacts],
    coverages: Sequence[CoverageWindow],
) -> Runway:
    """Check each booked infusion after the given ones and the earlier booked ones spent.

    `infusions`: every live infusion (given and booked) as stored, for the "as booked now"
    answer; each step's policy is the one of the plan active on its date.
    """
    spent = [i for i in infusions if i.administered]
    steps: list[RunwayStep] = []
    for plan in sorted(planned, key=lambda p: (p.service_date, p.id)):
        question = CoverageQuestion(
            plan.hcpcs_code, plan.service_date, plan.dose_mg, plan.mg_per_unit, plan.id
        )
        answer = check_coverage(question, authorizations, spent, coverages)
        current = check_coverage(question, authorizations, infusions, coverages)
        steps.append(RunwayStep(plan.id, plan.service_date, plan.dose_mg, answer, current))
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
