"""The stored attention facts (services/attention.py) equal a fresh computation after every
kind of change that can alter them, each made the way the product makes it and committed:
booking, rescheduling, administration, cancelling, status changes, evidence, plans,
re-verification, payer and policy edits, a clinic's time zone. And `refresh_stale` catches up
what the passing of a day made stale, and what was written without the listener."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from priorauth.domain import revenue
from priorauth.domain.queues import TO_PREPARE
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Clinic, Infusion
from priorauth.queries.runway import runways_for
from priorauth.services import attention
from priorauth.services.authorizations import checklist_for
from priorauth.services.clock import clinic_today
from priorauth.services.coverage import answer_due_at
from priorauth.services.usage import units_use
from tests.api import builders as b
from tests.api.builders import TODAY, iso

REQUEST_FACTS = (
    "evidence_ready",
    "evidence_to_fix",
    "evidence_to_fix_count",
    "evidence_checked_on",
    "answer_due_at",
    "units_given",
    "units_booked",
    "visits_given",
    "visits_booked",
)


def stored(clinic_id: int) -> tuple[dict, dict]:
    """The facts as stored: {request id: {fact: value}}, {infusion id: (badge, summary,
    reason)}."""
    requests = AuthorizationRequest.__table__
    infusions = Infusion.__table__
    columns = [requests.c[name] for name in REQUEST_FACTS]
    rows = db.session.execute(
        sa.select(requests.c.id, *columns).where(requests.c.clinic_id == clinic_id)
    ).all()
    by_request = {row[0]: dict(zip(REQUEST_FACTS, row[1:], strict=True)) for row in rows}
    facts = (infusions.c.coverage_badge, infusions.c.coverage_summary, infusions.c.coverage_reason)
    badges = db.session.execute(
        sa.select(infusions.c.id, *facts).where(infusions.c.clinic_id == clinic_id)
    ).all()
    return by_request, {row[0]: tuple(row[1:]) for row in badges}


def fresh(clinic_id: int) -> tuple[dict, dict]:
    """The same facts computed now by the pages' own code paths."""
    db.session.expire_all()
    clinic = db.session.get(Clinic, clinic_id)
    auths = db.session.scalars(
        sa.select(AuthorizationRequest).where(AuthorizationRequest.clinic_id == clinic_id)
    ).all()
    uses = units_use(auths)
    by_request = {a.id: _request_facts(a, uses[a.id], clinic) for a in auths}
    infusions = db.session.scalars(sa.select(Infusion).where(Infusion.clinic_id == clinic_id)).all()
    runways = runways_for({i.patient_id for i in infusions})
    badges = {}
    for infusion in infusions:
        step = runways[infusion.patient_id].step_for(infusion.id)
        badges[infusion.id] = (
            (str(step.badge), step.summary, _counted_under(step)) if step else (None, None, None)
        )
    return by_request, badges


def _counted_under(step) -> str | None:
    """The reason a booking not covered is counted under: the first of its reasons' codes in
    revenue's order (written out here, not by the code under test)."""
    if str(step.badge) != "not_covered":
        return None
    codes = {reason.code for reason in step.reasons}
    return next((code for code in revenue.REASON_ORDER if code in codes), revenue.OTHER)


def _request_facts(auth, use, clinic) -> dict:
    facts = dict.fromkeys(REQUEST_FACTS[:4])
    if auth.status in TO_PREPARE:
        day = clinic_today(clinic)
        checklist = checklist_for(auth, day)
        to_fix = [str(item.requirement) for item in checklist.problems]
        facts = dict(
            zip(REQUEST_FACTS[:4], (checklist.ready, to_fix, len(to_fix), day), strict=True)
        )
    return facts | {
        "answer_due_at": answer_due_at(auth, clinic),
        "units_given": use.units_given,
        "units_booked": use.units_booked,
        "visits_given": use.visits_given,
        "visits_booked": use.visits_booked,
    }


