"""GET /api/v1/codes: the drug code catalog."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from priorauth.schemas import DecimalString
from priorauth.services import reference

blp = Blueprint("codes", __name__, url_prefix="/codes", description="IV iron HCPCS codes")


class DrugCodeSchema(ma.Schema):
    code = ma.fields.String()
    drug = ma.fields.String()
    brand = ma.fields.String()
    mg_per_unit = DecimalString()
    package_size_mg = DecimalString(allow_none=True)
    multi_dose = ma.fields.Boolean()
    setting = ma.fields.String()
    requires_dialysis = ma.fields.Boolean()
    verified = ma.fields.Boolean()
    effective_date = ma.fields.Date()


@blp.route("")
class Codes(MethodView):
    @blp.response(200, DrugCodeSchema(many=True))
    def get(self):
        """The drug code catalog, by code."""
        return reference.catalog()
