"""The reports' pictures: horizontal bars, one group per row of the report, one bar per drawn
column (series). Pure geometry; templates/reports/chart.html draws it, and each bar carries
the very text its CSV cell has (`cell`), so the picture and the download cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


def cell(value) -> str:
    """A value as the CSV and the chart write it: blank for none, days as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


@dataclass(frozen=True)
class Bar:
    series: int
    text: str
    x: float
    y: float
    width: float


@dataclass(frozen=True)
class BarRow:
    label: str
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarsChart:
    width: int
    height: int
    label_x: int
    bar_x: int
    bar_height: int
    top: int
    series: tuple[str, ...]
    rows: tuple[BarRow, ...]


def _number(value) -> float:
    """A bar's length in value terms: none and negatives draw nothing."""
    return max(float(value), 0.0) if isinstance(value, (int, float, Decimal)) else 0.0


def bars_chart(
    labels: list[str],
    values: list[tuple],
    series: tuple[str, ...],
    width: int = 640,
    label_width: int = 220,
    bar_height: int = 16,
) -> BarsChart:
    """One group per label with a bar per series; lengths on one scale (the largest value
    fills the room); a legend above when there is more than one series."""
    room = width - label_width - 70
    largest = max((_number(v) for row in values for v in row), default=0.0)
    top = 30 if len(series) > 1 else 4
    group = bar_height * len(series) + 10
    rows = []
    for i, (label, row) in enumerate(zip(labels, values, strict=True)):
        y = top + i * group
        bars = tuple(
            Bar(j, cell(v), label_width, y + j * bar_height,
                round(room * _number(v) / largest, 1) if largest else 0.0)
            for j, v in enumerate(row)
        )  # fmt: skip
        rows.append(BarRow(label, y, bars))
    height = top + group * len(labels) + 6
    return BarsChart(width, height, label_width - 8, label_width, bar_height, top, series,
                     tuple(rows))  # fmt: skip
