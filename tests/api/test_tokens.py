"""API tokens: refused when revoked, expired or of a deactivated user; last use is stamped."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from priorauth.errors import Conflict, NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import ApiToken, AuditEvent
from priorauth.models.base import utcnow
from priorauth.services import tokens
from tests import factories

PROBE = "/api/v1/payers"


def _get(client, plain: str):
    return client.get(PROBE, headers={"Authorization": f"Bearer {plain}"})


def _issue(user, **kwargs) -> tuple[int, str]:
    row, plain = tokens.issue(user, **kwargs)
    db.session.commit()
    return row.id, plain


def _row(token_id: int) -> ApiToken:
    db.session.expire_all()
    return db.session.get(ApiToken, token_id)


def test_a_good_token_works_and_its_use_is_stamped(client, admin):
    token_id, plain = _issue(admin, label="lab interface", expires_in_days=30)
    assert _row(token_id).last_used_at is None
    before = utcnow()
    assert _get(client, plain).status_code == 200
    row = _row(token_id)
    assert row.last_used_at is not None and row.last_used_at >= before
    assert row.label == "lab interface"
    assert timedelta(days=29) < row.expires_at - row.created_at <= timedelta(days=30, seconds=5)


def test_use_is_stamped_at_most_once_a_minute(client, admin):
    token_id, plain = _issue(admin)
    recent = utcnow() - timedelta(seconds=20)
    _row(token_id).last_used_at = recent
    db.session.commit()
    assert _get(client, plain).status_code == 200
    assert _row(token_id).last_used_at == recent  # within the minute: no write
    older = utcnow() - timedelta(minutes=2)
    _row(token_id).last_used_at = older
    db.session.commit()
    assert _get(client, plain).status_code == 200
    assert _row(token_id).last_used_at > older


def _unknown_token_answer(client) -> dict:
    response = _get(client, "pa_not-a-token")
    assert response.status_code == 401
    return response.get_json()


def test_a_revoked_token_answers_like_an_unknown_one(client, admin):
    token_id, plain = _issue(admin)
    assert _get(client, plain).status_code == 200
    tokens.revoke(admin, token_id)
    db.session.commit()
    response = _get(client, plain)
    assert response.status_code == 401
    assert response.get_json() == _unknown_token_answer(client)
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "api_token_revoked")
    ).one()
    assert (event.user_id, event.entity_id, event.changes["token_id"]) == (
        admin.id,
        admin.id,
        token_id,
    )


def test_an_expired_token_is_refused(client, admin):
    token_id, plain = _issue(admin, expires_in_days=1)
    assert _get(client, plain).status_code == 200
    _row(token_id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _get(client, plain).status_code == 401
    stamped = _row(token_id).last_used_at
    assert _get(client, plain).status_code == 401
    assert _row(token_id).last_used_at == stamped  # a refused token is not stamped


def test_a_deactivated_users_token_is_refused(client, clinic, admin):
    user = factories.user(clinic, "billing")
    _, plain = _issue(user)
    assert _get(client, plain).status_code == 200
    user.active = False
    db.session.commit()
    assert _get(client, plain).status_code == 401


def test_issue_refuses_bad_labels_and_lifetimes_and_stores_nothing(admin):
    with pytest.raises(ValidationFailed) as too_long:
        tokens.issue(admin, label="x" * 101)
    assert "label" in too_long.value.errors
    for days in (0, -1, tokens.MAX_DAYS + 1):
        with pytest.raises(ValidationFailed) as bad_days:
            tokens.issue(admin, expires_in_days=days)
        assert "expires_in_days" in bad_days.value.errors
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_issue_is_audited_with_its_label_and_expiry(admin):
    token_id, _ = _issue(admin, label="nightly export", expires_in_days=7)
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "api_token_issued")
    ).one()
    assert event.changes["token_id"] == token_id
    assert event.changes["label"] == "nightly export"
    assert event.changes["expires_at"].startswith(_row(token_id).expires_at.date().isoformat())


def test_revoke_is_scoped_to_the_clinic_and_happens_once(admin):
    other_admin = factories.user(factories.clinic(), "admin")
    token_id, plain = _issue(admin)
    with pytest.raises(NotFound):
        tokens.revoke(other_admin, token_id)
    with pytest.raises(NotFound):
        tokens.revoke(admin, 999_999)
    assert _row(token_id).revoked_at is None
    tokens.revoke(None, token_id)  # an operator may revoke any token
    db.session.commit()
    with pytest.raises(Conflict):
        tokens.revoke(admin, token_id)


def test_tokens_of_lists_the_users_tokens_newest_first(admin, clinic):
    first, _ = _issue(admin, label="one")
    second, _ = _issue(admin, label="two")
    _issue(factories.user(clinic, "billing"), label="someone else's")
    assert [t.id for t in tokens.tokens_of(admin)] == [second, first]
    now = utcnow()
    assert {tokens.state(t, now) for t in tokens.tokens_of(admin)} == {"active"}
