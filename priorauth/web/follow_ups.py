"""Follow-ups on the request page (on the authorizations blueprint): the log and the form to
record one while the request awaits the payer (docs/follow-through.md)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from priorauth.domain.vocab import label
from priorauth.domain.workflow import AWAITING_PAYER
from priorauth.permissions import EDIT_AUTHORIZATIONS, may, role_required
from priorauth.schemas.follow_ups import FollowUpInSchema
from priorauth.services import follow_ups
from priorauth.services.clock import now_utc
from priorauth.services.usage import AuthorizationView
from priorauth.web.authorizations import _auth, _render_show, bp
from priorauth.web.commit import committed
from priorauth.web.forms import failed, parse_form, refusal_errors

FOLLOW_UP = "follow_up"


def context(auth: AuthorizationView, step=None, form=None) -> dict:
    """What the request page shows about follow-ups (one query)."""
    awaiting = auth.status in AWAITING_PAYER
    return {
        "follow_ups": follow_ups.follow_ups_of(auth.clinic_id, auth.id),
        "can_follow_up": awaiting and may(EDIT_AUTHORIZATIONS),
        "follow_up_form": form if step == FOLLOW_UP else {"channel": "phone"},
    }


@bp.post("/<int:auth_id>/follow-ups")
@role_required(EDIT_AUTHORIZATIONS)
def log_follow_up(auth_id: int):
    """Log a follow-up with the payer; refused (409, said on top) unless awaiting it."""
    auth, schema = _auth(auth_id), FollowUpInSchema()
    if auth.status not in AWAITING_PAYER:
        return _not_awaiting(auth)
    data, errors = parse_form(schema, request.form)
    status = 422
    if data is not None:
        _, refusal = committed(lambda: follow_ups.log(current_user, auth.id, data, now_utc()))
        if refusal is None:
            flash(f"Follow-up on request #{auth.id} logged.", "success")
            return redirect(url_for("authorizations.show", auth_id=auth.id) + "#follow-ups")
        errors, status = refusal_errors(refusal, schema.fields), refusal.status
    return _render_show(_auth(auth_id), FOLLOW_UP, request.form, errors, status)


def _not_awaiting(auth: AuthorizationView):
    """A follow-up posted to a request the payer is not deciding: the page has no form to
    show errors in, so the refusal is said on top of it (409, nothing kept)."""
    status = label(auth.status).lower()
    message = (
        "Only a request awaiting the payer (submitted or appealed) is followed up; "
        f"request #{auth.id} is {status}: nothing was logged."
    )
    failed({"_": [message]})
    flash(message, "error")
    return _render_show(auth, status=409)