def assert_fresh(clinic_id: int, step: str) -> None:
    stored_requests, stored_badges = stored(clinic_id)
    fresh_requests, fresh_badges = fresh(clinic_id)
    assert stored_requests == fresh_requests, step
    assert stored_badges == fresh_badges, step


def _book(api, patient_id: int, days: int, dose: str = "100", **extra) -> dict:
    body = {
        "patient_id": patient_id,
        "hcpcs_code": "J1439",
        "scheduled_at": f"{iso(TODAY + timedelta(days=days))}T10:30:00",
        "dose_mg": dose,
        **extra,
    }
    response = api.post("/api/v1/infusions", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.fixture
def story(api, admin):
    """A patient with an approval of 4 administrations (400 units, 60 days) and a draft;
    facts checked after each step of the fixture too."""
    clinic_id = admin.clinic_id
    patient, auth = b.approved_auth(api, dose="100", units=400, administrations=4)
    assert_fresh(clinic_id, "approved")
    coverage_id = _ok(api.get(f"/api/v1/authorizations/{auth['id']}"))["coverage_id"]
    draft = b.request(api, patient["id"], coverage_id, requested_start=iso(TODAY))
    assert_fresh(clinic_id, "draft created")
    return {"clinic_id": clinic_id, "patient": patient, "auth": auth, "draft": draft}


def test_every_change_keeps_the_stored_facts_fresh(api, story):
    clinic_id, patient_id = story["clinic_id"], story["patient"]["id"]
    payer_id = story["auth"]["payer_id"]
    first = _book(api, patient_id, days=1)
    second = _book(api, patient_id, days=8)
    third = _book(api, patient_id, days=15)
    over = _book(api, patient_id, days=70, override_reason="after the approval ends, booked anyway")
    assert_fresh(clinic_id, "booked four, one after the approval ends")
    assert stored(clinic_id)[1][over["id"]][0] == "not_covered"
    assert stored(clinic_id)[1][over["id"]][2] == "AUTH_EXPIRED"

    _ok(
        api.patch(
            f"/api/v1/infusions/{second['id']}",
            json={
                "scheduled_at": f"{iso(TODAY + timedelta(days=9))}T09:00:00",
                "override_reason": "the fourth booking took the last administration",
            },
        )
    )
    assert_fresh(clinic_id, "rescheduled")

    given = {
        "dose_mg": "100",
        "discarded_mg": "0",
        "lot_number": "L1",
        "lot_expiration": iso(TODAY + timedelta(days=300)),
        "administered_at": f"{iso(TODAY)}T08:00:00",
    }
    _ok(api.post(f"/api/v1/infusions/{first['id']}/administration", json=given))
    assert_fresh(clinic_id, "administered")

    _ok(api.patch(f"/api/v1/infusions/{third['id']}", json={"status": "cancelled"}))
    assert_fresh(clinic_id, "cancelled")
    assert stored(clinic_id)[1][third["id"]] == (None, None, None)

    b.evidence(api, patient_id, kind="lab", test="ferritin", value="45.5", observed_on=iso(TODAY))
    assert_fresh(clinic_id, "evidence added")

    draft_id = story["draft"]["id"]
    b.move(api, draft_id, to="submitted", channel="portal", override_reason="urgent")
    assert_fresh(clinic_id, "submitted")
    assert stored(clinic_id)[0][draft_id]["answer_due_at"] is not None

    _ok(api.patch(f"/api/v1/payers/{payer_id}", json={"standard_response_days": 3}))
    assert_fresh(clinic_id, "payer's response time edited")

    b.policy(api, payer_id, "J1439", max_mg_per_dose="50")
    assert_fresh(clinic_id, "policy edited")
    assert stored(clinic_id)[1][second["id"]][0] == "not_covered"

    b.policy(api, payer_id, "J1439", max_mg_per_dose="1000")
    _ok(
        api.post(
            f"/api/v1/infusions/{second['id']}/eligibility",
            json={"method": "portal", "result": "inactive"},
        ),
        201,
    )
    assert_fresh(clinic_id, "re-verified: plan inactive")

    other = b.payer(api, name="Second Plan")
    b.coverage(api, patient_id, other["id"], start_date=iso(TODAY))
    assert_fresh(clinic_id, "a new plan")

    b.move(api, draft_id, to="denied", denial_reason="not_medically_necessary")
    assert_fresh(clinic_id, "denied")


def test_a_clinic_time_zone_change_moves_the_answers_due(api, story, app_ctx):
    draft_id, clinic_id = story["draft"]["id"], story["clinic_id"]
    b.move(api, draft_id, to="submitted", channel="portal", override_reason="urgent")
    before = stored(clinic_id)[0][draft_id]["answer_due_at"]
    clinic = db.session.get(Clinic, clinic_id)
    clinic.timezone = "Pacific/Auckland"
    db.session.commit()
    assert_fresh(clinic_id, "time zone")
    assert stored(clinic_id)[0][draft_id]["answer_due_at"] != before


def test_refresh_stale_catches_up_the_day_and_bulk_writes(api, story, app_ctx):
    clinic_id, draft_id = story["clinic_id"], story["draft"]["id"]
    requests, infusions = AuthorizationRequest.__table__, Infusion.__table__
    booked = _book(api, story["patient"]["id"], days=2)
    yesterday = TODAY - timedelta(days=1)
    with db.engine.begin() as conn:  # as a day-old checklist and a bulk-written booking
        conn.execute(
            sa.update(requests)
            .where(requests.c.id == draft_id)
            .values(evidence_checked_on=yesterday, evidence_ready=None)
        )
        conn.execute(
            sa.update(infusions).where(infusions.c.id == booked["id"]).values(coverage_badge=None)
        )
    db.session.expire_all()
    assert attention.stale_patients(clinic_id, TODAY) == [story["patient"]["id"]]
    assert attention.refresh_stale(clinic_id, TODAY) == 1
    db.session.commit()
    assert_fresh(clinic_id, "after refresh_stale")
    assert attention.refresh_stale(clinic_id, TODAY) == 0


def test_recompute_rebuilds_every_fact(api, story, app_ctx):
    clinic_id = story["clinic_id"]
    _book(api, story["patient"]["id"], days=3)
    requests, infusions = AuthorizationRequest.__table__, Infusion.__table__
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(requests).values(units_booked=99, evidence_ready=None, answer_due_at=None)
        )
        conn.execute(
            sa.update(infusions).values(coverage_badge="at_risk", coverage_summary="wrong")
        )
    commits = []
    done = attention.recompute_all(
        batch_size=1, after_batch=lambda: commits.append(db.session.commit())
    )
    assert done == len(commits) == 1
    assert_fresh(clinic_id, "recompute")


