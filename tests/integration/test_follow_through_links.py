"""The digest's acknowledge and reassign links against a real SMTP server (aiosmtpd): the
admin's digest lists the escalated reminders, each item carries single-use links that need a
signed-in user of the clinic, work once, expire, and change nothing for anyone else; the
escalated page, the reminders page and the dashboard (docs/follow-through.md)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from priorauth import demo
from priorauth.extensions import db
from priorauth.models import ActionLink, AuditEvent, Clinic, DigestDelivery, ReminderState
from priorauth.models.users import hash_token
from priorauth.notify import runner
from priorauth.notify.render import render
from priorauth.notify.runner import send_digests
from priorauth.queries import escalations
from priorauth.queries.digests import stored_digest
from priorauth.services import clock
from priorauth.services.clock import clinic_now
from tests import factories
from tests.integration.test_digests import demo_user, parts

PASSWORD = "demo-password"
ACK = re.compile(r"Acknowledge: http://127\.0\.0\.1:5000/links/(\S+)")
REASSIGN = re.compile(r"Reassign: http://127\.0\.0\.1:5000/links/(\S+)")


@pytest.fixture
def clinic(app_ctx) -> Clinic:
    """The demo clinic today, its reminders first seen two weeks ago: the overdue ones have
    escalated (the next sync computes their escalation day from that)."""
    demo.seed()
    db.session.commit()
    clinic = db.session.scalar(sa.select(Clinic))
    today = clinic_now(clinic).date()
    escalations.synced(clinic, clinic_now(clinic))
    db.session.execute(sa.update(ReminderState).values(first_seen_on=today - timedelta(days=14)))
    escalations.synced(clinic, clinic_now(clinic))
    db.session.commit()
    assert escalations.count(clinic.id, today) >= 2
    return clinic


@pytest.fixture
def admin_text(clinic, inbox) -> str:
    """The admin's digest of today, as sent."""
    counts = send_digests(clinic.id, clinic_now(clinic).date())
    assert counts["sent"] >= 1
    text, html = parts(inbox.of(demo_user("admin").email))
    assert 'data-type="ESCALATED"' in html and "/links/" in html
    return text


def sign_in(client, email: str, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302


def link_of(token: str) -> ActionLink:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(ActionLink).where(ActionLink.token_hash == hash_token(token))
    )


def escalated_keys(client) -> list[str]:
    page = client.get("/escalated")
    assert page.status_code == 200
    return re.findall(r'data-key="([^"]+)"', page.get_data(as_text=True))


def test_the_admins_digest_lists_the_escalated_and_the_others_do_not(clinic, inbox, admin_text):
    rows = escalations.rows(clinic.id, clinic_now(clinic).date())
    assert rows and "ESCALATED (" in admin_text
    assert f"Unacknowledged since {rows[0].escalates_on}" in admin_text
    front_desk, _ = parts(inbox.of(demo_user("front_desk").email))
    assert "ESCALATED (" not in front_desk and "Acknowledge: " in front_desk
    stored = db.session.scalars(sa.select(ActionLink)).all()
    assert {link.action for link in stored} == {"acknowledge", "reassign"}
    lives = {round((link.expires_at - link.created_at).total_seconds() / 3600) for link in stored}
    assert lives == {7 * 24}  # ACTION_LINK_DAYS
    assert all(len(link.token_hash) == 64 for link in stored)
    token = ACK.search(admin_text).group(1)
    assert token not in {link.token_hash for link in stored}  # only the hash is kept


def test_a_reader_who_may_not_reassign_gets_acknowledge_links_only(clinic, admin_text):
    """Billing may acknowledge but not reassign: the same items give billing no reassign link
    (the demo's billing digest has no reminder of its own, so the admin's is used)."""
    admin, billing = demo_user("admin"), demo_user("billing")
    row = db.session.scalar(sa.select(DigestDelivery).where(DigestDelivery.user_id == admin.id))
    digest = stored_digest(row)
    links = runner._links(billing, digest)
    assert links and all(set(acts) == {"acknowledge"} for acts in links.values())
    rendered = render(digest, billing, links=links)
    assert "Acknowledge: " in rendered.text and "Reassign: " not in rendered.text
    assert "act-reassign" not in rendered.html
    assert set(runner._links(admin, digest)[next(iter(links))]) == {"acknowledge", "reassign"}


