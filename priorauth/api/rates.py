"""A payer's allowed amounts per billing unit (revenue at risk prices with them)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.extensions import db
from priorauth.permissions import EDIT_PAYERS, role_required
from priorauth.schemas.rates import RatesSchema
from priorauth.services import rates

blp = Blueprint("rates", __name__, url_prefix="/payers", description="Payers' allowed amounts")


@blp.route("/<int:payer_id>/rates")
class PayerRates(MethodView):
    @blp.response(200, RatesSchema)
    def get(self, payer_id):
        """Dollars per billing unit for every catalog code; null means unknown."""
        return rates.rates_of(current_user.clinic_id, payer_id)

    @role_required(EDIT_PAYERS)
    @blp.arguments(RatesSchema)
    @blp.response(200, RatesSchema)
    def put(self, data, payer_id):
        """Replace the rates: a code left out, or null, becomes unknown (never zero)."""
        found = rates.put_rates(current_user, payer_id, data["rates"])
        db.session.commit()
        return found
