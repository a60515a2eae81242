"""The attention read model: what the rules derive for each request and booked infusion,
stored on its row so that the queues, the dashboard and the digests read it in SQL
(docs/performance.md).

Stored: a draft or pended request's checklist readiness and what it still lacks (as of the
clinic's day), when its payer's answer is due, every request's units and visits given and
booked, and every booked infusion's runway badge with its reason. The rules stay where they
are (domain/evidence.py, domain/runway.py, domain/coverage.py); this module only runs them and
writes their results.

`refresh_patients` recomputes everything stored for some patients. The session listener
(services/attention_events.py) calls it before each commit for the patients the transaction
touched, so no use case calls it itself; `refresh_stale` catches up what the passing of days
made stale (checklists judge lab age by the day) or what was never computed (rows written in
bulk, a database just upgraded); `recompute_batches` rebuilds every row (`flask recompute`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

import sqlalchemy as sa

from priorauth.domain import evidence as ev
from priorauth.domain import revenue
from priorauth.domain.queues import TO_PREPARE
from priorauth.domain.runway import Badge
from priorauth.domain.vocab import InfusionStatus
from priorauth.domain.workflow import AWAITING_PAYER, Status
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Infusion, Patient
from priorauth.services import reference, runways, snapshots
from priorauth.services.clock import clinic_today
from priorauth.services.coverage import PatientState, answer_due_at, load_states

PREPARING = tuple(s.value for s in TO_PREPARE)
AWAITING_ANSWER = tuple(s.value for s in AWAITING_PAYER | {Status.PENDED})
BOOKED = InfusionStatus.SCHEDULED.value
CHUNK = 500  # patients per statement: well inside every database's limit on bound values

requests, infusions = AuthorizationRequest.__table__, Infusion.__table__


def refresh_patients(patient_ids: Iterable[int], today: date | None = None) -> None:
    """Recompute every stored fact of these patients' requests and booked infusions (`today`:
    the day the checklists are judged on; default each clinic's own day)."""
    ids = sorted(set(patient_ids))
    for start in range(0, len(ids), CHUNK):
        _refresh(ids[start : start + CHUNK], today)


def _refresh(ids: list[int], today: date | None) -> None:
    _store_usage(ids)
    states, mg_per_unit = load_states(ids)
    _store_badges(ids, states.values(), mg_per_unit)
    _store_checklists(ids, states.values(), today)
    _store_answers_due(ids, states.values())


def _given_or_booked(status: str, figure) -> sa.ScalarSelect:
    return (
        sa.select(sa.func.coalesce(figure, 0))
        .where(infusions.c.authorization_id == requests.c.id, infusions.c.status == status)
        .scalar_subquery()
    )


def _store_usage(ids: list[int]) -> None:
    """Units and visits given and booked per request, as services/usage.units_use counts them."""
    given, count = InfusionStatus.ADMINISTERED.value, sa.func.count()
    db.session.execute(
        _keeping_updated_at(sa.update(requests).where(requests.c.patient_id.in_(ids))).values(
            units_given=_given_or_booked(given, sa.func.sum(infusions.c.units_used)),
            visits_given=_given_or_booked(given, count),
            units_booked=_given_or_booked(BOOKED, sa.func.sum(infusions.c.units_reserved)),
            visits_booked=_given_or_booked(BOOKED, count),
        )
    )


def _keeping_updated_at(statement: sa.Update) -> sa.Update:
    """A derived fact is not an edit: the request's updated_at and version stay as they were."""
    return statement.values(updated_at=requests.c.updated_at)


def _store_badges(ids: list[int], states: Iterable[PatientState], mg_per_unit: dict) -> None:
    """Each booked infusion's runway badge and reason; none on the others."""
    rows = [
        {
            "b_id": step.infusion_id,
            "b_badge": str(step.badge),
            "b_summary": step.summary,
            "b_reason": _counted_reason(step),
        }
        for state in states
        for step in runways.project(state, mg_per_unit).steps
    ]
    if rows:
        db.session.execute(
            sa.update(infusions)
            .where(infusions.c.id == sa.bindparam("b_id"))
            .values(
                coverage_badge=sa.bindparam("b_badge"),
                coverage_summary=sa.bindparam("b_summary"),
                coverage_reason=sa.bindparam("b_reason"),
            ),
            rows,
        )
    db.session.execute(
        sa.update(infusions)
        .where(infusions.c.patient_id.in_(ids), infusions.c.status != BOOKED)
        .where(infusions.c.coverage_badge.is_not(None))
        .values(coverage_badge=None, coverage_summary=None, coverage_reason=None)
    )


def _counted_reason(step) -> str | None:
    """The one reason a booking not covered is counted under (domain/revenue.reason_of)."""
    if step.badge != Badge.NOT_COVERED:
        return None
    return revenue.reason_of(reason.code for reason in step.reasons)


