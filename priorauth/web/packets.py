"""Send a request (on the authorizations blueprint): the "Send" section of the request page,
the packet as a download and marking it sent (services/packets.py)."""

from __future__ import annotations

import io

from flask import flash, redirect, request, send_file, url_for
from flask_login import current_user

from priorauth.domain.vocab import label
from priorauth.domain.workflow import Status
from priorauth.permissions import SEND_PACKETS, may, role_required
from priorauth.schemas.packets import PacketSentSchema
from priorauth.services import packets
from priorauth.services.clock import utcnow
from priorauth.services.usage import AuthorizationView
from priorauth.web.authorizations import _auth, _render_show, _today, bp
from priorauth.web.commit import committed
from priorauth.web.forms import parse_form, refusal_errors

SEND = "send_packet"
SENDABLE = (Status.DRAFT, Status.PENDED)


def _appeal_open(auth: AuthorizationView) -> bool:
    deadline = auth.appeal_deadline
    return auth.status == Status.DENIED and (deadline is None or deadline >= _today())


def context(auth: AuthorizationView, step=None, form=None, errors=None) -> dict:
    """What the request page's Send section needs (shown when the checklist is ready, or
    for a denial while its appeal is open)."""
    can = may(SEND_PACKETS) and (auth.status in SENDABLE or _appeal_open(auth))
    if not can:
        return {"can_send": False}
    failed = step == SEND
    chosen = set(form.getlist("attachment_ids")) if failed and form else set()
    rows = packets.candidates(auth.clinic_id, auth.auth)
    payer = auth.coverage.payer
    return {
        "can_send": True,
        "send_kind": packets.kind_for(auth.auth),
        "send_documents": [(a, str(a.id) in chosen if failed else on) for a, on in rows],
        "send_form": form if failed else {"channel": payer.preferred_channel or ""},
        "send_errors": (errors or {}) if failed else {},
        "send_payer": payer,
    }


def _chosen_ids() -> list[int]:
    return [int(v) for v in request.form.getlist("attachment_ids") if v.isdigit()]


@bp.post("/<int:auth_id>/packet")
@role_required(SEND_PACKETS)
def packet(auth_id: int):
    """The packet with the attachments ticked, in the order listed, as a PDF download (a
    POST: the choice comes from the Send form)."""
    auth = _auth(auth_id)
    result, refusal = committed(
        lambda: packets.packet_for(current_user, auth.id, None, _chosen_ids(), _today())
    )
    if refusal is not None:
        errors = refusal_errors(refusal, PacketSentSchema().fields)
        return _render_show(_auth(auth_id), SEND, request.form, errors, refusal.status)
    content, pages, kind = result
    return send_file(
        io.BytesIO(content),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{kind}-packet-request-{auth_id}-{pages}-pages.pdf",
        max_age=0,
    )


@bp.post("/<int:auth_id>/packet/sent")
@role_required(SEND_PACKETS)
def packet_sent(auth_id: int):
    """Keep the packet, mark its letter sent and move the request on."""
    auth, schema = _auth(auth_id), PacketSentSchema()
    data, errors = parse_form(schema, request.form, attachment_ids=_chosen_ids())
    status = 422
    if data is not None:
        stored, refusal = committed(
            lambda: packets.mark_sent(current_user, auth.id, data, utcnow(), _today())
        )
        if refusal is None:
            moved = _auth(auth_id)
            flash(
                f"Packet sent ({stored.page_count} pages): request #{auth_id} is now "
                f"{label(moved.status).lower()}.",
                "success",
            )
            return redirect(url_for("authorizations.show", auth_id=auth_id, _anchor="history"))
        errors, status = refusal_errors(refusal, schema.fields), refusal.status
    return _render_show(_auth(auth_id), SEND, request.form, errors, status)
