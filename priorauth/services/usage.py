"""Load what each authorization has given and booked, in one grouped query; the words and the
arithmetic (left, not yet used) are domain/usage.py's (docs/domain.md §9)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from priorauth.domain.usage import UnitsUse
from priorauth.domain.vocab import InfusionStatus
from priorauth.domain.workflow import derived_status
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Infusion

GIVEN = InfusionStatus.ADMINISTERED
BOOKED = InfusionStatus.SCHEDULED

__all__ = [
    "AuthorizationView",
    "UnitsUse",
    "current_status",
    "units_use",
    "units_use_of",
    "view_of",
    "views",
]


def _totals(ids: list[int]) -> dict[int, dict[str, tuple[int, int]]]:
    """{auth id: {"given" | "booked": (units, infusions)}}."""
    units = sa.case((Infusion.status == GIVEN, Infusion.units_used), else_=Infusion.units_reserved)
    rows = db.session.execute(
        sa.select(
            Infusion.authorization_id,
            Infusion.status,
            sa.func.coalesce(sa.func.sum(units), 0),
            sa.func.count(),
        )
        .where(Infusion.authorization_id.in_(ids), Infusion.status.in_((GIVEN, BOOKED)))
        .group_by(Infusion.authorization_id, Infusion.status)
    ).all()
    totals: dict[int, dict] = {}
    for auth_id, status, unit_sum, count in rows:
        key = "given" if status == GIVEN else "booked"
        totals.setdefault(auth_id, {})[key] = (int(unit_sum), int(count))
    return totals


def units_use(auths: Iterable[AuthorizationRequest]) -> dict[int, UnitsUse]:
    """Each authorization's approved, given and booked units and visits, in one query."""
    auths = list(auths)
    totals = _totals(sorted({a.id for a in auths})) if auths else {}
    return {a.id: _use(a, totals.get(a.id, {})) for a in auths}


def units_use_of(auth: AuthorizationRequest) -> UnitsUse:
    return units_use([auth])[auth.id]


def _use(auth: AuthorizationRequest, parts: dict) -> UnitsUse:
    given_units, given_visits = parts.get("given", (0, 0))
    booked_units, booked_visits = parts.get("booked", (0, 0))
    return UnitsUse(
        auth.units_approved,
        given_units,
        booked_units,
        auth.administrations_approved,
        given_visits,
        booked_visits,
    )


@dataclass(frozen=True)
class AuthorizationView:
    """A request as the pages and the API show it: the row, its units use (docs/domain.md §9)
    and its derived status (expired / exhausted, §5), computed when loaded, never stored.

    Reads through to the row for its stored columns and relationships (`view.hcpcs_code`,
    `view.status` is the stored status, `view.patient`); `view.auth` is the row itself, for
    services that change it.
    """

    auth: AuthorizationRequest
    usage: UnitsUse
    current_status: str

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("auth", "usage", "current_status"):
            raise AttributeError(name)
        return getattr(self.auth, name)

    @property
    def units_left(self) -> int | None:
        """approved − given − booked (negative: short); None when no unit limit."""
        return self.usage.units_left

    @property
    def administrations_left(self) -> int | None:
        return self.usage.visits_left


def views(auths: Iterable[AuthorizationRequest], today: date) -> list[AuthorizationView]:
    """Each request with its units use (one query for all) and its status as of `today`."""
    auths = list(auths)
    uses = units_use(auths)
    return [AuthorizationView(a, uses[a.id], current_status(a, uses[a.id], today)) for a in auths]


def view_of(auth: AuthorizationRequest, today: date) -> AuthorizationView:
    return views([auth], today)[0]


def current_status(auth: AuthorizationRequest, use: UnitsUse, today: date) -> str:
    """Stored status, or expired / exhausted once the end date passes or nothing is not yet
    used (given infusions count; booked ones do not exhaust it)."""
    return derived_status(
        auth.status,
        today=today,
        approved_end=auth.approved_end,
        units_not_yet_used=use.units_not_yet_used,
        administrations_not_yet_used=use.visits_not_yet_used,
    ).value
