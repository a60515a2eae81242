"""No silent caps (issue 12): a clinic with more than 500 bookings in the next 7 days, some of
them not covered, finds every uncovered one on the dashboard's count, in its queue (every
page) and in the scheduler's digest. The bookings are bulk-inserted with no stored badge: the
first read refreshes the stale facts (services/attention.refresh_stale)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import (
    AuthorizationRequest,
    Coverage,
    Infusion,
    Patient,
    Payer,
    PayerPolicy,
)
from priorauth.queries.digests import digest_for, items_on
from tests import factories
from tests.api.builders import TODAY
from tests.web.test_dashboard import all_rows, counts

PATIENTS, PER_PATIENT = 66, 10  # 660 bookings over the next 7 days
UNCOVERED_EVERY = 5  # every fifth patient has no approval: 14 patients, 140 bookings


def _clinic_with_bookings(clinic) -> set[int]:
    """The clinic's patients, approvals and bookings; the ids of the uncovered bookings."""
    payer = Payer(clinic_id=clinic.id, name="Busy Health")
    db.session.add(payer)
    db.session.flush()
    db.session.add(PayerPolicy(clinic_id=clinic.id, payer_id=payer.id, hcpcs_code="J1439"))
    uncovered_patients = set()
    for n in range(PATIENTS):
        patient = Patient(
            clinic_id=clinic.id, mrn=f"BZ-{n:03d}", first_name=f"Busy{n:03d}",
            last_name="Patient", birth_date=date(1960, 1, 1),
        )  # fmt: skip
        patient.coverages.append(
            Coverage(
                clinic_id=clinic.id,
                payer_id=payer.id,
                member_id=f"M{n}",
                start_date=TODAY - timedelta(days=365),
            )  # fmt: skip
        )
        db.session.add(patient)
        db.session.flush()
        if n % UNCOVERED_EVERY == 0:
            uncovered_patients.add(patient.id)
            continue
        db.session.add(
            AuthorizationRequest(
                clinic_id=clinic.id,
                patient_id=patient.id,
                coverage_id=patient.coverages[0].id,
                hcpcs_code="J1439",
                dose_mg=100,
                administrations=20,
                units_requested=2000,
                requested_start=TODAY - timedelta(days=10),
                requested_end=TODAY + timedelta(days=60),
                status="approved",
                approved_start=TODAY - timedelta(days=10),
                approved_end=TODAY + timedelta(days=60),
                auth_number=f"A{n}",
            )  # fmt: skip
        )
    db.session.commit()
    _bulk_book(clinic, sorted(db.session.scalars(
        sa.select(Patient.id).where(Patient.clinic_id == clinic.id))))  # fmt: skip
    return set(
        db.session.scalars(
            sa.select(Infusion.id).where(Infusion.patient_id.in_(sorted(uncovered_patients)))
        )
    )


def _bulk_book(clinic, patient_ids: list[int]) -> None:
    """PER_PATIENT bookings each, from tomorrow to 7 days ahead, in one Core insert (no
    session flush: no stored badge until a reader refreshes the stale facts)."""
    rows = [
        {
            "clinic_id": clinic.id,
            "patient_id": pid,
            "hcpcs_code": "J1439",
            "scheduled_at": datetime.combine(TODAY + timedelta(days=1 + k % 7), time(8 + k)),
            "dose_mg": 100,
            "units_reserved": 100,
            "status": "scheduled",
            "booked_at": datetime.combine(TODAY, time(0)),
        }  # fmt: skip
        for pid in patient_ids
        for k in range(PER_PATIENT)
    ]
    db.session.execute(sa.insert(Infusion.__table__), rows)
    db.session.commit()


def test_every_uncovered_booking_past_500_is_counted_listed_and_in_the_digest(client, clinic):
    uncovered = _clinic_with_bookings(clinic)
    booked = db.session.scalar(sa.select(sa.func.count()).select_from(Infusion))
    assert booked == PATIENTS * PER_PATIENT > 500 and len(uncovered) == 140
    scheduler = factories.user(clinic, "scheduler")
    client.post("/login", data={"email": scheduler.email, "password": factories.PASSWORD})

    assert counts(client)["uncovered_soon"] == len(uncovered)
    listed = all_rows(client, "uncovered_soon", per_page=25)
    assert sorted(listed) == sorted(uncovered)
    week = client.get(f"/schedule?view=week&start={TODAY + timedelta(days=1)}")
    shown = re.findall(r'<tr class="badge-row not_covered">', week.get_data(as_text=True))
    assert len(shown) == len(uncovered)

    db.session.expire_all()
    items = items_on(clinic, TODAY)
    found = {i.infusion_id for i in items if str(i.type) == "INFUSION_UNCOVERED"}
    assert found == uncovered
    digest = digest_for(scheduler, items, TODAY)
    group = next(g for g in digest.groups if str(g.type) == "INFUSION_UNCOVERED")
    assert group.count == len(uncovered)
