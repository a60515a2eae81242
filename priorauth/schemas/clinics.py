"""The clinic's own settings: time zone, digest hour, digest length, reminder thresholds."""

from __future__ import annotations

from zoneinfo import available_timezones

import holidays
import marshmallow as ma

from priorauth.schemas import Integer, Strict

V = ma.validate
MAX_DIGEST_ITEMS_PER_TYPE = 100


def _day_list(value: str) -> None:
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts or not all(p.isdigit() and 0 < int(p) <= 365 for p in parts):
        raise ma.ValidationError("give whole days between 1 and 365, separated by commas")


class ClinicSettingsSchema(Strict):
    timezone = ma.fields.String(
        required=True,
        validate=V.OneOf(
            sorted(available_timezones()), error="is not a time zone this server knows"
        ),
    )
    digest_hour = Integer(required=True, validate=V.Range(min=0, max=23))
    expiring_days = ma.fields.String(required=True, validate=_day_list)
    uncovered_days = Integer(required=True, validate=V.Range(min=1, max=60))
    appeal_days = Integer(required=True, validate=V.Range(min=1, max=180))
    upcoming_business_days = Integer(required=True, validate=V.Range(min=1, max=10))
    digest_items_per_type = Integer(
        validate=V.Range(min=1, max=MAX_DIGEST_ITEMS_PER_TYPE),
        metadata={
            "description": "a digest lists this many items of each type, the most urgent"
            " (left out: unchanged)"
        },
    )

    # Nothing falls through (docs/follow-through.md); left out: unchanged.
    escalation_business_days = Integer(
        validate=V.Range(min=1, max=30),
        metadata={"description": "a due reminder unacknowledged this many business days escalates"},
    )
    follow_up_business_days = Integer(
        validate=V.Range(min=1, max=30),
        metadata={"description": "a request awaiting the payer is followed up this often"},
    )
    renewal_buffer_business_days = Integer(
        validate=V.Range(min=0, max=60),
        metadata={"description": "a renewal starts this many business days before it must"},
    )
    holiday_country = ma.fields.String(
        validate=V.OneOf(
            sorted(holidays.list_supported_countries()),
            error="is not a country code the holiday calendar knows (e.g. US)",
        ),
        metadata={"description": "business days skip this country's public holidays"},
    )
    holiday_subdivision = ma.fields.String(
        allow_none=True,
        validate=V.Length(max=10),
        metadata={"description": "a state or province code of the country (e.g. NY); null: none"},
    )

    @ma.pre_load
    def _upper_codes(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        codes = ("holiday_country", "holiday_subdivision")
        return {
            k: v.strip().upper() if k in codes and isinstance(v, str) else v
            for k, v in data.items()
        }

    @ma.post_load
    def _normalise(self, data, **kwargs):
        if "expiring_days" not in data:
            return data
        days = sorted({int(p) for p in data["expiring_days"].split(",") if p.strip()}, reverse=True)
        return {**data, "expiring_days": ",".join(str(d) for d in days)}


class ClinicSettingsPatchSchema(ClinicSettingsSchema):
    """PATCH /api/v1/clinic: every field optional; the ones left out stay as they are."""

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)
