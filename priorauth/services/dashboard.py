"""The dashboard's work queues for one clinic: every queue's rows from one shared load, in a
fixed number of queries however many requests, patients or infusions the clinic has.

A queue's count on the dashboard is len() of the same rows its list pages through, so the two
can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

from priorauth.domain import evidence as ev
from priorauth.domain.workflow import APPROVED_STATUSES, AWAITING_PAYER, Status
from priorauth.errors import NotFound
from priorauth.models import (
    AuthorizationRequest,
    Infusion,
    Patient,
)
from priorauth.services import reference, snapshots
from priorauth.services.authorizations import in_play
from priorauth.services.coverage import decision_due
from priorauth.services.payers import policies_by_payer_and_code
from priorauth.services.runway import COVERED, Step
from priorauth.services.schedule import schedule
from priorauth.services.usage import annotate

EXPIRING_DAYS = 30
UNCOVERED_DAYS = 7
PAGE_SIZE = 25
QUEUES = (
    "needs_evidence",
    "ready_to_submit",
    "waiting_on_payer",
    "appeal_open",
    "expiring",
    "uncovered_soon",
    "units_low",
)
ROLE_FIRST = {
    "front_desk": (
        "needs_evidence",
        "ready_to_submit",
        "waiting_on_payer",
        "appeal_open",
        "expiring",
    ),
    "scheduler": ("uncovered_soon", "units_low", "expiring"),
    "billing": ("units_low", "expiring"),
    "admin": QUEUES,
}
TO_PREPARE = (Status.DRAFT.value, Status.PENDED.value)
APPROVED = tuple(s.value for s in APPROVED_STATUSES)


def ordered_for(role: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the role's own queues first, in its order; the other queues)."""
    first = ROLE_FIRST.get(role, QUEUES)
    return first, tuple(q for q in QUEUES if q not in first)


@dataclass
class QueueRow:
    """One line of a queue: a request, or (uncovered_soon) an infusion; `day` is the queue's
    key date, `days` its days left (overdue: days late), `units` its units figure."""

    patient: Patient
    auth: AuthorizationRequest | None = None
    infusion: Infusion | None = None
    day: date | datetime | None = None
    days: int | None = None
    overdue: bool = False
    problems: tuple = ()
    step: Step | None = None
    units: int | None = None

    @property
    def ident(self) -> int:
        return (self.auth or self.infusion).id

    @property
    def code(self) -> str:
        return (self.auth or self.infusion).hcpcs_code

    @property
    def payer_name(self) -> str:
        return self.auth.coverage.payer.name if self.auth else ""

    @property
    def badge(self) -> str | None:
        return self.step.badge if self.step else None


SORT_KEYS = {
    "request": lambda r: r.ident,
    "patient": lambda r: (r.patient.last_name.lower(), r.patient.first_name.lower()),
    "payer": lambda r: r.payer_name.lower(),
    "code": lambda r: r.code,
    "status": lambda r: r.auth.current_status or r.auth.status,
    "date": lambda r: r.day,
    "days": lambda r: r.days,
    "problems": lambda r: len(r.problems),
    "submitted": lambda r: r.auth.submitted_at,
    "units": lambda r: r.units,
    "coverage": lambda r: r.badge,
}


def sort_rows(rows: list[QueueRow], column: str, descending: bool = False) -> list[QueueRow]:
    """Rows by a SORT_KEYS column (ties by id); empty values last in either direction."""
    key = SORT_KEYS[column]
    rows = sorted(rows, key=lambda r: r.ident)
    present = [r for r in rows if key(r) is not None]
    empty = [r for r in rows if key(r) is None]
    return sorted(present, key=key, reverse=descending) + empty


@dataclass(frozen=True)
class Page:
    rows: list[QueueRow]
    number: int
    pages: int
    total: int


