"""The dashboard's pictures: the numbers (two queries each at most) and the geometry of the
server-rendered SVG (pure functions; templates/charts.html draws what they return)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from priorauth.domain.usage import UnitsUse
from priorauth.domain.vocab import InfusionStatus, label
from priorauth.domain.workflow import APPROVED_STATUSES, Status
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Infusion
from priorauth.queries.queue_sql import as_date, day_of

APPROVED = tuple(s.value for s in APPROVED_STATUSES)
PIPELINE = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.PENDED,
    Status.APPEALED,
    Status.APPROVED,
    Status.PARTIALLY_APPROVED,
    Status.DENIED,
    Status.EXPIRED,
    Status.NOT_REQUIRED,
    Status.CANCELLED,
)
WEEKS = 8


# --- the numbers --------------------------------------------------------------------------


def pipeline_counts(clinic_id: int, today: date) -> list[tuple[str, int]]:
    """Requests by status, in workflow order; approvals past their end date count as expired."""
    rows = db.session.execute(
        sa.select(AuthorizationRequest.status, AuthorizationRequest.approved_end, sa.func.count())
        .where(AuthorizationRequest.clinic_id == clinic_id)
        .group_by(AuthorizationRequest.status, AuthorizationRequest.approved_end)
    ).all()
    counts: Counter[str] = Counter()
    for status, end, number in rows:
        ended = status in APPROVED and end is not None and end < today
        counts[Status.EXPIRED.value if ended else status] += number
    return [(status, counts[status]) for status in PIPELINE]


@dataclass(frozen=True)
class Week:
    start: date
    expirations: int
    infusions: int

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def weeks_summary(weeks: list[Week]) -> str:
    """The chart's numbers as one sentence per week (its text alternative)."""
    return "; ".join(
        f"week of {w.start:%d %b}: {_plural(w.expirations, 'approval')} ending, "
        f"{_plural(w.infusions, 'infusion')} booked"
        for w in weeks
    )


def weeks_ahead(clinic_id: int, today: date, weeks: int = WEEKS) -> list[Week]:
    """Per 7-day week from today: approvals ending that week and infusions booked in it
    (counted per day in SQL: as many rows as days, however many bookings)."""
    last = today + timedelta(days=7 * weeks)
    end = AuthorizationRequest.approved_end
    ends = db.session.execute(
        sa.select(end, sa.func.count())
        .where(
            AuthorizationRequest.clinic_id == clinic_id,
            AuthorizationRequest.status.in_(APPROVED),
            end >= today,
            end < last,
        )
        .group_by(end)
    ).all()
    day = day_of(Infusion.scheduled_at)
    booked = db.session.execute(
        sa.select(day, sa.func.count())
        .where(
            Infusion.clinic_id == clinic_id,
            Infusion.status == InfusionStatus.SCHEDULED,
            Infusion.scheduled_at >= datetime.combine(today, datetime.min.time()),
            Infusion.scheduled_at < datetime.combine(last, datetime.min.time()),
        )
        .group_by(day)
    ).all()
    ending, chairs = Counter(), Counter()
    for when, number in ends:
        ending[(when - today).days // 7] += number
    for when, number in booked:
        chairs[(as_date(when) - today).days // 7] += number
    return [Week(today + timedelta(days=7 * n), ending[n], chairs[n]) for n in range(weeks)]


# --- the geometry -------------------------------------------------------------------------


@dataclass(frozen=True)
class HBar:
    key: str
    label: str
    value: int
    y: float
    width: float


@dataclass(frozen=True)
class HBarChart:
    width: int
    height: int
    label_x: int
    bar_x: int
    row_height: int
    bars: tuple[HBar, ...]

    @property
    def summary(self) -> str:
        return ", ".join(f"{bar.label} {bar.value}" for bar in self.bars)


def _scale(value: int, largest: int, room: float) -> float:
    return round(room * value / largest, 1) if largest else 0.0


def hbar_chart(
    items: list[tuple[str, int]], width: int = 560, label_width: int = 150, row_height: int = 26
) -> HBarChart:
    """Horizontal bars, one row per (key, value); room is left after each bar for its count."""
    room = width - label_width - 50
    largest = max((v for _, v in items), default=0)
    bars = tuple(
        HBar(key, label(key).lower(), value, 4 + i * row_height, _scale(value, largest, room))
        for i, (key, value) in enumerate(items)
    )
    height = 8 + row_height * len(items)
    return HBarChart(width, height, label_width - 8, label_width, row_height, bars)


@dataclass(frozen=True)
class VBar:
    series: str
    value: int
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Group:
    label: str
    center: float
    bars: tuple[VBar, ...]


@dataclass(frozen=True)
class GroupedChart:
    width: int
    height: int
    base_y: int
    bar_width: int
    groups: tuple[Group, ...]


def weeks_chart(
    weeks: list[Week], width: int = 560, height: int = 200, bar_width: int = 18
) -> GroupedChart:
    """Two bars a week (expirations, booked infusions) over a shared baseline."""
    base_y, top = height - 30, 46
    largest = max((max(w.expirations, w.infusions) for w in weeks), default=0)
    step = (width - 20) / max(len(weeks), 1)
    groups = []
    for i, week in enumerate(weeks):
        center = 10 + step * (i + 0.5)
        bars = []
        for j, (series, value) in enumerate(
            (("expirations", week.expirations), ("infusions", week.infusions))
        ):
            tall = _scale(value, largest, base_y - top)
            x = center - bar_width - 1 + j * (bar_width + 2)
            bars.append(VBar(series, value, x, base_y - tall, tall))
        groups.append(Group(f"{week.start:%d %b}", center, tuple(bars)))
    return GroupedChart(width, height, base_y, bar_width, tuple(groups))


@dataclass(frozen=True)
class Segment:
    kind: str
    label: str
    value: int
    x: float
    width: float


@dataclass(frozen=True)
class UnitsBar:
    """An approval's units in docs/domain.md §9's words: given, booked, left (negative left:
    the booked infusions are `short` that many units)."""

    approved: int
    given: int
    booked: int
    left: int
    short: int
    width: int
    segments: tuple[Segment, ...]

    @property
    def summary(self) -> str:
        short = f" ({self.short} short)" if self.short else ""
        return (
            f"{self.approved} units approved: {self.given} given, {self.booked} booked, "
            f"{self.left} left{short}"
        )


def units_bar(use: UnitsUse, width: int = 480) -> UnitsBar:
    """Given, booked and left (domain/usage.py) as parts of the approved units. A shortfall
    is drawn over the end of the booked part, from the approved mark on, as "short"."""
    approved, given, booked = use.units_approved or 0, use.units_given, use.units_booked
    total = max(approved, given + booked) or 1
    segments, x = [], 0.0
    for kind, value in (("given", given), ("booked", booked), ("left", max(use.units_left, 0))):
        span = _scale(value, total, width)
        segments.append(Segment(kind, kind, value, x, span))
        x += span
    if use.units_short:
        at, span = _scale(approved, total, width), _scale(use.units_short, total, width)
        segments.append(Segment("short", "short", use.units_short, at, span))
    left, short = use.units_left, use.units_short
    return UnitsBar(approved, given, booked, left, short, width, tuple(segments))
