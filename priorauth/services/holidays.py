"""The clinic's public holidays, for business-day arithmetic (domain/business_days.py)."""

from __future__ import annotations

import holidays

from priorauth.errors import ValidationFailed
from priorauth.models import Clinic


def clinic_holidays(clinic: Clinic) -> holidays.HolidayBase:
    """The public holidays of the clinic's country and subdivision (e.g. US and NY): a
    container of dates that grows to any year asked of it."""
    return holidays.country_holidays(clinic.holiday_country, subdiv=clinic.holiday_subdivision)


def check_place(clinic: Clinic, data: dict) -> None:
    """Settings about to be saved: the subdivision (state) must be one of the country's
    (the one given, else the clinic's); refused naming the field, nothing changed."""
    subdivision = data.get("holiday_subdivision", clinic.holiday_subdivision)
    country = data.get("holiday_country", clinic.holiday_country)
    if subdivision is None:
        return
    if subdivision not in holidays.list_supported_countries()[country]:
        raise ValidationFailed.on(
            "holiday_subdivision", f"{subdivision} is not a subdivision (state) of {country}"
        )
