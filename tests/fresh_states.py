"""The reminder states of a clinic computed from scratch, as the app did before the stored
attention facts (issue 12): usage summed from the infusions, checklists built, runways
projected, the payer's answer due from the submission. Tests compare what the app reads from
the stored facts (queries/queue_sql.py, queries/reminders.py) with these."""

from __future__ import annotations

from datetime import datetime, timedelta

from priorauth.domain import evidence as ev
from priorauth.domain import reminders as rules
from priorauth.domain.queues import TO_PREPARE
from priorauth.domain.vocab import InfusionStatus
from priorauth.domain.workflow import APPROVED_STATUSES, Status
from priorauth.models import Clinic
from priorauth.queries.reminder_facts import label, latest_labs, oldest_required_lab
from priorauth.queries.reminders import thresholds_of
from priorauth.queries.runway import NOT_COVERED, runways_for
from priorauth.queries.schedule import schedule
from priorauth.services import reference, snapshots
from priorauth.services.authorizations import in_play
from priorauth.services.clock import to_clinic_time
from priorauth.services.eligibility import last_active_check
from priorauth.services.payers import policies_by_payer_and_code
from priorauth.services.usage import views

APPROVED = {s.value for s in APPROVED_STATUSES}


class FreshState:
    """auth_states and infusion_states of the clinic at `now`, nothing read from the facts."""

    def __init__(self, clinic: Clinic, now: datetime):
        self.clinic, self.now, self.today = clinic, now, now.date()
        self.limits = thresholds_of(clinic)
        self.auths = views(in_play(clinic.id, self.today), self.today)
        self.policies = policies_by_payer_and_code(clinic.id)
        until = max(
            self.today + timedelta(days=self.limits.uncovered_days),
            rules.add_business_days(self.today, self.limits.upcoming_business_days),
        )
        rows = schedule(clinic.id, self.today, until, InfusionStatus.SCHEDULED, today=self.today)
        self.bookings = {row.infusion.id: row for row in rows}

    def _policy(self, a):
        return self.policies.get((a.coverage.payer_id, a.hcpcs_code))

    def checklists(self) -> dict[int, ev.Checklist]:
        todo = [a for a in self.auths if a.status in TO_PREPARE]
        self.catalog = reference.catalog()
        evidence = snapshots.evidence_by_patient({a.patient_id for a in todo})
        return {
            a.id: ev.build_checklist(
                snapshots.policy_facts(self._policy(a)),
                snapshots.request_facts(a.auth),
                evidence[a.patient_id],
                self.today,
            )
            for a in todo
        }

    def left_uncovered(self) -> dict[int, tuple[int, object]]:
        last = self.today + timedelta(days=self.limits.expiring_window)
        ending = [
            a
            for a in self.auths
            if a.current_status in APPROVED and a.approved_end and a.approved_end <= last
        ]
        runways = runways_for({a.patient_id for a in ending})
        found = {}
        for a in ending:
            runway = runways.get(a.patient_id)
            for step in runway.steps if runway else ():
                later = step.service_date > a.approved_end
                if later and step.infusion.hcpcs_code == a.hcpcs_code and step.badge == NOT_COVERED:
                    found[a.id] = (step.infusion.id, step.service_date)
                    break
        return found

    def auth_states(self) -> list[rules.AuthState]:
        labs = latest_labs({a.patient_id for a in self.auths if a.status in TO_PREPARE})
        checklists, uncovered = self.checklists(), self.left_uncovered()
        return [
            self._auth_state(a, labs, checklists.get(a.id), uncovered.get(a.id)) for a in self.auths
        ]

    def _auth_state(self, a, labs, checklist, uncovered) -> rules.AuthState:
        payer, policy, usage = a.coverage.payer, self._policy(a), a.usage
        booking_id, booking_on = uncovered or (None, None)
        evidence = {}
        if checklist is not None:
            evidence = {"evidence_ready": checklist.ready, "evidence_problems": checklist.problems}
        submitted = to_clinic_time(self.clinic, a.submitted_at) if a.submitted_at else None
        return rules.AuthState(
            id=a.id,
            patient_id=a.patient_id,
            patient_label=label(a.patient),
            hcpcs_code=a.hcpcs_code,
            status=a.status,
            urgency=a.urgency,
            submitted_at=submitted,
            standard_response_days=payer.standard_response_days,
            expedited_response_hours=payer.expedited_response_hours,
            approved_end=a.approved_end,
            units_not_yet_used=usage.units_not_yet_used,
            administrations_not_yet_used=usage.visits_not_yet_used,
            units_needed_by_booked=usage.units_booked,
            booked_after_today=usage.visits_booked,
            appeal_deadline=a.appeal_deadline,
            appealed=a.status == Status.APPEALED,
            labs_max_age_days=policy.labs_max_age_days if policy else None,
            latest_lab_on=oldest_required_lab(policy, a.patient_id, labs),
            payer=rules.PayerContact(
                payer.name, payer.phone or None, payer.portal_url or None, payer.fax or None
            ),
            requested_start=a.requested_start,
            uncovered_booking_id=booking_id,
            uncovered_booking_on=booking_on,
            **evidence,
        )

    def infusion_states(self) -> list[rules.InfusionState]:
        verified = last_active_check(self.bookings)
        return [self._infusion_state(row, verified.get(i)) for i, row in self.bookings.items()]

    def _infusion_state(self, row, checked) -> rules.InfusionState:
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
        return rules.due_reminders(
            self.auth_states(), self.infusion_states(), self.now, self.limits
        )
