"""POST /api/v1/coverage-check: covered for this code, dose and date? If not, every reason."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.models import Patient
from priorauth.schemas.infusions import CoverageAnswerSchema, CoverageQuestionSchema
from priorauth.services import coverage
from priorauth.services.scope import get_owned

blp = Blueprint("coverage", __name__, url_prefix="/coverage-check", description="Coverage check")


def answer_body(answer) -> dict:
    return {
        "covered": answer.covered,
        "authorization_id": answer.authorization_id,
        "units_required": answer.units_required,
        "units_left": answer.units_left,
        "reasons": [{"code": r.code, "message": r.message} for r in answer.reasons],
    }


@blp.route("")
class CoverageCheck(MethodView):
    @blp.arguments(CoverageQuestionSchema)
    @blp.response(200, CoverageAnswerSchema)
    def post(self, data):
        """Answer the scheduler's question; reads only, books nothing."""
        patient = get_owned(Patient, data["patient_id"], current_user.clinic_id, what="patient")
        result = coverage.check(
            patient.id, data["hcpcs_code"], data["service_date"], data["dose_mg"]
        )
        return answer_body(result)
