"""Who owns a queue's items, in SQL (docs/follow-through.md, Owners), beside the queues'
membership (queries/queue_sql.py): the queue pages filter and show owners, and the dashboard
counts the unowned open requests, without a statement more per row.

An item's owner is its own owner, else its queue's default owner (an active user; the
`QueueOwner` rows), else nobody. A request's own owner is `owner_id`. A booked infusion has
none of its own: it is owned by the owner of the request it draws on, else of the patient's
most recent open request (draft, pended, submitted, appealed) for its code that has an owner
— whoever is getting it covered — else by its queue's default owner. This is what
services/owners.effective_owner_id computes in Python for one item."""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as AR
from priorauth.models import Infusion, QueueOwner, User
from priorauth.queries import queue_sql

UNOWNED: Final = "unowned"
MINE: Final = "mine"
OwnerFilter = int | str  # a user id, or UNOWNED
# Open requests (not decided yet) are in exactly one of these queues, by status and checklist.
OPEN_QUEUES = ("needs_evidence", "ready_to_submit", "waiting_on_payer")
OPEN_STATUSES = (*queue_sql.PREPARING, *queue_sql.AWAITING)


def parse_owner(raw: str | None, me: int) -> OwnerFilter | None:
    """?owner= of a queue page or the API: "mine" (me), "unowned", a user id; else None
    (no filter)."""
    text = (raw or "").strip().lower()
    if text == MINE:
        return me
    if text == UNOWNED:
        return UNOWNED
    return int(text) if text.isdigit() and len(text) < 10 and int(text) > 0 else None


def owner_id_or_none(owner: OwnerFilter) -> int | None:
    """A filter's user id; None for UNOWNED."""
    return None if owner == UNOWNED else int(owner)


def default_owner(clinic_id: int, name):
    """The queue's default owner's id when still active (NULL: none), as a scalar subquery;
    `name` a queue name or a SQL expression giving one per row."""
    return (
        sa.select(QueueOwner.user_id)
        .join(User, User.id == QueueOwner.user_id)
        .where(QueueOwner.clinic_id == clinic_id, QueueOwner.queue == name)
        .where(User.clinic_id == clinic_id, User.active)
        .scalar_subquery()
    )


def infusion_request_owner(clinic_id: int):
    """A booking's own owner: that of the request it draws on, else that of the patient's
    latest open request for its code that has one (correlated to `Infusion`)."""
    drawn, pending = aliased(AR), aliased(AR)
    drawn_owner = (
        sa.select(drawn.owner_id)
        .where(drawn.id == Infusion.authorization_id, drawn.clinic_id == clinic_id)
        .scalar_subquery()
    )
    pending_owner = (
        sa.select(pending.owner_id)
        .where(pending.clinic_id == clinic_id, pending.patient_id == Infusion.patient_id)
        .where(pending.hcpcs_code == Infusion.hcpcs_code, pending.status.in_(OPEN_STATUSES))
        .where(pending.owner_id.is_not(None))
        .order_by(pending.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return sa.func.coalesce(drawn_owner, pending_owner)


def item_owner(name: str, clinic_id: int):
    """The owner a queue's row has of its own (NULL: none)."""
    if queue_sql.SQL[name].subject is Infusion:
        return infusion_request_owner(clinic_id)
    return AR.owner_id


def owner_of(name: str, clinic_id: int):
    """The row's owner: its own, else the queue's default owner (NULL: unowned)."""
    return sa.func.coalesce(item_owner(name, clinic_id), default_owner(clinic_id, name))


def owned_by(name: str, clinic_id: int, owner: OwnerFilter):
    """The condition that a queue's row is owned by `owner` (a user id, or UNOWNED)."""
    if owner == UNOWNED:
        return owner_of(name, clinic_id).is_(None)
    return owner_of(name, clinic_id) == owner


def unowned_open(at: queue_sql.At) -> dict[str, int]:
    """{open queue: its requests with no owner and no default owner}, one statement."""
    parts = [
        sa.select(sa.literal(name).label("name"), sa.func.count().label("n"))
        .select_from(AR)
        .where(queue_sql.where(name, at), owned_by(name, at.clinic_id, UNOWNED))
        for name in OPEN_QUEUES
    ]
    found = dict(db.session.execute(sa.union_all(*parts)).all())
    return {name: int(found.get(name, 0)) for name in OPEN_QUEUES}


def owner_names(clinic_id: int) -> dict[int, tuple[str, bool]]:
    """{user id: (name, active)} of the clinic's people, one statement (the owner column
    and the reassign select; a clinic's staff is a short list)."""
    query = sa.select(User.id, User.name, User.active).where(User.clinic_id == clinic_id)
    return {ident: (name, active) for ident, name, active in db.session.execute(query)}