def test_an_acknowledge_link_works_once_and_the_item_leaves_the_escalated_list(
    clinic, client, admin_text
):
    token = ACK.search(admin_text).group(1)
    key = link_of(token).reminder_key
    sign_in(client, demo_user("scheduler").email)  # any user of the clinic
    assert key in escalated_keys(client)
    page = client.get(f"/links/{token}")
    assert page.status_code == 200 and "Acknowledge a reminder" in page.get_data(as_text=True)
    assert link_of(token).used_at is None  # looking changes nothing
    done = client.post(f"/links/{token}")
    assert (done.status_code, done.location) == (302, "/escalated")
    assert key not in escalated_keys(client)
    used = link_of(token)
    assert used.used_at is not None and used.used_by_id == demo_user("scheduler").id
    state = db.session.scalar(sa.select(ReminderState).where(ReminderState.key == key))
    assert state.acknowledged_by_id == demo_user("scheduler").id
    for again in (client.get(f"/links/{token}"), client.post(f"/links/{token}")):
        assert again.status_code == 410
        assert "already used; it works once" in again.get_data(as_text=True)
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_type == "reminder_states")
    ).all()
    assert events == ["acknowledged"]


def test_a_link_is_refused_for_another_clinics_user_and_stays_unused(clinic, client, admin_text):
    token = ACK.search(admin_text).group(1)
    stranger = factories.user(factories.clinic(), "admin")
    sign_in(client, stranger.email, factories.PASSWORD)
    assert client.get(f"/links/{token}").status_code == 404
    assert client.post(f"/links/{token}").status_code == 404
    assert client.get("/links/not-a-token").status_code == 404
    assert link_of(token).used_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "reminder_states"
    )) == 0  # fmt: skip


def test_a_link_expires(clinic, client, admin_text, monkeypatch):
    token = ACK.search(admin_text).group(1)
    later = clock.now_utc() + timedelta(days=7, seconds=1)
    monkeypatch.setattr(clock, "now_utc", lambda: later)
    sign_in(client, demo_user("admin").email)
    for attempt in (client.get(f"/links/{token}"), client.post(f"/links/{token}")):
        assert attempt.status_code == 410
        assert "This link has expired." in attempt.get_data(as_text=True)
        assert "Nothing was changed." in attempt.get_data(as_text=True)
    assert link_of(token).used_at is None


def test_signed_out_the_link_asks_to_sign_in_then_comes_back(clinic, client, admin_text):
    token = ACK.search(admin_text).group(1)
    first = client.get(f"/links/{token}")
    assert first.status_code == 302 and "/login" in first.location
    assert f"/links/{token}" in first.location.replace("%2F", "/")
    back = client.post(
        first.location,
        data={"email": demo_user("admin").email, "password": PASSWORD},
    )
    assert back.status_code == 302 and back.location == f"/links/{token}"
    assert link_of(token).used_at is None


def test_a_reassign_link_asks_for_the_owner(clinic, client, admin_text):
    token = REASSIGN.search(admin_text).group(1)
    key = link_of(token).reminder_key
    sign_in(client, demo_user("admin").email)
    page = client.get(f"/links/{token}")
    assert page.status_code == 200 and 'name="owner_id"' in page.get_data(as_text=True)
    blank = client.post(f"/links/{token}", data={"owner_id": ""})
    assert blank.status_code == 400 and "Owner" in blank.get_data(as_text=True)
    stranger = factories.user(factories.clinic(), "admin")
    refused = client.post(f"/links/{token}", data={"owner_id": str(stranger.id)})
    assert refused.status_code == 422 and link_of(token).used_at is None
    billing = demo_user("billing")
    done = client.post(f"/links/{token}", data={"owner_id": str(billing.id)})
    assert done.status_code == 302 and link_of(token).used_at is not None
    state = db.session.scalar(sa.select(ReminderState).where(ReminderState.key == key))
    assert state.owner_id == billing.id
    row = next(r for r in escalations.rows(clinic.id, clinic_now(clinic).date()) if r.key == key)
    assert row.owner_name == billing.name


def test_a_link_to_a_reminder_no_longer_due_changes_nothing(clinic, client, admin_text):
    token = ACK.search(admin_text).group(1)
    link = link_of(token)
    state = db.session.scalar(
        sa.select(ReminderState).where(ReminderState.key == link.reminder_key)
    )
    state.resolved_at = clock.now_utc()
    db.session.commit()
    sign_in(client, demo_user("admin").email)
    for attempt in (client.get(f"/links/{token}"), client.post(f"/links/{token}")):
        assert attempt.status_code == 410
        assert "is due" in attempt.get_data(as_text=True)
    assert link_of(token).used_at is None


def test_the_escalated_page_acknowledges_and_reassigns(clinic, client):
    sign_in(client, demo_user("admin").email)
    keys = escalated_keys(client)
    assert len(keys) >= 2
    page = client.get("/escalated").get_data(as_text=True)
    assert "unowned" in page or "Owner" in page
    done = client.post("/reminders/acknowledge", data={"key": keys[0], "next": "/escalated"})
    assert (done.status_code, done.location) == (302, "/escalated")
    assert keys[0] not in escalated_keys(client)
    billing = demo_user("billing")
    client.post("/reminders/reassign", data={"key": keys[1], "owner_id": str(billing.id)})
    shown = client.get("/escalated").get_data(as_text=True)
    assert "The reminder has a new owner." in shown
    row = re.search(rf'data-key="{re.escape(keys[1])}".*?class="owner">([^<]+)<', shown, re.S)
    assert row.group(1) == billing.name


