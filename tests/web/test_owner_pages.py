"""Owners on the pages, on the demo clinic (docs/follow-through.md, Owners): the Owner column
and the ?owner= filter of the queues, bulk reassignment from a queue (`ids`, `owner_id`,
"Reassign selected"), the request page's owner select, the dashboard's unowned count and
the clinic's default owner per queue."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from priorauth import demo
from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, Clinic, QueueOwner, User
from priorauth.services import owners, staff
from tests import factories

PASSWORD = "demo-password"
ZONE = ZoneInfo("America/New_York")


@pytest.fixture
def demo_clinic(app_ctx):
    demo.seed(today=datetime.now(ZONE).date())
    db.session.commit()
    return db.session.scalar(sa.select(Clinic).order_by(Clinic.id))


def person(clinic, role: str) -> User:
    return db.session.scalar(sa.select(User).where(User.clinic_id == clinic.id, User.role == role))


def sign_in(client, user: User, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-row-id="(\d+)"', html)]


def page(client, path: str, status: int = 200, **args) -> str:
    response = client.get(path, query_string=args)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def owner_of(auth_id: int) -> int | None:
    db.session.expire_all()
    return db.session.get(AuthorizationRequest, auth_id).owner_id


def reassigned(auth_id: int) -> list[dict]:
    return [
        e.changes
        for e in db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_type == "authorization_requests")
            .where(AuditEvent.entity_id == auth_id, AuditEvent.action == owners.REASSIGNED)
            .order_by(AuditEvent.id)
        )
    ]


def test_the_demo_has_owners_two_unowned_requests_and_queue_defaults(client, demo_clinic):
    sign_in(client, person(demo_clinic, "front_desk"))
    home = page(client, "/")
    assert 'data-unowned="2"' in home
    links = re.findall(r'href="/queues/(\w+)\?owner=unowned" data-unowned-queue="\w+">', home)
    unowned = []
    for name in links:
        unowned += row_ids(page(client, f"/queues/{name}", owner="unowned"))
    expected = db.session.scalars(
        sa.select(AuthorizationRequest.id).where(AuthorizationRequest.owner_id.is_(None))
    ).all()
    assert sorted(unowned) == sorted(expected) and len(expected) == 2
    defaults = owners.queue_default_owners(demo_clinic.id)
    assert defaults["expiring"] == person(demo_clinic, "scheduler").id
    assert "Owner" in page(client, f"/authorizations/{expected[0]}")


def test_no_unowned_request_links_to_an_empty_unowned_queue(client, demo_clinic):
    admin = person(demo_clinic, "admin")
    ids = db.session.scalars(
        sa.select(AuthorizationRequest.id).where(AuthorizationRequest.owner_id.is_(None))
    ).all()
    owners.reassign_many(admin, ids, admin.id)
    db.session.commit()
    sign_in(client, admin)
    home = page(client, "/")
    assert 'data-unowned="0"' in home and "/queues/needs_evidence?owner=unowned" in home
    assert "data-unowned-queue" not in home


def test_a_queue_filters_by_owner_and_shows_the_owner_column(client, demo_clinic):
    desk, admin = person(demo_clinic, "front_desk"), person(demo_clinic, "admin")
    sign_in(client, desk)
    everyone = row_ids(page(client, "/queues/waiting_on_payer"))
    owned = {i: owner_of(i) for i in everyone}
    mine = page(client, "/queues/waiting_on_payer", owner="mine")
    assert row_ids(mine) == [i for i in everyone if owned[i] == desk.id]
    assert '<option value="mine" selected>' in mine
    assert "owner=mine" in mine  # the sort links keep the filter
    unowned = row_ids(page(client, "/queues/waiting_on_payer", owner="unowned"))
    assert unowned == [i for i in everyone if owned[i] is None] and unowned
    by_admin = page(client, "/queues/waiting_on_payer", owner=str(admin.id))
    assert row_ids(by_admin) == [i for i in everyone if owned[i] == admin.id]
    assert f'<option value="{admin.id}" selected>' in by_admin
    assert row_ids(page(client, "/queues/waiting_on_payer", owner="nonsense")) == everyone
    html = page(client, "/queues/waiting_on_payer")
    assert '<th scope="col">Owner</th>' in html and desk.name in html and "Unowned" in html


def test_a_queue_default_owner_owns_the_rows_with_no_owner(client, demo_clinic):
    sched = person(demo_clinic, "scheduler")
    sign_in(client, sched)
    expiring = row_ids(page(client, "/queues/expiring"))
    admin = person(demo_clinic, "admin")
    owners.reassign_many(admin, expiring, None)
    db.session.commit()
    html = page(client, "/queues/expiring", owner="mine")
    assert row_ids(html) == expiring and expiring
    assert "(queue default)" in html


def test_an_infusion_queue_shows_owners_without_checkboxes(client, demo_clinic):
    sign_in(client, person(demo_clinic, "scheduler"))
    html = page(client, "/queues/uncovered_soon")
    assert row_ids(html) and '<th scope="col">Owner</th>' in html
    assert 'name="ids"' not in html and "Reassign selected" not in html


def test_bulk_reassign_from_a_queue_page(client, demo_clinic):
    desk, sched = person(demo_clinic, "front_desk"), person(demo_clinic, "scheduler")
    sign_in(client, desk)
    html = page(client, "/queues/needs_evidence")
    assert 'name="ids"' in html and 'name="owner_id"' in html and "Reassign selected" in html
    ids = row_ids(html)[:2]
    before = [owner_of(i) for i in ids]
    response = client.post(
        "/queues/reassign",
        data={
            "ids": [str(i) for i in ids],
            "owner_id": str(sched.id),
            "next": "/queues/needs_evidence?owner=mine",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/queues/needs_evidence?owner=mine")
    assert [owner_of(i) for i in ids] == [sched.id, sched.id]
    assert [reassigned(i)[-1] for i in ids] == [
        {"owner_id": {"from": b, "to": sched.id}} for b in before
    ]
    shown = page(client, "/queues/needs_evidence", owner=str(sched.id))
    assert set(ids) <= set(row_ids(shown)) and "Reassigned 2 requests to Sam Patel" in shown
    back = client.post("/queues/reassign", data={"ids": str(ids[0]), "owner_id": "none"})
    assert back.status_code == 303 and back.headers["Location"].endswith("/")
    assert owner_of(ids[0]) is None


@pytest.mark.parametrize("case", ["other clinic", "none ticked", "no owner", "inactive"])
def test_bulk_reassign_refusals_change_nothing(client, demo_clinic, case):
    desk, admin = person(demo_clinic, "front_desk"), person(demo_clinic, "admin")
    sign_in(client, desk)
    ids = row_ids(page(client, "/queues/needs_evidence"))[:2]
    form = {"ids": [str(i) for i in ids], "owner_id": str(admin.id)}
    status, field = 422, "Owner"
    if case == "other clinic":
        other = factories.clinic()
        stranger = factories.user(other, "admin")
        foreign = AuthorizationRequest(
            **{c: getattr(db.session.get(AuthorizationRequest, ids[0]), c) for c in (
                "hcpcs_code", "dose_mg", "administrations", "requested_start",
                "requested_end", "units_requested", "patient_id", "coverage_id",
            )},
            clinic_id=other.id, owner_id=stranger.id,
        )  # fmt: skip
        db.session.add(foreign)
        db.session.commit()
        form["ids"].append(str(foreign.id))
        status, field = 404, f"request {foreign.id}"
    elif case == "none ticked":
        form.pop("ids")
        field = "Requests"
    elif case == "no owner":
        form["owner_id"] = ""
    else:
        staff.deactivate(admin, person(demo_clinic, "scheduler").id)
        db.session.commit()
        form["owner_id"] = str(person(demo_clinic, "scheduler").id)
    before = [(owner_of(i), reassigned(i)) for i in ids]
    response = client.post("/queues/reassign", data=form)
    assert response.status_code == status
    assert field in response.get_data(as_text=True)
    assert [(owner_of(i), reassigned(i)) for i in ids] == before


def test_billing_may_not_reassign(client, demo_clinic):
    billing = person(demo_clinic, "billing")
    sign_in(client, billing)
    html = page(client, "/queues/needs_evidence")
    assert 'name="ids"' not in html
    ids = row_ids(html)[:1]
    assert client.post("/queues/reassign", data={"ids": ids, "owner_id": "none"}).status_code == 403
    auth_page = page(client, f"/authorizations/{ids[0]}")
    assert 'id="owner-select"' not in auth_page and "Fiona Reyes" in auth_page


def test_the_request_page_gives_the_request_to_someone(client, demo_clinic):
    desk, sched = person(demo_clinic, "front_desk"), person(demo_clinic, "scheduler")
    auth_id = db.session.scalar(
        sa.select(AuthorizationRequest.id).where(AuthorizationRequest.owner_id == desk.id)
    )
    sign_in(client, desk)
    html = page(client, f"/authorizations/{auth_id}")
    assert f'<option value="{desk.id}" selected>' in html
    response = client.post(f"/authorizations/{auth_id}/owner", data={"owner_id": str(sched.id)})
    assert response.status_code == 303 and owner_of(auth_id) == sched.id
    assert reassigned(auth_id) == [{"owner_id": {"from": desk.id, "to": sched.id}}]
    html = page(client, f"/authorizations/{auth_id}")
    assert f"Request #{auth_id} is now owned by Sam Patel" in html
    client.post(f"/authorizations/{auth_id}/owner", data={"owner_id": "none"})
    assert owner_of(auth_id) is None
    html = page(client, f"/authorizations/{auth_id}")
    assert "No owner of its own" in html and '<option value="none" selected>' in html
    assert "now owned by no one" in html
    staff.deactivate(person(demo_clinic, "admin"), sched.id)
    db.session.commit()
    refused = client.post(f"/authorizations/{auth_id}/owner", data={"owner_id": str(sched.id)})
    assert refused.status_code == 422
    assert "Owner: User" in refused.get_data(as_text=True)
    assert owner_of(auth_id) is None


def test_a_deactivated_owner_is_named_so(client, demo_clinic):
    admin, sched = person(demo_clinic, "admin"), person(demo_clinic, "scheduler")
    auth_id = db.session.scalar(
        sa.select(AuthorizationRequest.id).order_by(AuthorizationRequest.id)
    )
    owners.reassign(admin, auth_id, sched.id)
    owners.set_queue_owners(admin, {"expiring": sched.id})
    staff.deactivate(admin, sched.id)
    db.session.commit()
    sign_in(client, admin)
    assert "Sam Patel (deactivated)" in page(client, f"/authorizations/{auth_id}")
    assert "Sam Patel (deactivated)" in page(client, "/queues/expiring")


def test_the_clinic_settings_page_edits_the_default_owners(client, demo_clinic):
    admin, desk = person(demo_clinic, "admin"), person(demo_clinic, "front_desk")
    sign_in(client, admin)
    html = page(client, "/clinic")
    assert "Default owners of the work queues" in html and 'name="waiting_on_payer"' in html
    response = client.post(
        "/clinic/queue-owners", data={"waiting_on_payer": str(desk.id), "expiring": ""}
    )
    assert response.status_code == 303
    assert owners.queue_default_owners(demo_clinic.id) == {"waiting_on_payer": desk.id}
    html = page(client, "/clinic/queue-owners")
    assert f'<option value="{desk.id}" selected>' in html
    stranger = factories.user(factories.clinic(), "admin")
    refused = client.post("/clinic/queue-owners", data={"expiring": str(stranger.id)})
    assert refused.status_code == 422
    assert "is not an active user of this clinic" in refused.get_data(as_text=True)
    bad = client.post("/clinic/queue-owners", data={"expiring": "x"})
    assert bad.status_code == 422
    assert (
        db.session.scalar(sa.select(QueueOwner.user_id).where(QueueOwner.queue == "expiring"))
        is None
    )


def test_only_admins_change_the_default_owners(client, demo_clinic):
    sign_in(client, person(demo_clinic, "front_desk"))
    html = page(client, "/clinic/queue-owners")
    assert "Only an admin can change these." in html
    assert client.post("/clinic/queue-owners", data={}).status_code == 403
