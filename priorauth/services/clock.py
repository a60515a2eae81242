"""The one place that reads the clock; domain rules get these values passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from priorauth.models.base import utcnow


def now_utc() -> datetime:
    """Naive UTC now for the sign-in, session and password-link timers (tests move it)."""
    return utcnow()


def epoch_seconds(moment: datetime) -> int:
    """A naive UTC moment as whole seconds since 1970 (what the session cookie stores)."""
    return int(moment.replace(tzinfo=UTC).timestamp())


def clinic_now(clinic) -> datetime:
    """The clinic's local wall-clock time, naive."""
    return datetime.now(ZoneInfo(clinic.timezone)).replace(tzinfo=None)


def clinic_today(clinic) -> date:
    return clinic_now(clinic).date()


def moment(clinic, as_of: date | None = None) -> datetime:
    """Now in the clinic, or the given day at the clinic's digest hour."""
    if as_of is None:
        return clinic_now(clinic)
    return datetime.combine(as_of, time(hour=clinic.digest_hour))


def to_clinic_time(clinic, utc_value: datetime) -> datetime:
    zone = ZoneInfo(clinic.timezone)
    return utc_value.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)


__all__ = [
    "clinic_now",
    "clinic_today",
    "epoch_seconds",
    "moment",
    "now_utc",
    "to_clinic_time",
    "utcnow",
]
