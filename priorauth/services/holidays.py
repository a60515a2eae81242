"""The clinic's public holidays, for business-day arithmetic (domain/business_days.py)."""

from __future__ import annotations

import holidays

from priorauth.models import Clinic


def clinic_holidays(clinic: Clinic) -> holidays.HolidayBase:
    """The public holidays of the clinic's country and subdivision (e.g. US and NY): a
    container of dates that grows to any year asked of it."""
    return holidays.country_holidays(clinic.holiday_country, subdiv=clinic.holiday_subdivision)
