"""The facts FOLLOW_UP_DUE and RENEWAL_DUE need, loaded for a set of requests in a fixed
number of statements (docs/follow-through.md): each request's last follow-up, the payers'
turnaround per code, the renewals already in progress, and the day each approval's renewal
must be answered by (the first booked infusion it will not cover, or its end when more
infusions are planned)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from priorauth.domain.attention import RenewalFacts, Thresholds
from priorauth.domain.business_days import add_business_days
from priorauth.domain.reminders import renewal_start
from priorauth.domain.turnaround import RenewalTiming, Turnaround, TurnaroundRow, turnaround_for
from priorauth.domain.workflow import APPROVED_STATUSES, Status
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as AR
from priorauth.models import Clinic, FollowUp, Infusion, Payer
from priorauth.queries import turnaround
from priorauth.queries.queue_sql import NOT_COVERED, At
from priorauth.services.clock import to_clinic_time
from priorauth.services.holidays import clinic_holidays

APPROVED = tuple(s.value for s in APPROVED_STATUSES)
NOT_IN_PROGRESS = (Status.CANCELLED.value, Status.DENIED.value, Status.NOT_REQUIRED.value)
HISTORY = timedelta(days=365)  # renewals are timed by the payers' last year of decisions
FIRST_UNCOVERED = "first uncovered infusion"
AUTHORIZATION_END = "authorization end"


def last_follow_ups(clinic: Clinic, auth_ids: list[int]) -> dict[int, datetime]:
    """{request id: its latest follow-up, clinic-local}."""
    query = (
        sa.select(FollowUp.authorization_id, sa.func.max(FollowUp.at))
        .where(FollowUp.clinic_id == clinic.id, FollowUp.authorization_id.in_(auth_ids))
        .group_by(FollowUp.authorization_id)
    )
    return {aid: to_clinic_time(clinic, at) for aid, at in db.session.execute(query)}


def turnaround_by_pair(clinic_id: int, today: date) -> dict[tuple[int, str], TurnaroundRow]:
    """The payers' turnaround per code over the last year's decisions."""
    rows = turnaround.turnaround_rows(clinic_id, today - HISTORY)
    return {(row.payer_id, row.hcpcs_code): row for row in rows}


def horizon(clinic_id: int, today: date, pairs: dict, limits: Thresholds) -> date:
    """The latest answer-by day whose renewal can be due today: today + the longest
    turnaround (recorded or configured) + the buffer."""
    configured = db.session.scalar(
        sa.select(sa.func.max(Payer.standard_response_days)).where(Payer.clinic_id == clinic_id)
    )
    longest = max([configured or 0, *(row.p80_days for row in pairs.values())])
    buffer = add_business_days(today, limits.renewal_buffer_business_days, limits.holidays)
    return buffer + timedelta(days=longest)


def candidates(at: At, last_day: date):
    """Approvals whose renewal may be due: still current and ending by `last_day`, or short
    of units or administrations for their bookings."""
    short = sa.or_(
        sa.and_(
            AR.units_approved.is_not(None), AR.units_approved - AR.units_given < AR.units_booked
        ),
        sa.and_(
            AR.administrations_approved.is_not(None),
            AR.administrations_approved - AR.visits_given < AR.visits_booked,
        ),
    )
    ends_soon = AR.approved_end.between(at.today, last_day)
    current = sa.or_(AR.approved_end.is_(None), AR.approved_end >= at.today)
    return sa.and_(AR.status.in_(APPROVED), sa.or_(ends_soon, sa.and_(current, short)))


def current(row, today: date) -> bool:
    """An approval (stored status) not past its end: the one a renewal would follow."""
    ended = row.approved_end is not None and row.approved_end < today
    return row.status in APPROVED and not ended


def renewing(clinic_id: int, auth_ids: list[int]) -> set[int]:
    """The approvals among these with a renewal in progress (or done): a request renewing
    them that is not cancelled, denied or not required."""
    query = sa.select(AR.renews_id).where(
        AR.clinic_id == clinic_id,
        AR.renews_id.in_(auth_ids),
        AR.status.not_in(NOT_IN_PROGRESS),
    )
    return set(db.session.scalars(query))


def uncovered_bookings(clinic_id: int, patient_ids: list[int], today: date) -> dict:
    """{(patient, code): [(day, infusion id)]}: booked infusions from today whose stored
    runway badge is "not covered", in the runway's order."""
    query = sa.select(Infusion.id, Infusion.patient_id, Infusion.hcpcs_code, Infusion.scheduled_at)
    query = query.where(
        Infusion.clinic_id == clinic_id,
        Infusion.coverage_badge == NOT_COVERED,
        Infusion.scheduled_at >= datetime.combine(today, time.min),
        Infusion.patient_id.in_(patient_ids),
    )
    found: dict = {}
    for row in db.session.execute(query):
        key = (row.patient_id, row.hcpcs_code)
        found.setdefault(key, []).append((row.scheduled_at.date(), row.id))
    return {key: sorted(days) for key, days in found.items()}


