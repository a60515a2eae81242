"""POST /api/v1/coverage-check: covered for this code, dose and date? If not, every reason."""

from __future__ import annotations

from flask import jsonify
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.schemas.infusions import CoverageAnswerSchema, CoverageQuestionSchema
from priorauth.services import coverage_rows

# One schema instance for the process: given the class, webargs would build one (deep-copying
# its fields) on every call of the API's busiest endpoint. Loading keeps no state on it.
QUESTION = CoverageQuestionSchema()
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
    @blp.arguments(QUESTION)
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
        # Answered as a finished JSON response: flask-smorest then skips dumping it again
        # through the schema, which only documents it (tests/api/test_openapi_truth.py
        # checks every answer against it).
        return jsonify(answer_body(result))
