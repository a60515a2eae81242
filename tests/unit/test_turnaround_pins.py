"""Turnaround rules that test_turnaround.py leaves open (domain/turnaround.py): the nearest
rank on a large set, each row's payer, the order of equally frequent denial reasons and the
order of payers whose names differ only in punctuation."""

from __future__ import annotations

from datetime import date, timedelta

from priorauth.domain.turnaround import Decision, nearest_rank, summarize

SENT = date(2026, 1, 5)


def decided(days, payer_id=1, payer_name="Blue", code="J1439", outcome="approved", reason=None):
    return Decision(
        request_id=days * 1000 + payer_id,
        payer_id=payer_id,
        payer_name=payer_name,
        hcpcs_code=code,
        submitted_on=SENT,
        decided_on=SENT + timedelta(days=days),
        outcome=outcome,
        denial_reason=reason,
    )


def test_the_nearest_rank_is_the_ceiling_of_percent_of_n_over_100():
    # 80 % of 130 is exactly 104: the 104th smallest, not the 103rd
    assert nearest_rank(list(range(1, 131)), 80) == 104
    # the 100th percentile is the largest value, however many there are
    assert nearest_rank(list(range(1, 102)), 100) == 101


def test_each_row_names_its_payer_and_code():
    (row,) = summarize([decided(4, payer_id=42, payer_name="Aetna", code="J1756")])
    assert (row.payer_id, row.payer_name, row.hcpcs_code) == (42, "Aetna", "J1756")


def test_equally_frequent_denial_reasons_are_listed_alphabetically():
    group = [
        decided(3, outcome="denied", reason="step therapy"),
        decided(4, outcome="denied", reason="not medically necessary"),
        decided(5, outcome="denied", reason="step therapy"),
        decided(6, outcome="denied", reason="dose"),
        decided(7, outcome="denied", reason="not medically necessary"),
        decided(8, outcome="denied"),
    ]
    (row,) = summarize(group)
    assert list(row.denial_reasons.items()) == [
        ("not medically necessary", 2),
        ("step therapy", 2),
        ("dose", 1),
        ("unknown", 1),
    ]


def test_payers_are_ordered_by_their_lower_case_names():
    # lower case: "blue_cross" < "bluecross" ('_' sorts before letters); upper case would not
    found = summarize(
        [
            decided(3, payer_id=1, payer_name="BlueCross"),
            decided(3, payer_id=2, payer_name="Blue_Cross"),
            decided(3, payer_id=3, payer_name="aetna"),
        ]
    )
    assert [r.payer_name for r in found] == ["aetna", "Blue_Cross", "BlueCross"]
