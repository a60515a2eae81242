"""The reports' bar geometry (priorauth/queries/report_charts.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from priorauth.queries.report_charts import bars_chart, cell


def test_cells_are_written_one_way():
    assert cell(None) == ""
    assert cell(date(2026, 3, 2)) == "2026-03-02"
    assert cell(4.26) == "4.3"
    assert cell(12.0) == "12.0"
    assert cell(Decimal("12.50")) == "12.50"
    assert cell(7) == "7" and cell("Aetna") == "Aetna"


def test_the_largest_value_fills_the_room_and_others_scale():
    chart = bars_chart(["a", "b"], [(10, 5), (Decimal("2.5"), None)], ("median", "p80"))
    room = chart.width - chart.bar_x - 70
    a, b = chart.rows
    assert [bar.width for bar in a.bars] == [room, room / 2]
    assert b.bars[0].width == room / 4 and b.bars[1].width == 0.0
    assert [bar.text for bar in b.bars] == ["2.5", ""]
    assert chart.top == 30  # a legend above two series
    assert b.y > a.y and chart.height > b.y + chart.bar_height * 2


def test_one_series_has_no_legend_and_zeros_draw_nothing():
    chart = bars_chart(["only", "less"], [(0,), (-3,)], ("requests",))
    assert chart.top == 4
    assert chart.rows[0].bars[0].width == 0.0 and chart.rows[0].bars[0].text == "0"
    assert chart.rows[1].bars[0].width == 0.0 and chart.rows[1].bars[0].text == "-3"
    assert bars_chart([], [], ("x",)).rows == ()
