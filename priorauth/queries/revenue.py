"""Revenue at risk, read from the stored attention facts (docs/follow-through.md): booked
infusions marked "not covered" (infusions.coverage_badge) in the coming days, by reason (found
in infusions.coverage_reason, domain/revenue.reason_of) and payer, and denials whose appeal window
is open. Each is one grouped statement, however many bookings: a row per payer, code, dose,
reason and window; units and dollars are computed from the rows (domain/revenue.py).

An infusion's payer is the one of the patient's plan active on its date, else of the latest
plan on file (docs/domain.md §6); with no plan at all it has none ("No insurance on file").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from priorauth.domain import revenue as rules
from priorauth.domain.runway import Badge
from priorauth.domain.workflow import Status
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as AR
from priorauth.models import Coverage, DrugCode, Infusion, Payer, PayerRate
from priorauth.queries.queue_sql import day_of

WINDOWS = (30, 90)  # days from today, the dashboard's and the report's two horizons


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _payer_of_infusion(clinic_id: int):
    """The payer of the plan active on the infusion's date, else of the latest plan."""
    day = day_of(Infusion.scheduled_at)
    plans = sa.select(Coverage.payer_id).where(
        Coverage.clinic_id == clinic_id, Coverage.patient_id == Infusion.patient_id
    )
    latest = (Coverage.start_date.desc(), Coverage.id.desc())
    active = plans.where(
        Coverage.start_date <= day, sa.or_(Coverage.end_date.is_(None), Coverage.end_date >= day)
    )
    return sa.func.coalesce(
        active.order_by(*latest).limit(1).scalar_subquery(),
        plans.order_by(*latest).limit(1).scalar_subquery(),
    )


# The reason each uncovered booking is counted under, stored beside its badge.
REASON = sa.func.coalesce(Infusion.coverage_reason, rules.OTHER).label("reason")


def _bucket(today: date, edges: Sequence[int]):
    """The index of the first edge (days from today) the booking is before."""
    whens = [(Infusion.scheduled_at < midnight(today + timedelta(days=d)), i)
             for i, d in enumerate(edges)]  # fmt: skip
    return sa.case(*whens, else_=len(edges))


def _priced(clinic_id: int, payer, code):
    """Outer-join condition of the payer's rate for the code."""
    return sa.and_(
        PayerRate.clinic_id == clinic_id, PayerRate.payer_id == payer, PayerRate.hcpcs_code == code
    )


def _bookings(clinic_id: int, today: date, edges: Sequence[int], detail: bool):
    """Each uncovered booking's payer, code, dose, bucket (and reason), computed once."""
    columns = [
        _payer_of_infusion(clinic_id).label("payer_id"),
        Infusion.hcpcs_code,
        Infusion.dose_mg,
        _bucket(today, edges).label("bucket"),
    ]
    return (
        sa.select(*columns, *([REASON] if detail else []))
        .where(  # the badge is kept only while booked: the (clinic, badge, day) index
            Infusion.clinic_id == clinic_id,
            Infusion.coverage_badge == Badge.NOT_COVERED.value,
            Infusion.scheduled_at >= midnight(today),
            Infusion.scheduled_at < midnight(today + timedelta(days=max(edges))),
        )
        .cte("uncovered")
        .prefix_with("MATERIALIZED")  # each booking's payer is looked up once
    )


def uncovered(
    clinic_id: int, today: date, edges: Sequence[int], detail: bool = True
) -> list[tuple[int, rules.AtRisk]]:
    """(bucket, items) of the bookings not covered from today to the last edge (days): bucket
    i holds those before today + edges[i] and not before the previous edge. Without `detail`
    the items carry neither reason nor payer name (the dashboard's totals need neither)."""
    bookings = _bookings(clinic_id, today, edges, detail)
    c = bookings.c
    keys = [c.bucket, c.payer_id, c.hcpcs_code, DrugCode.mg_per_unit, c.dose_mg]
    keys += [PayerRate.dollars_per_unit] + ([c.reason, Payer.name] if detail else [])
    query = (
        sa.select(*keys, sa.func.count())
        .join_from(bookings, DrugCode, DrugCode.code == c.hcpcs_code)
        .outerjoin(PayerRate, _priced(clinic_id, c.payer_id, c.hcpcs_code))
        .group_by(*keys)
    )
    if detail:
        query = query.outerjoin(
            Payer, sa.and_(Payer.id == c.payer_id, Payer.clinic_id == clinic_id)
        )
    found = []
    for row in db.session.execute(query):
        bucket, payer_id, code, per_unit, dose, rate = row[:6]
        reason, name = (row[6], row[7] or "") if detail else (rules.OTHER, "")
        units = rules.units_of(dose, per_unit)
        found.append((bucket, rules.AtRisk(payer_id, name, code, reason, units, row[-1], rate)))
    return found


def open_denials(clinic_id: int, today: date) -> list[rules.AtRisk]:
    """Denied requests whose appeal deadline has not passed (the "appeal window open" queue),
    at their units requested."""
    query = (
        sa.select(
            Coverage.payer_id,
            Payer.name,
            AR.hcpcs_code,
            AR.units_requested,
            PayerRate.dollars_per_unit,
            sa.func.count(),
        )  # fmt: skip
        .select_from(AR)
        .join(Coverage, sa.and_(Coverage.id == AR.coverage_id, Coverage.clinic_id == clinic_id))
        .join(Payer, sa.and_(Payer.id == Coverage.payer_id, Payer.clinic_id == clinic_id))
        .outerjoin(PayerRate, _priced(clinic_id, Coverage.payer_id, AR.hcpcs_code))
        .where(
            AR.clinic_id == clinic_id,
            AR.status == Status.DENIED.value,
            AR.appeal_deadline >= today,
        )
        .group_by(
            Coverage.payer_id,
            Payer.name,
            AR.hcpcs_code,
            AR.units_requested,
            PayerRate.dollars_per_unit,
        )  # fmt: skip
    )
    return [
        rules.AtRisk(payer_id, name, code, rules.DENIED_OPEN, units, count, rate)
        for payer_id, name, code, units, rate, count in db.session.execute(query)
    ]


@dataclass(frozen=True)
class RevenueAtRisk:
    """The bookings not covered within each window (days -> summary) and the open denials."""

    today: date
    windows: dict[int, rules.Summary]
    denials: rules.Summary


def revenue_at_risk(clinic_id: int, today: date, detail: bool = True) -> RevenueAtRisk:
    """Two statements: the uncovered bookings of the next 90 days, the open denials; with
    `detail`, by reason and payer too (else only the totals are meaningful)."""
    found = uncovered(clinic_id, today, WINDOWS, detail)
    windows = {
        days: rules.summarize(item for bucket, item in found if bucket <= i)
        for i, days in enumerate(WINDOWS)
    }
    return RevenueAtRisk(today, windows, rules.summarize(open_denials(clinic_id, today)))


@dataclass(frozen=True)
class WeekAtRisk:
    start: date
    line: rules.Line


def weeks_at_risk(clinic_id: int, today: date, weeks: int = 12) -> list[WeekAtRisk]:
    """Per 7-day week from today: the dollars of bookings not covered (unknown rates apart)."""
    found = uncovered(clinic_id, today, [7 * (n + 1) for n in range(weeks)], detail=False)
    return [
        WeekAtRisk(
            today + timedelta(days=7 * n),
            rules.summarize(item for bucket, item in found if bucket == n).total,
        )
        for n in range(weeks)
    ]
