"""What needs attention: one registry that describes each work queue once (docs/domain.md §7).

A queue is a question asked of the reminder states (domain/reminders.py) with the clinic's
thresholds: which requests or booked infusions belong in it, which of them carry its reminder
(flagged on the dashboard, listed in the digest), what its page is called and shows, and which
roles see it first. The dashboard, the reminders page and the digest all read `QUEUES`;
adding a queue is one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime

from priorauth.domain import reminders as rem
from priorauth.domain.escalation import ESCALATED
from priorauth.domain.reminders import AuthState, InfusionState, ReminderType, Thresholds
from priorauth.domain.usage import left_after_booked
from priorauth.domain.vocab import Role
from priorauth.domain.workflow import AWAITING_PAYER, Status

ADMINISTRATION_UNDOCUMENTED = "ADMINISTRATION_UNDOCUMENTED"
TO_PREPARE = frozenset({Status.DRAFT, Status.PENDED})
AUTHORIZATION, INFUSION, ADMINISTRATION = "authorization", "infusion", "administration"

State = AuthState | InfusionState
Member = Callable[[State, datetime, Thresholds], bool]
RULES: dict[str, Callable] = {
    ReminderType.AUTH_EXPIRING: rem.auth_expiring,
    ReminderType.INFUSION_UNCOVERED: rem.infusion_uncovered,
    ReminderType.PAYER_RESPONSE_OVERDUE: rem.payer_response_overdue,
    ReminderType.APPEAL_DEADLINE: rem.appeal_deadline,
    ReminderType.UNITS_LOW: rem.units_low,
    ReminderType.EVIDENCE_STALE: rem.evidence_stale,
    ReminderType.INFUSION_UPCOMING: rem.infusion_upcoming,
    ReminderType.FOLLOW_UP_DUE: rem.follow_up_due,
    ReminderType.RENEWAL_DUE: rem.renewal_due,
}


def window_values(limits: Thresholds) -> dict[str, int]:
    """The names a queue's title and description may use: {uncovered_days} and the rest."""
    skip = ("expiring_days", "holidays")
    values = {f.name: getattr(limits, f.name) for f in fields(limits) if f.name not in skip}
    return {**values, "expiring_window": limits.expiring_window}


def has_reminder(kind: str) -> Member:
    """Membership: the reminder of this type is due for the state."""
    return lambda state, now, limits: RULES[kind](state, now, limits) is not None


def _evidence(ready: bool) -> Member:
    return lambda a, now, limits: a.status in TO_PREPARE and a.evidence_ready is ready


def _waiting(a: AuthState, now: datetime, limits: Thresholds) -> bool:
    return a.status in AWAITING_PAYER


def _appeal_open(a: AuthState, now: datetime, limits: Thresholds) -> bool:
    deadline = a.appeal_deadline
    return a.status == Status.DENIED and deadline is not None and deadline >= now.date()


def response_day(a: AuthState) -> date | None:
    due = rem.response_due(a)
    return due.date() if due else None


def units_after_bookings(a: AuthState) -> int | None:
    """Units left once the booked infusions are given (negative: short); None: unlimited."""
    return left_after_booked(a.units_not_yet_used, a.units_needed_by_booked)  # docs/domain.md §9


def units_short(a: AuthState) -> int | None:
    left = units_after_bookings(a)
    return None if left is None else -left


_REQUEST = (("request", "Request"), ("patient", "Patient"), ("payer", "Payer"), ("code", "Code"))
_BOOKING = (("date", "When"), ("patient", "Patient"), ("code", "Code"), ("coverage", "Coverage"))


