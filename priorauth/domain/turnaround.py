"""How long each payer takes to decide, per code, and when a renewal must start because of it
(docs/follow-through.md, "Turnaround history and renewal timing").

A decision is a request's first answer from the payer after its first submission: approved,
partially approved or denied (an appeal's answer is not a turnaround of the request). Its
turnaround is the calendar days from the day of the first submission to the day of that
decision (clinic days). Per payer and code: the count, the median (the middle value, or the
mean of the two middle ones), the 80th percentile by the nearest-rank method (the smallest
value with at least 80 % of the values at or below it: the ⌈0.8·n⌉-th smallest), the
outcomes and the denial reasons. Pure: the decisions come in as plain values.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from priorauth.domain.business_days import NO_HOLIDAYS, add_business_days
from priorauth.domain.workflow import Status

MIN_DECISIONS = 5  # below this many decisions the payer's configured response time is used
P80 = 80
DECIDED = (Status.APPROVED, Status.PARTIALLY_APPROVED, Status.DENIED)


@dataclass(frozen=True)
class Decision:
    """One request's first decision; outcome is the status it was decided to."""

    request_id: int
    payer_id: int
    payer_name: str
    hcpcs_code: str
    submitted_on: date
    decided_on: date
    outcome: str
    denial_reason: str | None = None

    @property
    def days(self) -> int:
        """Calendar days from the first submission to the decision (never negative)."""
        return max(0, (self.decided_on - self.submitted_on).days)


@dataclass(frozen=True)
class TurnaroundRow:
    """One payer and code: how many decisions, how long they took, how they came out."""

    payer_id: int
    payer_name: str
    hcpcs_code: str
    decisions: int
    median_days: float
    p80_days: int
    approved: int
    partial: int
    denied: int
    denial_reasons: dict[str, int] = field(default_factory=dict)

    def rate(self, outcome_count: int) -> float:
        """A share of the decisions, 0–1 (decisions is never 0 in a row)."""
        return outcome_count / self.decisions


def nearest_rank(values: Sequence[int], percent: int) -> int:
    """The percentile by nearest rank: the ⌈percent/100·n⌉-th smallest value (n ≥ 1)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percent * len(ordered) / 100))
    return ordered[rank - 1]


def _row(group: list[Decision]) -> TurnaroundRow:
    days = [d.days for d in group]
    outcomes = Counter(d.outcome for d in group)
    reasons = Counter(d.denial_reason or "unknown" for d in group if d.outcome == Status.DENIED)
    first = group[0]
    return TurnaroundRow(
        payer_id=first.payer_id,
        payer_name=first.payer_name,
        hcpcs_code=first.hcpcs_code,
        decisions=len(group),
        median_days=float(median(days)),
        p80_days=nearest_rank(days, P80),
        approved=outcomes[Status.APPROVED],
        partial=outcomes[Status.PARTIALLY_APPROVED],
        denied=outcomes[Status.DENIED],
        denial_reasons=dict(sorted(reasons.items(), key=lambda pair: (-pair[1], pair[0]))),
    )


def summarize(decisions: Iterable[Decision]) -> list[TurnaroundRow]:
    """One row per payer and code, by payer name, then code."""
    groups: dict[tuple[int, str], list[Decision]] = {}
    for decision in decisions:
        groups.setdefault((decision.payer_id, decision.hcpcs_code), []).append(decision)
    rows = [_row(group) for group in groups.values()]
    return sorted(rows, key=lambda r: (r.payer_name.lower(), r.payer_id, r.hcpcs_code))


@dataclass(frozen=True)
class Turnaround:
    """The turnaround a renewal is timed by: the p80 of the recorded decisions once there are
    MIN_DECISIONS, else the payer's configured response time; `decisions` recorded either way."""

    days: int
    decisions: int

    @property
    def recorded(self) -> bool:
        return self.decisions >= MIN_DECISIONS

    def words(self) -> str:
        noun = "decision" if self.decisions == 1 else "decisions"
        if self.recorded:
            return f"p80 {self.days} days ({self.decisions} {noun})"
        return (
            f"configured response time {self.days} days "
            f"(only {self.decisions} {noun}, fewer than {MIN_DECISIONS})"
        )


def turnaround_for(row: TurnaroundRow | None, configured_days: int) -> Turnaround:
    """The payer's turnaround for the code: its p80, or the configured days below 5."""
    count = row.decisions if row else 0
    if row is not None and count >= MIN_DECISIONS:
        return Turnaround(row.p80_days, count)
    return Turnaround(configured_days, count)


@dataclass(frozen=True)
class RenewalTiming:
    """When the renewal must be started, and how that day was reached, in words."""

    start_by: date
    explanation: str


def renewal_timing(
    target: str,
    target_on: date,
    turnaround: Turnaround,
    buffer_business_days: int,
    holidays: Container[date] = NO_HOLIDAYS,
) -> RenewalTiming:
    """target_on − the turnaround (calendar days) − the buffer (business days)."""
    answered_by = target_on - timedelta(days=turnaround.days)
    start_by = add_business_days(answered_by, -buffer_business_days, holidays)
    buffer = "business day" if buffer_business_days == 1 else "business days"
    how = f"{target} {target_on} − {turnaround.words()} − {buffer_business_days} {buffer}"
    return RenewalTiming(start_by, how)
