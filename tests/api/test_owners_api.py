"""Owners through the API (docs/follow-through.md, docs/api.md): a request is its creator's,
a renewal's draft too; PATCH …/owner and POST /authorizations/reassign give requests to an
active user of the clinic with one audit event per change, refuse another clinic's ids or
users and inactive users (nothing changed); ?owner= filters the list; the clinic's default
owner per queue is read and replaced with /clinic/queue-owners."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, QueueOwner
from priorauth.services import owners, staff
from tests import factories
from tests.api import builders as b


@pytest.fixture
def drafts(api):
    payer = b.payer(api)
    patient = b.patient(api)
    coverage = b.coverage(api, patient["id"], payer["id"])
    return [b.request(api, patient["id"], coverage["id"]) for _ in range(3)]


def _reassigned(auth_id: int) -> list[dict]:
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_id == auth_id, AuditEvent.action == owners.REASSIGNED)
        .where(AuditEvent.entity_type == "authorization_requests")
        .order_by(AuditEvent.id)
    ).all()
    return [e.changes for e in events]


def _owner(auth_id: int) -> int | None:
    db.session.expire_all()
    return db.session.get(AuthorizationRequest, auth_id).owner_id


def test_a_new_request_and_a_renewal_are_owned_by_their_creator(api, admin, clinic, drafts):
    assert drafts[0]["owner_id"] == admin.id
    assert _owner(drafts[0]["id"]) == admin.id
    desk = factories.user(clinic, "scheduler")
    _, approved = b.approved_auth(api, mrn="MRN-9")
    renewal = factories.ApiClient(api.client, factories.token(desk)).post(
        f"/api/v1/authorizations/{approved['id']}/renew", json={}
    )
    assert renewal.status_code == 201, renewal.get_json()
    assert renewal.get_json()["owner_id"] == desk.id


def test_patch_owner_gives_the_request_and_audits_the_change(api, admin, clinic, drafts):
    desk = factories.user(clinic, "front_desk")
    auth_id = drafts[0]["id"]
    answer = api.patch(f"/api/v1/authorizations/{auth_id}/owner", json={"owner_id": desk.id})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["owner_id"] == desk.id
    again = api.patch(f"/api/v1/authorizations/{auth_id}/owner", json={"owner_id": desk.id})
    assert again.status_code == 200
    back = api.patch(f"/api/v1/authorizations/{auth_id}/owner", json={"owner_id": None})
    assert back.get_json()["owner_id"] is None
    assert _reassigned(auth_id) == [
        {"owner_id": {"from": admin.id, "to": desk.id}},
        {"owner_id": {"from": desk.id, "to": None}},
    ]
    history = api.get(f"/api/v1/authorizations/{auth_id}/history").get_json()
    assert [e["action"] for e in history].count("reassigned") == 2


@pytest.mark.parametrize("who", ["inactive", "other clinic", "nobody", "out of range"])
def test_patch_owner_refuses_who_cannot_own(api, admin, clinic, drafts, who):
    if who == "inactive":
        user = factories.user(clinic, "front_desk")
        staff.deactivate(admin, user.id)
        db.session.commit()
        owner_id = user.id
    elif who == "other clinic":
        owner_id = factories.user(factories.clinic(), "admin").id
    else:
        owner_id = 999_999 if who == "nobody" else 2**31
    auth_id = drafts[0]["id"]
    answer = api.patch(f"/api/v1/authorizations/{auth_id}/owner", json={"owner_id": owner_id})
    assert answer.status_code == 422
    assert "owner_id" in answer.get_json()["errors"]
    assert _owner(auth_id) == admin.id and _reassigned(auth_id) == []


def test_patch_owner_of_another_clinics_request_is_not_found(api, client, drafts):
    stranger = factories.user(factories.clinic(), "admin")
    theirs = factories.ApiClient(client, factories.token(stranger))
    answer = theirs.patch(
        f"/api/v1/authorizations/{drafts[0]['id']}/owner", json={"owner_id": stranger.id}
    )
    assert answer.status_code == 404


def test_bulk_reassign_changes_all_in_one_go_with_one_event_each(api, admin, clinic, drafts):
    desk = factories.user(clinic, "front_desk")
    ids = [d["id"] for d in drafts]
    api.patch(f"/api/v1/authorizations/{ids[0]}/owner", json={"owner_id": desk.id})
    answer = api.post(
        "/api/v1/authorizations/reassign", json={"ids": [*ids, ids[1]], "owner_id": desk.id}
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {
        "owner_id": desk.id,
        "ids": [*ids, ids[1]],
        "changed": ids[1:],
    }
    assert [_owner(i) for i in ids] == [desk.id] * 3
    assert [len(_reassigned(i)) for i in ids] == [1, 1, 1]


def test_bulk_reassign_refuses_another_clinics_ids_and_changes_nothing(api, admin, drafts):
    other = factories.clinic()
    stranger = factories.user(other, "admin")
    theirs = factories.ApiClient(api.client, factories.token(stranger))
    payer = b.payer(theirs)
    patient = b.patient(theirs, mrn="X-1")
    coverage = b.coverage(theirs, patient["id"], payer["id"])
    foreign = b.request(theirs, patient["id"], coverage["id"])["id"]
    ids = [d["id"] for d in drafts]
    desk = factories.user(admin.clinic, "front_desk")
    answer = api.post(
        "/api/v1/authorizations/reassign", json={"ids": [*ids, foreign], "owner_id": desk.id}
    )
    assert answer.status_code == 404
    assert "ids" in answer.get_json()["errors"]
    assert [_owner(i) for i in ids] == [admin.id] * 3
    assert _owner(foreign) == stranger.id
    assert all(_reassigned(i) == [] for i in [*ids, foreign])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": [], "owner_id": None}, "ids"),
        ({"ids": [1]}, "owner_id"),
        ({"owner_id": None}, "ids"),
        ({"ids": [0], "owner_id": None}, "ids"),
    ],
)
def test_bulk_reassign_bad_input_names_the_field(api, drafts, body, field):
    answer = api.post("/api/v1/authorizations/reassign", json=body)
    assert answer.status_code == 422
    assert any(key.startswith(field) for key in answer.get_json()["errors"])


def test_bulk_reassign_to_an_inactive_user_is_refused(api, admin, clinic, drafts):
    user = factories.user(clinic, "front_desk")
    staff.deactivate(admin, user.id)
    db.session.commit()
    ids = [d["id"] for d in drafts]
    answer = api.post("/api/v1/authorizations/reassign", json={"ids": ids, "owner_id": user.id})
    assert answer.status_code == 422 and "owner_id" in answer.get_json()["errors"]
    assert [_owner(i) for i in ids] == [admin.id] * 3


def test_reassign_needs_a_role_that_may(client, clinic, drafts):
    billing = factories.ApiClient(client, factories.token(factories.user(clinic, "billing")))
    answer = billing.post(
        "/api/v1/authorizations/reassign", json={"ids": [drafts[0]["id"]], "owner_id": None}
    )
    assert answer.status_code == 403


def test_the_list_filters_by_own_owner(api, admin, clinic, drafts):
    desk = factories.user(clinic, "front_desk")
    ids = [d["id"] for d in drafts]
    api.patch(f"/api/v1/authorizations/{ids[0]}/owner", json={"owner_id": desk.id})
    api.patch(f"/api/v1/authorizations/{ids[1]}/owner", json={"owner_id": None})

    def listed(owner: str) -> list[int]:
        answer = api.get(f"/api/v1/authorizations?owner={owner}")
        assert answer.status_code == 200, answer.get_json()
        assert answer.headers["X-Total-Count"] == str(len(answer.get_json()))
        return sorted(a["id"] for a in answer.get_json())

    assert listed("mine") == [ids[2]]
    assert listed("unowned") == [ids[1]]
    assert listed(str(desk.id)) == [ids[0]]
    assert listed("999999") == []
    refused = api.get("/api/v1/authorizations?owner=someone")
    assert refused.status_code == 422 and "owner" in refused.get_json()["errors"]


def test_queue_owners_are_read_by_all_and_replaced_by_admins(api, admin, clinic, client):
    desk = factories.user(clinic, "front_desk")
    first = api.get("/api/v1/clinic/queue-owners").get_json()
    assert set(first) == set(owners.queue_owners(clinic.id)) and not any(first.values())
    put = api.put(
        "/api/v1/clinic/queue-owners",
        json={"waiting_on_payer": desk.id, "expiring": admin.id, "units_low": None},
    )
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["waiting_on_payer"] == desk.id
    assert owners.queue_default_owners(clinic.id) == {
        "waiting_on_payer": desk.id,
        "expiring": admin.id,
    }
    changed = api.put("/api/v1/clinic/queue-owners", json={"waiting_on_payer": admin.id})
    assert changed.get_json()["expiring"] is None and changed.get_json()["waiting_on_payer"] == (
        admin.id
    )
    assert (
        api.put("/api/v1/clinic/queue-owners", json={"waiting_on_payer": admin.id}).status_code
        == 200
    )
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == owners.QUEUE_OWNERS_CHANGED)
    ).all()
    assert [e.changes for e in events] == [
        {
            "waiting_on_payer": {"from": None, "to": desk.id},
            "expiring": {"from": None, "to": admin.id},
        },
        {
            "waiting_on_payer": {"from": desk.id, "to": admin.id},
            "expiring": {"from": admin.id, "to": None},
        },
    ]
    reader = factories.ApiClient(client, factories.token(factories.user(clinic, "scheduler")))
    assert reader.get("/api/v1/clinic/queue-owners").get_json()["waiting_on_payer"] == admin.id
    assert reader.put("/api/v1/clinic/queue-owners", json={}).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [({"nope": 1}, "nope"), ({"expiring": "x"}, "expiring"), ({"expiring": 999999}, "expiring")],
)
def test_queue_owners_bad_input_names_the_queue(api, clinic, body, field):
    answer = api.put("/api/v1/clinic/queue-owners", json=body)
    assert answer.status_code == 422
    assert field in answer.get_json()["errors"]
    assert db.session.scalars(sa.select(QueueOwner)).all() == []


def test_set_queue_owners_refuses_a_name_that_is_no_queue(admin):
    with pytest.raises(Exception) as refused:
        owners.set_queue_owners(admin, {"no_such_queue": admin.id})
    assert refused.value.errors == {"no_such_queue": ["is not a work queue"]}
    with pytest.raises(Exception) as empty:
        owners.reassign_many(admin, [], None)
    assert "ids" in empty.value.errors