def test_flask_recompute_rebuilds_them_a_batch_at_a_time(app, api, story, app_ctx):
    clinic_id = story["clinic_id"]
    b.patient(api, mrn="MRN-2")
    requests = AuthorizationRequest.__table__
    with db.engine.begin() as conn:
        conn.execute(sa.update(requests).values(units_given=7, answer_due_at=None))
    clinic_name = db.session.get(Clinic, clinic_id).name
    runner = app.test_cli_runner()
    result = runner.invoke(args=["recompute", "--clinic", clinic_name, "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "recomputed the attention facts of 2 patients" in result.output
    assert_fresh(clinic_id, "flask recompute")
    refused = runner.invoke(args=["recompute", "--clinic", "Nowhere Clinic"])
    assert refused.exit_code != 0 and "no clinic named Nowhere Clinic" in refused.output


def test_the_hourly_job_refreshes_what_the_new_day_made_stale(api, story, app_ctx):
    from priorauth import upkeep

    clinic_id, draft_id = story["clinic_id"], story["draft"]["id"]
    requests = AuthorizationRequest.__table__
    yesterday = TODAY - timedelta(days=1)
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(requests)
            .where(requests.c.id == draft_id)
            .values(evidence_checked_on=yesterday)
        )
    assert upkeep.refresh_attention() == {clinic_id: 1}
    assert_fresh(clinic_id, "the hourly job")
    assert upkeep.refresh_attention() == {clinic_id: 0}
