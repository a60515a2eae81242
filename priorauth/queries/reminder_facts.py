"""Loaded rows as the reminder rules see them: one authorization's `AuthState` or one booked
infusion's `InfusionState` out of its stored columns (usage, runway badge and reason), the
labs, the first booking an approval's end leaves uncovered."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from priorauth.domain import reminders as rules
from priorauth.domain.runway import AT_RISK, COVERED, NOT_COVERED
from priorauth.domain.workflow import APPROVED_STATUSES, Status
from priorauth.extensions import db
from priorauth.models import LabResult, PayerPolicy
from priorauth.queries.schedule import UNVERIFIED
from priorauth.services.clock import to_clinic_time

APPROVED = tuple(s.value for s in APPROVED_STATUSES)


def label(patient) -> str:
    """MRN and initials, never the name: reminders travel by email."""
    mrn = patient.mrn if patient.mrn.upper().startswith("MRN") else f"MRN {patient.mrn}"
    return f"{mrn} ({patient.first_name[:1]}.{patient.last_name[:1]}.)"


def latest_labs(patient_ids: set[int]) -> dict[tuple[int, str], date]:
    if not patient_ids:
        return {}
    rows = db.session.execute(
        sa.select(LabResult.patient_id, LabResult.test, sa.func.max(LabResult.observed_on))
        .where(LabResult.patient_id.in_(sorted(patient_ids)))
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


def by_patient_and_code(bookings) -> dict[tuple[int, str], list[tuple[date, int]]]:
    """Bookings (id, patient_id, hcpcs_code, scheduled_at) as {(patient, code): [(day, id)]}
    in the runway's order: day, then id."""
    found: dict[tuple[int, str], list[tuple[date, int]]] = {}
    for b in bookings:
        found.setdefault((b.patient_id, b.hcpcs_code), []).append((b.scheduled_at.date(), b.id))
    return {key: sorted(days) for key, days in found.items()}


def first_uncovered_after(row, bookings: dict) -> tuple[int, date] | None:
    """The patient's first booking of the code after the approval ends whose runway badge is
    "not covered": (infusion id, day). `bookings`: the not-covered ones, `by_patient_and_code`."""
    for day, infusion_id in bookings.get((row.patient_id, row.hcpcs_code), ()):
        if day > row.approved_end:
            return infusion_id, day
    return None


def _not_yet_used(approved: int | None, given: int) -> int | None:
    return None if approved is None else approved - given


def auth_state(row, clinic, policy, labs, uncovered, evidence_ready=None) -> rules.AuthState:
    """One authorization as the reminder rules see it, out of a row of stored columns."""
    booking_id, booking_on = uncovered or (None, None)
    submitted = to_clinic_time(clinic, row.submitted_at) if row.submitted_at else None
    return rules.AuthState(
        id=row.id,
        patient_id=row.patient_id,
        patient_label=label(row),
        hcpcs_code=row.hcpcs_code,
        status=row.status,
        urgency=row.urgency,
        submitted_at=submitted,
        standard_response_days=row.standard_response_days,
        expedited_response_hours=row.expedited_response_hours,
        approved_end=row.approved_end,
        units_not_yet_used=_not_yet_used(row.units_approved, row.units_given),  # §9
        administrations_not_yet_used=_not_yet_used(row.administrations_approved, row.visits_given),
        units_needed_by_booked=row.units_booked,
        booked_after_today=row.visits_booked,
        appeal_deadline=row.appeal_deadline,
        appealed=row.status == Status.APPEALED,
        labs_max_age_days=policy.labs_max_age_days if policy else None,
        latest_lab_on=oldest_required_lab(policy, row.patient_id, labs),
        payer=rules.PayerContact(
            row.payer_name, row.phone or None, row.portal_url or None, row.fax or None
        ),
        requested_start=row.requested_start,
        evidence_ready=row.evidence_ready,
        uncovered_booking_id=booking_id,
        uncovered_booking_on=booking_on,
    )


def infusion_state(row, clinic, checked, today: date, business_days: int):
    """One booked infusion as the rules see it: the stored runway badge, shown "at risk" when
    covered but not re-verified since the booking (time-dependent: computed here)."""
    unverified = rules.unverified_since_booking(
        today, row.scheduled_at.date(), row.booked_at, checked, business_days
    )
    badge, summary = row.coverage_badge, row.coverage_summary or ""
    if badge == COVERED and unverified:
        badge, summary = AT_RISK, UNVERIFIED
    return rules.InfusionState(
        id=row.id,
        patient_id=row.patient_id,
        patient_label=label(row),
        hcpcs_code=row.hcpcs_code,
        scheduled_on=row.scheduled_at.date(),
        booked_at=to_clinic_time(clinic, row.booked_at),
        covered=badge != NOT_COVERED,
        reason_text=summary if badge == NOT_COVERED else "",
        last_verified_at=to_clinic_time(clinic, checked) if checked else None,
        authorization_id=row.authorization_id,
        badge=badge,
    )
