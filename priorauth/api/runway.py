"""GET /api/v1/patients/{id}/runway: the booked infusions in date order, each checked as the
earlier ones spend their units, and the first that will not be covered."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.queries import runway
from priorauth.schemas import ClinicDateTime, DecimalString
from priorauth.schemas.infusions import ReasonSchema

blp = Blueprint(
    "runway", __name__, url_prefix="/patients", description="Runway of booked infusions"
)


class RunwayQuery(ma.Schema):
    authorization_id = ma.fields.Integer(
        metadata={"description": "only the steps that use or were booked on this authorization"}
    )


class StepSchema(ma.Schema):
    infusion_id = ma.fields.Integer()
    service_date = ma.fields.Date()
    scheduled_at = ClinicDateTime()
    hcpcs_code = ma.fields.String()
    dose_mg = DecimalString()
    covered = ma.fields.Boolean()
    badge = ma.fields.String(metadata={"description": "covered, at_risk or not_covered"})
    authorization_id = ma.fields.Integer(allow_none=True)
    auth_number = ma.fields.String(allow_none=True)
    booked_authorization_id = ma.fields.Integer(allow_none=True)
    units_required = ma.fields.Integer()
    units_left = ma.fields.Integer(allow_none=True)
    units_short = ma.fields.Integer(
        metadata={"description": "the deficit: units this booking needs beyond those left"}
    )
    reasons = ma.fields.List(ma.fields.Nested(ReasonSchema))


class RunwaySchema(ma.Schema):
    patient_id = ma.fields.Integer()
    steps = ma.fields.List(ma.fields.Nested(StepSchema))
    first_uncovered = ma.fields.Nested(StepSchema, allow_none=True)


def step_body(step: runway.Step) -> dict:
    answer, infusion = step.answer, step.infusion
    return {
        "infusion_id": infusion.id,
        "service_date": step.service_date,
        "scheduled_at": infusion.scheduled_at,
        "hcpcs_code": infusion.hcpcs_code,
        "dose_mg": infusion.dose_mg,
        "covered": answer.covered,
        "badge": step.badge,
        "authorization_id": answer.authorization_id,
        "auth_number": step.auth_number,
        "booked_authorization_id": infusion.authorization_id,
        "units_required": answer.units_required,
        "units_left": answer.units_left,
        "units_short": step.units_short,
        "reasons": [{"code": r.code, "message": r.message} for r in answer.reasons],
    }


def runway_body(result: runway.PatientRunway) -> dict:
    first = result.first_uncovered
    return {
        "patient_id": result.patient_id,
        "steps": [step_body(s) for s in result.steps],
        "first_uncovered": step_body(first) if first else None,
    }


@blp.route("/<int:patient_id>/runway")
class Runway(MethodView):
    @blp.arguments(RunwayQuery, location="query")
    @blp.response(200, RunwaySchema)
    def get(self, args, patient_id):
        """Each booked infusion's coverage once the earlier ones are given; reads only."""
        result = runway.patient_runway(current_user, patient_id)
        if args.get("authorization_id") is not None:
            result = result.for_authorization(args["authorization_id"])
        return runway_body(result)
