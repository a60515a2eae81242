"""Da Vinci PAS: a request as a PAS Claim request Bundle, and a payer's ClaimResponse recorded
as its decision (docs/interop.md)."""

from __future__ import annotations

import json
from datetime import UTC

from flask import Response
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.extensions import db
from priorauth.permissions import EDIT_AUTHORIZATIONS, role_required
from priorauth.schemas.authorizations import AuthorizationOutSchema
from priorauth.schemas.pas import ClaimResponseBodySchema
from priorauth.services import audit, pas, pas_response
from priorauth.services.authorizations import get_authorization
from priorauth.services.clock import clinic_today, utcnow

blp = Blueprint(
    "pas",
    __name__,
    url_prefix="/authorizations",
    description="Da Vinci PAS (FHIR R4): the Claim request Bundle, the ClaimResponse",
)

FHIR_JSON = "application/fhir+json"
BUNDLE_ANSWER = {
    "description": "The PAS Claim request Bundle (FHIR R4, type collection), as a download",
    "content": {FHIR_JSON: {"schema": {"type": "object"}}},
}


@blp.route("/<int:auth_id>/pas-bundle")
class PasBundle(MethodView):
    @blp.doc(responses={"200": BUNDLE_ANSWER})
    def get(self, auth_id):
        """The request as a Da Vinci PAS Claim request Bundle: the Claim (use
        preauthorization) with its diagnoses, item and evidence, the Patient, Coverage, payer
        and clinic Organizations and the ordering Practitioner. Audited like a read."""
        auth, bundle = pas.claim_bundle(
            current_user.clinic_id, auth_id, utcnow().replace(tzinfo=UTC)
        )
        audit.viewed(current_user, auth, note="pas bundle")
        db.session.commit()
        name = f"pas-bundle-request-{auth_id}.json"
        return Response(
            json.dumps(bundle, ensure_ascii=False),  # FHIR's order: resourceType first
            mimetype=FHIR_JSON,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


@blp.route("/<int:auth_id>/pas-response")
class PasResponse(MethodView):
    @role_required(EDIT_AUTHORIZATIONS)
    @blp.arguments(ClaimResponseBodySchema)
    @blp.response(200, AuthorizationOutSchema)
    def post(self, body, auth_id):
        """Record a payer's PAS ClaimResponse as the request's decision, like a manual one:
        its review action code (A1, A2, A3, A4, A6, C, CT) gives the status, preAuthRef the
        authorization number, preAuthPeriod the approved dates, the authorized quantity the
        approved units. An element that cannot be read is a 422 naming it; a decision the
        request's status does not allow is a 409."""
        today = clinic_today(current_user.clinic)
        pas_response.record_response(current_user, auth_id, body, utcnow(), today)
        db.session.commit()
        return get_authorization(current_user.clinic_id, auth_id, today)
