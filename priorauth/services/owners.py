"""Who works each item (docs/follow-through.md, Owners): a request's owner, set to its
creator and changed one by one or in bulk, and the clinic's default owner per work queue,
who owns the queue's items that have no owner of their own.

Every change of a request's owner writes one audit event ("reassigned", changes
{"owner_id": {"from": old, "to": new}}); a change of the queue defaults writes one event on
the clinic naming each queue changed, the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from priorauth.domain.queues import BY_NAME
from priorauth.errors import NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Clinic, QueueOwner, User
from priorauth.models.base import INTEGER_MAX
from priorauth.services import audit
from priorauth.services.scope import get_owned

REASSIGNED = "reassigned"
QUEUE_OWNERS_CHANGED = "queue_owners_changed"


def queue_default_owners(clinic_id: int) -> dict[str, int]:
    """{queue name: user id} of the clinic's default owners who are still active (one
    statement); a queue missing here has no default owner."""
    query = (
        sa.select(QueueOwner.queue, QueueOwner.user_id)
        .join(User, User.id == QueueOwner.user_id)
        .where(QueueOwner.clinic_id == clinic_id, User.clinic_id == clinic_id, User.active)
    )
    return {queue: user_id for queue, user_id in db.session.execute(query)}


def effective_owner_id(
    item_owner_id: int | None, queue_name: str, defaults: Mapping[str, int]
) -> int | None:
    """Who owns an item of a queue: its own owner, else the queue's default owner, else
    nobody (None: unowned)."""
    return item_owner_id if item_owner_id is not None else defaults.get(queue_name)


def active_users(clinic_id: int) -> list[User]:
    """The people an item can be given to: the clinic's active users, by name."""
    query = sa.select(User).where(User.clinic_id == clinic_id, User.active)
    return list(db.session.scalars(query.order_by(User.name, User.id)))


def check_owner(clinic_id: int, owner_id: int | None, field: str = "owner_id") -> int | None:
    """The owner id when it names an active user of the clinic (None: no owner); else a
    refusal naming `field`."""
    if owner_id is None:
        return None
    in_range = isinstance(owner_id, int) and 1 <= owner_id <= INTEGER_MAX
    user = db.session.get(User, owner_id) if in_range else None
    if user is None or user.clinic_id != clinic_id or not user.active:
        raise ValidationFailed.on(field, f"user {owner_id} is not an active user of this clinic")
    return owner_id


def _give(actor, auth: AuthorizationRequest, owner_id: int | None) -> bool:
    """Set the request's owner and audit it; False when it already was."""
    before = auth.owner_id
    if before == owner_id:
        return False
    auth.owner_id = owner_id
    audit.record(actor, auth, REASSIGNED, changes={"owner_id": {"from": before, "to": owner_id}})
    return True


def reassign(actor, auth_id: int, owner_id: int | None) -> AuthorizationRequest:
    """Give one request to another owner (None: back to its queue's default owner)."""
    auth = get_owned(AuthorizationRequest, auth_id, actor.clinic_id, what="authorization")
    _give(actor, auth, check_owner(actor.clinic_id, owner_id))
    db.session.flush()
    return auth


def _requests(clinic_id: int, ids: list[int]) -> list[AuthorizationRequest]:
    """The requests with these ids, all of this clinic, or a refusal naming `ids`."""
    query = sa.select(AuthorizationRequest).where(
        AuthorizationRequest.id.in_(ids), AuthorizationRequest.clinic_id == clinic_id
    )
    found = {auth.id: auth for auth in db.session.scalars(query)}
    missing = [i for i in ids if i not in found]
    if missing:
        listed = ", ".join(str(i) for i in missing)
        raise NotFound(f"no request {listed} in this clinic", {"ids": [f"no request {listed}"]})
    return [found[i] for i in ids]


def reassign_many(actor, ids: Iterable[int], owner_id: int | None) -> list[AuthorizationRequest]:
    """Give these requests to one owner: all or none (an id of another clinic refuses the
    lot); one audit event per request whose owner changes. -> the requests changed."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise ValidationFailed.on("ids", "choose at least one request")
    owner_id = check_owner(actor.clinic_id, owner_id)
    changed = [auth for auth in _requests(actor.clinic_id, wanted) if _give(actor, auth, owner_id)]
    db.session.flush()
    return changed


def queue_owners(clinic_id: int) -> dict[str, int | None]:
    """Every queue's stored default owner (None: none), active or not, for the settings."""
    query = sa.select(QueueOwner.queue, QueueOwner.user_id).where(QueueOwner.clinic_id == clinic_id)
    stored = dict(db.session.execute(query).all())
    return {name: stored.get(name) for name in BY_NAME}


def set_queue_owners(actor, wanted: Mapping[str, int | None]) -> dict[str, int | None]:
    """Replace the clinic's default owners: `wanted` names each queue's owner (a queue left
    out or None: no default owner). One audit event on the clinic names the queues changed."""
    clinic_id = actor.clinic_id
    for name, user_id in wanted.items():
        if name not in BY_NAME:
            raise ValidationFailed.on(name, "is not a work queue")
        check_owner(clinic_id, user_id, field=name)
    rows = {row.queue: row for row in db.session.scalars(sa.select(QueueOwner).where(
        QueueOwner.clinic_id == clinic_id
    ))}  # fmt: skip
    changes = {}
    for name in BY_NAME:
        before, after = rows[name].user_id if name in rows else None, wanted.get(name)
        if before != after:
            _store(clinic_id, rows.get(name), name, after)
            changes[name] = {"from": before, "to": after}
    if changes:
        audit.record(
            actor, db.session.get(Clinic, clinic_id), QUEUE_OWNERS_CHANGED, changes=changes
        )
    db.session.flush()
    return queue_owners(clinic_id)


def _store(clinic_id: int, row: QueueOwner | None, name: str, user_id: int | None) -> None:
    if user_id is None:
        db.session.delete(row)
    elif row is None:
        db.session.add(QueueOwner(clinic_id=clinic_id, queue=name, user_id=user_id))
    else:
        row.user_id = user_id
