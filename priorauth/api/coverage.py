"""POST /api/v1/coverage-check: covered for this code, dose and date? If not, every reason."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.schemas.infusions import CoverageAnswerSchema, CoverageQuestionSchema
from priorauth.services import coverage_rows

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
        """Answer the scheduler's question; reads only, books nothing (services.coverage_rows:
        two statements after the token's, no ORM objects)."""
        result = coverage_rows.check(
            current_user.clinic_id,
            data["patient_id"],
            data["hcpcs_code"],
            data["service_date"],
            data["dose_mg"],
        )
        return answer_body(result)
