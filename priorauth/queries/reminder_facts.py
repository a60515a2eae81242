"""Loaded rows as the reminder rules see them: one authorization's `AuthState`, the labs, the
first booking an approval's end leaves uncovered."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from priorauth.domain import evidence as ev
from priorauth.domain import reminders as rules
from priorauth.domain.workflow import APPROVED_STATUSES, Status
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, LabResult, PayerPolicy
from priorauth.queries.runway import NOT_COVERED
from priorauth.services.clock import to_clinic_time
from priorauth.services.usage import UnitsUse

APPROVED = tuple(s.value for s in APPROVED_STATUSES)


def label(patient) -> str:
    """MRN and initials, never the name: reminders travel by email."""
    mrn = patient.mrn if patient.mrn.upper().startswith("MRN") else f"MRN {patient.mrn}"
    return f"{mrn} ({patient.initials})"


def latest_labs(patient_ids: set[int]) -> dict[tuple[int, str], date]:
    if not patient_ids:
        return {}
    rows = db.session.execute(
        sa.select(LabResult.patient_id, LabResult.test, sa.func.max(LabResult.observed_on))
        .where(LabResult.patient_id.in_(patient_ids))
        .group_by(LabResult.patient_id, LabResult.test)
    ).all()
    return {(pid, test): day for pid, test, day in rows}


def oldest_required_lab(policy: PayerPolicy | None, patient_id: int, labs: dict) -> date | None:
    """The oldest of the latest labs the policy asks for (None when none is on file)."""
    if policy is None:
        return None
    wanted = {
        "ferritin": policy.ferritin_max or policy.ferritin_max_ckd,
        "tsat": policy.tsat_max or policy.tsat_max_ckd,
        "hemoglobin": policy.hemoglobin_max,
    }
    dates = [
        labs[(patient_id, t)] for t, limit in wanted.items() if limit and (patient_id, t) in labs
    ]
    return min(dates) if dates else None


def payer_contact(auth: AuthorizationRequest) -> rules.PayerContact:
    payer = auth.coverage.payer
    return rules.PayerContact(payer.name, payer.phone or None, payer.portal_url or None)


def first_uncovered_after(auth: AuthorizationRequest, runways: dict) -> tuple[int, date] | None:
    """The patient's first booking of the code after the approval ends that the schedule's
    badge says is not covered: (infusion id, day)."""
    runway = runways.get(auth.patient_id)
    for step in runway.steps if runway else ():
        later = step.service_date > auth.approved_end
        if later and step.infusion.hcpcs_code == auth.hcpcs_code and step.badge == NOT_COVERED:
            return step.infusion.id, step.service_date
    return None


def _evidence(checklist: ev.Checklist | None) -> dict:
    if checklist is None:
        return {}
    return {"evidence_ready": checklist.ready, "evidence_problems": checklist.problems}


def auth_state(auth, clinic, usage: UnitsUse, policy, labs, checklist, uncovered):
    """One authorization as the reminder rules and the queues see it."""
    payer = auth.coverage.payer
    booking_id, booking_on = uncovered or (None, None)
    return rules.AuthState(
        id=auth.id,
        patient_id=auth.patient_id,
        patient_label=label(auth.patient),
        hcpcs_code=auth.hcpcs_code,
        status=auth.status,
        urgency=auth.urgency,
        submitted_at=to_clinic_time(clinic, auth.submitted_at) if auth.submitted_at else None,
        standard_response_days=payer.standard_response_days,
        expedited_response_hours=payer.expedited_response_hours,
        approved_end=auth.approved_end,
        units_not_yet_used=usage.units_not_yet_used,  # docs/domain.md §9
        administrations_not_yet_used=usage.visits_not_yet_used,
        units_needed_by_booked=usage.units_booked,
        booked_after_today=usage.visits_booked,
        appeal_deadline=auth.appeal_deadline,
        appealed=auth.status == Status.APPEALED,
        labs_max_age_days=policy.labs_max_age_days if policy else None,
        latest_lab_on=oldest_required_lab(policy, auth.patient_id, labs),
        payer=payer_contact(auth),
        requested_start=auth.requested_start,
        uncovered_booking_id=booking_id,
        uncovered_booking_on=booking_on,
        **_evidence(checklist),
    )
