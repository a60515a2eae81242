"""GET /api/v1/audit: the clinic's audit trail for admins; and `commits`, for audited reads."""

from __future__ import annotations

from functools import wraps

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.extensions import db
from priorauth.permissions import VIEW_AUDIT, role_required
from priorauth.queries.paging import TOTAL_HEADER
from priorauth.schemas.audit import AuditApiQuery, AuditEventOutSchema
from priorauth.services import audit

blp = Blueprint("audit", __name__, url_prefix="/audit", description="Audit trail (admins)")


def commits(view):
    """Commit once the view has answered (put it above @blp.response, so the answer is
    serialized first): a read records its viewed events, and the commit writes them."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = view(*args, **kwargs)
        db.session.commit()
        return response

    return wrapper


@blp.route("")
class AuditTrail(MethodView):
    @role_required(VIEW_AUDIT)
    @blp.arguments(AuditApiQuery, location="query")
    @blp.response(200, AuditEventOutSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """Events of the clinic, newest first: views, changes and sign-ins.

        `since` and `until` are clinic-local days (inclusive); `at` is answered in UTC.
        X-Total-Count says how many match in all: ask for the next ones with `offset`.
        """
        audit.filter_rows(current_user.clinic_id, args)
        limit, offset = args.pop("limit"), args.pop("offset")
        rows = audit.search(current_user.clinic, args, limit, offset)
        return rows, {"X-Total-Count": str(audit.count(current_user.clinic, args))}
