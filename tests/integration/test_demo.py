"""The demo clinic: a living clinic built through the services, seeded once."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from priorauth import demo
from priorauth.demo import data as demo_data
from priorauth.domain.evidence_rules import ItemStatus
from priorauth.domain.workflow import STORED_STATUSES
from priorauth.extensions import db
from priorauth.models import (
    AuditEvent,
    AuthorizationRequest,
    CkdStatus,
    Clinic,
    Coverage,
    DiagnosisRecord,
    Infusion,
    LabResult,
    OralIronTrial,
    Patient,
    Payer,
    PayerPolicy,
    PriorTherapy,
    User,
)
from priorauth.services import authorizations, clock
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
EVIDENCE = (LabResult, DiagnosisRecord, OralIronTrial, PriorTherapy, CkdStatus)
EXPECTED_COUNTS = {  # one demo clinic, whatever the day (demo_data.py, counted)
    "Clinic": 1,
    "User": 4,
    "Payer": 3,
    "PayerPolicy": 13,
    "Patient": 30,
    "Coverage": 33,
    "LabResult": 87,
    "AuthorizationRequest": 27,
    "Infusion": 27,
    "AuditEvent": 354,
}


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


def _evidence_counts() -> dict[str, int]:
    return {
        m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in EVIDENCE
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
    assert len(_all(Patient)) == len(demo_data.PATIENTS) == 30
    assert len(_all(PayerPolicy)) == len(demo_data.POLICIES) == 13
    ends = sorted(c.end_date for c in _all(Coverage) if c.end_date is not None)
    assert len(_all(Coverage)) == 33
    assert ends == [date(2026, 2, 4), date(2026, 2, 28), TODAY + timedelta(days=10)]


def test_exact_rows_of_every_table(seeded):
    assert _counts() == EXPECTED_COUNTS
    assert _evidence_counts() == {
        "LabResult": 87,
        "DiagnosisRecord": 40,
        "OralIronTrial": 25,
        "PriorTherapy": 8,
        "CkdStatus": 6,
    }


def test_requests_in_every_stored_status(seeded):
    statuses = Counter(a.status for a in _all(AuthorizationRequest))
    assert set(statuses) == {s.value for s in STORED_STATUSES}
    assert statuses == {
        "approved": 9,
        "draft": 8,
        "submitted": 3,
        "denied": 2,
        "appealed": 1,
        "cancelled": 1,
        "not_required": 1,
        "partially_approved": 1,
        "pended": 1,
    }


def test_drafts_in_several_checklist_states(seeded):
    drafts = _all(AuthorizationRequest, AuthorizationRequest.status == "draft")
    states = Counter()
    for auth in drafts:
        checklist = authorizations.checklist_for(auth, TODAY)
        problems = tuple(sorted({str(i.status) for i in checklist.problems}))
        states["ready" if checklist.ready else problems] += 1
    assert states == {
        "ready": 3,
        (ItemStatus.MISSING.value,): 2,
        (ItemStatus.STALE.value,): 1,
        (ItemStatus.NOT_MET.value,): 1,
        (ItemStatus.MISSING.value, ItemStatus.NOT_MET.value): 1,
    }


def test_deadlines_the_digest_will_show(seeded):
    auths = _all(AuthorizationRequest)
    submitted = [a for a in auths if a.status == "submitted"]
    assert len(submitted) == 3
    assert sum(decision_due(a) < TODAY for a in submitted) == 1, "one submission is overdue"
    assert sum(a.urgency == "expedited" for a in submitted) == 1
    approved = [a for a in auths if a.status == "approved" and a.approved_end >= TODAY]
    assert len(approved) == 8
    assert sum(a.approved_end <= TODAY + timedelta(days=14) for a in approved) == 1
    assert sum(a.approved_end <= TODAY + timedelta(days=30) for a in approved) == 3
    deadlines = sorted((a.appeal_deadline - TODAY).days for a in auths if a.status == "denied")
    assert deadlines == [8, 176]


def test_infusions_booked_ahead_and_given_with_claim_lines(seeded):
    ahead = _all(
        Infusion,
        Infusion.scheduled_at > _at(TODAY),
        Infusion.scheduled_at < _at(TODAY + timedelta(days=31)),
    )
    assert len(ahead) == 16 and all(i.status == "scheduled" for i in ahead)
    assert sum(i.authorization_id is not None for i in ahead) == 11
    overrides = [i for i in ahead if i.override_reason]
    assert len(overrides) == 3
    # an override keeps the approval whose dates cover it (docs/domain.md §6): one does
    assert sum(i.authorization_id is None for i in overrides) == 2
    assert len(_all(Infusion, Infusion.status == "scheduled")) == 16
    assert len(_all(Infusion, Infusion.status == "administered")) == 11
    given = _all(
        Infusion,
        Infusion.status == "administered",
        Infusion.administered_at >= _at(TODAY - timedelta(days=30)),
    )
    assert len(given) == 9
    modifiers = Counter(m for i in given for line in i.claim_lines for m in line["modifiers"])
    assert modifiers == {"JZ": 4, "JW": 1}
    assert sorted(len(i.claim_lines) for i in given) == [1] * 8 + [2]
    assert all(i.lot_number and i.lot_expiration >= i.administered_at.date() for i in given)


def test_every_change_has_audit_events(seeded):
    events = _all(AuditEvent)
    assert Counter((e.entity_type, e.action) for e in events) == {
        ("lab_results", "recorded"): 87,
        ("diagnoses", "recorded"): 40,
        ("authorization_requests", "transition"): 34,
        ("coverages", "created"): 33,
        ("patients", "created"): 30,
        ("authorization_requests", "created"): 27,
        ("infusions", "booked"): 27,
        ("oral_iron_trials", "recorded"): 25,
        ("payer_policies", "created"): 13,
        ("infusions", "administered"): 11,
        ("prior_therapies", "recorded"): 8,
        ("ckd_statuses", "recorded"): 6,
        ("users", "created"): 4,
        ("payers", "created"): 3,
        ("authorization_requests", "reassigned"): 5,  # demo/owners.py
        ("clinics", "queue_owners_changed"): 1,
    }
    transitions = Counter(e.to_status for e in events if e.action == "transition")
    assert transitions == {
        "submitted": 17,
        "approved": 9,
        "denied": 3,
        "partially_approved": 1,
        "pended": 1,
        "appealed": 1,
        "cancelled": 1,
        "not_required": 1,
    }


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
    assert len(member_ids(second)) == 33
    assert len(_all(Payer, Payer.clinic_id == second.id)) == 3
    assert _counts() == {name: 2 * n for name, n in EXPECTED_COUNTS.items()}


def test_default_day_is_the_clinics_local_date(app_ctx):
    demo.seed()
    db.session.commit()
    clinic = db.session.scalar(sa.select(Clinic))
    today = clock.clinic_today(clinic)
    auth_numbers = {a.auth_number: a for a in _all(AuthorizationRequest) if a.auth_number}
    first = auth_numbers[f"BH-{today.year}-00123"]
    assert first.approved_start == today - timedelta(days=24)


def _events_of(auth: AuthorizationRequest) -> list[AuditEvent]:
    return _all(
        AuditEvent,
        AuditEvent.entity_type == "authorization_requests",
        AuditEvent.entity_id == auth.id,
    )


def test_history_carries_the_storys_dates_not_the_seed_day(seeded):
    """MRN-10023's request was submitted 30 days and approved 24 days before the seed day
    (requests.toml): its audit events say so, as its submitted_at does."""
    auth = db.session.scalar(
        sa.select(AuthorizationRequest)
        .join(Patient)
        .where(Patient.mrn == "MRN-10023", AuthorizationRequest.hcpcs_code == "J1439")
    )
    days = {(e.action, e.to_status): e.at.date() for e in _events_of(auth)}
    assert days == {
        ("created", None): TODAY - timedelta(days=30),
        ("transition", "submitted"): TODAY - timedelta(days=30),
        ("transition", "approved"): TODAY - timedelta(days=24),
    }
    assert auth.submitted_at.date() == TODAY - timedelta(days=30)


def test_every_demo_event_happened_between_setup_and_the_seed_day(seeded):
    events = _all(AuditEvent)
    setup = TODAY + timedelta(days=demo_data.SETUP_DAY)
    assert all(setup <= e.at.date() <= TODAY for e in events)
    users_created = {e.at.date() for e in events if e.entity_type == "users"}
    assert users_created == {setup}
    on_seed_day = Counter(e.action for e in events if e.at.date() == TODAY)
    # logged today: the eight drafts (one given to nobody), and six infusions booked for next
    # week and after
    assert on_seed_day == {"created": 8, "booked": 6, "reassigned": 1}
    given = [e for e in events if e.action == "administered"]
    infusions = {i.id: i for i in _all(Infusion, Infusion.status == "administered")}
    assert len(given) == 11
    assert all(e.at.date() == infusions[e.entity_id].administered_at.date() for e in given)


def test_demo_payers_have_a_phone_and_a_portal(seeded):
    rows = {p.name: (p.phone, p.portal_url) for p in _all(Payer)}
    assert rows["Blue Harbor Health"] == (
        "1-800-555-0142",
        "https://provider.blueharbor.example/prior-auth",
    )
    assert all(phone and portal.startswith("https://") for phone, portal in rows.values())
