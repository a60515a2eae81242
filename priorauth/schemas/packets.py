"""The submission and appeal packet: which one, with which attachments, and marking it sent."""

from __future__ import annotations

import marshmallow as ma
from webargs.fields import DelimitedList

from priorauth.schemas import Strict, id_field
from priorauth.schemas.authorizations import CHANNELS, AuthorizationOutSchema

V = ma.validate
PACKET_KINDS = ("submission", "appeal")
MAX_ATTACHMENTS = 100
IDS_HELP = (
    "the attachments to append, in this order; left out: the request's own and the patient's "
    "lab reports and chart notes"
)


class PacketQuery(ma.Schema):
    kind = ma.fields.String(
        validate=V.OneOf(PACKET_KINDS),
        metadata={"description": "default: appeal for a denied request, else submission"},
    )
    attachment_ids = DelimitedList(
        id_field(),
        validate=V.Length(max=MAX_ATTACHMENTS),
        metadata={"description": IDS_HELP + " (comma-separated; empty: none)"},
    )


class PacketSentSchema(Strict):
    channel = ma.fields.String(
        allow_none=True,
        validate=V.OneOf(CHANNELS),
        metadata={"label": "Channel", "description": "default: the payer's preferred channel"},
    )
    payer_reference = ma.fields.String(
        allow_none=True,
        validate=V.Length(max=80),
        metadata={"label": "Reference number", "description": "the payer's, if it gave one"},
    )
    attachment_ids = ma.fields.List(
        id_field(),
        allow_none=True,
        validate=V.Length(max=MAX_ATTACHMENTS),
        metadata={"label": "Attachments", "description": IDS_HELP},
    )
    override_reason = ma.fields.String(
        allow_none=True,
        validate=V.Length(min=3, max=2000),
        metadata={"label": "Override reason", "description": "to submit an incomplete checklist"},
    )
    note = ma.fields.String(allow_none=True, validate=V.Length(max=5000))


class PacketOutSchema(ma.Schema):
    id = ma.fields.Integer(metadata={"description": "the stored packet (an attachment)"})
    kind = ma.fields.String()
    filename = ma.fields.String()
    pages = ma.fields.Integer(
        attribute="page_count", metadata={"description": "pages, the cover included"}
    )


class PacketSentOutSchema(AuthorizationOutSchema):
    packet = ma.fields.Nested(PacketOutSchema)
