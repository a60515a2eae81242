"""Collect the clinic's state in a fixed number of queries and ask the reminder rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from priorauth.domain import reminders as rules
from priorauth.domain.workflow import Status
from priorauth.extensions import db
from priorauth.models import Clinic, LabResult, PayerPolicy
from priorauth.services.authorizations import in_play
from priorauth.services.clock import to_clinic_time
from priorauth.services.eligibility import last_active_check
from priorauth.services.payers import policies_by_payer_and_code
from priorauth.services.schedule import schedule
from priorauth.services.usage import Usage, usage_by_authorization

WATCHED = ("draft", "pended", "submitted", "appealed", "approved", "partially_approved", "denied")


def thresholds_of(clinic: Clinic) -> rules.Thresholds:
    days = tuple(int(d) for d in clinic.expiring_days.split(",") if d.strip())
    return rules.Thresholds(
        expiring_days=days,
        uncovered_days=clinic.uncovered_days,
        appeal_days=clinic.appeal_days,
        upcoming_business_days=clinic.upcoming_business_days,
    )


def label(patient) -> str:
    """MRN and initials, never the name: reminders travel by email."""
    mrn = patient.mrn if patient.mrn.upper().startswith("MRN") else f"MRN {patient.mrn}"
    return f"{mrn} ({patient.initials})"


def _latest_labs(patient_ids: set[int]) -> dict[tuple[int, str], date]:
    if not patient_ids:
        return {}
    rows = db.session.execute(
        sa.select(LabResult.patient_id, LabResult.test, sa.func.max(LabResult.observed_on))
        .where(LabResult.patient_id.in_(patient_ids))
        .group_by(LabResult.patient_id, LabResult.test)
    ).all()
    return {(pid, test): day for pid, test, day in rows}


def _oldest_required_lab(policy: PayerPolicy | None, patient_id: int, labs: dict) -> date | None:
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


def _auth_state(auth, clinic, usage: Usage, policy, labs) -> rules.AuthState:
    payer = auth.coverage.payer
    used_units = None if auth.units_approved is None else auth.units_approved - usage.units_used
    visits = auth.administrations_approved
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
        units_left=used_units,
        administrations_left=None if visits is None else visits - usage.visits_used,
        units_needed_by_booked=usage.units_booked,
        booked_after_today=usage.visits_booked,
        appeal_deadline=auth.appeal_deadline,
        appealed=auth.status == Status.APPEALED,
        labs_max_age_days=policy.labs_max_age_days if policy else None,
        latest_lab_on=_oldest_required_lab(policy, auth.patient_id, labs),
    )


def authorization_states(clinic: Clinic, today: date) -> list[rules.AuthState]:
    auths = in_play(clinic.id, today)
    usage = usage_by_authorization(a.id for a in auths)
    policies = policies_by_payer_and_code(clinic.id)
    labs = _latest_labs({a.patient_id for a in auths if a.status in ("draft", "pended")})
    return [
        _auth_state(
            a,
            clinic,
            usage.get(a.id, Usage()),
            policies.get((a.coverage.payer_id, a.hcpcs_code)),
            labs,
        )
        for a in auths
    ]


def _reasons_text(step) -> tuple[tuple[str, ...], str]:
    """The step's blocking reasons (every booked infusion of the schedule has a step)."""
    blocking = [r for r in step.answer.reasons if r.code != "PA_NOT_REQUIRED"]
    return tuple(r.code for r in blocking), "; ".join(r.message for r in blocking)


def infusion_states(clinic: Clinic, today: date, until: date) -> list[rules.InfusionState]:
    rows = schedule(clinic.id, today, until, status="scheduled")
    verified = last_active_check(row.infusion.id for row in rows)
    states = []
    for row in rows:
        infusion, (codes, text) = row.infusion, _reasons_text(row.step)
        checked = verified.get(infusion.id)
        states.append(
            rules.InfusionState(
                id=infusion.id,
                patient_id=infusion.patient_id,
                patient_label=label(infusion.patient),
                hcpcs_code=infusion.hcpcs_code,
                scheduled_on=infusion.scheduled_at.date(),
                booked_at=to_clinic_time(clinic, infusion.booked_at),
                covered=row.step.answer.covered,
                reason_codes=codes,
                reason_text=text,
                last_verified_at=to_clinic_time(clinic, checked) if checked else None,
                authorization_id=infusion.authorization_id,
            )
        )
    return states


def reminders_for(clinic: Clinic, now_local: datetime) -> list[rules.Reminder]:
    """Every reminder due for the clinic at this local time, most urgent first."""
    today = now_local.date()
    limits = thresholds_of(clinic)
    until = max(
        today + timedelta(days=limits.uncovered_days),
        rules.add_business_days(today, limits.upcoming_business_days),
    )
    return rules.due_reminders(
        authorization_states(clinic, today),
        infusion_states(clinic, today, until),
        now_local,
        limits,
    )
