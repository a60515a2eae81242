"""Owners in SQL (queries/owner_sql.py) equal a Python computation: over a generated clinic
whose requests have random owners (some none) and whose queues have random default owners
(one of them deactivated), every dashboard queue's rows filtered by "mine", "unowned" and
each person are those whose owner, computed row by row in Python with
services/owners.effective_owner_id, is that; the Owner column says the same, and the
dashboard's unowned count is the open requests with no owner in Python."""

from __future__ import annotations

import random
from datetime import datetime, time

import pytest
import sqlalchemy as sa

from priorauth.domain import queues as registry
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Infusion, Patient, QueueOwner, User
from priorauth.queries import owner_sql
from priorauth.queries.dashboard import ClinicQueues
from priorauth.services import attention, owners
from tests.api.builders import TODAY
from tests.attention_clinic import generate

NOON = datetime.combine(TODAY, time(12))
OPEN = set(owner_sql.OPEN_STATUSES)


def _people(clinic, rng) -> list[User]:
    people = []
    for n in range(4):
        user = User(
            clinic_id=clinic.id, email=f"owner{clinic.id}-{n}@example.test", name=f"Owner {n}",
            role="front_desk", password_hash="x", active=n != 3,
        )  # fmt: skip
        db.session.add(user)
        people.append(user)
    db.session.flush()
    auths = db.session.scalars(
        sa.select(AuthorizationRequest).where(AuthorizationRequest.clinic_id == clinic.id)
    ).all()
    for auth in auths:
        auth.owner_id = rng.choice([None, None, *(p.id for p in people)])
    for queue in registry.DASHBOARD:
        user = rng.choice([None, *people])
        if user is not None:
            db.session.add(QueueOwner(clinic_id=clinic.id, queue=queue, user_id=user.id))
    db.session.commit()
    return people


def _own_owner_of_booking(infusion: Infusion, auths: list[AuthorizationRequest]) -> int | None:
    """Python's word for a booking's own owner: the request it draws on, else the patient's
    latest open request for its code with an owner."""
    drawn = next((a for a in auths if a.id == infusion.authorization_id), None)
    if drawn is not None and drawn.owner_id is not None:
        return drawn.owner_id
    pending = [
        a
        for a in auths
        if a.patient_id == infusion.patient_id
        and a.hcpcs_code == infusion.hcpcs_code
        and a.status in OPEN
        and a.owner_id is not None
    ]
    return max(pending, key=lambda a: a.id).owner_id if pending else None


def _python_owners(clinic, name: str, ids: list[int]) -> dict[int, int | None]:
    defaults = owners.queue_default_owners(clinic.id)
    auths = db.session.scalars(
        sa.select(AuthorizationRequest).where(AuthorizationRequest.clinic_id == clinic.id)
    ).all()
    found = {}
    for ident in ids:
        if registry.BY_NAME[name].subject == registry.INFUSION:
            own = _own_owner_of_booking(db.session.get(Infusion, ident), auths)
        else:
            own = db.session.get(AuthorizationRequest, ident).owner_id
        found[ident] = owners.effective_owner_id(own, name, defaults)
    return found


@pytest.mark.parametrize("seed", [4, 5])
def test_owner_filters_equal_the_owners_computed_in_python(app_ctx, seed):
    rng = random.Random(seed)
    clinic = generate(seed, TODAY, NOON, patients=50)
    people = _people(clinic, rng)
    ids = db.session.scalars(sa.select(Patient.id).where(Patient.clinic_id == clinic.id)).all()
    attention.refresh_patients(ids, today=TODAY)
    db.session.commit()
    queues = ClinicQueues(clinic, NOON)
    me = people[0].id
    seen = {"owned": 0, "unowned": 0, "default": 0, "booking": 0}
    for name in registry.DASHBOARD:
        rows = queues.rows(name)
        expected = _python_owners(clinic, name, [r.ident for r in rows])
        assert {r.ident: r.owner_id for r in rows} == expected, name
        for person in people:
            mine = [i for i, owner in expected.items() if owner == person.id]
            assert [r.ident for r in queues.rows(name, owner=person.id)] == mine, name
        unowned = [i for i, owner in expected.items() if owner is None]
        assert [r.ident for r in queues.rows(name, owner=owner_sql.UNOWNED)] == unowned, name
        parsed = owner_sql.parse_owner("mine", me)
        assert [r.ident for r in queues.rows(name, owner=parsed)] == [
            i for i, owner in expected.items() if owner == me
        ]
        seen["owned"] += len(expected) - len(unowned)
        seen["unowned"] += len(unowned)
        seen["default"] += sum(1 for r in rows if r.owner_by_default and r.owner_id is not None)
        if registry.BY_NAME[name].subject == registry.INFUSION:
            seen["booking"] += sum(1 for r in rows if not r.owner_by_default)
    assert all(seen.values()), seen  # the clinic exercised every case
    open_rows = {
        name: [r.ident for r in queues.rows(name, owner=owner_sql.UNOWNED)]
        for name in owner_sql.OPEN_QUEUES
    }
    assert queues.unowned() == {name: len(found) for name, found in open_rows.items()}


def test_a_deactivated_default_owner_owns_nothing(app_ctx):
    clinic = generate(6, TODAY, NOON, patients=20)
    gone = User(
        clinic_id=clinic.id, email="gone@example.test", name="Gone", role="admin",
        password_hash="x", active=False,
    )  # fmt: skip
    db.session.add(gone)
    db.session.flush()
    db.session.add(QueueOwner(clinic_id=clinic.id, queue="needs_evidence", user_id=gone.id))
    db.session.execute(
        sa.update(AuthorizationRequest)
        .where(AuthorizationRequest.clinic_id == clinic.id)
        .values(owner_id=None)
    )
    db.session.commit()
    assert owners.queue_default_owners(clinic.id) == {}
    queues = ClinicQueues(clinic, NOON)
    rows = queues.rows("needs_evidence")
    assert rows and all(r.owner_id is None for r in rows)
    assert queues.rows("needs_evidence", owner=gone.id) == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("mine", 7),
        (" MINE ", 7),
        ("unowned", owner_sql.UNOWNED),
        ("12", 12),
        ("0", None),
        ("", None),
        (None, None),
        ("abc", None),
        ("1234567890", None),
    ],
)
def test_parse_owner(raw, expected):
    assert owner_sql.parse_owner(raw, 7) == expected


def test_effective_owner_prefers_the_items_own_owner():
    defaults = {"waiting_on_payer": 3}
    assert owners.effective_owner_id(5, "waiting_on_payer", defaults) == 5
    assert owners.effective_owner_id(None, "waiting_on_payer", defaults) == 3
    assert owners.effective_owner_id(None, "expiring", defaults) is None
