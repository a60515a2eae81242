"""Recording an administration that does not match its authorization: each refusal answers
409 AUTHORIZATION_MISMATCH naming the problem and writes nothing (every row of every table is
the same after); with an override reason the same administration is recorded and the
mismatch audited. The refusals are those of priorauth/services/administration.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, Infusion
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_infusions import administer, at, book

SKIP_COLUMNS = {"api_tokens": {"last_used_at"}}  # stamped by any call, at most once a minute


def all_rows() -> dict[str, list[tuple]]:
    """Every row of every table (what a refused request must leave as it was)."""
    db.session.rollback()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name not in SKIP_COLUMNS.get(table.name, ())]
        query = sa.select(*columns).order_by(*table.primary_key.columns)
        snapshot[table.name] = [tuple(row) for row in db.session.execute(query)]
    return snapshot


def refused(api, infusion_id: int, **fields) -> dict:
    """Administer and expect the 409; asserts nothing at all was written."""
    before = all_rows()
    body = administer(api, infusion_id, expect=409, **fields)
    assert body["code"] == "AUTHORIZATION_MISMATCH"
    assert all_rows() == before
    return body


def administered_event(infusion_id: int) -> AuditEvent:
    """The audit event of recording the infusion's administration."""
    return db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "infusions",
            AuditEvent.entity_id == infusion_id,
            AuditEvent.action == "administered",
        )
    ).one()


def uncovered_booking(api) -> dict:
    """An infusion booked on an override: no authorization is attached to it."""
    payer = b.payer(api)
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api)
    b.coverage(api, patient["id"], payer["id"])
    infusion = book(api, patient["id"], days=0, override_reason="payer said yes by phone")
    assert infusion["authorization_id"] is None
    return infusion


def test_no_authorization_attached_is_refused_then_overridden(api):
    infusion = uncovered_booking(api)
    body = refused(api, infusion["id"])
    problem = "no authorization is attached to this infusion"
    assert body["errors"] == {"authorization": [problem]}
    assert body["message"].endswith(problem)
    done = administer(api, infusion["id"], override_reason="verbal approval ref 77")
    assert done["status"] == "administered" and done["units_used"] == 100
    assert [line["auth_number"] for line in done["claim_lines"]] == [None]
    event = administered_event(infusion["id"])
    assert event.note == "override: verbal approval ref 77"
    assert event.changes["mismatches"] == [problem]


def test_authorization_for_another_code_is_refused_then_overridden(api):
    patient, sucrose = b.approved_auth(api, dose="100", units=500)
    other = b.approved_auth(api, code="J1437", dose="100", units=500, mrn="MRN-2")[1]
    infusion = book(api, patient["id"], days=0)
    assert infusion["authorization_id"] == sucrose["id"]
    # crafted: the booking picks an authorization of its own code, so point it elsewhere
    db.session.execute(
        sa.update(Infusion)
        .where(Infusion.id == infusion["id"])
        .values(authorization_id=other["id"])
    )
    db.session.commit()
    body = refused(api, infusion["id"])
    problem = "the authorization is for J1437, not J1439"
    assert body["errors"] == {"authorization": [problem]}
    done = administer(api, infusion["id"], override_reason="billing will correct the code")
    assert done["status"] == "administered"
    assert administered_event(infusion["id"]).changes["mismatches"] == [problem]


@pytest.mark.parametrize(
    ("given_days", "booked_days", "start_days", "problem"),
    [
        (-1, 0, 0, "{given} is before the approval starts on {start}"),
        (-1, -3, -10, "{given} is after the approval ended on {end}"),
    ],
    ids=["before-start", "after-end"],
)
def test_given_outside_the_approved_dates_is_refused(
    api, given_days, booked_days, start_days, problem
):
    """Given on another day than booked, no approval covers that day: the booked one stays
    and the mismatch names why it does not fit (a date given is never in the future)."""
    start = TODAY + timedelta(days=start_days)
    end = start + timedelta(days=60) if start_days == 0 else TODAY - timedelta(days=2)
    patient, auth = b.approved_auth(api, dose="100", units=500, start=start, end=end)
    assert (auth["approved_start"], auth["approved_end"]) == (iso(start), iso(end))
    infusion = book(api, patient["id"], days=booked_days)
    given = TODAY + timedelta(days=given_days)
    body = refused(api, infusion["id"], administered_at=at(given_days))
    expected = problem.format(given=given, start=start, end=end)
    assert body["errors"] == {"authorization": [expected]}
    done = administer(
        api, infusion["id"], administered_at=at(given_days), override_reason="payer extended"
    )
    assert done["administered_at"].startswith(iso(given))
    assert administered_event(infusion["id"]).changes["mismatches"] == [expected]


def test_more_units_than_left_is_refused_then_overridden(api):
    patient, auth = b.approved_auth(api, dose="100", administrations=2, units=150)
    first = book(api, patient["id"], days=0)
    book(api, patient["id"], days=7, dose="50")  # 100 + 50 booked: all 150 units spoken for
    body = refused(api, first["id"], discarded_mg="10")  # 100 given + 10 wasted = 110 units
    problem = "110 units billed but only 100 left on the authorization"
    assert body["errors"] == {"authorization": [problem]}
    assert administer(api, first["id"], discarded_mg="5", expect=409)["errors"] == {
        "authorization": ["105 units billed but only 100 left on the authorization"]
    }
    exact = administer(api, first["id"])  # 100 units: exactly what is left
    assert exact["units_used"] == 100
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["units_left"] == 0


def test_several_problems_are_all_named(api):
    patient, auth = b.approved_auth(api, dose="100", administrations=1, units=100)
    infusion = book(api, patient["id"], days=0)
    body = refused(api, infusion["id"], dose_mg="120", administered_at=at(-2))
    assert body["errors"]["authorization"] == [
        "120.000 mg is more than the 100.000 mg per dose approved",
        f"{TODAY - timedelta(days=2)} is before the approval starts on {TODAY}",
        "120 units billed but only 100 left on the authorization",
    ]
    done = administer(
        api, infusion["id"], dose_mg="120", administered_at=at(-2), override_reason="documented"
    )
    assert done["units_used"] == 120
    event = administered_event(infusion["id"])
    assert event.changes["mismatches"] == body["errors"]["authorization"]
    assert event.note == "override: documented"


def test_a_cancelled_infusion_is_not_scheduled_and_nothing_is_written(api):
    patient, auth = b.approved_auth(api)
    infusion = book(api, patient["id"], days=0)
    api.patch(f"/api/v1/infusions/{infusion['id']}", json={"status": "cancelled"})
    before = all_rows()
    body = administer(api, infusion["id"], expect=409, override_reason="any reason at all")
    assert body["code"] == "NOT_SCHEDULED" and body["errors"] == {"status": ["is cancelled"]}
    assert all_rows() == before
