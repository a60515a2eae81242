"""The clinic's reminder states, loaded once in a fixed number of queries, and the reminders
the rules derive from them (docs/domain.md §7). The dashboard queues, the reminders page, the
API and the digest all start from one `ClinicState`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cached_property

from priorauth.domain import evidence as ev
from priorauth.domain import reminders as rules
from priorauth.domain.queues import TO_PREPARE
from priorauth.domain.vocab import InfusionStatus
from priorauth.models import Clinic
from priorauth.queries import reminder_facts as facts
from priorauth.queries.runway import NOT_COVERED, runways_for
from priorauth.queries.schedule import schedule
from priorauth.services import reference, snapshots
from priorauth.services.authorizations import in_play
from priorauth.services.clock import to_clinic_time
from priorauth.services.eligibility import last_active_check
from priorauth.services.payers import policies_by_payer_and_code
from priorauth.services.usage import AuthorizationView, views

label = facts.label


def thresholds_of(clinic: Clinic) -> rules.Thresholds:
    days = tuple(int(d) for d in clinic.expiring_days.split(",") if d.strip())
    return rules.Thresholds(
        expiring_days=days,
        uncovered_days=clinic.uncovered_days,
        appeal_days=clinic.appeal_days,
        upcoming_business_days=clinic.upcoming_business_days,
    )


class ClinicState:
    """What the reminder rules see of the clinic at `now_local`; each part loaded on first use.

    `auths` and `bookings` keep the loaded rows (patients, payers, badges) for the pages."""

    def __init__(self, clinic: Clinic, now_local: datetime):
        self.clinic, self.now = clinic, now_local
        self.today = now_local.date()
        self.limits = thresholds_of(clinic)

    @cached_property
    def auths(self) -> list[AuthorizationView]:
        """Requests still in play, with patient, coverage, payer, units use and derived status."""
        return views(in_play(self.clinic.id, self.today), self.today)

    @cached_property
    def policies(self) -> dict:
        return policies_by_payer_and_code(self.clinic.id)

    @cached_property
    def checklists(self) -> dict[int, ev.Checklist]:
        """Checklists of the draft and pended requests, by request id."""
        todo = [a for a in self.auths if a.status in TO_PREPARE]
        self.catalog = reference.catalog()  # held, so that auth.drug is found in the session
        evidence = snapshots.evidence_by_patient({a.patient_id for a in todo})
        return {
            a.id: ev.build_checklist(
                snapshots.policy_facts(self.policies.get((a.coverage.payer_id, a.hcpcs_code))),
                snapshots.request_facts(a.auth),
                evidence[a.patient_id],
                self.today,
            )
            for a in todo
        }

    @cached_property
    def until(self) -> date:
        """The last day a booked infusion can be due a reminder."""
        return max(
            self.today + timedelta(days=self.limits.uncovered_days),
            rules.add_business_days(self.today, self.limits.upcoming_business_days),
        )

    @cached_property
    def bookings(self) -> dict[int, object]:
        """The booked infusions up to `until`, as the schedule shows them (badge included)."""
        rows = schedule(
            self.clinic.id, self.today, self.until, InfusionStatus.SCHEDULED, today=self.today
        )
        return {row.infusion.id: row for row in rows}

    @cached_property
    def left_uncovered(self) -> dict[int, tuple[int, date]]:
        """Per approval ending within the expiring window: the first booking after its end
        that the schedule's badge says is not covered (infusion id, day)."""
        last = self.today + timedelta(days=self.limits.expiring_window)
        ending = [
            a
            for a in self.auths
            if a.current_status in facts.APPROVED and a.approved_end and a.approved_end <= last
        ]
        runways = runways_for({a.patient_id for a in ending})
        found = {a.id: facts.first_uncovered_after(a.auth, runways) for a in ending}
        return {auth_id: first for auth_id, first in found.items() if first}

    @cached_property
    def auth_states(self) -> list[rules.AuthState]:
        labs = facts.latest_labs({a.patient_id for a in self.auths if a.status in TO_PREPARE})
        checklists, uncovered = self.checklists, self.left_uncovered
        return [
            facts.auth_state(
                a.auth,
                self.clinic,
                a.usage,
                self.policies.get((a.coverage.payer_id, a.hcpcs_code)),
                labs,
                checklists.get(a.id),
                uncovered.get(a.id),
            )
            for a in self.auths
        ]

    @cached_property
    def infusion_states(self) -> list[rules.InfusionState]:
        verified = last_active_check(self.bookings)
        return [self._infusion_state(row, verified.get(i)) for i, row in self.bookings.items()]

    def _infusion_state(self, row, checked: datetime | None) -> rules.InfusionState:
        infusion, badge = row.infusion, row.shown_badge
        return rules.InfusionState(
            id=infusion.id,
            patient_id=infusion.patient_id,
            patient_label=label(infusion.patient),
            hcpcs_code=infusion.hcpcs_code,
            scheduled_on=infusion.scheduled_at.date(),
            booked_at=to_clinic_time(self.clinic, infusion.booked_at),
            covered=badge != NOT_COVERED,
            reason_text=row.shown_summary if badge == NOT_COVERED else "",
            last_verified_at=to_clinic_time(self.clinic, checked) if checked else None,
            authorization_id=infusion.authorization_id,
            badge=badge,
        )

    def reminders(self) -> list[rules.Reminder]:
        """Every reminder due at `now`, most urgent first."""
        return rules.due_reminders(self.auth_states, self.infusion_states, self.now, self.limits)


def reminders_for(clinic: Clinic, now_local: datetime) -> list[rules.Reminder]:
    """Every reminder due for the clinic at this local time, most urgent first."""
    return ClinicState(clinic, now_local).reminders()
