"""Turnaround per payer and code (domain/turnaround.py): median, p80 by nearest rank, outcomes,
denial reasons, and the renewal's start day with the words saying how it was reached."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from priorauth.domain.turnaround import (
    MIN_DECISIONS,
    Decision,
    Turnaround,
    nearest_rank,
    renewal_timing,
    summarize,
    turnaround_for,
)

SENT = date(2026, 1, 5)  # a Monday


def decided(days: int, outcome: str = "approved", payer: int = 1, code: str = "J1439", **kw):
    ident = kw.pop("request_id", days * 100 + payer)
    return Decision(
        request_id=ident,
        payer_id=payer,
        payer_name=kw.pop("payer_name", f"Payer {payer}"),
        hcpcs_code=code,
        submitted_on=SENT,
        decided_on=SENT + timedelta(days=days),
        outcome=outcome,
        **kw,
    )


@pytest.mark.parametrize(
    ("values", "p80"),
    [
        ([7], 7),  # one value: itself
        ([3, 9], 9),  # ceil(1.6) = 2nd
        ([1, 2, 3, 4, 5], 4),  # ceil(4.0) = 4th
        ([5, 1, 4, 2, 3, 6], 5),  # ceil(4.8) = 5th of 1..6, order of input irrelevant
        (list(range(1, 11)), 8),  # ceil(8.0) = 8th
        (list(range(1, 12)), 9),  # ceil(8.8) = 9th
    ],
)
def test_p80_is_the_nearest_rank(values, p80):
    assert nearest_rank(values, 80) == p80


def test_a_hand_built_history_gives_median_p80_rates_and_reasons():
    history = [
        decided(4, request_id=1),
        decided(6, request_id=2),
        decided(9, "partially_approved", request_id=3),
        decided(12, "denied", request_id=4, denial_reason="not_medically_necessary"),
        decided(15, "denied", request_id=5, denial_reason="not_medically_necessary"),
        decided(20, "denied", request_id=6, denial_reason="missing_documentation"),
        decided(3, "denied", request_id=7),  # no reason recorded
        decided(30, payer=2, payer_name="Acme", request_id=8),
        decided(5, code="Q0138", request_id=9),
    ]
    rows = summarize(history)
    assert [(r.payer_name, r.hcpcs_code) for r in rows] == [
        ("Acme", "J1439"),
        ("Payer 1", "J1439"),
        ("Payer 1", "Q0138"),
    ]
    main = rows[1]
    # days 3, 4, 6, 9, 12, 15, 20: median the 4th (9); p80 the ceil(5.6) = 6th (15)
    assert (main.decisions, main.median_days, main.p80_days) == (7, 9.0, 15)
    assert (main.approved, main.partial, main.denied) == (2, 1, 4)
    assert main.rate(main.denied) == pytest.approx(4 / 7)
    assert main.denial_reasons == {
        "not_medically_necessary": 2,
        "missing_documentation": 1,
        "unknown": 1,
    }
    assert list(main.denial_reasons) == [
        "not_medically_necessary",
        "missing_documentation",
        "unknown",
    ]
    assert (rows[0].median_days, rows[0].p80_days, rows[0].denial_reasons) == (30.0, 30, {})


def test_an_even_count_takes_the_mean_of_the_middle_two():
    (row,) = summarize([decided(2, request_id=1), decided(5, request_id=2)])
    assert (row.median_days, row.p80_days) == (3.5, 5)


def test_a_decision_before_its_submission_counts_zero_days():
    assert decided(-2).days == 0
    assert decided(0).days == 0 and decided(11).days == 11


def test_nothing_decided_gives_no_rows():
    assert summarize([]) == []


def test_the_configured_days_until_there_are_five_decisions():
    rows = summarize([decided(d, request_id=d) for d in (10, 20, 30, 40)])
    four = turnaround_for(rows[0], 15)
    assert (four.days, four.decisions, four.recorded) == (15, 4, False)
    assert four.words() == "configured response time 15 days (only 4 decisions, fewer than 5)"
    assert turnaround_for(None, 12) == Turnaround(12, 0)
    rows = summarize([decided(d, request_id=d) for d in (10, 20, 30, 40, 50)])
    five = turnaround_for(rows[0], 15)
    assert (five.days, five.decisions, five.recorded) == (40, MIN_DECISIONS, True)  # 4th of 5
    assert five.words() == "p80 40 days (5 decisions)"
    assert Turnaround(3, 1).words() == (
        "configured response time 3 days (only 1 decision, fewer than 5)"
    )


def test_renewal_starts_turnaround_then_buffer_business_days_before_the_target():
    target = date(2027, 1, 12)  # a Tuesday
    timing = renewal_timing("first uncovered infusion", target, Turnaround(9, 7), 3)
    # 2027-01-12 − 9 days = Sunday 2027-01-03; 3 business days back: Wed 2026-12-30
    assert timing.start_by == date(2026, 12, 30)
    assert timing.explanation == (
        "first uncovered infusion 2027-01-12 − p80 9 days (7 decisions) − 3 business days"
    )
    holidays = {date(2026, 12, 31), date(2027, 1, 1)}  # not business days: earlier still
    assert renewal_timing("x", target, Turnaround(9, 7), 3, holidays).start_by == date(2026, 12, 28)
    one = renewal_timing("authorization end", target, Turnaround(15, 0), 1)
    assert one.start_by == date(2026, 12, 25)  # Mon 12-28 − 1 business day = Fri 12-25
    assert one.explanation.endswith("− 1 business day")
    none = renewal_timing("authorization end", target, Turnaround(15, 0), 0)
    assert none.start_by == target - timedelta(days=15)


def test_a_longer_turnaround_starts_the_renewal_earlier():
    target = date(2027, 3, 1)
    short = renewal_timing("t", target, Turnaround(7, 5), 3).start_by
    long = renewal_timing("t", target, Turnaround(21, 5), 3).start_by
    assert long < short and (short - long).days == 14
