"""The clinic's own settings: time zone, digest hour, reminder thresholds."""

from __future__ import annotations

from zoneinfo import available_timezones

import marshmallow as ma

from priorauth.schemas import Strict

V = ma.validate


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
    digest_hour = ma.fields.Integer(required=True, validate=V.Range(min=0, max=23))
    expiring_days = ma.fields.String(required=True, validate=_day_list)
    uncovered_days = ma.fields.Integer(required=True, validate=V.Range(min=1, max=60))
    appeal_days = ma.fields.Integer(required=True, validate=V.Range(min=1, max=180))
    upcoming_business_days = ma.fields.Integer(required=True, validate=V.Range(min=1, max=10))

    @ma.post_load
    def _normalise(self, data, **kwargs):
        days = sorted({int(p) for p in data["expiring_days"].split(",") if p.strip()}, reverse=True)
        return {**data, "expiring_days": ",".join(str(d) for d in days)}
