"""Owners: a request's owner, a bulk reassignment, the clinic's default owner per queue
(docs/follow-through.md, Owners). One schema per input for the API and the pages."""

from __future__ import annotations

import re

import marshmallow as ma

from priorauth.domain.queues import QUEUES
from priorauth.schemas import Strict, id_field

V = ma.validate
MAX_IDS = 500
OWNER_FILTER = r"^(mine|unowned|[1-9][0-9]{0,8})$"


def _owner(**kwargs):
    return id_field(
        allow_none=True,
        metadata={"label": "Owner", "description": "a user id of the clinic; null: no owner"},
        **kwargs,
    )


class OwnerSchema(Strict):
    """Give one request to an owner (null: back to its queue's default owner)."""

    owner_id = _owner(required=True)


class ReassignSchema(Strict):
    """Give several requests of the clinic to one owner, all or none."""

    ids = ma.fields.List(
        id_field(),
        required=True,
        validate=V.Length(min=1, max=MAX_IDS, error="choose between {min} and {max} requests"),
        metadata={"label": "Requests", "description": "the ids of the requests to reassign"},
    )
    owner_id = _owner(required=True)


class ReassignedSchema(ma.Schema):
    """What a bulk reassignment did."""

    owner_id = ma.fields.Integer(allow_none=True)
    ids = ma.fields.List(ma.fields.Integer(), metadata={"description": "the requests asked"})
    changed = ma.fields.List(
        ma.fields.Integer(), metadata={"description": "those whose owner changed (audited)"}
    )


# The clinic's default owner of each queue: one field per queue of domain/queues.QUEUES,
# a user id or null (no default owner). PUT replaces them all: a queue left out has none.
QueueOwnersSchema = Strict.from_dict(
    {
        queue.name: id_field(
            allow_none=True, metadata={"label": re.sub(r"\{\w+\}", "N", queue.title)}
        )
        for queue in QUEUES
    },
    name="QueueOwnersSchema",
)


def owner_filter() -> ma.fields.String:
    """?owner= on a list: mine, unowned, or a user id (queries/owner_sql.parse_owner)."""
    return ma.fields.String(
        validate=V.Regexp(OWNER_FILTER, error="must be mine, unowned or a user id"),
        metadata={"description": "mine, unowned, or a user id: the requests it owns"},
    )