@dataclass(frozen=True)
class Queue:
    """One work queue. title and description may name the clinic's windows ({uncovered_days},
    {expiring_window}, {appeal_days}, {upcoming_business_days}); `reminder` is the reminder
    type its flagged rows carry and its digest group lists (reminder_title names that group
    when it is not the whole queue); `day` is the row's key date, `units` its units figure.
    roles see the queue first on the dashboard and get its reminders in their digest (admins
    get every queue). on_dashboard False: a digest group with no dashboard card (yet)."""

    name: str
    title: str
    description: str
    subject: str
    member: Member | None
    columns: tuple[tuple[str, str], ...] = ()
    default_sort: tuple[str, str] = ("date", "asc")
    roles: frozenset[str] = frozenset()
    reminder: str | None = None
    reminder_title: str | None = None
    day: Callable[[State], date | None] = lambda state: None
    units: Callable[[State], int | None] = lambda state: None
    on_dashboard: bool = True

    def title_for(self, limits: Thresholds) -> str:
        return self.title.format(**window_values(limits))

    def description_for(self, limits: Thresholds) -> str:
        return self.description.format(**window_values(limits))

    def group_title_for(self, limits: Thresholds) -> str:
        """The digest group's title (and the dashboard's flag text)."""
        return (self.reminder_title or self.title).format(**window_values(limits))

    def flags(self, state: State, now: datetime, limits: Thresholds) -> bool:
        """Whether the row carries the queue's reminder (overdue, deadline near)."""
        return self.reminder in RULES and RULES[self.reminder](state, now, limits) is not None


FRONT_DESK, SCHEDULER, BILLING = (
    frozenset({Role.FRONT_DESK}),
    frozenset({Role.SCHEDULER}),
    frozenset({Role.BILLING}),
)

