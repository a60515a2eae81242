"""State + now + thresholds -> the reminders that are due (docs/domain.md §7).

Reminders are derived from state on every call, never stored. `now` is a naive datetime in
the clinic's local time; the day it falls on is `as_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from priorauth.domain.attention import (
    AuthState,
    InfusionState,
    PayerContact,
    RenewalFacts,
    Thresholds,
)
from priorauth.domain.business_days import add_business_days
from priorauth.domain.coverage import answer_due
from priorauth.domain.turnaround import RenewalTiming, Turnaround, renewal_timing
from priorauth.domain.usage import left_after_booked
from priorauth.domain.workflow import APPROVED_STATUSES, AWAITING_PAYER, Status, derived_status

EVIDENCE_STATUSES = frozenset({Status.DRAFT, Status.PENDED})
DEFAULT_THRESHOLDS = Thresholds()


class ReminderType(StrEnum):
    """Declaration order is the tie-break order among reminders equally urgent."""

    AUTH_EXPIRING = "AUTH_EXPIRING"
    INFUSION_UNCOVERED = "INFUSION_UNCOVERED"
    PAYER_RESPONSE_OVERDUE = "PAYER_RESPONSE_OVERDUE"
    APPEAL_DEADLINE = "APPEAL_DEADLINE"
    UNITS_LOW = "UNITS_LOW"
    EVIDENCE_STALE = "EVIDENCE_STALE"
    INFUSION_UPCOMING = "INFUSION_UPCOMING"
    FOLLOW_UP_DUE = "FOLLOW_UP_DUE"
    RENEWAL_DUE = "RENEWAL_DUE"


TYPE_ORDER = {kind: index for index, kind in enumerate(ReminderType)}


@dataclass(frozen=True)
class Reminder:
    """urgency: days from as_of until due_date (negative = overdue), the sort key."""

    type: ReminderType
    due_date: date
    message: str
    authorization_id: int | None = None
    infusion_id: int | None = None
    patient_id: int | None = None
    urgency: int = 0
    payer: PayerContact | None = None


def due_reminders(
    auths: Iterable[AuthState],
    infusions: Iterable[InfusionState],
    now: datetime,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[Reminder]:
    """Every reminder due at `now`, most urgent first (urgency, then type, then id)."""
    found: list[Reminder] = []
    for auth in auths:
        found.extend(r for rule in AUTH_RULES if (r := rule(auth, now, thresholds)))
    for infusion in infusions:
        found.extend(r for rule in INFUSION_RULES if (r := rule(infusion, now, thresholds)))
    return sorted(found, key=_sort_key)


def _sort_key(reminder: Reminder) -> tuple[int, int, int, int]:
    ids = (reminder.authorization_id or 0, reminder.infusion_id or 0)
    if reminder.infusion_id is not None:
        ids = ids[::-1]
    return (reminder.urgency, TYPE_ORDER[reminder.type], *ids)


def _count(n: int, unit: str = "day") -> str:
    """A count with its unit, plural when needed: 1 day, 3 days, 2 units."""
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _for_auth(auth: AuthState, kind: ReminderType, due: date, as_of: date, text: str):
    message = f"{auth.patient_label}, {auth.hcpcs_code} authorization #{auth.id}: {text}."
    days = (due - as_of).days
    return Reminder(kind, due, message, auth.id, None, auth.patient_id, days, auth.payer)


def _for_infusion(inf: InfusionState, kind: ReminderType, as_of: date, text: str):
    due = inf.scheduled_on
    message = f"{inf.patient_label}, {inf.hcpcs_code} infusion on {due}: {text}."
    ids = (inf.authorization_id, inf.id, inf.patient_id)
    return Reminder(kind, due, message, *ids, urgency=(due - as_of).days)


def current_status(auth: AuthState, as_of: date) -> Status:
    """The status as of the day: approvals read expired or exhausted once used up (§5)."""
    return derived_status(
        auth.status,
        today=as_of,
        approved_end=auth.approved_end,
        units_not_yet_used=auth.units_not_yet_used,
        administrations_not_yet_used=auth.administrations_not_yet_used,
    )


def auth_expiring(auth: AuthState, now: datetime, limits: Thresholds) -> Reminder | None:
    """An approval, not expired nor exhausted, ending within the widest expiring tier."""
    as_of = now.date()
    if current_status(auth, as_of) not in APPROVED_STATUSES or auth.approved_end is None:
        return None
    left = (auth.approved_end - as_of).days
    tiers = sorted(limits.expiring_days)
    if not tiers or not 0 <= left <= tiers[-1]:
        return None
    tier = next(t for t in tiers if left <= t)
    when = "today" if left == 0 else f"in {_count(left)}"
    text = f"ends {when} (within {tier}), on {auth.approved_end}{_remaining(auth)}"
    text += _left_uncovered(auth)
    return _for_auth(auth, ReminderType.AUTH_EXPIRING, auth.approved_end, as_of, text)


def _left_uncovered(auth: AuthState) -> str:
    """Names the first booking the approval's end leaves without coverage, if there is one."""
    if auth.uncovered_booking_on is None:
        return ""
    return (
        f"; the first booking it leaves uncovered is infusion #{auth.uncovered_booking_id}"
        f" on {auth.uncovered_booking_on}"
    )


