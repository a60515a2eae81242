"""The dashboard's work queues for one clinic, as the registry (domain/queues.py) defines
them, over the clinic's reminder states: every queue's rows from one shared load, in a fixed
number of queries however many requests, patients or infusions the clinic has.

A queue's count on the dashboard is len() of the same rows its list pages through, so the two
can never disagree; its flagged rows are those its reminder is due for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from priorauth.domain import queues as registry
from priorauth.domain.reminders import AuthState, InfusionState
from priorauth.errors import NotFound
from priorauth.models import Clinic, Infusion, Patient
from priorauth.queries.paging import Page, page_of
from priorauth.queries.reminders import ClinicState
from priorauth.services.usage import AuthorizationView


@dataclass
class QueueRow:
    """One line of a queue: a request, or a booked infusion with its schedule row; `day` is
    the queue's key date, `days` the days from today to it (negative: past), `flagged` that
    the queue's reminder is due for it (overdue, deadline near)."""

    patient: Patient
    state: AuthState | InfusionState
    auth: AuthorizationView | None = None
    booking: object = None
    day: date | datetime | None = None
    days: int | None = None
    flagged: bool = False
    units: int | None = None

    @property
    def infusion(self) -> Infusion | None:
        return self.booking.infusion if self.booking else None

    @property
    def ident(self) -> int:
        return self.state.id

    @property
    def code(self) -> str:
        return self.state.hcpcs_code

    @property
    def payer_name(self) -> str:
        return self.auth.coverage.payer.name if self.auth else ""

    @property
    def problems(self) -> tuple:
        return getattr(self.state, "evidence_problems", ())

    @property
    def badge(self) -> str | None:
        return self.booking.shown_badge if self.booking else None

    @property
    def summary(self) -> str:
        return self.booking.shown_summary if self.booking else ""

    @property
    def overdue(self) -> bool:
        return self.flagged and self.days is not None and self.days < 0

    def matches(self, text: str) -> bool:
        """The filter: the text in the patient's name or MRN, the payer or the code."""
        p = self.patient
        haystack = f"{p.first_name} {p.last_name} {p.mrn} {self.payer_name} {self.code}"
        return text.lower() in haystack.lower()


SORT_KEYS = {
    "request": lambda r: r.ident,
    "patient": lambda r: (r.patient.last_name.lower(), r.patient.first_name.lower()),
    "payer": lambda r: r.payer_name.lower(),
    "code": lambda r: r.code,
    "status": lambda r: r.auth.current_status,
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


def queue_named(name: str) -> registry.Queue:
    queue = registry.BY_NAME.get(name)
    if queue is None or not queue.on_dashboard:
        raise NotFound(f"no work queue named {name}")
    return queue


class ClinicQueues:
    """The clinic's dashboard queues at `now_local` (the clinic's local time)."""

    def __init__(self, clinic: Clinic, now_local: datetime):
        self.state = ClinicState(clinic, now_local)
        self.today, self.limits = self.state.today, self.state.limits

    def title(self, name: str) -> str:
        return queue_named(name).title_for(self.limits)

    def description(self, name: str) -> str:
        return queue_named(name).description_for(self.limits)

    @cached_property
    def _auths(self) -> dict[int, AuthorizationView]:
        return {a.id: a for a in self.state.auths}

    def rows(self, name: str) -> list[QueueRow]:
        queue = queue_named(name)
        return [self._row(queue, s) for s in self._members(queue)]

    def _members(self, queue: registry.Queue) -> list:
        states = self.state.infusion_states
        if queue.subject == registry.AUTHORIZATION:
            states = self.state.auth_states
        return registry.members(queue, states, self.state.now, self.limits)

    def _row(self, queue: registry.Queue, state) -> QueueRow:
        day = queue.day(state)
        flagged = queue.flags(state, self.state.now, self.limits)
        units = queue.units(state)
        if queue.subject == registry.INFUSION:
            booking = self.state.bookings[state.id]
            infusion = booking.infusion
            days = _days(day, self)
            return QueueRow(
                infusion.patient, state, None, booking, infusion.scheduled_at, days, flagged
            )
        auth = self._auths[state.id]
        return QueueRow(auth.patient, state, auth, None, day, _days(day, self), flagged, units)

    def counts(self) -> dict[str, int]:
        return {name: len(self.rows(name)) for name in registry.DASHBOARD}

    def flagged(self) -> dict[str, tuple[int, str]]:
        """Per queue with a reminder on part of it: (rows flagged, what the flag says)."""
        found = {}
        for name in registry.DASHBOARD:
            queue = registry.BY_NAME[name]
            if queue.reminder_title:
                count = sum(1 for row in self.rows(name) if row.flagged)
                found[name] = (count, queue.group_title_for(self.limits))
        return found


def _days(day: date | None, queues: ClinicQueues) -> int | None:
    return None if day is None else (day - queues.today).days


def queue_page(rows: list[QueueRow], text: str, page: int, per_page: int) -> Page:
    """The rows that match the filter text (all when empty), the page asked for."""
    if text:
        rows = [row for row in rows if row.matches(text)]
    return page_of(rows, page, per_page)