def paginate(rows: list[QueueRow], number: int, size: int = PAGE_SIZE) -> Page:
    """The page asked for, clamped to 1..pages (an empty list has one empty page)."""
    pages = max(1, -(-len(rows) // size))
    number = min(max(1, number), pages)
    return Page(rows[(number - 1) * size : number * size], number, pages, len(rows))


class ClinicQueues:
    """The clinic's queues as of `today`; each part is loaded once, on first use."""

    def __init__(self, clinic_id: int, today: date):
        self.clinic_id, self.today = clinic_id, today

    def rows(self, name: str) -> list[QueueRow]:
        if name not in QUEUES:
            raise NotFound(f"no work queue named {name}")
        return getattr(self, f"_{name}")()

    def counts(self) -> dict[str, int]:
        return {name: len(self.rows(name)) for name in QUEUES}

    def overdue(self) -> int:
        return sum(1 for row in self.rows("waiting_on_payer") if row.overdue)

    # the parts -----------------------------------------------------------------------------

    @cached_property
    def auths(self) -> list[AuthorizationRequest]:
        """Requests still in play, with patient, coverage, payer, usage and derived status."""
        rows = in_play(self.clinic_id, self.today)
        annotate(rows, self.today)
        return rows

    @cached_property
    def checklists(self) -> dict[int, ev.Checklist]:
        """Checklists of the draft and pended requests, by request id."""
        todo = [a for a in self.auths if a.status in TO_PREPARE]
        policies = policies_by_payer_and_code(self.clinic_id)
        self.catalog = reference.catalog()  # held, so that auth.drug is found in the session
        evidence = snapshots.evidence_by_patient({a.patient_id for a in todo})
        return {
            a.id: ev.build_checklist(
                snapshots.policy_facts(policies.get((a.coverage.payer_id, a.hcpcs_code))),
                snapshots.request_facts(a),
                evidence[a.patient_id],
                self.today,
            )
            for a in todo
        }

    @cached_property
    def booked_soon(self):
        """The booked infusions of the next UNCOVERED_DAYS days, each with its badge."""
        end = self.today + timedelta(days=UNCOVERED_DAYS)
        return schedule(self.clinic_id, self.today, end, "scheduled")

    # the queues ----------------------------------------------------------------------------

    def _to_prepare(self, ready: bool) -> list[QueueRow]:
        return [
            QueueRow(a.patient, a, day=a.requested_start, problems=self.checklists[a.id].problems)
            for a in self.auths
            if a.status in TO_PREPARE and self.checklists[a.id].ready is ready
        ]

    def _needs_evidence(self) -> list[QueueRow]:
        return self._to_prepare(ready=False)

    def _ready_to_submit(self) -> list[QueueRow]:
        return self._to_prepare(ready=True)

    def _waiting_on_payer(self) -> list[QueueRow]:
        rows = []
        for auth in self.auths:
            if auth.status in AWAITING_PAYER:
                due = decision_due(auth)
                late = (self.today - due).days if due else None
                rows.append(
                    QueueRow(
                        auth.patient,
                        auth,
                        day=due,
                        days=late,
                        overdue=late is not None and late > 0,
                    )
                )
        return rows

    def _expiring(self) -> list[QueueRow]:
        until = self.today + timedelta(days=EXPIRING_DAYS)
        return [
            QueueRow(
                a.patient,
                a,
                day=a.approved_end,
                days=(a.approved_end - self.today).days,
                units=a.units_left,
            )
            for a in self.auths
            if a.current_status in APPROVED and a.approved_end and a.approved_end <= until
        ]

    def _appeal_open(self) -> list[QueueRow]:
        return [
            QueueRow(
                a.patient, a, day=a.appeal_deadline, days=(a.appeal_deadline - self.today).days
            )
            for a in self.auths
            if a.status == Status.DENIED and a.appeal_deadline >= self.today
        ]

    def _units_low(self) -> list[QueueRow]:
        """Approvals whose units left after the used ones cannot pay for the booked ones."""
        return [
            QueueRow(a.patient, a, day=a.approved_end, units=-a.units_left)
            for a in self.auths
            if a.status in APPROVED and a.units_left is not None and a.units_left < 0
        ]

    def _uncovered_soon(self) -> list[QueueRow]:
        return [
            QueueRow(
                row.infusion.patient,
                infusion=row.infusion,
                step=row.step,
                day=row.infusion.scheduled_at,
                days=(row.infusion.scheduled_at.date() - self.today).days,
            )
            for row in self.booked_soon
            if row.badge != COVERED
        ]