def _remaining(auth: AuthState) -> str:
    parts = []
    if auth.units_not_yet_used is not None:
        left = left_after_booked(auth.units_not_yet_used, auth.units_needed_by_booked)
        parts.append(f"{_count(left, 'unit')} left")
    if auth.booked_after_today:
        parts.append(f"{_count(auth.booked_after_today, 'infusion')} booked")
    return f", {' and '.join(parts)}" if parts else ""


def response_due(auth: AuthState) -> datetime | None:
    """When the payer's answer is due: last submission + the payer's response time."""
    if auth.submitted_at is None:
        return None
    return answer_due(
        auth.submitted_at, auth.urgency, auth.standard_response_days, auth.expedited_response_hours
    )


def _late(due: datetime, now: datetime, expedited: bool) -> str:
    """Hours late (a started hour counts) when expedited, else calendar days late."""
    if expedited:
        whole, rest = divmod(now - due, timedelta(hours=1))
        return f"{_count(whole + (1 if rest else 0), 'hour')} late"
    days = (now.date() - due.date()).days
    return f"{_count(days)} late" if days else f"late since {due:%H:%M} today"


def payer_response_overdue(auth: AuthState, now: datetime, _: Thresholds) -> Reminder | None:
    due = response_due(auth)
    if auth.status not in AWAITING_PAYER or due is None or now <= due:
        return None
    expedited = auth.urgency == "expedited"
    if expedited:
        allowed = _count(auth.expedited_response_hours, "hour")
    else:
        allowed = _count(auth.standard_response_days)
    late = _late(due, now, expedited)
    sent = f"{auth.status} {auth.submitted_at:%Y-%m-%d %H:%M}"
    text = f"payer answer due {due:%Y-%m-%d %H:%M} ({allowed} after {sent}), {late}"
    return _for_auth(auth, ReminderType.PAYER_RESPONSE_OVERDUE, due.date(), now.date(), text)


def appeal_deadline(auth: AuthState, now: datetime, limits: Thresholds) -> Reminder | None:
    as_of, deadline = now.date(), auth.appeal_deadline
    if auth.status != Status.DENIED or auth.appealed or deadline is None:
        return None
    left = (deadline - as_of).days
    if not 0 <= left <= limits.appeal_days:
        return None
    when = "today" if left == 0 else f"in {_count(left)}"
    text = f"denied, no appeal yet; the appeal deadline {deadline} is {when}"
    return _for_auth(auth, ReminderType.APPEAL_DEADLINE, deadline, as_of, text)


def units_low(auth: AuthState, now: datetime, _: Thresholds) -> Reminder | None:
    left, needed = auth.units_not_yet_used, auth.units_needed_by_booked
    if auth.status not in APPROVED_STATUSES or left is None or left >= needed:
        return None
    booked = _count(auth.booked_after_today, "booked infusion")
    after = _count(left_after_booked(left, needed), "unit")
    text = f"{booked} need {needed} units but {left} are not yet used: {needed - left} short"
    text += f" ({after} left)"
    return _for_auth(auth, ReminderType.UNITS_LOW, now.date(), now.date(), text)


def evidence_stale(auth: AuthState, now: datetime, _: Thresholds) -> Reminder | None:
    as_of, max_age, lab_on = now.date(), auth.labs_max_age_days, auth.latest_lab_on
    if auth.status not in EVIDENCE_STATUSES or max_age is None:
        return None
    if lab_on is None:
        text = f"no labs on file; the payer needs labs at most {_count(max_age)} old"
        return _for_auth(auth, ReminderType.EVIDENCE_STALE, as_of, as_of, text)
    age = (as_of - lab_on).days
    if age <= max_age:
        return None
    due = lab_on + timedelta(days=max_age)
    text = f"latest labs from {lab_on} are {_count(age)} old, over the payer's {max_age}"
    return _for_auth(auth, ReminderType.EVIDENCE_STALE, due, as_of, text)