@pytest.mark.parametrize(
    ("path", "data", "said"),
    [
        ("/reminders/acknowledge", {"key": ""}, "Reminder"),
        ("/reminders/acknowledge", {"key": "NOPE:a1:2026-01-01"}, "is due"),
        ("/reminders/reassign", {"key": "NOPE:a1:2026-01-01", "owner_id": "x"}, "Owner"),
    ],
)
def test_bad_acknowledge_and_reassign_posts_say_why_and_change_nothing(
    clinic, client, path, data, said
):
    sign_in(client, demo_user("admin").email)
    response = client.post(path, data={**data, "next": "https://elsewhere.example/"})
    assert (response.status_code, response.location) == (302, "/escalated")
    assert said in client.get("/escalated").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "reminder_states"
    )) == 0  # fmt: skip


def test_the_reminders_page_acknowledges_one_reminder(clinic, client):
    sign_in(client, demo_user("admin").email)
    page = client.get("/reminders").get_data(as_text=True)
    keys = re.findall(r'name="key" value="([^"]+)"', page)
    assert keys
    done = client.post("/reminders/acknowledge", data={"key": keys[0], "next": "/reminders"})
    assert done.location == "/reminders"
    after = client.get("/reminders").get_data(as_text=True)
    assert keys[0] not in re.findall(r'name="key" value="([^"]+)"', after)
    assert 'class="muted acknowledged"' in after
    day = clinic_now(clinic).date().isoformat()
    past = client.get(f"/reminders?as_of={day}").get_data(as_text=True)
    assert 'name="key"' not in past  # another moment: no buttons


def test_the_dashboard_shows_the_escalated_count(clinic, client):
    sign_in(client, demo_user("admin").email)
    expected = escalations.count(clinic.id, clinic_now(clinic).date())
    assert expected > 0
    home = client.get("/").get_data(as_text=True)
    assert f'data-escalated="{expected}"' in home


def test_billing_may_acknowledge_but_not_give_reminders_to_someone(clinic, client, admin_text):
    billing = demo_user("billing")
    sign_in(client, billing.email)
    token = REASSIGN.search(admin_text).group(1)
    assert client.get(f"/links/{token}").status_code == 403
    refused = client.post(f"/links/{token}", data={"owner_id": str(billing.id)})
    assert refused.status_code == 403 and link_of(token).used_at is None
    key = escalated_keys(client)[0]
    page = client.get("/escalated").get_data(as_text=True)
    assert "Acknowledge" in page and 'name="owner_id"' not in page
    data = {"key": key, "owner_id": str(billing.id)}
    assert client.post("/reminders/reassign", data=data).status_code == 403
    state = db.session.scalar(sa.select(ReminderState).where(ReminderState.key == key))
    assert state.owner_id is None


def test_the_api_lists_acknowledges_and_reassigns(clinic, client):
    admin = demo_user("admin")
    api = factories.ApiClient(client, factories.token(admin))
    listed = api.get("/api/v1/reminders/escalated")
    assert listed.status_code == 200
    rows = listed.get_json()
    assert len(rows) == escalations.count(clinic.id, clinic_now(clinic).date())
    first, second = rows[0]["key"], rows[1]["key"]
    assert rows[0]["message"] and rows[0]["days_overdue"] >= 0
    done = api.post("/api/v1/reminders/acknowledge", json={"key": first})
    assert done.status_code == 200 and done.get_json()["acknowledged_by_id"] == admin.id
    again = api.post("/api/v1/reminders/acknowledge", json={"key": first})
    assert (again.status_code, again.get_json()["code"]) == (409, "ALREADY_ACKNOWLEDGED")
    assert api.post("/api/v1/reminders/acknowledge", json={"key": "NOPE:a1"}).status_code == 404
    blank = api.post("/api/v1/reminders/acknowledge", json={"key": ""})
    assert blank.status_code == 422 and "key" in blank.get_json()["errors"]
    scheduler = demo_user("scheduler")
    given = api.post("/api/v1/reminders/reassign", json={"key": second, "owner_id": scheduler.id})
    assert given.status_code == 200 and given.get_json()["owner_id"] == scheduler.id
    bad = api.post("/api/v1/reminders/reassign", json={"key": second, "owner_id": 999999})
    assert bad.status_code == 422 and "owner_id" in bad.get_json()["errors"]
    keys = [row["key"] for row in api.get("/api/v1/reminders/escalated").get_json()]
    assert first not in keys and second in keys
    billing_api = factories.ApiClient(client, factories.token(demo_user("billing")))
    data = {"key": second, "owner_id": scheduler.id}
    assert billing_api.post("/api/v1/reminders/reassign", json=data).status_code == 403
