"""Two bookings racing for the last units must never both win (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

from priorauth.extensions import db
from priorauth.models import AuditEvent, Infusion
from tests.api import builders as b
from tests.api.test_infusions import at

RACERS = 20


def test_twenty_concurrent_bookings_for_five_doses(app_ctx, api):
    patient, auth = b.approved_auth(api, dose="100", administrations=20, units=500)
    app = app_ctx
    barrier = threading.Barrier(RACERS)
    results: list = [None] * RACERS

    def race(slot: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/infusions",
            headers=api.headers,
            json={
                "patient_id": patient["id"],
                "hcpcs_code": "J1439",
                "scheduled_at": at(1 + slot),
                "dose_mg": "100",
            },
        )
        results[slot] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=race, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(code for code, _ in results)
    assert statuses.count(201) == 5, results
    assert statuses.count(409) == 15, results
    for code, body in results:
        if code == 409:
            assert body["code"] == "NOT_COVERED"
            assert [r["code"] for r in body["reasons"]] == ["UNITS_EXHAUSTED"]
    db.session.expire_all()
    booked = db.session.scalars(db.select(Infusion).where(Infusion.status == "scheduled")).all()
    assert sum(i.units_reserved for i in booked) == 500
    assert len(booked) == db.session.scalar(db.select(db.func.count(Infusion.id))) == 5
    winners = sorted(body["id"] for code, body in results if code == 201)
    assert sorted(i.id for i in booked) == winners
    assert {i.authorization_id for i in booked} == {auth["id"]}
    events = db.select(AuditEvent.entity_id).where(
        AuditEvent.entity_type == "infusions", AuditEvent.action == "booked"
    )
    assert sorted(db.session.scalars(events)) == winners  # a refused booking leaves no event
