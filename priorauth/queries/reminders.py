"""The clinic's reminder states and the reminders the rules derive from them (docs/domain.md
§7), read from the stored attention facts (services/attention.py) in a fixed number of
statements: for each reminder type only its candidates are loaded (the SQL of its queue in
queries/queue_sql.py, or a window of days), then the rules in domain/reminders.py decide.
The reminders page, the API and the digest all start from one `ClinicState`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cached_property

import sqlalchemy as sa

from priorauth.domain import reminders as rules
from priorauth.domain.vocab import InfusionStatus
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest as AR
from priorauth.models import Clinic, Coverage, Infusion, Patient, Payer
from priorauth.queries import follow_through, queue_sql
from priorauth.queries import reminder_facts as facts
from priorauth.services.attention import refresh_stale
from priorauth.services.clock import clinic_today
from priorauth.services.eligibility import last_active_check
from priorauth.services.holidays import clinic_holidays
from priorauth.services.payers import policies_by_payer_and_code

label = facts.label


def thresholds_of(clinic: Clinic) -> rules.Thresholds:
    days = tuple(int(d) for d in clinic.expiring_days.split(",") if d.strip())
    return rules.Thresholds(
        expiring_days=days,
        uncovered_days=clinic.uncovered_days,
        appeal_days=clinic.appeal_days,
        upcoming_business_days=clinic.upcoming_business_days,
        follow_up_business_days=clinic.follow_up_business_days,
        renewal_buffer_business_days=clinic.renewal_buffer_business_days,
        holidays=clinic_holidays(clinic),
    )


def _auth_candidates(at: queue_sql.At, renewal_until: date):
    """Requests some reminder may be due for: expiring, awaiting the payer (answer overdue,
    follow-up due), appeal deadline near, units low (their queues' SQL), every draft or
    pended request (its labs' age is judged in Python), approvals to renew."""
    sql = queue_sql.SQL
    return sa.or_(
        sql["expiring"].member(at),
        sql["waiting_on_payer"].member(at),
        follow_through.candidates(at, renewal_until),
        sa.and_(sql["appeal_open"].member(at), sql["appeal_open"].flag(at)),
        sql["units_low"].member(at),
        AR.status.in_(queue_sql.PREPARING),
    )


class ClinicState:
    """What the reminder rules see of the clinic at `now_local`; each part loaded on first use.

    Stale stored facts are refreshed first (flushed: a page commits after)."""

    def __init__(self, clinic: Clinic, now_local: datetime):
        self.clinic, self.now = clinic, now_local
        self.today = now_local.date()
        self.limits = thresholds_of(clinic)
        self.at = queue_sql.At(clinic.id, now_local, self.limits)
        refresh_stale(clinic.id, clinic_today(clinic))

    def _owned(self, model, key):
        return sa.and_(model.id == key, model.clinic_id == self.clinic.id)

    @cached_property
    def auth_rows(self) -> list:
        columns = (
            AR.id, AR.patient_id, AR.hcpcs_code, AR.status, AR.urgency, AR.submitted_at,
            AR.approved_start, AR.approved_end, AR.units_approved, AR.units_given, AR.units_booked,
            AR.administrations_approved, AR.visits_given, AR.visits_booked, AR.appeal_deadline,
            AR.requested_start, AR.evidence_ready, Coverage.payer_id, Patient.mrn,
            Patient.first_name, Patient.last_name, Payer.name.label("payer_name"), Payer.phone,
            Payer.portal_url, Payer.fax, Payer.standard_response_days,
            Payer.expedited_response_hours,
        )  # fmt: skip
        query = (
            sa.select(*columns)
            .join(Patient, self._owned(Patient, AR.patient_id))
            .join(Coverage, self._owned(Coverage, AR.coverage_id))
            .join(Payer, self._owned(Payer, Coverage.payer_id))
            .where(AR.clinic_id == self.clinic.id, _auth_candidates(self.at, self.renewal_until))
            .order_by(AR.id)
        )
        return db.session.execute(query).all()

    def _not_covered_after_today(self, patient_ids: set[int]) -> list:
        """The not-covered bookings of these patients after today (an approval ending today
        or later leaves only those uncovered)."""
        if not patient_ids:
            return []
        query = sa.select(
            Infusion.id, Infusion.patient_id, Infusion.hcpcs_code, Infusion.scheduled_at
        ).where(
            Infusion.clinic_id == self.clinic.id,
            Infusion.status == InfusionStatus.SCHEDULED.value,
            Infusion.coverage_badge == queue_sql.NOT_COVERED,
            Infusion.scheduled_at >= self.at.midnight(1),
            Infusion.patient_id.in_(sorted(patient_ids)),
        )
        return db.session.execute(query).all()

    @cached_property
    def turnaround(self) -> dict:
        """The payers' turnaround per code (RENEWAL_DUE is timed by it)."""
        return follow_through.turnaround_by_pair(self.clinic.id, self.today)

    @cached_property
    def renewal_until(self) -> date:
        """The latest answer-by day whose renewal can be due now."""
        return follow_through.horizon(self.clinic.id, self.today, self.turnaround, self.limits)

    @cached_property
    def auth_states(self) -> list[rules.AuthState]:
        rows, last = self.auth_rows, self.today + timedelta(days=self.limits.expiring_window)
        ending = [
            r
            for r in rows
            if r.status in facts.APPROVED and r.approved_end and r.approved_end <= last
        ]
        bookings = facts.by_patient_and_code(
            self._not_covered_after_today({r.patient_id for r in ending})
        )
        uncovered = {r.id: facts.first_uncovered_after(r, bookings) for r in ending}
        preparing = {r.patient_id for r in rows if r.status in queue_sql.PREPARING}
        labs = facts.latest_labs(preparing)
        policies = policies_by_payer_and_code(self.clinic.id) if preparing else {}
        more = follow_through.facts_for(self.clinic, rows, self.today, self.turnaround)
        return [
            replace(
                facts.auth_state(
                    r,
                    self.clinic,
                    policies.get((r.payer_id, r.hcpcs_code)),
                    labs,
                    uncovered.get(r.id),
                ),
                **more.get(r.id, {}),
            )
            for r in rows
        ]

    @cached_property
    def until_upcoming(self) -> date:
        """The last day an upcoming infusion can be due a re-verification reminder."""
        return rules.add_business_days(self.today, self.limits.upcoming_business_days)

    @cached_property
    def infusion_rows(self) -> list:
        """Bookings some reminder may be due for: not covered within the uncovered window
        (the queue's SQL), or due within the re-verification window."""
        upcoming = sa.and_(
            Infusion.scheduled_at >= self.at.midnight(),
            Infusion.scheduled_at < self.at.midnight((self.until_upcoming - self.today).days + 1),
        )
        query = (
            sa.select(
                Infusion.id,
                Infusion.patient_id,
                Infusion.hcpcs_code,
                Infusion.scheduled_at,
                Infusion.booked_at,
                Infusion.authorization_id,
                Infusion.coverage_badge,
                Infusion.coverage_summary,
                Patient.mrn,
                Patient.first_name,
                Patient.last_name,
            )  # fmt: skip
            .join(Patient, self._owned(Patient, Infusion.patient_id))
            .where(Infusion.clinic_id == self.clinic.id)
            .where(Infusion.status == InfusionStatus.SCHEDULED.value)
            .where(sa.or_(queue_sql.SQL["uncovered_soon"].member(self.at), upcoming))
            .order_by(Infusion.id)
        )
        return db.session.execute(query).all()

    @cached_property
    def infusion_states(self) -> list[rules.InfusionState]:
        rows = self.infusion_rows
        verified = last_active_check(r.id for r in rows)
        days = self.limits.upcoming_business_days
        return [
            facts.infusion_state(r, self.clinic, verified.get(r.id), self.today, days) for r in rows
        ]

    def reminders(self) -> list[rules.Reminder]:
        """Every reminder due at `now`, most urgent first."""
        return rules.due_reminders(self.auth_states, self.infusion_states, self.now, self.limits)


def reminders_for(clinic: Clinic, now_local: datetime) -> list[rules.Reminder]:
    """Every reminder due for the clinic at this local time, most urgent first."""
    return ClinicState(clinic, now_local).reminders()