def _more_planned(row) -> bool:
    """More infusions are planned than are given or booked: approved administrations not
    yet booked (with no limit on administrations nothing says so)."""
    if row.administrations_approved is None:
        return False
    return row.administrations_approved > row.visits_given + row.visits_booked


def short(row) -> bool:
    """The bookings on the approval need more units or administrations than it has left."""
    units = (
        row.units_approved is not None and row.units_approved - row.units_given < row.units_booked
    )
    visits = row.administrations_approved is not None and (
        row.administrations_approved - row.visits_given < row.visits_booked
    )
    return units or visits


def _leaves_uncovered(row, day: date) -> bool:
    """A not-covered booking the approval leaves uncovered: after its end, or from its start
    when it is short of units or administrations."""
    if short(row):
        return day >= (row.approved_start or date.min)
    return row.approved_end is not None and day > row.approved_end


def renewal_target(row, bookings: dict) -> tuple[str, date] | None:
    """The day the renewal must be answered by: the first not-covered booking of the patient
    and code the approval leaves uncovered, else its end when more infusions are planned."""
    for day, _ in bookings.get((row.patient_id, row.hcpcs_code), ()):
        if _leaves_uncovered(row, day):
            return FIRST_UNCOVERED, day
    if row.approved_end is not None and _more_planned(row):
        return AUTHORIZATION_END, row.approved_end
    return None


def renewal_facts(row, bookings: dict, turn: Turnaround, in_progress: set[int]):
    """One approval's RenewalFacts (row: its request's columns), or None when nothing needs
    renewing."""
    target = renewal_target(row, bookings)
    if target is None:
        return None
    return RenewalFacts(target[1], target[0], turn.days, turn.decisions, row.id in in_progress)


def facts_for(clinic: Clinic, rows: list, today: date, pairs: dict) -> dict[int, dict]:
    """{request id: the AuthState fields FOLLOW_UP_DUE and RENEWAL_DUE read} for loaded
    request rows (three statements, whatever their number)."""
    awaiting = [r.id for r in rows if r.status in (Status.SUBMITTED, Status.APPEALED)]
    approved = [r for r in rows if current(r, today)]
    followed = last_follow_ups(clinic, awaiting)
    in_progress = renewing(clinic.id, [r.id for r in approved])
    bookings = uncovered_bookings(clinic.id, sorted({r.patient_id for r in approved}), today)
    found: dict[int, dict] = {aid: {"last_follow_up_at": at} for aid, at in followed.items()}
    for row in approved:
        turn = turnaround_for(pairs.get((row.payer_id, row.hcpcs_code)), row.standard_response_days)
        facts = renewal_facts(row, bookings, turn, in_progress)
        if facts is not None:
            found[row.id] = {"renewal": facts}
    return found


def renewal_of(
    clinic: Clinic, auth, today: date
) -> tuple[RenewalFacts | None, RenewalTiming | None]:
    """The request page's renewal timing of an approval (three statements): its facts and
    when its renewal must start, or (None, None) when nothing needs renewing."""
    if not current(auth, today):
        return None, None
    payer = auth.coverage.payer
    pair = (payer.id, auth.hcpcs_code)
    rows = turnaround.turnaround_rows(clinic.id, today - HISTORY, [pair])
    turn = turnaround_for(rows[0] if rows else None, payer.standard_response_days)
    bookings = uncovered_bookings(clinic.id, [auth.patient_id], today)
    facts = renewal_facts(auth, bookings, turn, renewing(clinic.id, [auth.id]))
    if facts is None:
        return None, None
    limits = Thresholds(
        renewal_buffer_business_days=clinic.renewal_buffer_business_days,
        holidays=clinic_holidays(clinic),
    )
    return facts, renewal_start(facts, limits)
