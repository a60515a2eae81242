"""A generated clinic for the attention tests: requests of every status with dates on the
edges of the clinic's windows (ending today, at the widest expiring tier and one day past it,
ended yesterday; appeal deadlines today, at appeal_days and one past; payer answers due an hour
before and an hour after a given moment), approvals used up in units or visits, units short,
and bookings covered, uncovered and at risk from yesterday to three weeks ahead."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from priorauth.extensions import db
from priorauth.models import (
    AuthorizationRequest,
    Clinic,
    Coverage,
    EligibilityCheck,
    Infusion,
    LabResult,
    Patient,
    Payer,
    PayerPolicy,
)

CODE = "J1439"  # 1 mg per unit
STATUSES = (
    "draft", "pended", "submitted", "appealed", "approved", "partially_approved", "denied",
    "cancelled", "approved", "approved",
)  # fmt: skip


def _ends(today: date) -> list:
    """Approval ends on the edges: yesterday, today, a tier, the widest tier and one past."""
    days = (-1, 0, 7, 30, 31, 90)
    return [None, *(today + timedelta(days=d) for d in days)]


def _request(rng, clinic, patient, coverage, status, today, overdue_at: datetime):
    start = today - timedelta(days=rng.randint(0, 200))
    auth = AuthorizationRequest(
        clinic_id=clinic.id, patient_id=patient.id, coverage_id=coverage.id, hcpcs_code=CODE,
        diagnosis_codes=["D50.9"] if rng.random() < 0.7 else [], dose_mg=100,
        administrations=5, units_requested=500, requested_start=start,
        requested_end=start + timedelta(days=180), status=status,
        urgency=rng.choice(("standard", "expedited")),
    )  # fmt: skip
    if status in ("submitted", "appealed", "pended", "approved", "partially_approved", "denied"):
        hours = rng.choice((73, 72, 71, 24, 24 * 15 + 1, 24 * 15, 24 * 15 - 1, 5, 24 * 40))
        auth.submitted_at = overdue_at - timedelta(hours=hours)
        auth.submission_channel = "portal"
    if status in ("approved", "partially_approved"):
        auth.approved_end = rng.choice(_ends(today))
        auth.approved_start = min(today - timedelta(days=120), auth.approved_end or today)
        auth.units_approved = rng.choice((None, 300, 500, 200))
        auth.administrations_approved = rng.choice((None, 3, 5))
        auth.auth_number = f"A{rng.randint(1000, 9999)}"
    if status == "denied":
        auth.appeal_deadline = rng.choice(
            [today + timedelta(days=d) for d in (-1, 0, 1, 14, 15, 60)]
        )
    return auth


def _infusions(rng, clinic, patient, auth, today):
    rows = []
    approved = auth.status in ("approved", "partially_approved")
    for _ in range(rng.randint(0, 3) if approved else 0):
        given = datetime.combine(today - timedelta(days=rng.randint(1, 60)), time(10))
        rows.append(
            Infusion(
                clinic_id=clinic.id,
                patient_id=patient.id,
                hcpcs_code=CODE,
                authorization_id=auth.id,
                scheduled_at=given,
                dose_mg=100,
                units_reserved=100,
                status="administered",
                administered_at=given,
                units_used=100,
                dose_given_mg=100,
            )  # fmt: skip
        )
    for _ in range(rng.randint(0, 3)):
        day = today + timedelta(days=rng.choice((-1, 0, 0, 1, 2, 3, 6, 7, 8, 14, 20)))
        when = datetime.combine(day, time(rng.choice((0, 8, 13, 23)), rng.choice((0, 59))))
        rows.append(
            Infusion(
                clinic_id=clinic.id,
                patient_id=patient.id,
                hcpcs_code=CODE,
                authorization_id=auth.id if approved and rng.random() < 0.8 else None,
                scheduled_at=when,
                dose_mg=rng.choice((100, 200)),
                units_reserved=rng.choice((100, 200)),
                status="scheduled",
                booked_at=datetime.combine(today - timedelta(days=rng.randint(0, 9)), time(9)),
            )  # fmt: skip
        )
    return rows


def generate(seed: int, today: date, overdue_at: datetime, patients: int = 40) -> Clinic:
    """A clinic on UTC with `patients` patients; `overdue_at` is the moment around which the
    payers' answers fall due (an hour before and after, among others)."""
    rng = random.Random(seed)
    clinic = Clinic(name=f"Generated {seed}", timezone="UTC")
    db.session.add(clinic)
    db.session.flush()
    payers = []
    for n, (days, hours, labs) in enumerate(((15, 72, 90), (5, 24, None))):
        payer = Payer(
            clinic_id=clinic.id, name=f"Payer {n}", standard_response_days=days,
            expedited_response_hours=hours, phone="555-0100" if n else None,
        )  # fmt: skip
        db.session.add(payer)
        db.session.flush()
        db.session.add(
            PayerPolicy(
                clinic_id=clinic.id,
                payer_id=payer.id,
                hcpcs_code=CODE,
                pa_required=True,
                accepted_diagnoses=["D50.9"],
                labs_max_age_days=labs,
                ferritin_max=100 if labs else None,
            )  # fmt: skip
        )
        payers.append(payer)
    for n in range(patients):
        patient = Patient(
            clinic_id=clinic.id, mrn=f"G{seed}-{n:03d}", first_name=f"Gen{n:03d}",
            last_name=rng.choice(("Able", "baker", "Çelik", "Dunn", "O'Hara")),
            birth_date=date(1960, 1, 1),
        )  # fmt: skip
        db.session.add(patient)
        db.session.flush()
        coverage = Coverage(
            clinic_id=clinic.id, patient_id=patient.id, payer_id=rng.choice(payers).id,
            member_id=f"M{n}", start_date=today - timedelta(days=400),
            end_date=rng.choice((None, None, today + timedelta(days=5))),
        )  # fmt: skip
        db.session.add(coverage)
        if rng.random() < 0.6:
            db.session.add(
                LabResult(
                    clinic_id=clinic.id,
                    patient_id=patient.id,
                    test="ferritin",
                    value=50,
                    observed_on=today - timedelta(days=rng.choice((10, 89, 90, 91, 200))),
                )  # fmt: skip
            )
        db.session.flush()
        for _ in range(rng.randint(1, 3)):
            status = rng.choice(STATUSES)
            auth = _request(rng, clinic, patient, coverage, status, today, overdue_at)
            db.session.add(auth)
            db.session.flush()
            booked = _infusions(rng, clinic, patient, auth, today)
            db.session.add_all(booked)
            db.session.flush()
            for infusion in booked:
                if infusion.status == "scheduled" and rng.random() < 0.4:
                    db.session.add(
                        EligibilityCheck(
                            clinic_id=clinic.id,
                            infusion_id=infusion.id,
                            patient_id=patient.id,
                            method="portal",
                            result="active",
                            checked_at=infusion.booked_at + timedelta(hours=rng.choice((-1, 1))),
                        )  # fmt: skip
                    )
    db.session.commit()
    return clinic
