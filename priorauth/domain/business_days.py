"""Business days: weekdays that are not public holidays (docs/domain.md, "Business days").

`holidays` is any container of dates (the service passes the clinic's country and state
holidays from the `holidays` package); the default is none, so only weekends are skipped.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, timedelta

NO_HOLIDAYS: frozenset[date] = frozenset()


def is_business_day(day: date, holidays: Container[date] = NO_HOLIDAYS) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_business_days(start: date, days: int, holidays: Container[date] = NO_HOLIDAYS) -> date:
    """start moved by `days` business days; negative goes back. start itself never counts."""
    step = 1 if days >= 0 else -1
    current, remaining = start, abs(days)
    while remaining:
        current += timedelta(days=step)
        if is_business_day(current, holidays):
            remaining -= 1
    return current
