"""The demo clinic: a living clinic built through the services, seeded once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from priorauth.domain.evidence_rules import ItemStatus
from priorauth.domain.workflow import STORED_STATUSES
from priorauth.extensions import db
from priorauth.models import (
    AuditEvent,
    AuthorizationRequest,
    Clinic,
    Coverage,
    Infusion,
    LabResult,
    Patient,
    Payer,
    PayerPolicy,
    User,
)
from priorauth.services import authorizations, clock, demo
from priorauth.services.coverage import decision_due

TODAY = date(2026, 3, 16)
TABLES = (
    Clinic,
    User,
    Payer,
    PayerPolicy,
    Patient,
    Coverage,
    LabResult,
    AuthorizationRequest,
    Infusion,
    AuditEvent,
)


@pytest.fixture
def seeded(app_ctx):
    logins = demo.seed(today=TODAY)
    db.session.commit()
    return logins


def _all(model, *where):
    return db.session.scalars(sa.select(model).where(*where)).all()


def _counts() -> dict[str, int]:
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in TABLES
    }


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def test_logins_of_every_role_can_sign_in(seeded, app_ctx):
    assert sorted(role for _, role in seeded) == ["admin", "billing", "front_desk", "scheduler"]
    assert ("frontdesk@demo.priorauth.test", "front_desk") in seeded
    for email, _ in seeded:
        client = app_ctx.test_client()
        response = client.post("/login", data={"email": email, "password": "demo-password"})
        assert response.status_code == 302, email
        assert "/login" not in response.headers["Location"]


def test_clinic_payers_and_patients(seeded):
    clinic = db.session.scalar(sa.select(Clinic))
    assert (clinic.name, clinic.timezone, clinic.digest_hour) == (
        "Riverside Infusion Center",
        "America/New_York",
        6,
    )
    names = {p.name for p in _all(Payer)}
    assert names == {"Blue Harbor Health", "Summit Mutual", "Evergreen Choice"}
    sucrose = {
        p.payer.name: p.pa_required for p in _all(PayerPolicy, PayerPolicy.hcpcs_code == "J1756")
    }
    assert sucrose["Blue Harbor Health"] is False and sucrose["Summit Mutual"] is True
    assert len(_all(Patient)) >= 25
    ended = _all(Coverage, Coverage.end_date < TODAY.replace(day=1))
    assert any(c.end_date == date(2026, 2, 28) for c in ended)
    assert any(c.end_date == TODAY + timedelta(days=10) for c in _all(Coverage))


def test_requests_in_every_stored_status(seeded):
    statuses = {a.status for a in _all(AuthorizationRequest)}
    assert statuses >= {s.value for s in STORED_STATUSES}


def test_drafts_in_several_checklist_states(seeded):
    drafts = _all(AuthorizationRequest, AuthorizationRequest.status == "draft")
    states = set()
    for auth in drafts:
        checklist = authorizations.checklist_for(auth, TODAY)
        states |= {"ready"} if checklist.ready else {i.status for i in checklist.problems}
    assert {"ready", ItemStatus.MISSING, ItemStatus.STALE, ItemStatus.NOT_MET} <= states


def test_deadlines_the_digest_will_show(seeded):
    auths = _all(AuthorizationRequest)
    submitted = [a for a in auths if a.status == "submitted"]
    assert any(decision_due(a) < TODAY for a in submitted), "one submission is overdue"
    assert any(a.urgency == "expedited" for a in submitted)
    approved = [a for a in auths if a.status == "approved" and a.approved_end >= TODAY]
    assert any(a.approved_end <= TODAY + timedelta(days=14) for a in approved)
    assert any(a.approved_end <= TODAY + timedelta(days=30) for a in approved)
    deadlines = [a.appeal_deadline - TODAY for a in auths if a.status == "denied"]
    assert min(deadlines) <= timedelta(days=14) and max(deadlines) > timedelta(days=90)


def test_infusions_booked_ahead_and_given_with_claim_lines(seeded):
    ahead = _all(
        Infusion,
        Infusion.scheduled_at > _at(TODAY),
        Infusion.scheduled_at < _at(TODAY + timedelta(days=31)),
    )
    assert len(ahead) >= 10 and all(i.status == "scheduled" for i in ahead)
    assert any(i.authorization_id for i in ahead)
    assert any(i.authorization_id is None and i.override_reason for i in ahead)
    given = _all(
        Infusion,
        Infusion.status == "administered",
        Infusion.administered_at >= _at(TODAY - timedelta(days=30)),
    )
    modifiers = {m for i in given for line in i.claim_lines for m in line["modifiers"]}
    assert {"JW", "JZ"} <= modifiers
    assert all(i.lot_number and i.lot_expiration >= i.administered_at.date() for i in given)


def test_every_change_has_audit_events(seeded):
    events = _all(AuditEvent)
    by_type = {e.entity_type for e in events}
    assert {"patients", "authorization_requests", "infusions", "payer_policies"} <= by_type
    transitions = [e for e in events if e.action == "transition"]
    assert {e.to_status for e in transitions} >= {"submitted", "approved", "denied", "appealed"}
    assert any(e.action == "administered" for e in events)


def test_second_seed_adds_nothing(seeded):
    before = _counts()
    assert demo.seed() is None
    db.session.commit()
    assert _counts() == before


def test_forced_seed_adds_an_identical_second_clinic(seeded):
    logins = demo.seed(force=True, today=TODAY)
    db.session.commit()
    assert logins and all(email.endswith("2@demo.priorauth.test") for email, _ in logins)
    first, second = db.session.scalars(sa.select(Clinic).order_by(Clinic.id)).all()
    assert second.name == "Riverside Infusion Center 2"

    def member_ids(clinic):
        return [c.member_id for c in _all(Coverage, Coverage.clinic_id == clinic.id)]

    assert member_ids(first) == member_ids(second)  # deterministic
    assert len(_all(Payer, Payer.clinic_id == second.id)) == 3


def test_default_day_is_the_clinics_local_date(app_ctx):
    demo.seed()
    db.session.commit()
    clinic = db.session.scalar(sa.select(Clinic))
    today = clock.clinic_today(clinic)
    auth_numbers = {a.auth_number: a for a in _all(AuthorizationRequest) if a.auth_number}
    first = auth_numbers[f"BH-{today.year}-00123"]
    assert first.approved_start == today - timedelta(days=24)
