"""The staff pages: admins invite, change roles, deactivate, send resets and revoke tokens."""

from __future__ import annotations

import email
import re
import socket
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import ApiToken, AuditEvent, User
from priorauth.services import tokens
from tests import factories

PASSWORD = "staff-pages-test-pass"
PROBE_API = "/api/v1/payers"


@pytest.fixture
def outbox(app_ctx, tmp_path):
    """Mail goes to a fresh outbox directory (no SMTP) for the test."""
    saved = {k: app_ctx.config[k] for k in ("MAIL_HOST", "MAIL_OUTBOX")}
    app_ctx.config.update(MAIL_HOST="", MAIL_OUTBOX=str(tmp_path))
    yield tmp_path
    app_ctx.config.update(saved)


def emailed_to(outbox: Path, address: str):
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            return message
    raise AssertionError(f"no email to {address}")


def person(clinic, role: str):
    return factories.user(clinic, role, password=PASSWORD)


def signed_in(app, user):
    """A browser of its own, signed in as the user."""
    browser = app.test_client()
    response = browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert browser.get("/").status_code == 200
    return browser


def session_refused(browser) -> bool:
    response = browser.get("/")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def actions_on(user) -> list[tuple[str, int | None]]:
    return db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.user_id)
        .where(AuditEvent.entity_type == "users", AuditEvent.entity_id == user.id)
        .order_by(AuditEvent.id)
    ).all()


def fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.fixture
def boss(clinic):
    return person(clinic, "admin")


@pytest.fixture
def admin_browser(app_ctx, boss):
    return signed_in(app_ctx, boss)


def test_the_list_shows_the_clinics_staff_only(admin_browser, boss, clinic):
    colleague = person(clinic, "billing")
    stranger = person(factories.clinic(), "billing")
    page = admin_browser.get("/staff").get_data(as_text=True)
    assert colleague.email in page and boss.email in page
    assert stranger.email not in page
    assert 'href="/staff"' in page  # the nav link, for an admin


def test_a_role_change_is_audited_and_ends_the_users_sessions(app_ctx, admin_browser, boss, clinic):
    user = person(clinic, "front_desk")
    theirs = signed_in(app_ctx, user)
    response = admin_browser.post(f"/staff/{user.id}/role", data={"role": "billing"})
    assert response.status_code == 302
    assert fresh(user).role == "billing"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "role_changed")
    ).one()
    assert (event.user_id, event.entity_id) == (boss.id, user.id)
    assert event.changes == {"from": "front_desk", "to": "billing"}
    assert session_refused(theirs)


def test_deactivation_ends_sessions_and_tokens_and_reactivation_is_audited(
    app_ctx, admin_browser, boss, clinic
):
    user = person(clinic, "scheduler")
    theirs, plain = signed_in(app_ctx, user), factories.token(user)
    bearer = {"Authorization": f"Bearer {plain}"}
    assert app_ctx.test_client().get(PROBE_API, headers=bearer).status_code == 200
    assert admin_browser.post(f"/staff/{user.id}/deactivate").status_code == 302
    assert fresh(user).active is False
    assert session_refused(theirs)
    assert app_ctx.test_client().get(PROBE_API, headers=bearer).status_code == 401
    assert admin_browser.post(f"/staff/{user.id}/reactivate").status_code == 302
    assert fresh(user).active is True
    assert [a for a in actions_on(user) if a[1] == boss.id] == [
        ("deactivated", boss.id),
        ("reactivated", boss.id),
    ]
    assert "already active" in admin_browser.post(f"/staff/{user.id}/reactivate").get_data(
        as_text=True
    )


def test_the_last_admin_cannot_deactivate_or_demote_themself(admin_browser, boss, clinic):
    person(clinic, "admin").active = False  # a deactivated admin does not count
    db.session.commit()
    for path, data in (
        (f"/staff/{boss.id}/deactivate", {}),
        (f"/staff/{boss.id}/role", {"role": "billing"}),
    ):
        response = admin_browser.post(path, data=data)
        assert response.status_code == 409
        assert "last active admin" in response.get_data(as_text=True)
    assert (fresh(boss).role, fresh(boss).active) == ("admin", True)
    assert not [a for a in actions_on(boss) if a[0] in ("deactivated", "role_changed")]


def test_with_another_admin_an_admin_may_step_down(admin_browser, boss, clinic):
    person(clinic, "admin")
    response = admin_browser.post(f"/staff/{boss.id}/role", data={"role": "billing"})
    assert response.status_code == 302
    assert fresh(boss).role == "billing"
    assert session_refused(admin_browser)  # their own session ended with the change


def test_an_unknown_role_is_named_and_changes_nothing(admin_browser, clinic):
    user = person(clinic, "billing")
    response = admin_browser.post(f"/staff/{user.id}/role", data={"role": "wizard"})
    assert response.status_code == 422
    assert "must be one of" in response.get_data(as_text=True)
    assert fresh(user).role == "billing"
    assert [a for a, _ in actions_on(user)] == ["created"]


def test_invite_creates_the_user_and_mails_the_link(admin_browser, boss, outbox):
    data = {"name": "Dana Reyes", "email": " Dana@Example.test ", "role": "scheduler"}
    response = admin_browser.post("/staff/invite", data=data)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "dana@example.test"))
    assert (user.name, user.role, user.clinic_id, user.active) == (
        "Dana Reyes",
        "scheduler",
        boss.clinic_id,
        True,
    )
    assert ("invited", boss.id) in actions_on(user)
    body = emailed_to(outbox, "dana@example.test").get_body(("plain",)).get_content()
    assert re.search(r"/password/invite/\S+", body)


