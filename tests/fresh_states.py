"""The reminder states of a clinic computed from scratch, as the app did before the stored
attention facts (issue 12): usage summed from the infusions, checklists built, runways
projected, the payer's answer due from the submission. Tests compare what the app reads from
the stored facts (queries/queue_sql.py, queries/reminders.py) with these."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from priorauth.domain import evidence as ev
from priorauth.domain import reminders as rules
from priorauth.domain.queues import TO_PREPARE
from priorauth.domain.turnaround import turnaround_for
from priorauth.domain.vocab import InfusionStatus
from priorauth.domain.workflow import APPROVED_STATUSES, Status
from priorauth.models import Clinic
from priorauth.queries.reminder_facts import label, latest_labs, oldest_required_lab
from priorauth.queries.reminders import thresholds_of
from priorauth.queries.runway import NOT_COVERED, runways_for
from priorauth.queries.schedule import schedule
from priorauth.queries.turnaround import turnaround_rows
from priorauth.services import follow_ups, reference, renewals, snapshots
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
        more = self.follow_through()
        return [
            replace(
                self._auth_state(a, labs, checklists.get(a.id), uncovered.get(a.id)),
                **more.get(a.id, {}),
            )
            for a in self.auths
        ]

    def follow_through(self) -> dict[int, dict]:
        """Each awaiting request's last follow-up, each current approval's renewal facts, read
        row by row: the follow-ups, the runway, the renewals, the turnaround (FOLLOW_UP_DUE
        and RENEWAL_DUE, docs/follow-through.md)."""
        found: dict[int, dict] = {}
        for a in self.auths:
            done = follow_ups.follow_ups_of(self.clinic.id, a.id)
            if a.status in (Status.SUBMITTED, Status.APPEALED) and done:
                found[a.id] = {"last_follow_up_at": to_clinic_time(self.clinic, done[0].at)}
        current = [
            a
            for a in self.auths
            if a.status in APPROVED and (a.approved_end is None or a.approved_end >= self.today)
        ]
        runways = runways_for({a.patient_id for a in current})
        turnaround = turnaround_rows(self.clinic.id, self.today - timedelta(days=365))
        by_pair = {(r.payer_id, r.hcpcs_code): r for r in turnaround}
        for a in current:
            target = self._renewal_target(a, runways.get(a.patient_id))
            if target is None:
                continue
            payer = a.coverage.payer
            turn = turnaround_for(
                by_pair.get((payer.id, a.hcpcs_code)), payer.standard_response_days
            )
            renewing = any(
                r.status not in ("cancelled", "denied", "not_required")
                for r in renewals.renewals_of(self.clinic.id, a.id)
            )
            facts = rules.RenewalFacts(target[1], target[0], turn.days, turn.decisions, renewing)
            found[a.id] = {"renewal": facts}
        return found

    def _renewal_target(self, a, runway):
        usage = a.usage
        units_short = usage.units_not_yet_used is not None and (
            usage.units_not_yet_used < usage.units_booked
        )
        visits_short = usage.visits_approved is not None and (
            usage.visits_approved - usage.visits_given < usage.visits_booked
        )
        for step in runway.steps if runway else ():
            if step.infusion.hcpcs_code != a.hcpcs_code or step.badge != NOT_COVERED:
                continue
            if step.service_date < self.today:
                continue
            if units_short or visits_short:
                if a.approved_start is None or step.service_date >= a.approved_start:
                    return "first uncovered infusion", step.service_date
            elif a.approved_end is not None and step.service_date > a.approved_end:
                return "first uncovered infusion", step.service_date
        more = usage.visits_approved is not None and (
            usage.visits_approved > usage.visits_given + usage.visits_booked
        )
        if a.approved_end is not None and more:
            return "authorization end", a.approved_end
        return None

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
