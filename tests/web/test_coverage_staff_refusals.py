"""Staff pages: an invitation with a too-long name or email is refused beside the field, a
role given again changes nothing (no sessions end), deactivating twice is refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, User
from tests import factories
from tests.web.auth_helpers import sign_in


@pytest.fixture
def page(client, admin):
    assert sign_in(client, admin.email).status_code == 302
    return client


def _users() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def test_an_invitation_with_a_name_over_200_characters_is_refused(page):
    form = {"name": "N" * 201, "email": "new@example.test", "role": "billing"}
    response = page.post("/staff/invite", data=form)
    assert response.status_code == 422
    assert "is longer than 200 characters" in response.text
    assert _users() == 1


def test_an_invitation_with_an_email_over_254_characters_is_refused(page):
    address = "a" * 64 + "@" + ".".join(["d" * 60] * 3) + ".example"
    assert len(address) > 254
    response = page.post("/staff/invite", data={"name": "Al", "email": address, "role": "billing"})
    assert response.status_code == 422
    assert "is longer than 254 characters" in response.text
    assert _users() == 1


def test_giving_a_user_the_role_they_have_changes_nothing(page, clinic):
    member = factories.user(clinic, "billing")
    version, before = member.session_version, _actions_on(member)
    response = page.post(f"/staff/{member.id}/role", data={"role": "billing"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).session_version == version
    assert db.session.get(User, member.id).role == "billing"
    assert _actions_on(member) == before


def _actions_on(user) -> list[str]:
    query = sa.select(AuditEvent.action).where(
        AuditEvent.entity_type == "users", AuditEvent.entity_id == user.id
    )
    return db.session.scalars(query.order_by(AuditEvent.id)).all()


def test_deactivating_a_deactivated_user_is_refused_in_words(page, clinic):
    member = factories.user(clinic, "scheduler")
    assert page.post(f"/staff/{member.id}/deactivate").status_code == 302
    again = page.post(f"/staff/{member.id}/deactivate")
    assert again.status_code == 409
    assert f"{member.name} is already deactivated" in again.text
