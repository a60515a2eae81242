"""The coverage and runway reasons say units in docs/domain.md §9's words: given, booked, left."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from priorauth.domain import coverage as cov
from priorauth.domain.coverage import AuthFacts, CoverageWindow, InfusionFacts
from priorauth.domain.reasons import units_words, visits_words
from priorauth.domain.runway import PlannedInfusion, project_runway
from priorauth.domain.usage import UnitsUse

TODAY = date(2026, 3, 10)
INSURED = (CoverageWindow(date(2025, 1, 1), None),)
# Demo MRN-10047: J1756 200 mg, 5 administrations (1000 units) approved, 4 given, 1 booked.
APPROVAL = AuthFacts(
    7, "approved", "J1756", TODAY - timedelta(days=40), TODAY + timedelta(days=40), 1000, 5
)
GIVEN = [
    InfusionFacts(n, "J1756", TODAY - timedelta(days=7 * n), 200, 7, administered=True)
    for n in range(1, 5)
]
BOOKED = InfusionFacts(5, "J1756", TODAY + timedelta(days=1), 200, 7)


def _planned(infusion_id: int, day: date) -> PlannedInfusion:
    return PlannedInfusion(infusion_id, "J1756", day, Decimal("200"), Decimal("1"))


def test_a_sixth_booking_names_what_is_given_and_booked_not_used():
    sixth = InfusionFacts(6, "J1756", TODAY + timedelta(days=8), 200, None)
    planned = [_planned(5, BOOKED.service_date), _planned(6, sixth.service_date)]
    runway = project_runway(planned, [APPROVAL], [*GIVEN, BOOKED, sixth], INSURED)
    booked, extra = runway.steps
    assert booked.badge == "covered"
    assert extra.badge == "not_covered"
    messages = {r.code: r.message for r in extra.reasons}
    assert messages == {
        cov.UNITS_EXHAUSTED: "authorization #7 has 0 units left (800 given, 200 booked of 1000 "
        "approved) but this dose needs 200",
        cov.VISITS_EXHAUSTED: "authorization #7: all 5 approved administrations given or "
        "booked (4 given, 1 booked)",
    }
    assert "used" not in extra.summary


def test_the_words_for_a_shortfall_and_for_one_administration():
    short = UnitsUse(units_approved=510, units_booked=1020, visits_approved=1, visits_given=1)
    assert units_words(short) == "-510 units left (0 given, 1020 booked of 510 approved)"
    assert (
        visits_words(short) == "all 1 approved administration given or booked (1 given, 0 booked)"
    )
