"""GET and PATCH /api/v1/clinic: the clinic's settings (admins change them; audited)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.extensions import db
from priorauth.permissions import EDIT_CLINIC, role_required
from priorauth.schemas.clinics import ClinicSettingsPatchSchema, ClinicSettingsSchema
from priorauth.services import accounts

blp = Blueprint("clinic", __name__, url_prefix="/clinic", description="Clinic settings")


class ClinicSchema(ClinicSettingsSchema):
    """The settings as answered, with the clinic's name."""

    name = ma.fields.String(dump_only=True)


@blp.route("")
class ClinicSettings(MethodView):
    @blp.response(200, ClinicSchema)
    def get(self):
        """The signed-in user's clinic: time zone, digest hour and length, thresholds."""
        return current_user.clinic

    @role_required(EDIT_CLINIC)
    @blp.arguments(ClinicSettingsPatchSchema)
    @blp.response(200, ClinicSchema)
    def patch(self, data):
        """Change some settings (admins); one audit event names what changed."""
        clinic = accounts.update_clinic(current_user, data)
        db.session.commit()
        return clinic
