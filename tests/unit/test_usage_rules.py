"""The units words, defined once (docs/domain.md §9, priorauth/domain/usage.py)."""

from __future__ import annotations

from priorauth.domain.usage import Spend, UnitsUse, left_after_booked, tally


def test_left_is_approved_less_given_less_booked_and_not_yet_used_ignores_bookings():
    use = UnitsUse(units_approved=510, units_given=100, units_booked=300)
    assert use.units_not_yet_used == 410
    assert use.units_left == 110
    assert use.units_short == 0


def test_bookings_beyond_the_approval_leave_a_negative_left_and_a_deficit():
    use = UnitsUse(units_approved=510, units_given=0, units_booked=1020)
    assert use.units_not_yet_used == 510
    assert use.units_left == -510
    assert use.units_short == 510


def test_exactly_used_up_is_zero_left_and_no_deficit():
    use = UnitsUse(units_approved=200, units_given=100, units_booked=100)
    assert (use.units_left, use.units_short) == (0, 0)


def test_no_unit_limit_leaves_every_figure_open():
    use = UnitsUse(units_approved=None, units_given=100, units_booked=50)
    assert (use.units_not_yet_used, use.units_left, use.units_short) == (None, None, 0)


def test_visits_follow_the_same_words():
    use = UnitsUse(visits_approved=3, visits_given=1, visits_booked=1)
    assert (use.visits_not_yet_used, use.visits_left) == (2, 1)
    assert UnitsUse().visits_left is None and UnitsUse().visits_not_yet_used is None


def test_left_after_booked_is_the_one_subtraction():
    assert left_after_booked(410, 300) == 110
    assert left_after_booked(None, 300) is None


def test_tally_counts_given_and_booked_infusions_apart():
    use = tally(500, 5, [Spend(100, True), Spend(120, False), Spend(80, False)])
    assert use == UnitsUse(500, 100, 200, 5, 1, 2)
    assert tally(None, None, []) == UnitsUse()


def test_what_is_taken_is_given_plus_booked():
    use = UnitsUse(
        units_approved=500, units_given=200, units_booked=100, visits_given=2, visits_booked=1
    )
    assert (use.units_taken, use.visits_taken) == (300, 3)
