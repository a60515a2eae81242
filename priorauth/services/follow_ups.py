"""Log a follow-up with the payer on a request awaiting its answer; each one restarts the
follow-up cadence (FOLLOW_UP_DUE, docs/follow-through.md)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from priorauth.domain.workflow import AWAITING_PAYER
from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, FollowUp
from priorauth.services import audit, clock
from priorauth.services.authorizations import request_in
from priorauth.services.scope import get_owned


def _awaiting(actor, auth_id: int) -> AuthorizationRequest:
    """The request, refused in words unless it is submitted or appealed."""
    refusal = "only a request awaiting the payer (submitted or appealed) is followed up"
    return request_in(actor, auth_id, AWAITING_PAYER, refusal, "NOT_AWAITING_PAYER")


def _when(actor, local: datetime | None, now_utc: datetime) -> datetime:
    """The clinic-local time given (default now) as naive UTC; never in the future."""
    if local is None:
        return now_utc
    moment = clock.to_utc(actor.clinic, local)
    if moment > now_utc:
        raise ValidationFailed.on("at", "is in the future: log a follow-up once it happened")
    return moment


def log(actor, auth_id: int, data: dict, now_utc: datetime) -> FollowUp:
    """Record who was reached, how and what the payer said (`data["at"]`: clinic-local,
    default now); one audit event on the request."""
    auth = _awaiting(actor, auth_id)
    row = FollowUp(
        clinic_id=auth.clinic_id,
        authorization_id=auth.id,
        at=_when(actor, data.get("at"), now_utc),
        channel=data["channel"],
        contact=data.get("contact"),
        payer_said=data.get("payer_said"),
        logged_by_id=getattr(actor, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    changes = {"follow_up_id": row.id, "at": row.at, "channel": row.channel}
    changes |= {"contact": row.contact, "payer_said": row.payer_said}
    audit.record(actor, auth, "follow_up", changes=changes)
    return row


def follow_ups_of(clinic_id: int, auth_id: int) -> list[FollowUp]:
    """The request's follow-ups, latest first."""
    query = (
        sa.select(FollowUp)
        .where(FollowUp.clinic_id == clinic_id, FollowUp.authorization_id == auth_id)
        .options(joinedload(FollowUp.logged_by))
        .order_by(FollowUp.at.desc(), FollowUp.id.desc())
    )
    return list(db.session.scalars(query))


def viewed(actor, auth_id: int) -> list[FollowUp]:
    """The request's follow-ups for the API, the read audited (404: another clinic's)."""
    auth = get_owned(AuthorizationRequest, auth_id, actor.clinic_id, what="authorization")
    audit.viewed(actor, auth, note="follow-ups")
    return follow_ups_of(actor.clinic_id, auth.id)