QUEUES: tuple[Queue, ...] = (
    Queue(
        "needs_evidence",
        "Needs evidence",
        "Draft or pended requests whose checklist still has items to fix.",
        AUTHORIZATION,
        _evidence(False),
        (*_REQUEST, ("status", "Status"), ("problems", "To fix"), ("date", "Requested start")),
        roles=FRONT_DESK,
        day=lambda a: a.requested_start,
    ),
    Queue(
        "ready_to_submit",
        "Ready to submit",
        "Draft or pended requests whose checklist is complete: send them.",
        AUTHORIZATION,
        _evidence(True),
        (*_REQUEST, ("status", "Status"), ("date", "Requested start")),
        roles=FRONT_DESK,
        day=lambda a: a.requested_start,
    ),
    Queue(
        "waiting_on_payer",
        "Waiting on payer",
        "Submitted or appealed requests; the payer's answer is outstanding.",
        AUTHORIZATION,
        _waiting,
        (
            *_REQUEST,
            ("status", "Status"),
            ("submitted", "Submitted"),
            ("date", "Answer due"),
            ("days", "Due"),
        ),
        ("days", "asc"),
        FRONT_DESK,
        ReminderType.PAYER_RESPONSE_OVERDUE,
        "Payer answers overdue",
        day=response_day,
    ),
    Queue(
        "appeal_open",
        "Appeal window open",
        "Denied requests whose appeal deadline has not passed.",
        AUTHORIZATION,
        _appeal_open,
        (*_REQUEST, ("date", "Appeal deadline"), ("days", "Days left")),
        ("days", "asc"),
        FRONT_DESK,
        ReminderType.APPEAL_DEADLINE,
        "Appeal deadline within {appeal_days} days",
        day=lambda a: a.appeal_deadline,
    ),
    Queue(
        "expiring",
        "Expiring within {expiring_window} days",
        "Approvals that end within the next {expiring_window} days and are not used up.",
        AUTHORIZATION,
        has_reminder(ReminderType.AUTH_EXPIRING),
        (*_REQUEST, ("date", "Ends"), ("days", "Days left"), ("units", "Units left")),
        ("days", "asc"),
        FRONT_DESK,
        ReminderType.AUTH_EXPIRING,
        day=lambda a: a.approved_end,
        units=units_after_bookings,
    ),
    Queue(
        "uncovered_soon",
        "Not covered in the next {uncovered_days} days",
        "Booked infusions of the next {uncovered_days} days whose badge on the schedule is"
        " “not covered”.",
        INFUSION,
        has_reminder(ReminderType.INFUSION_UNCOVERED),
        _BOOKING,
        roles=SCHEDULER,
        reminder=ReminderType.INFUSION_UNCOVERED,
        day=lambda i: i.scheduled_on,
    ),
    Queue(
        "units_low",
        "Units low",
        "Approvals whose units left cannot pay for the infusions booked on them.",
        AUTHORIZATION,
        has_reminder(ReminderType.UNITS_LOW),
        (*_REQUEST, ("date", "Ends"), ("units", "Units short")),
        ("units", "desc"),
        SCHEDULER,
        ReminderType.UNITS_LOW,
        day=lambda a: a.approved_end,
        units=units_short,
    ),
    Queue(
        "evidence_stale",
        "Evidence too old",
        "Draft or pended requests whose labs are missing or older than the payer accepts.",
        AUTHORIZATION,
        has_reminder(ReminderType.EVIDENCE_STALE),
        roles=FRONT_DESK,
        reminder=ReminderType.EVIDENCE_STALE,
        on_dashboard=False,
    ),
    Queue(
        "reverify_soon",
        "Upcoming infusions to re-verify",
        "Infusions of the next {upcoming_business_days} business days whose insurance was not"
        " re-verified since the booking.",
        INFUSION,
        has_reminder(ReminderType.INFUSION_UPCOMING),
        roles=SCHEDULER,
        reminder=ReminderType.INFUSION_UPCOMING,
        on_dashboard=False,
    ),
    Queue(
        "follow_up_due",
        "Follow-ups due",
        "Requests awaiting the payer with no follow-up for {follow_up_business_days} business"
        " days since the submission or the last follow-up.",
        AUTHORIZATION,
        has_reminder(ReminderType.FOLLOW_UP_DUE),
        roles=FRONT_DESK,
        reminder=ReminderType.FOLLOW_UP_DUE,
        on_dashboard=False,
    ),
    Queue(
        "renewal_due",
        "Renewals to start",
        "Approvals whose renewal must start now for the payer's usual turnaround to answer it"
        " before the first infusion it leaves uncovered (or its end).",
        AUTHORIZATION,
        has_reminder(ReminderType.RENEWAL_DUE),
        roles=FRONT_DESK,
        reminder=ReminderType.RENEWAL_DUE,
        on_dashboard=False,
    ),
    Queue(
        "undocumented",
        "Administrations missing documentation",
        "Infusions given in the last days that billing cannot claim as recorded.",
        ADMINISTRATION,
        None,
        roles=BILLING,
        reminder=ADMINISTRATION_UNDOCUMENTED,
        on_dashboard=False,
    ),
    Queue(
        "escalated",
        "Escalated",
        "Due reminders nobody acknowledged within the clinic's escalation business days.",
        AUTHORIZATION,
        None,
        reminder=ESCALATED,  # admins only: no role sees it first (docs/follow-through.md)
        on_dashboard=False,
    ),
)
BY_NAME = {queue.name: queue for queue in QUEUES}
DASHBOARD = tuple(queue.name for queue in QUEUES if queue.on_dashboard)
BY_REMINDER = {queue.reminder: queue for queue in QUEUES if queue.reminder}
REMINDER_ORDER = {
    kind: rank for rank, kind in enumerate((*ReminderType, ADMINISTRATION_UNDOCUMENTED, ESCALATED))
}


def sees(role: str, queue: Queue) -> bool:
    """Admins see every queue first; the others, the queues of their role."""
    return role == Role.ADMIN or role in queue.roles


def ordered_for(role: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the dashboard queues the role sees first; the others). A role with none sees all."""
    first = tuple(name for name in DASHBOARD if sees(role, BY_NAME[name]))
    if not first:
        return DASHBOARD, ()
    return first, tuple(name for name in DASHBOARD if name not in first)


def reminder_types_for(role: str) -> frozenset[str]:
    """The reminder types the role's digest lists: those of the queues it sees first."""
    return frozenset(kind for kind, queue in BY_REMINDER.items() if sees(role, queue))


def members(queue: Queue, states, now: datetime, limits: Thresholds) -> list:
    """The states of the queue's subject that belong in it."""
    return [state for state in states if queue.member(state, now, limits)]
