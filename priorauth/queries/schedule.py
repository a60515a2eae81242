"""The schedule's day and week view: each infusion with its runway badge (read side)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from priorauth.domain.reminders import unverified_since_booking
from priorauth.domain.vocab import InfusionStatus
from priorauth.extensions import db
from priorauth.models import Clinic, Infusion
from priorauth.queries.runway import AT_RISK, COVERED, Step, runways_for
from priorauth.services.eligibility import last_active_check
from priorauth.services.infusions import list_infusions

UNVERIFIED = "insurance not re-verified since the booking: plans change mid-course"


@dataclass(frozen=True)
class ScheduleRow:
    """An infusion of the range; `step` is its runway step while it is still booked.

    `unverified`: booked within the clinic's re-verification window (business days ahead) and
    the insurance has not been found active since the booking.
    """

    infusion: Infusion
    step: Step | None
    unverified: bool = False

    @property
    def badge(self) -> str | None:
        return self.step.badge if self.step else None

    @property
    def shown_badge(self) -> str | None:
        """The scheduler's list: a covered but unverified infusion of the next days is at risk."""
        return AT_RISK if self.badge == COVERED and self.unverified else self.badge

    @property
    def shown_summary(self) -> str:
        if self.badge == COVERED and self.unverified:
            return UNVERIFIED
        return self.step.summary if self.step else ""


def schedule(clinic_id: int, start: date, end: date, status: str | None = None, *, today: date):
    """The infusions from start to end (clinic-local dates), each booked one with its badge;
    `today` is the clinic's day (the caller reads the clock once).

    A fixed number of queries however many infusions or patients: the range, the patients'
    state, the re-verifications.
    """
    infusions = list_infusions(clinic_id, start, end, status)
    runways = runways_for({i.patient_id for i in infusions if i.status == InfusionStatus.SCHEDULED})
    unverified = _unverified_soon(db.session.get(Clinic, clinic_id), infusions, today)
    return [ScheduleRow(i, _step(runways, i), i.id in unverified) for i in infusions]


def _unverified_soon(clinic: Clinic, infusions: list[Infusion], today: date) -> set[int]:
    """Booked infusions due within the re-verification window, not verified since booking."""
    booked = [i for i in infusions if i.status == InfusionStatus.SCHEDULED]
    verified = last_active_check(i.id for i in booked)
    days = clinic.upcoming_business_days
    return {
        i.id
        for i in booked
        if unverified_since_booking(today, i.scheduled_on, i.booked_at, verified.get(i.id), days)
    }


def _step(runways: dict, infusion: Infusion) -> Step | None:
    runway = runways.get(infusion.patient_id)
    return runway.step_for(infusion.id) if runway else None
