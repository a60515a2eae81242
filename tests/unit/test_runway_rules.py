"""Runway rules the examples in test_coverage.py leave open (pinned by mutation testing)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from priorauth.domain import coverage as cov
from priorauth.domain.coverage import AuthFacts, CoverageWindow, InfusionFacts, PolicyFacts
from priorauth.domain.runway import PlannedInfusion, RunwayStep, project_runway

DAY = date(2026, 3, 10)
INSURED = (CoverageWindow(date(2025, 1, 1), None),)


def auth(units=1000):
    return AuthFacts(1, "approved", "J1439", date(2026, 1, 1), date(2026, 6, 30), units, None)


def planned(id, day, dose="100"):
    return PlannedInfusion(id, "J1439", day, Decimal(dose), Decimal("1"))


def runway(plans, given=(), policy=None, units=1000):
    windows = (
        CoverageWindow(date(2025, 1, 1), None, policies={"J1439": policy} if policy else {}),
    )
    return project_runway(plans, [auth(units)], given, windows)


def test_each_step_carries_its_booking_date_and_dose():
    result = runway([planned(4, DAY, "250.5")])
    assert result.steps[0].infusion_id == 4
    assert result.steps[0].service_date == DAY
    assert result.steps[0].dose_mg == Decimal("250.5")
    assert isinstance(result.steps[0], RunwayStep)


def test_a_booking_passed_among_the_given_infusions_is_not_counted_against_itself():
    """The question for a booking excludes that booking's own id, wherever the caller put it."""
    itself = InfusionFacts(7, "J1439", DAY, 600, 1)
    policy = PolicyFacts(min_days_between_doses=7)
    result = runway([planned(7, DAY, "600")], given=[itself], policy=policy)
    assert result.steps[0].answer.covered
    assert result.steps[0].answer.units_left == 1000


def test_earlier_bookings_are_cited_by_date_next_to_given_infusions():
    """A later booking too soon after a given and a booked infusion on the same day."""
    given = [InfusionFacts(50, "J1439", DAY, 100, 1, administered=True)]
    plans = [planned(2, DAY), planned(3, DAY + timedelta(days=2))]
    result = runway(plans, given=given, policy=PolicyFacts(min_days_between_doses=7))
    last = result.steps[1].answer
    assert last.reason_codes == (cov.TOO_SOON,)
    assert "infusion on 2026-03-10 is 2 days from 2026-03-12" in last.reasons[0].message
