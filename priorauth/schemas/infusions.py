"""Coverage checks, bookings and administrations."""

from __future__ import annotations

import marshmallow as ma

from priorauth.domain.vocab import Container, EligibilityMethod, EligibilityResult, InfusionStatus
from priorauth.schemas import (
    CLINIC_TIME_HELP,
    MAX_DOSE_MG,
    ClinicDateTime,
    Date,
    DecimalString,
    Strict,
    UpperString,
    UtcDateTime,
    at_most,
    hcpcs,
    id_field,
    not_blank,
    not_negative,
    positive_decimal,
)

V = ma.validate


class CoverageQuestionSchema(Strict):
    patient_id = id_field(required=True)
    hcpcs_code = UpperString(required=True, validate=hcpcs)
    service_date = Date(required=True)
    dose_mg = positive_decimal(required=True)


class ReasonSchema(ma.Schema):
    code = ma.fields.String()
    message = ma.fields.String()


class CoverageAnswerSchema(ma.Schema):
    covered = ma.fields.Boolean()
    authorization_id = ma.fields.Integer(allow_none=True)
    auth_number = ma.fields.String(allow_none=True)
    units_required = ma.fields.Integer()
    units_left = ma.fields.Integer(allow_none=True)
    reasons = ma.fields.List(ma.fields.Nested(ReasonSchema))


class BookingSchema(Strict):
    patient_id = id_field(required=True)
    hcpcs_code = UpperString(required=True, validate=hcpcs)
    scheduled_at = ClinicDateTime(required=True)
    dose_mg = positive_decimal(required=True)
    override_reason = ma.fields.String(allow_none=True, validate=V.Length(min=3, max=2000))


class InfusionPatchSchema(Strict):
    scheduled_at = ClinicDateTime()
    dose_mg = positive_decimal()
    status = ma.fields.String(validate=V.OneOf([InfusionStatus.CANCELLED, InfusionStatus.NO_SHOW]))
    override_reason = ma.fields.String(allow_none=True, validate=V.Length(min=3, max=2000))
    note = ma.fields.String(allow_none=True, validate=V.Length(max=2000))

    @ma.validates_schema
    def _something(self, data, **kwargs):
        if not {"scheduled_at", "dose_mg", "status"} & set(data):
            raise ma.ValidationError("give scheduled_at, dose_mg or status", "body")


class AdministrationSchema(Strict):
    dose_mg = positive_decimal(required=True)
    discarded_mg = DecimalString(places=3, validate=[not_negative, at_most(MAX_DOSE_MG)])
    container = ma.fields.String(validate=V.OneOf(Container.values()))
    lot_number = ma.fields.String(required=True, validate=[V.Length(min=1, max=60), not_blank])
    lot_expiration = Date(required=True)
    reaction = ma.fields.String(allow_none=True, validate=V.Length(max=2000))
    administered_by = ma.fields.String(allow_none=True, validate=V.Length(max=200))
    administered_at = ClinicDateTime(
        metadata={
            "label": "Date given",
            "description": "when the drug was given (the date of service); default the booked "
            "time (now, if that is still ahead); never later than now in the clinic. Another "
            "day than the booked one re-checks coverage for that day. " + CLINIC_TIME_HELP,
        }
    )
    override_reason = ma.fields.String(allow_none=True, validate=V.Length(min=3, max=2000))


class ClaimLineSchema(ma.Schema):
    hcpcs_code = ma.fields.String()
    units = ma.fields.Integer()
    modifiers = ma.fields.List(ma.fields.String())
    auth_number = ma.fields.String(allow_none=True)
    service_date = ma.fields.String(
        allow_none=True,
        metadata={"format": "date", "description": "date of service: the clinic-local day given"},
    )


class InfusionSchema(ma.Schema):
    id = ma.fields.Integer()
    patient_id = ma.fields.Integer()
    hcpcs_code = ma.fields.String()
    authorization_id = ma.fields.Integer(allow_none=True)
    scheduled_at = ClinicDateTime()
    dose_mg = DecimalString()
    units_reserved = ma.fields.Integer()
    status = ma.fields.String()
    override_reason = ma.fields.String(allow_none=True)
    administered_at = ClinicDateTime(allow_none=True)
    dose_given_mg = DecimalString(allow_none=True)
    discarded_mg = DecimalString(allow_none=True)
    lot_number = ma.fields.String(allow_none=True)
    lot_expiration = ma.fields.Date(allow_none=True)
    reaction = ma.fields.String(allow_none=True)
    units_used = ma.fields.Integer(allow_none=True)
    claim_lines = ma.fields.List(ma.fields.Nested(ClaimLineSchema), allow_none=True)
    # The coverage answer of the booking, reschedule or administration answered (not stored).
    coverage = ma.fields.Nested(CoverageAnswerSchema, allow_none=True, dump_default=None)


class EligibilitySchema(Strict):
    id = ma.fields.Integer(dump_only=True)
    infusion_id = ma.fields.Integer(dump_only=True)
    checked_at = UtcDateTime(dump_only=True)
    checked_by_id = ma.fields.Integer(dump_only=True)
    method = ma.fields.String(required=True, validate=V.OneOf(EligibilityMethod.values()))
    result = ma.fields.String(required=True, validate=V.OneOf(EligibilityResult.values()))
    note = ma.fields.String(allow_none=True, validate=V.Length(max=2000))
