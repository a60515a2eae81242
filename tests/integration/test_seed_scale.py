"""`flask seed-scale` at a tiny size: the counts asked for, every status, bookings covered and
not covered, usage and claim lines as the services store them, and a refusal to run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from priorauth.demo import scale
from priorauth.domain.units import stored_lines_missing
from priorauth.domain.vocab import InfusionStatus
from priorauth.domain.workflow import STORED_STATUSES, Status
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Clinic, Infusion, Patient, User
from priorauth.services.clock import clinic_now, clinic_today
from priorauth.services.usage import units_use

TINY = {"clinics": 2, "patients": 60, "authorizations": 150, "infusions": 500}


@pytest.fixture
def tiny(app_ctx):
    counts = scale.generate(**TINY)
    db.session.commit()
    return counts


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_writes_the_counts_asked_for(tiny):
    assert {
        "clinics": _count(Clinic),
        "patients": _count(Patient),
        "authorization_requests": _count(AuthorizationRequest),
        "infusions": _count(Infusion),
        "users": _count(User),
    } == {"clinics": 2, "patients": 60, "authorization_requests": 150, "infusions": 500, "users": 8}
    assert tiny["infusions"] == 500 and tiny["authorization_requests"] == 150
    emails = set(db.session.scalars(sa.select(User.email)))
    assert "admin@clinic-01.scale.test" in emails and "billing@clinic-02.scale.test" in emails


def test_every_status_and_situation_is_present(tiny):
    requests = db.session.scalars(sa.select(AuthorizationRequest)).all()
    today = clinic_today(db.session.get(Clinic, requests[0].clinic_id))
    assert {r.status for r in requests} == {s.value for s in STORED_STATUSES}
    approved = [r for r in requests if r.status == Status.APPROVED]
    assert any(r.approved_end < today for r in approved)  # expired
    assert any(
        r.approved_end >= today and r.visits_given >= r.administrations_approved for r in approved
    )  # exhausted
    assert any(today <= r.approved_end <= today + timedelta(days=30) for r in approved)
    assert any(r.status == Status.DENIED and r.appeal_deadline >= today for r in requests)
    assert any(r.renews_id is not None for r in requests)
    submitted = [r for r in requests if r.status == Status.SUBMITTED]
    clinic = db.session.get(Clinic, submitted[0].clinic_id)
    assert all(r.answer_due_at is not None for r in submitted)
    assert any(r.answer_due_at < clinic_now(clinic) for r in submitted)  # overdue
    assert any(r.answer_due_at >= clinic_now(clinic) for r in submitted)


def test_future_bookings_are_covered_and_some_not(tiny):
    infusions = db.session.scalars(sa.select(Infusion)).all()
    today = {c.id: clinic_today(c) for c in db.session.scalars(sa.select(Clinic))}
    assert {i.status for i in infusions} == set(InfusionStatus.values())
    booked = [i for i in infusions if i.status == InfusionStatus.SCHEDULED]
    badges = [i.coverage_badge for i in booked]
    assert badges.count("covered") > len(booked) / 2
    assert "not_covered" in badges
    assert all(i.scheduled_at.date() >= today[i.clinic_id] for i in booked)
    given = [i for i in infusions if i.status == InfusionStatus.ADMINISTERED]
    assert all(i.coverage_badge is None for i in infusions if i.status != "scheduled")
    assert all(i.administered_at.date() < today[i.clinic_id] for i in given)


def test_usage_and_claim_lines_read_as_the_services_store_them(tiny):
    requests = db.session.scalars(sa.select(AuthorizationRequest)).all()
    fresh = units_use(requests)
    stored = [(r.units_given, r.units_booked, r.visits_given, r.visits_booked) for r in requests]
    computed = [
        (u.units_given, u.units_booked, u.visits_given, u.visits_booked)
        for u in (fresh[r.id] for r in requests)
    ]
    assert stored == computed and sum(r.units_given for r in requests) > 0
    given = db.session.scalars(sa.select(Infusion).where(Infusion.status == "administered")).all()
    for infusion in given:
        assert infusion.units_used == sum(line["units"] for line in infusion.claim_lines)
        if infusion.authorization_id is not None:
            assert stored_lines_missing(infusion.reaction, infusion.claim_lines) == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Infusion.status != "administered", Infusion.claim_lines.is_not(None)
            )
        )
        == 0
    )


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["seed-scale", *args, "--no-progress"])


def test_command_prints_rows_per_second_and_refuses_a_second_run(app_ctx):
    size = ("--clinics", "1", "--patients", "20", "--authorizations", "40", "--infusions", "90")
    first = cli(app_ctx, *size)
    assert first.exit_code == 0, first.output
    assert "infusions" in first.output and "rows/s" in first.output
    again = cli(app_ctx, *size)
    assert again.exit_code != 0
    assert "already holds scale data" in again.output
    assert _count(Clinic) == 1 and _count(Infusion) == 90
    more = cli(app_ctx, *size, "--append", "--seed", "7")
    assert more.exit_code == 0, more.output
    names = db.session.scalars(sa.select(Clinic.name).order_by(Clinic.name)).all()
    assert names == ["Scale Clinic 01", "Scale Clinic 02"]
    assert _count(Infusion) == 180


def _story(clinic_ids: list[int]) -> list[tuple]:
    """What the rows say, without their ids (a second run's ids follow the first's)."""
    rows = db.session.execute(
        sa.select(
            Infusion.scheduled_at,
            Infusion.status,
            Infusion.dose_mg,
            Infusion.units_used,
            Infusion.coverage_badge,
            AuthorizationRequest.status,
            AuthorizationRequest.approved_end,
        )
        .outerjoin(AuthorizationRequest, Infusion.authorization_id == AuthorizationRequest.id)
        .where(Infusion.clinic_id.in_(clinic_ids))
        .order_by(Infusion.id)
    )
    return [tuple(row) for row in rows]


def test_the_same_seed_gives_the_same_data(app_ctx):
    size = {"clinics": 4, "patients": 20, "authorizations": 40, "infusions": 100}
    first = scale.load(**size, seed=3)
    second = scale.load(**size, seed=3, append=True)  # four time zones again, same days
    other = scale.load(**size, seed=4, append=True)
    assert _story(first.clinic_ids) == _story(second.clinic_ids)
    assert _story(first.clinic_ids) != _story(other.clinic_ids)
