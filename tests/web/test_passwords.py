"""Changing one's password, reset and invitation links, and the rule at every door."""

from __future__ import annotations

import email
import html
import re
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from priorauth.errors import Conflict, NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import User
from priorauth.notify import password_links as link_mail
from priorauth.services import accounts, password_links, staff
from priorauth.web.auth import LINK_REFUSED
from tests import factories
from tests.web.auth_helpers import Clock, actions_on, sign_in

NEW_PASSWORD = "violet-lantern-harbor"


def _sent_link(path: str) -> str:
    """The link in the plain-text part of an .eml file from the outbox, as a site path."""
    message = email.message_from_bytes(Path(path).read_bytes(), policy=policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:5000(/password/\S+)", text)
    assert link, text
    return link.group(1)


def _send(user, purpose: str, actor) -> str:
    where = link_mail.send_link(user, purpose, actor)
    db.session.commit()
    return _sent_link(where)


def _choose(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    data = {"new_password": password, "confirm": password if confirm is None else confirm}
    return client.post(path, data=data)


def test_a_reset_link_works_once(client, admin, front_desk):
    path = _send(front_desk, "reset", admin)
    assert path.startswith("/password/reset/")
    page = client.get(path)
    assert page.status_code == 200
    assert _choose(client, path).status_code == 302
    assert sign_in(client, front_desk.email, NEW_PASSWORD).status_code == 302
    client.post("/logout")
    again = client.get(path)
    assert again.status_code == 404
    assert LINK_REFUSED in html.unescape(again.get_data(as_text=True))
    assert _choose(client, path, "another-good-password").status_code == 404
    assert actions_on(front_desk)[-4:] == [
        "password_reset_sent",
        "password_reset",
        "signed_in",
        "signed_out",
    ]


def test_a_reset_link_expires(client, admin, front_desk, monkeypatch):
    clock = Clock(monkeypatch)
    path = _send(front_desk, "reset", admin)
    clock.set(hours=23, minutes=59)
    assert client.get(path).status_code == 200
    clock.set(hours=24, minutes=1)
    assert client.get(path).status_code == 404
    assert _choose(client, path).status_code == 404
    db.session.refresh(front_desk)
    assert front_desk.check_password(factories.PASSWORD)


def test_an_invitation_lasts_72_hours_and_is_no_reset_link(client, admin, front_desk, monkeypatch):
    clock = Clock(monkeypatch)
    path = _send(front_desk, "invite", admin)
    assert path.startswith("/password/invite/")
    token = path.rsplit("/", 1)[1]
    assert client.get(f"/password/reset/{token}").status_code == 404
    clock.set(hours=71)
    assert client.get(path).status_code == 200
    assert _choose(client, path).status_code == 302
    assert "invite_accepted" in actions_on(front_desk)
    clock.set(hours=73)
    assert client.get(_send(front_desk, "invite", admin)).status_code == 200


def test_a_weak_password_through_a_link_is_refused_and_the_link_still_works(
    client, admin, front_desk
):
    path = _send(front_desk, "reset", admin)
    for password, confirm, message in (
        ("password1234", None, "is on a list of the most common passwords"),
        ("short", None, "must be at least 12 characters long"),
        (NEW_PASSWORD, "something-else-entirely", "does not match the new password"),
    ):
        response = _choose(client, path, password, confirm)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    db.session.refresh(front_desk)
    assert front_desk.check_password(factories.PASSWORD)
    assert client.get(path).status_code == 200


def test_a_forged_or_mangled_link_is_refused(client, front_desk):
    assert client.get("/password/reset/not-a-token").status_code == 404
    token = password_links.make_token(front_desk, "reset")
    assert client.get(f"/password/reset/{token[:-2]}xx").status_code == 404


def test_signing_out_spends_an_outstanding_link(client, admin, front_desk):
    path = _send(front_desk, "reset", admin)
    sign_in(client, front_desk.email)
    client.post("/logout")
    assert client.get(path).status_code == 404


def test_a_reset_unlocks_the_account(client, admin, front_desk, monkeypatch):
    monkeypatch.setitem(client.application.config, "SIGN_IN_LOCKOUT_FAILURES", 2)
    for n in range(2):
        sign_in(client, front_desk.email, "not-the-password", address=f"10.9.0.{n}")
    assert sign_in(client, front_desk.email).status_code == 422
    assert _choose(client, _send(front_desk, "reset", admin)).status_code == 302
    assert sign_in(client, front_desk.email, NEW_PASSWORD).status_code == 302


def test_the_email_names_the_clinic_and_the_link_lifetime(admin, front_desk):
    where = link_mail.send_link(front_desk, "reset", admin)
    message = email.message_from_bytes(Path(where).read_bytes(), policy=policy.default)
    assert message["To"] == front_desk.email
    assert message["Subject"] == "Reset your priorauth password"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert front_desk.clinic.name in text and "24 hours" in text
    html_part = message.get_body(preferencelist=("html",)).get_content()
    assert _sent_link(where) in html_part


def test_a_reset_goes_only_to_an_active_user_of_the_clinic(admin, front_desk):
    stranger = factories.user(factories.clinic(), "billing")
    with pytest.raises(NotFound):
        staff.reset_target(admin, stranger.id)
    front_desk.active = False
    with pytest.raises(Conflict):
        staff.reset_target(admin, front_desk.id)
    front_desk.active = True
    target = staff.reset_target(admin, front_desk.id)
    assert Path(link_mail.send_link(target, "reset", admin)).exists()


def _change(client, current, new, confirm=None):
    data = {"current_password": current, "new_password": new, "confirm": confirm or new}
    return client.post("/account/password", data=data)


def test_changing_ones_password(client, admin):
    sign_in(client, admin.email)
    page = client.get("/account/password")
    assert page.status_code == 200
    assert '<label for="current_password">Current password</label>' in page.get_data(as_text=True)
    assert _change(client, factories.PASSWORD, NEW_PASSWORD).status_code == 302
    user = db.session.get(User, admin.id)
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD) and user.password_changed_at is not None
    assert user.session_version == 2
    assert "password_changed" in actions_on(admin)
    client.post("/logout")
    assert sign_in(client, admin.email).status_code == 422
    assert sign_in(client, admin.email, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong-current-password", NEW_PASSWORD, None, "is not your current password"),
        (factories.PASSWORD, factories.PASSWORD, None, "must differ from your current password"),
        (factories.PASSWORD, "password1234", None, "is on a list of the most common passwords"),
        (factories.PASSWORD, NEW_PASSWORD, "violet-lantern-harbour", "does not match"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    client, admin, current, new, confirm, message
):
    sign_in(client, admin.email)
    response = _change(client, current, new, confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.check_password(factories.PASSWORD) and admin.session_version == 1
    assert client.get("/").status_code == 200


def test_guessing_the_current_password_is_throttled_too(client, admin, monkeypatch):
    monkeypatch.setitem(client.application.config, "SIGN_IN_RATE_LIMIT", "2 per 15 minutes")
    sign_in(client, admin.email)
    for _ in range(2):
        assert _change(client, "wrong-current-password", NEW_PASSWORD).status_code == 422
    assert _change(client, factories.PASSWORD, NEW_PASSWORD).status_code == 429


def test_the_change_page_needs_sign_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _cli_create(app, password: str):
    args = ["users", "create", "--clinic", "Lakeside", "--email", "cy@lakeside.org"]
    args += ["--name", "Cy", "--role", "billing"]
    return app.test_cli_runner().invoke(args=args, input=f"{password}\n{password}\n")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("a", "must be at least 12 characters long"),
        ("password", "must be at least 12 characters long"),
        ("password1234", "is on a list of the most common passwords"),
        ("cy@lakeside.org", "must not be your email address or name"),
    ],
)
def test_cli_refuses_a_weak_password(app_ctx, password, message):
    result = _cli_create(app_ctx, password)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "cy@lakeside.org")) is None


def test_create_user_names_the_password_field(clinic):
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_user(clinic, "dee@clinic.org", "Dee", "billing", "password")
    assert refused.value.errors["password"][0] == "must be at least 12 characters long"
