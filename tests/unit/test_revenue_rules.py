"""Revenue at risk as a rule (priorauth/domain/revenue.py): units x rate summed by reason and
payer, unknown rates counted apart and never priced; the reason found in a stored summary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from priorauth.domain import reasons as r
from priorauth.domain import revenue
from priorauth.domain.revenue import AtRisk, Line, reason_label, reason_of, summarize, units_of

DAY = date(2026, 3, 2)


# One summary per reason, worded as domain/reasons.py words it (the runway joins them "; ").
@pytest.mark.parametrize("code", revenue.REASON_ORDER)
def test_each_reason_alone_is_counted_under_itself(code):
    assert reason_of([code]) == code


def test_several_reasons_count_once_under_the_first_of_the_list():
    assert reason_of([r.NO_AUTHORIZATION, r.COVERAGE_INACTIVE]) == r.COVERAGE_INACTIVE
    assert reason_of([r.TOO_SOON, r.AUTH_DENIED]) == r.AUTH_DENIED
    assert reason_of(iter([r.VISITS_EXHAUSTED, r.UNITS_EXHAUSTED])) == r.UNITS_EXHAUSTED
    assert revenue.REASON_ORDER.index(r.AUTH_PENDING) < revenue.REASON_ORDER.index(
        r.NO_AUTHORIZATION
    )


def test_reasons_outside_the_list_are_other():
    assert reason_of([r.PA_NOT_REQUIRED]) == revenue.OTHER
    assert reason_of([]) == revenue.OTHER
    assert reason_label(revenue.OTHER) == "Other"
    assert reason_label(r.NO_AUTHORIZATION) == "No authorization"
    assert reason_label("SOMETHING_NEW") == "SOMETHING_NEW"


def test_units_of_a_planned_dose_round_up():
    assert units_of(Decimal("750"), Decimal("1")) == 750
    assert units_of(Decimal("1000"), Decimal("10")) == 100
    assert units_of(Decimal("125"), Decimal("12.5")) == 10
    assert units_of(Decimal("6.75"), Decimal("0.1")) == 68


def _item(payer, code="J1439", reason=r.NO_AUTHORIZATION, units=750, count=1, rate="0.85"):
    rate = None if rate is None else Decimal(rate)
    return AtRisk(payer, f"Payer {payer}", code, reason, units, count, rate)


def test_dollars_are_units_times_rate_and_unknown_rates_are_apart():
    items = [
        _item(1, units=750, count=2, rate="0.85"),  # 1500 units, $1275.00
        _item(1, code="J1756", units=200, rate=None),  # unknown
        _item(2, reason=r.AUTH_DENIED, units=500, rate="1.10"),  # $550.00
        _item(3, units=100, count=3, rate=None),  # unknown
    ]
    found = summarize(items)
    assert found.total == Line("total", "Total", Decimal("1825.00"), 3, 2000, 4, 500)
    by_payer = {line.key: line for line in found.by_payer}
    assert by_payer["1"] == Line("1", "Payer 1", Decimal("1275.00"), 2, 1500, 1, 200)
    assert by_payer["2"].dollars == Decimal("550.00")
    assert by_payer["3"] == Line("3", "Payer 3", Decimal("0.00"), 0, 0, 3, 300)
    assert [line.key for line in found.by_payer] == ["1", "2", "3"]  # largest first
    by_reason = {line.key: line for line in found.by_reason}
    assert by_reason[r.NO_AUTHORIZATION].dollars == Decimal("1275.00")
    assert by_reason[r.NO_AUTHORIZATION].unknown_units == 500
    assert by_reason[r.AUTH_DENIED].label == "Request denied"


def test_an_unknown_rate_is_never_zero():
    item = _item(1, rate=None)
    assert item.dollars is None
    assert item.total_units == 750
    found = summarize([item, _item(2, rate="0")])
    assert found.total.unknown_count == 1 and found.total.count == 1
    assert found.total.dollars == Decimal("0")


def test_bookings_with_no_payer_are_grouped_as_no_insurance():
    found = summarize([_item(None, rate=None)])
    assert [(line.key, line.label) for line in found.by_payer] == [("none", "No insurance on file")]


def test_nothing_at_risk():
    found = summarize([])
    assert found.total == Line("total", "Total")
    assert found.by_reason == () and found.by_payer == ()
