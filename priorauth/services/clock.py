"""The one place that reads the clock; domain rules get these values passed in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from priorauth.models.base import utcnow


def clinic_now(clinic) -> datetime:
    """The clinic's local wall-clock time, naive."""
    return datetime.now(ZoneInfo(clinic.timezone)).replace(tzinfo=None)


def clinic_today(clinic) -> date:
    return clinic_now(clinic).date()


def to_clinic_time(clinic, utc_value: datetime) -> datetime:
    zone = ZoneInfo(clinic.timezone)
    return utc_value.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)


__all__ = ["clinic_now", "clinic_today", "to_clinic_time", "utcnow"]
