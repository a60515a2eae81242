"""The demo's owners (docs/follow-through.md, Owners): the clinic's default owner per queue
(clinic.toml [queue_owners], queue = a staff role) and a request's owner when it is not the
front desk who logged it (requests.toml `owner`: a role, or "none": unowned)."""

from __future__ import annotations

from priorauth.demo import data
from priorauth.services import owners

NO_ONE = "none"
QUEUE_OWNERS: dict[str, str] = data.CLINIC.get("queue_owners", {})


def set_queue_owners(users: dict) -> None:
    """The default owners, set by the admin."""
    wanted = {queue: users[role].id for queue, role in QUEUE_OWNERS.items()}
    owners.set_queue_owners(users["admin"], wanted)


def give(users: dict, auth, row: dict) -> None:
    """The admin gives the request to its owner in the story, if it is not its creator."""
    if "owner" in row:
        role = row["owner"]
        owners.reassign(users["admin"], auth.id, None if role == NO_ONE else users[role].id)
