"""The billing worklist's filters (page, CSV and API), marking billed, and the claim lines
the API answers."""

from __future__ import annotations

import marshmallow as ma

from priorauth.domain.units import BILLING_STATUSES
from priorauth.schemas import Date, Strict, id_field

STATUS_WORDS = {
    "ready": "Ready to bill",
    "missing_documentation": "Missing documentation",
    "billed": "Billed",
}
MAX_SPAN_DAYS = 366
MAX_MARKED = 500


class BillingFilterSchema(Strict):
    """Administrations given between two clinic-local days, by billing status."""

    start = Date(metadata={"label": "From", "description": "first date of service, inclusive"})
    end = Date(metadata={"label": "To", "description": "last date of service, inclusive"})
    status = ma.fields.String(
        validate=ma.validate.OneOf(list(BILLING_STATUSES)),
        metadata={"label": "Status", "description": "ready, missing_documentation or billed"},
    )

    @ma.validates_schema
    def _range(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ma.ValidationError("must be on or after From", "end")
        if start and end and (end - start).days >= MAX_SPAN_DAYS:
            raise ma.ValidationError(f"must be within {MAX_SPAN_DAYS} days of From", "end")


class MarkBilledSchema(Strict):
    infusion_ids = ma.fields.List(
        id_field(),
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_MARKED),
        metadata={"label": "Administrations", "description": "the administrations billed"},
    )


class ClaimLineRowSchema(ma.Schema):
    """One claim line as billed (what the CSV holds, one row per line)."""

    infusion_id = ma.fields.Integer()
    service_date = ma.fields.Date()
    patient_mrn = ma.fields.String()
    member_id = ma.fields.String(allow_none=True)
    payer = ma.fields.String(allow_none=True)
    hcpcs_code = ma.fields.String()
    modifiers = ma.fields.List(ma.fields.String())
    units = ma.fields.Integer()
    auth_number = ma.fields.String(allow_none=True)
    lot_number = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"description": "ready, missing_documentation or billed"})
    missing = ma.fields.List(ma.fields.String(), metadata={"description": "in words"})


class BilledSchema(ma.Schema):
    marked = ma.fields.List(ma.fields.Integer(), metadata={"description": "the ids marked"})