def _store_checklists(ids, states: Iterable[PatientState], today: date | None) -> None:
    """Each draft or pended request's checklist as of its clinic's day; none on the others."""
    todo = [(s, a) for s in states for a in s.authorizations if a.status in PREPARING]
    if todo:
        catalog = reference.catalog()  # held: request_facts reads auth.drug from the session
        evidence = snapshots.evidence_by_patient({a.patient_id for _, a in todo})
        rows = [_checklist_row(s, a, evidence[a.patient_id], today) for s, a in todo]
        _update_requests(
            rows,
            "evidence_ready",
            "evidence_to_fix",
            "evidence_to_fix_count",
            "evidence_checked_on",
        )
        del catalog
    db.session.execute(
        _keeping_updated_at(sa.update(requests))
        .where(requests.c.patient_id.in_(ids), requests.c.status.not_in(PREPARING))
        .where(requests.c.evidence_checked_on.is_not(None))
        .values(
            evidence_ready=None,
            evidence_to_fix=None,
            evidence_to_fix_count=None,
            evidence_checked_on=None,
        )
    )


def _checklist_row(state: PatientState, auth, evidence, today: date | None) -> dict:
    day = today or clinic_today(state.clinic)
    policy = state.policies.get((auth.coverage.payer_id, auth.hcpcs_code))
    checklist = ev.build_checklist(
        snapshots.policy_facts(policy), snapshots.request_facts(auth), evidence, day
    )
    to_fix = [str(item.requirement) for item in checklist.problems]
    return {
        "b_id": auth.id,
        "b_evidence_ready": checklist.ready,
        "b_evidence_to_fix": to_fix,
        "b_evidence_to_fix_count": len(to_fix),
        "b_evidence_checked_on": day,
    }


def _store_answers_due(ids, states: Iterable[PatientState]) -> None:
    """When the payer's answer is due, for each request waiting on one; none on the others."""
    rows = [
        {"b_id": a.id, "b_answer_due_at": answer_due_at(a, state.clinic)}
        for state in states
        for a in state.authorizations
        if a.status in AWAITING_ANSWER
    ]
    _update_requests(rows, "answer_due_at")
    db.session.execute(
        _keeping_updated_at(sa.update(requests))
        .where(requests.c.patient_id.in_(ids), requests.c.status.not_in(AWAITING_ANSWER))
        .where(requests.c.answer_due_at.is_not(None))
        .values(answer_due_at=None)
    )


def _update_requests(rows: list[dict], *columns: str) -> None:
    if not rows:
        return
    values = {column: sa.bindparam(f"b_{column}") for column in columns}
    db.session.execute(
        _keeping_updated_at(sa.update(requests))
        .where(requests.c.id == sa.bindparam("b_id"))
        .values(**values),
        rows,
    )


def stale_patients(clinic_id: int, today: date) -> list[int]:
    """Patients with a stored fact missing or judged on another day than `today`, in one
    statement."""
    checklists = sa.select(requests.c.patient_id).where(
        requests.c.clinic_id == clinic_id,
        requests.c.status.in_(PREPARING),
        sa.or_(requests.c.evidence_checked_on.is_(None), requests.c.evidence_checked_on != today),
    )
    answers = sa.select(requests.c.patient_id).where(
        requests.c.clinic_id == clinic_id,
        requests.c.status.in_(AWAITING_ANSWER),
        requests.c.submitted_at.is_not(None),
        requests.c.answer_due_at.is_(None),
    )
    badges = sa.select(infusions.c.patient_id).where(
        infusions.c.clinic_id == clinic_id,
        infusions.c.status == BOOKED,
        infusions.c.coverage_badge.is_(None),
    )
    return list(db.session.scalars(sa.union(checklists, answers, badges)))


def refresh_stale(clinic_id: int, today: date) -> int:
    """Recompute what is stale in the clinic as of `today`; the patients refreshed."""
    ids = stale_patients(clinic_id, today)
    if ids:
        refresh_patients(ids, today)
    return len(ids)


def recompute_batches(
    clinic_ids: Iterable[int] | None = None, batch_size: int = 2000
) -> Iterator[int]:
    """Recompute every patient's facts, a batch at a time (flushed; the caller commits between
    batches to keep memory flat); yields the patients done in each batch."""
    query = sa.select(Patient.id).order_by(Patient.id)
    if clinic_ids is not None:
        query = query.where(Patient.clinic_id.in_(list(clinic_ids)))
    ids = list(db.session.scalars(query))
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        refresh_patients(batch)
        db.session.flush()
        yield len(batch)


def recompute_all(
    clinic_ids: Iterable[int] | None = None, batch_size: int = 2000, progress=None, after_batch=None
) -> int:
    """Every patient's facts; `after_batch()` runs after each batch (a command commits there),
    `progress(n)` is told how many patients each batch did. Returns the patients done."""
    done = 0
    for count in recompute_batches(clinic_ids, batch_size):
        done += count
        if after_batch:
            after_batch()
        if progress:
            progress(count)
    return done
