"""A request's submission or appeal packet: the PDF, and marking it sent."""

from __future__ import annotations

import io

from flask import send_file
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.extensions import db
from priorauth.permissions import SEND_PACKETS, role_required
from priorauth.schemas.packets import PacketQuery, PacketSentOutSchema, PacketSentSchema
from priorauth.services import authorizations, packets
from priorauth.services.clock import clinic_today, utcnow

blp = Blueprint(
    "packets",
    __name__,
    url_prefix="/authorizations",
    description="Submission and appeal packets: cover sheet, letter, evidence, attachments",
)

PDF_ANSWER = {
    "description": "The packet as one PDF, as a download; X-Page-Count says its pages",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


class _Sent:
    """The request as AuthorizationOutSchema shows it, and the packet kept for it."""

    def __init__(self, view, packet):
        self._view, self.packet = view, packet

    def __getattr__(self, name):
        return getattr(self._view, name)


@blp.route("/<int:auth_id>/packet")
class Packet(MethodView):
    @blp.arguments(PacketQuery, location="query")
    @blp.doc(responses={"200": PDF_ANSWER})
    def get(self, args, auth_id):
        """The packet the payer would receive: fax cover sheet (with the page count), the
        letter as it stands, the evidence summary, then the attachments in the order given.
        Audited (the request and each attachment read)."""
        content, pages, kind = packets.packet_for(
            current_user, auth_id, args.get("kind"), args.get("attachment_ids")
        )
        db.session.commit()
        response = send_file(
            io.BytesIO(content),
            mimetype="application/pdf",
            as_attachment=True,
            download_name=f"{kind}-packet-request-{auth_id}.pdf",
            max_age=0,
        )
        response.headers["X-Page-Count"] = str(pages)
        return response


@blp.route("/<int:auth_id>/packet/sent")
class PacketSent(MethodView):
    @role_required(SEND_PACKETS)
    @blp.arguments(PacketSentSchema)
    @blp.response(200, PacketSentOutSchema)
    def post(self, data, auth_id):
        """Record that the packet went to the payer: it is kept on the request (an
        attachment), its letter marked sent, and the request submitted (appealed, from a
        denial) with the channel (default: the payer's preferred one), pages and reference."""
        today = clinic_today(current_user.clinic)
        stored = packets.mark_sent(current_user, auth_id, data, utcnow(), today)
        db.session.commit()
        view = authorizations.get_authorization(current_user.clinic_id, auth_id, today)
        return _Sent(view, stored)
