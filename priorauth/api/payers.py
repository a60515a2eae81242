"""Payers and payer x code policies."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.extensions import db
from priorauth.permissions import EDIT_PAYERS, role_required
from priorauth.schemas.payers import PayerPatchSchema, PayerSchema, PolicySchema
from priorauth.services import payers
from priorauth.services.scope import get_owned

blp = Blueprint("payers", __name__, url_prefix="/payers", description="Payers and policies")


@blp.route("")
class Payers(MethodView):
    @blp.response(200, PayerSchema(many=True))
    def get(self):
        """The clinic's payers."""
        return payers.list_payers(current_user.clinic_id)

    @role_required(EDIT_PAYERS)
    @blp.arguments(PayerSchema)
    @blp.response(201, PayerSchema)
    def post(self, data):
        """Add a payer (defaults: 15 days standard, 72 h expedited, 180-day appeal window)."""
        payer = payers.create_payer(current_user, data)
        db.session.commit()
        return payer


@blp.route("/<int:payer_id>")
class PayerById(MethodView):
    @blp.response(200, PayerSchema)
    def get(self, payer_id):
        from priorauth.models import Payer

        return get_owned(Payer, payer_id, current_user.clinic_id, what="payer")

    @role_required(EDIT_PAYERS)
    @blp.arguments(PayerPatchSchema)
    @blp.response(200, PayerSchema)
    def patch(self, data, payer_id):
        payer = payers.update_payer(current_user, payer_id, data)
        db.session.commit()
        return payer


@blp.route("/<int:payer_id>/policies/<code>")
class PolicyByCode(MethodView):
    @blp.response(200, PolicySchema)
    def get(self, payer_id, code):
        """What this payer asks before it authorizes this code."""
        return payers.get_policy(current_user.clinic_id, payer_id, code)

    @role_required(EDIT_PAYERS)
    @blp.arguments(PolicySchema)
    @blp.response(200, PolicySchema)
    def put(self, data, payer_id, code):
        """Create or replace the policy (fields left out are cleared)."""
        policy, _ = payers.put_policy(current_user, payer_id, code, data)
        db.session.commit()
        return policy
