"""Each payer's turnaround per code, from the request history (docs/follow-through.md).

Read from the audit trail, one statement: a request's `transition` events carry from_status
and to_status, so its first submission and its first decision after it (approved, partially
approved or denied, not the answer to an appeal) are found even when it was pended and
resubmitted, or appealed later (the row keeps only the last submission). The days are clinic
days: the decision's day is the request's `decided_on` when the request was never appealed
(a decision recorded later with the payer's date keeps that date), else the decision event's
day. Requests with no recorded submission (imported already decided) count nowhere.

Helper interface (reports call it): `decisions(clinic_id, since)` and
`turnaround_rows(clinic_id, since)`; `since` keeps the decisions made on or after that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import sqlalchemy as sa

from priorauth.domain.turnaround import DECIDED, Decision, TurnaroundRow, summarize
from priorauth.domain.workflow import Status
from priorauth.extensions import db
from priorauth.models import AuditEvent, Clinic, Coverage, Payer
from priorauth.models import AuthorizationRequest as AR
from priorauth.services.clock import to_clinic_time

__all__ = ["Decision", "TurnaroundRow", "decisions", "turnaround_rows"]

DECIDED_VALUES = tuple(s.value for s in DECIDED)
WATCHED = (Status.SUBMITTED.value, Status.APPEALED.value, *DECIDED_VALUES)
LONGEST_WAIT = timedelta(days=366)  # a submission this long before `since` is still read


def _events(clinic_id: int, since: date | None, pairs: Iterable[tuple[int, str]] | None):
    denied = AuditEvent.to_status == Status.DENIED.value  # only a denial's changes are read
    columns = (
        AuditEvent.entity_id, AuditEvent.at, AuditEvent.from_status, AuditEvent.to_status,
        sa.case((denied, AuditEvent.changes)).label("changes"), AR.decided_on, AR.hcpcs_code,
        Coverage.payer_id, Payer.name.label("payer_name"),
    )  # fmt: skip
    query = (
        sa.select(*columns)
        .join(AR, sa.and_(AR.id == AuditEvent.entity_id, AR.clinic_id == clinic_id))
        .join(Coverage, sa.and_(Coverage.id == AR.coverage_id, Coverage.clinic_id == clinic_id))
        .join(Payer, sa.and_(Payer.id == Coverage.payer_id, Payer.clinic_id == clinic_id))
        .where(
            AuditEvent.clinic_id == clinic_id,
            AuditEvent.entity_type == AR.__tablename__,
            AuditEvent.action == "transition",
            AuditEvent.to_status.in_(WATCHED),
        )
        .order_by(AuditEvent.entity_id, AuditEvent.at, AuditEvent.id)
    )
    if since is not None:
        query = query.where(AuditEvent.at >= since - LONGEST_WAIT)
    if pairs is not None:
        wanted = sorted(set(pairs))
        query = query.where(sa.tuple_(Coverage.payer_id, AR.hcpcs_code).in_(wanted))
    return db.session.execute(query).all()


def _first_decision(events: list, day_of) -> Decision | None:
    """A request's events in order -> its first decision after its first submission."""
    submitted = next((e for e in events if e.to_status == Status.SUBMITTED), None)
    if submitted is None:
        return None
    after = events[events.index(submitted) :]
    decided = next(
        (e for e in after if e.to_status in DECIDED_VALUES and e.from_status != Status.APPEALED),
        None,
    )
    if decided is None:
        return None
    appealed = any(e.to_status == Status.APPEALED for e in events)
    decided_on = (
        day_of(decided.at) if appealed or decided.decided_on is None else decided.decided_on
    )
    return Decision(
        request_id=decided.entity_id,
        payer_id=decided.payer_id,
        payer_name=decided.payer_name,
        hcpcs_code=decided.hcpcs_code,
        submitted_on=day_of(submitted.at),
        decided_on=decided_on,
        outcome=decided.to_status,
        denial_reason=(decided.changes or {}).get("denial_reason"),
    )


def decisions(
    clinic_id: int, since: date | None = None, pairs: Iterable[tuple[int, str]] | None = None
) -> list[Decision]:
    """Every request's first decision (decided on or after `since`), by request id; `pairs`:
    only these (payer id, code)."""
    clinic = db.session.get(Clinic, clinic_id)

    def day_of(moment):
        return to_clinic_time(clinic, moment).date()

    by_request: dict[int, list] = {}
    for event in _events(clinic_id, since, pairs):
        by_request.setdefault(event.entity_id, []).append(event)
    found = (_first_decision(events, day_of) for events in by_request.values())
    return [d for d in found if d is not None and (since is None or d.decided_on >= since)]


def turnaround_rows(
    clinic_id: int, since: date | None = None, pairs: Iterable[tuple[int, str]] | None = None
) -> list[TurnaroundRow]:
    """Per payer and code: decisions, median and p80 days, outcomes, denial reasons."""
    return summarize(decisions(clinic_id, since, pairs))
