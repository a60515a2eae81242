"""The reports (docs/follow-through.md "Reports"): each a table of rows, drawn as bars and
downloaded as CSV. A report names its columns, which of them make a bar's label and which are
drawn as bars; the chart is built from the very rows the CSV writes. Each report is one or two
statements, however much history the clinic has.

The reports on payers' decisions (turnaround, outcomes, denial reasons) read the request
history through queries/turnaround.py; they are in queries/report_decisions.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from priorauth.errors import NotFound
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as AR
from priorauth.models import Clinic, Coverage, FollowUp, Payer, User
from priorauth.queries.queue_sql import day_of
from priorauth.queries.report_charts import BarsChart, bars_chart, cell
from priorauth.queries.revenue import weeks_at_risk
from priorauth.services.clock import to_utc

WEEKS = 12
NOT_RECORDED = "(not recorded)"


@dataclass(frozen=True)
class Report:
    """`rows` as the CSV writes them under `columns`; the chart draws one group per row,
    labelled by the `label_columns`, with a bar per `series` column."""

    name: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: list[tuple]
    label_columns: tuple[int, ...]
    series: tuple[int, ...]

    def label_of(self, row: tuple) -> str:
        return " · ".join(cell(row[i]) for i in self.label_columns)

    @property
    def chart(self) -> BarsChart:
        return bars_chart(
            [self.label_of(row) for row in self.rows],
            [tuple(row[i] for i in self.series) for row in self.rows],
            tuple(self.columns[i] for i in self.series),
        )

    @property
    def summary(self) -> str:
        """The chart's numbers in words (its text alternative)."""
        drawn = (
            self.label_of(row) + ": " + ", ".join(
                f"{self.columns[i]} {cell(row[i]) or 'none'}" for i in self.series)
            for row in self.rows
        )  # fmt: skip
        return "; ".join(drawn) or "nothing to show yet"

    def csv_rows(self) -> list[list[str]]:
        return [list(self.columns)] + [[cell(v) for v in row] for row in self.rows]


def _utc(clinic: Clinic, day: date) -> datetime:
    """The clinic's local midnight of a day, as the naive UTC the timestamps are stored in."""
    return to_utc(clinic, datetime.combine(day, time.min))


def coordinators(clinic: Clinic, today: date) -> Report:
    """Requests created per coordinator (the user who created the request, `created_by`) per
    week (Monday to Sunday, the clinic's days), the last 12 weeks, this one included."""
    first = today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))
    starts = [first + timedelta(days=7 * n) for n in range(WEEKS + 1)]
    whens = [(AR.created_at < _utc(clinic, s), n) for n, s in enumerate(starts[1:])]
    week = sa.case(*whens, else_=WEEKS).label("week")
    query = (
        sa.select(week, User.name, sa.func.count())
        .select_from(AR)
        .outerjoin(User, sa.and_(User.id == AR.created_by_id, User.clinic_id == clinic.id))
        .where(
            AR.clinic_id == clinic.id,
            AR.created_at >= _utc(clinic, starts[0]),
            AR.created_at < _utc(clinic, starts[-1]),
        )
        .group_by(week, User.name)
    )
    found = sorted(
        (starts[n], name or NOT_RECORDED, count) for n, name, count in db.session.execute(query)
    )
    return Report(
        "coordinators", "Requests per coordinator per week",
        "Authorization requests created by each coordinator (who created the request), "
        f"per week, the last {WEEKS} weeks.",
        ("Week from", "Coordinator", "Requests"), found, (0, 1), (2,),
    )  # fmt: skip


def revenue(clinic: Clinic, today: date) -> Report:
    """Dollars of bookings not covered, per week for the next 12 weeks (queries/revenue.py)."""
    rows = [
        (w.start, w.line.dollars, w.line.count, w.line.unknown_count, w.line.unknown_units)
        for w in weeks_at_risk(clinic.id, today, WEEKS)
    ]
    return Report(
        "revenue", "Revenue at risk over time",
        f"Dollars of booked infusions not covered, per week for the next {WEEKS} weeks, at "
        "each payer's allowed amount; bookings whose rate is unknown are counted apart.",
        ("Week from", "Dollars at risk", "Bookings priced", "Bookings at unknown rates",
         "Units at unknown rates"),
        rows, (0,), (1,),
    )  # fmt: skip


def follow_ups(clinic: Clinic, today: date) -> Report:
    """Per payer: decided requests, the follow-ups logged on them up to the day of the
    decision, and follow-ups per request."""
    cid = clinic.id
    before = sa.and_(
        FollowUp.authorization_id == AR.id,
        FollowUp.clinic_id == cid,
        day_of(FollowUp.at) <= AR.decided_on,
    )
    query = (
        sa.select(Payer.name, sa.func.count(sa.distinct(AR.id)), sa.func.count(FollowUp.id))
        .select_from(AR)
        .join(Coverage, sa.and_(Coverage.id == AR.coverage_id, Coverage.clinic_id == cid))
        .join(Payer, sa.and_(Payer.id == Coverage.payer_id, Payer.clinic_id == cid))
        .outerjoin(FollowUp, before)
        .where(AR.clinic_id == cid, AR.decided_on.is_not(None))
        .group_by(Payer.name)
        .order_by(Payer.name)
    )
    rows = [
        (name, decided, calls, (Decimal(calls) / decided).quantize(Decimal("0.1")))
        for name, decided, calls in db.session.execute(query)
    ]
    return Report(
        "follow_ups", "Follow-ups per request before a decision",
        "Per payer: the requests it decided, the follow-ups logged on them up to the day of "
        "the decision, and how many that is per request.",
        ("Payer", "Decided requests", "Follow-ups before the decision", "Follow-ups per request"),
        rows, (0,), (3,),
    )  # fmt: skip


def _registry() -> dict[str, Callable[[Clinic, date], Report]]:
    from priorauth.queries import report_decisions as decided

    return {
        "turnaround": decided.turnaround,
        "outcomes": decided.outcomes,
        "denial_reasons": decided.denial_reasons,
        "coordinators": coordinators,
        "revenue": revenue,
        "follow_ups": follow_ups,
    }


NAMES = ("turnaround", "outcomes", "denial_reasons", "coordinators", "revenue", "follow_ups")
TITLES = {
    "turnaround": "Turnaround by payer",
    "outcomes": "Approval and denial rates per month",
    "denial_reasons": "Denial reasons",
    "coordinators": "Requests per coordinator per week",
    "revenue": "Revenue at risk over time",
    "follow_ups": "Follow-ups per request before a decision",
}


def report(name: str, clinic: Clinic, today: date) -> Report:
    build = _registry().get(name)
    if build is None:
        raise NotFound(f"no report named {name}")
    return build(clinic, today)