@pytest.mark.parametrize(
    ("data", "field_words"),
    [
        ({"name": "", "email": "x@example.test", "role": "billing"}, "name: is required"),
        ({"name": "X", "email": "not-an-address", "role": "billing"}, "not an email address"),
        ({"name": "X", "email": "x@example.test", "role": "owner"}, "must be one of"),
    ],
)
def test_bad_invitations_are_named_and_create_nothing(admin_browser, data, field_words, outbox):
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = admin_browser.post("/staff/invite", data=data)
    assert response.status_code == 422
    assert field_words.split(": ")[-1] in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before
    assert not list(outbox.glob("*.eml"))


def test_an_invitation_for_a_taken_email_is_refused(admin_browser, clinic, outbox):
    taken = person(factories.clinic(), "billing")
    data = {"name": "Again", "email": taken.email.upper(), "role": "billing"}
    response = admin_browser.post("/staff/invite", data=data)
    assert response.status_code == 422
    assert "already has an account" in response.get_data(as_text=True)
    assert fresh(taken).clinic_id != clinic.id


def test_a_reset_link_goes_to_active_users_only(admin_browser, boss, clinic, outbox):
    user = person(clinic, "billing")
    assert admin_browser.post(f"/staff/{user.id}/reset").status_code == 302
    body = emailed_to(outbox, user.email).get_body(("plain",)).get_content()
    assert re.search(r"/password/reset/\S+", body)
    user.active = False
    db.session.commit()
    response = admin_browser.post(f"/staff/{user.id}/reset")
    assert response.status_code == 409
    assert "reactivate" in response.get_data(as_text=True)


def test_tokens_are_listed_and_revoked_from_the_page(app_ctx, admin_browser, boss, clinic):
    user = person(clinic, "billing")
    row, plain = tokens.issue(user, label="lab feed", expires_in_days=90)
    db.session.commit()
    page = admin_browser.get(f"/staff/{user.id}").get_data(as_text=True)
    assert "lab feed" in page and f"/staff/tokens/{row.id}/revoke" in page
    assert admin_browser.post(f"/staff/tokens/{row.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is not None
    bearer = {"Authorization": f"Bearer {plain}"}
    assert app_ctx.test_client().get(PROBE_API, headers=bearer).status_code == 401
    assert ("api_token_revoked", boss.id) in actions_on(user)
    again = admin_browser.post(f"/staff/tokens/{row.id}/revoke")
    assert again.status_code == 409 and "already revoked" in again.get_data(as_text=True)


def test_another_clinics_user_and_token_are_not_found(admin_browser):
    stranger = person(factories.clinic(), "billing")
    row, _ = tokens.issue(stranger)
    db.session.commit()
    assert admin_browser.get(f"/staff/{stranger.id}").status_code == 404
    for action in ("role", "deactivate", "reactivate", "reset"):
        data = {"role": "admin"} if action == "role" else {}
        assert admin_browser.post(f"/staff/{stranger.id}/{action}", data=data).status_code == 404
    assert admin_browser.post(f"/staff/tokens/{row.id}/revoke").status_code == 404
    assert admin_browser.get("/staff/99999").status_code == 404
    assert (fresh(stranger).role, fresh(stranger).active) == ("billing", True)
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is None


@pytest.mark.parametrize("role", ["front_desk", "scheduler", "billing"])
def test_non_admins_are_refused_and_nothing_changes(app_ctx, clinic, role, outbox):
    target = person(clinic, "billing")
    row, _ = tokens.issue(target)
    db.session.commit()
    browser = signed_in(app_ctx, person(clinic, role))
    assert 'href="/staff"' not in browser.get("/").get_data(as_text=True)
    assert browser.get("/staff").status_code == 403
    assert browser.get(f"/staff/{target.id}").status_code == 403
    posts = [
        (f"/staff/{target.id}/role", {"role": "admin"}),
        (f"/staff/{target.id}/deactivate", {}),
        (f"/staff/{target.id}/reset", {}),
        (f"/staff/tokens/{row.id}/revoke", {}),
        ("/staff/invite", {"name": "Eve", "email": "eve@example.test", "role": "admin"}),
    ]
    for path, data in posts:
        assert browser.post(path, data=data).status_code == 403, path
    assert (fresh(target).role, fresh(target).active) == ("billing", True)
    assert db.session.get(ApiToken, row.id).revoked_at is None
    assert db.session.scalar(sa.select(User).where(User.email == "eve@example.test")) is None
    assert not list(outbox.glob("*.eml"))
    assert [a for a, _ in actions_on(target)] == ["created", "api_token_issued"]


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/staff")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.fixture
def mail_server_down(app_ctx):
    """MAIL_HOST points at a local port nothing listens on: every send is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = {k: app_ctx.config[k] for k in ("MAIL_HOST", "MAIL_PORT", "MAIL_SECURITY")}
    app_ctx.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=port, MAIL_SECURITY="none")
    yield
    app_ctx.config.update(saved)


def test_an_invitation_that_cannot_be_mailed_says_so(admin_browser, boss, mail_server_down):
    data = {"name": "Lee Park", "email": "lee@example.test", "role": "billing"}
    response = admin_browser.post("/staff/invite", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "could not be sent" in response.get_data(as_text=True)
    user = db.session.scalar(sa.select(User).where(User.email == "lee@example.test"))
    assert [a for a, _ in actions_on(user)] == ["invited"]  # no "sent" event for a failed send
