"""The one place that reads the clock; domain rules get these values passed in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from priorauth.models.base import utcnow

_replayed_moment: ContextVar[datetime | None] = ContextVar("replayed_moment", default=None)


def now_utc() -> datetime:
    """Naive UTC now for the sign-in, session and password-link timers (tests move it)."""
    return utcnow()


def recorded_now() -> datetime:
    """Naive UTC time stamped on the audit events written now: the real time, or the story's
    moment inside `replaying(...)`."""
    return _replayed_moment.get() or utcnow()


@contextmanager
def replaying(moment: datetime) -> Iterator[None]:
    """Audit events written inside happened at `moment` (naive UTC): the demo seed replays a
    clinic's past this way. The time is set at insert: audit rows are append-only."""
    token = _replayed_moment.set(moment)
    try:
        yield
    finally:
        _replayed_moment.reset(token)


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


def to_utc(clinic, local: datetime) -> datetime:
    """A naive clinic-local time as the naive UTC timestamps are stored in."""
    aware = local.replace(tzinfo=ZoneInfo(clinic.timezone))
    return aware.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


__all__ = [
    "clinic_now",
    "clinic_today",
    "epoch_seconds",
    "moment",
    "now_utc",
    "recorded_now",
    "replaying",
    "to_clinic_time",
    "to_utc",
    "utcnow",
]
