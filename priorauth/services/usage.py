"""Units and visits used and booked per authorization, in one grouped query."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from priorauth.domain.workflow import derived_status
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Infusion

USED = "administered"
BOOKED = "scheduled"


@dataclass(frozen=True)
class Usage:
    units_used: int = 0
    units_booked: int = 0
    visits_used: int = 0
    visits_booked: int = 0


def usage_by_authorization(ids: Iterable[int]) -> dict[int, Usage]:
    ids = list(set(ids))
    if not ids:
        return {}
    units = sa.case((Infusion.status == USED, Infusion.units_used), else_=Infusion.units_reserved)
    rows = db.session.execute(
        sa.select(
            Infusion.authorization_id,
            Infusion.status,
            sa.func.coalesce(sa.func.sum(units), 0),
            sa.func.count(),
        )
        .where(Infusion.authorization_id.in_(ids), Infusion.status.in_((USED, BOOKED)))
        .group_by(Infusion.authorization_id, Infusion.status)
    ).all()
    totals: dict[int, dict] = {}
    for auth_id, status, unit_sum, count in rows:
        key = "used" if status == USED else "booked"
        totals.setdefault(auth_id, {})[key] = (int(unit_sum), int(count))
    return {auth_id: _usage(parts) for auth_id, parts in totals.items()}


def _usage(parts: dict) -> Usage:
    used_units, used_visits = parts.get("used", (0, 0))
    booked_units, booked_visits = parts.get("booked", (0, 0))
    return Usage(used_units, booked_units, used_visits, booked_visits)


def annotate(auths: Iterable[AuthorizationRequest], today: date) -> None:
    """Attach usage and the derived status (expired / exhausted) to each authorization."""
    auths = list(auths)
    usage = usage_by_authorization(a.id for a in auths)
    for auth in auths:
        auth.usage = usage.get(auth.id, Usage())
        auth.current_status = current_status(auth, today)


def current_status(auth: AuthorizationRequest, today: date) -> str:
    """Stored status, or expired / exhausted once dates or given infusions use it up."""
    used = auth.usage or Usage()
    return derived_status(
        auth.status,
        today=today,
        approved_end=auth.approved_end,
        units_left=None if auth.units_approved is None else auth.units_approved - used.units_used,
        administrations_left=None
        if auth.administrations_approved is None
        else auth.administrations_approved - used.visits_used,
    ).value
