"""A scale patient's treatment timeline: their infusion dates at a steady cadence around
today, split into consecutive courses, one authorization request per course, plus requests
that carry no infusion (renewals, denials, cancellations)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

SLOTS = tuple(time(7 + half // 2, 30 * (half % 2)) for half in range(21))  # 07:00 .. 17:00
# Days between visits per code: iron sucrose twice a week, ferumoxytol for dialysis weekly,
# the others weekly or fortnightly.
CADENCES = {"J1756": (3, 4), "Q0139": (7,)}
OTHER_CADENCES = (7, 7, 7, 14, 14)
# What the course running now ended as; weights. The first patients of each clinic take
# ROTATION in turn, so even a tiny database holds every case.
CURRENT = {
    "approved": 90,
    "ending_soon": 3,
    "over_units": 1,
    "partially_approved": 2,
    "submitted": 1.5,
    "pended": 0.7,
    "draft": 0.7,
    "denied": 0.7,
    "appealed": 0.7,
}
ROTATION = (
    "submitted",
    "pended",
    "draft",
    "denied",
    "appealed",
    "partially_approved",
    "ending_soon",
    "over_units",
)
SIDE = {"renewal": 45, "denied": 25, "cancelled": 20, "unused": 10}


@dataclass
class Course:
    """Consecutive infusions under one request; `case` says how that request stands."""

    visits: list[datetime]
    case: str


@dataclass
class Timeline:
    cadence: int
    courses: list[Course]
    side: list[str]  # cases of the requests without infusions
    loose: list[datetime]  # infusions with no request at all (a patient without requests)


def weighted(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def visit_times(rng: random.Random, today: date, count: int, cadence: int) -> list[datetime]:
    """`count` visits `cadence` days apart; 0-3 of them from today on, the rest before."""
    if count == 0:
        return []
    ahead = 0 if rng.random() < 0.08 else min(count, rng.randint(1, 3))
    first_ahead = today + timedelta(days=rng.randrange(cadence))
    days = [first_ahead + timedelta(days=cadence * (i - (count - ahead))) for i in range(count)]
    return [datetime.combine(day, rng.choice(SLOTS)) for day in days]


def split(items: list, parts: int) -> list[list]:
    """Consecutive, near-equal parts."""
    size = len(items)
    return [items[size * i // parts : size * (i + 1) // parts] for i in range(parts)]


def timeline(
    rng: random.Random, today: date, code: str, requests: int, infusions: int, rotation: int
) -> Timeline:
    """The patient's courses; `rotation` < len(ROTATION) picks the running course's case."""
    cadence = rng.choice(CADENCES.get(code, OTHER_CADENCES))
    visits = visit_times(rng, today, infusions, cadence)
    side = sum(1 for _ in range(max(requests - 1, 0)) if rng.random() < 0.25)
    bearing = min(requests - side, infusions)
    past = [v for v in visits if v.date() < today]
    ahead = visits[len(past) :]
    if ahead and bearing >= 2:
        bearing = min(bearing, len(past) + 1)
        groups = [*split(past, bearing - 1), ahead] if bearing > 1 else [visits]
    else:
        groups = split(visits, bearing) if bearing else []
    courses = [Course(group, "approved") for group in groups]
    if courses and courses[-1].visits[-1].date() >= today:
        courses[-1].case = _current_case(rng, rotation)
        if courses[-1].visits[0].date() < today:  # given visits need an approval
            courses[-1].case = _granting(courses[-1].case)
    for course in courses[:-1]:
        course.case = "partially_approved" if rng.random() < 0.07 else "approved"
    sides = [weighted(rng, SIDE) for _ in range(requests - len(courses))]
    return Timeline(cadence, courses, sides, [] if courses else visits)


def _current_case(rng: random.Random, rotation: int) -> str:
    if rotation < len(ROTATION):
        return ROTATION[rotation]
    return weighted(rng, CURRENT)


def _granting(case: str) -> str:
    return (
        case
        if case in ("approved", "ending_soon", "over_units", "partially_approved")
        else ("approved")
    )
