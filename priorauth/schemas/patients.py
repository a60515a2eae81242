"""Patients, coverages and evidence."""

from __future__ import annotations

from datetime import date, timedelta

import marshmallow as ma

from priorauth.domain.evidence import Dialysis, LabTest, TrialOutcome
from priorauth.domain.vocab import Sex, values
from priorauth.schemas import (
    MAX_LAB_VALUE,
    Date,
    DecimalString,
    Integer,
    Strict,
    UpperString,
    UtcDateTime,
    at_most,
    dates_ordered,
    hcpcs,
    icd10,
    id_field,
    not_blank,
    not_negative,
)

V = ma.validate


def not_in_future(day: date) -> None:
    """A birth date after tomorrow (any time zone's today) is a typo."""
    if day > date.today() + timedelta(days=1):
        raise ma.ValidationError("must not be in the future")


class PatientSchema(Strict):
    id = ma.fields.Integer(dump_only=True)
    mrn = ma.fields.String(required=True, validate=[V.Length(min=1, max=40), not_blank])
    first_name = ma.fields.String(required=True, validate=[V.Length(min=1, max=100), not_blank])
    last_name = ma.fields.String(required=True, validate=[V.Length(min=1, max=100), not_blank])
    birth_date = Date(required=True, validate=not_in_future)
    sex = ma.fields.String(allow_none=True, validate=V.OneOf(Sex.values()))


class CoverageSchema(Strict):
    id = ma.fields.Integer(dump_only=True)
    patient_id = ma.fields.Integer(dump_only=True)
    payer_id = id_field(required=True)
    payer_name = ma.fields.String(dump_only=True, attribute="payer.name")
    member_id = ma.fields.String(required=True, validate=[V.Length(min=1, max=60), not_blank])
    plan_name = ma.fields.String(allow_none=True, validate=V.Length(max=120))
    start_date = Date(required=True)
    end_date = Date(allow_none=True)

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        dates_ordered(data, "start_date", "end_date")


class LabSchema(Strict):
    kind = ma.fields.Constant("lab")
    test = ma.fields.String(required=True, validate=V.OneOf(values(LabTest)))
    value = DecimalString(required=True, validate=[not_negative, at_most(MAX_LAB_VALUE)])
    observed_on = Date(required=True)

    @ma.validates_schema
    def _plausible(self, data, **kwargs):
        limits = {"hemoglobin": 25, "tsat": 100}
        limit = limits.get(data.get("test"))
        if limit is not None and data.get("value") is not None and data["value"] > limit:
            raise ma.ValidationError(
                f"a {data['test']} of {data['value']} is not plausible", "value"
            )


class TrialSchema(Strict):
    kind = ma.fields.Constant("oral_iron_trial")
    drug = ma.fields.String(required=True, validate=[V.Length(min=1, max=100), not_blank])
    start_date = Date(required=True)
    end_date = Date(allow_none=True)
    outcome = ma.fields.String(
        required=True,
        validate=V.OneOf(values(TrialOutcome)),
    )
    note = ma.fields.String(allow_none=True, validate=V.Length(max=2000))

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        dates_ordered(data, "start_date", "end_date")


class CkdSchema(Strict):
    kind = ma.fields.Constant("ckd_status")
    stage = Integer(required=True, validate=V.Range(min=1, max=5))
    dialysis = ma.fields.String(load_default="none", validate=V.OneOf(values(Dialysis)))
    observed_on = Date(required=True)


class DiagnosisSchema(Strict):
    kind = ma.fields.Constant("diagnosis")
    code = UpperString(required=True, validate=icd10)
    observed_on = Date(required=True)


class PriorProductSchema(Strict):
    kind = ma.fields.Constant("prior_product")
    hcpcs_code = UpperString(required=True, validate=hcpcs)
    given_on = Date(required=True)
    note = ma.fields.String(allow_none=True, validate=V.Length(max=2000))


EVIDENCE_SCHEMAS = {
    "lab": LabSchema,
    "oral_iron_trial": TrialSchema,
    "ckd_status": CkdSchema,
    "diagnosis": DiagnosisSchema,
    "prior_product": PriorProductSchema,
}

EVIDENCE_LABELS = {
    "lab": "lab result",
    "oral_iron_trial": "oral iron trial",
    "ckd_status": "CKD status",
    "diagnosis": "diagnosis",
    "prior_product": "prior IV iron product",
}


def load_evidence(payload: dict) -> tuple[str, dict]:
    """Pick the schema by `kind` and load the rest; errors name the field. (A body that is
    not a JSON object never gets here: guards.require_json_object refuses it first.)"""
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in EVIDENCE_SCHEMAS:
        raise ma.ValidationError({"kind": [f"must be one of: {', '.join(EVIDENCE_SCHEMAS)}"]})
    fields = {k: v for k, v in payload.items() if k != "kind"}
    return kind, EVIDENCE_SCHEMAS[kind]().load(fields)


class EvidenceOutSchema(ma.Schema):
    """One evidence record of any kind, for answers."""

    id = ma.fields.Integer()
    kind = ma.fields.String()
    recorded_at = UtcDateTime()
    recorded_by_id = ma.fields.Integer(allow_none=True)
    test = ma.fields.String()
    value = DecimalString()
    observed_on = ma.fields.Date()
    drug = ma.fields.String()
    start_date = ma.fields.Date()
    end_date = ma.fields.Date(allow_none=True)
    outcome = ma.fields.String()
    note = ma.fields.String(allow_none=True)
    stage = ma.fields.Integer()
    dialysis = ma.fields.String()
    code = ma.fields.String()
    hcpcs_code = ma.fields.String()
    given_on = ma.fields.Date()