def infusion_uncovered(inf: InfusionState, now: datetime, limits: Thresholds) -> Reminder | None:
    as_of = now.date()
    if inf.covered or not 0 <= (inf.scheduled_on - as_of).days <= limits.uncovered_days:
        return None
    why = inf.reason_text or "no reason given"
    return _for_infusion(inf, ReminderType.INFUSION_UNCOVERED, as_of, f"not covered: {why}")


def unverified_since_booking(
    today: date,
    service_date: date,
    booked_at: datetime,
    last_verified_at: datetime | None,
    business_days: int,
) -> bool:
    """Due from today to `business_days` business days ahead, and the insurance not found
    active since the booking (docs/domain.md §7): the schedule's flag and INFUSION_UPCOMING."""
    if not today <= service_date <= add_business_days(today, business_days):
        return False
    return last_verified_at is None or last_verified_at < booked_at


def infusion_upcoming(inf: InfusionState, now: datetime, limits: Thresholds) -> Reminder | None:
    as_of, verified = now.date(), inf.last_verified_at
    days = limits.upcoming_business_days
    if not unverified_since_booking(as_of, inf.scheduled_on, inf.booked_at, verified, days):
        return None
    since = f"booked {inf.booked_at:%Y-%m-%d %H:%M}"
    if verified is None:
        text = f"insurance never re-verified ({since})"
    else:
        text = f"insurance last re-verified {verified:%Y-%m-%d %H:%M}, before it was {since}"
    return _for_infusion(inf, ReminderType.INFUSION_UPCOMING, as_of, text)


def follow_up_due_on(auth: AuthState, limits: Thresholds) -> date | None:
    """Awaiting the payer: the clinic's follow-up business days after the last submission
    (or appeal) or the last follow-up, whichever is later; holidays skipped."""
    if auth.status not in AWAITING_PAYER or auth.submitted_at is None:
        return None
    last = max(auth.submitted_at, auth.last_follow_up_at or auth.submitted_at)
    return add_business_days(last.date(), limits.follow_up_business_days, limits.holidays)


def follow_up_due(auth: AuthState, now: datetime, limits: Thresholds) -> Reminder | None:
    due, as_of = follow_up_due_on(auth, limits), now.date()
    if due is None or as_of < due:
        return None
    followed = auth.last_follow_up_at is not None and auth.last_follow_up_at > auth.submitted_at
    if followed:
        since = f"the last follow-up on {auth.last_follow_up_at:%Y-%m-%d}"
    else:
        since = f"it was {auth.status} on {auth.submitted_at:%Y-%m-%d}"
    days = _count(limits.follow_up_business_days, "business day")
    text = f"follow up with the payer: due {due}, {days} after {since}"
    return _for_auth(auth, ReminderType.FOLLOW_UP_DUE, due, as_of, text)


def renewal_start(facts: RenewalFacts, limits: Thresholds) -> RenewalTiming:
    """When the approval's renewal must start, and how that day is reached (the reminder and
    the request page say the same)."""
    turnaround = Turnaround(facts.turnaround_days, facts.decisions)
    buffer = limits.renewal_buffer_business_days
    return renewal_timing(facts.target, facts.target_on, turnaround, buffer, limits.holidays)


def renewal_due(auth: AuthState, now: datetime, limits: Thresholds) -> Reminder | None:
    """An approval whose renewal must start by now: the day it must be answered by, minus
    the payer's turnaround for the code, minus the clinic's buffer (domain/turnaround.py)."""
    facts, as_of = auth.renewal, now.date()
    if facts is None or facts.renewal_in_progress or auth.status not in APPROVED_STATUSES:
        return None
    timing = renewal_start(facts, limits)
    if as_of < timing.start_by:
        return None
    text = f"start the renewal by {timing.start_by}: {timing.explanation}"
    return _for_auth(auth, ReminderType.RENEWAL_DUE, timing.start_by, as_of, text)


Rule = Callable[..., Reminder | None]
AUTH_RULES: tuple[Rule, ...] = (
    auth_expiring,
    payer_response_overdue,
    appeal_deadline,
    units_low,
    evidence_stale,
    follow_up_due,
    renewal_due,
)
INFUSION_RULES: tuple[Rule, ...] = (infusion_uncovered, infusion_upcoming)
