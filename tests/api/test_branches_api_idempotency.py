"""Idempotency-Key edges: a key whose holder has no answer stored yet, and a view answer
that is not a success (neither is replayed; neither writes twice)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response

from priorauth.api import idempotency
from priorauth.extensions import db
from priorauth.models import IdempotentResponse, Infusion
from priorauth.services.clock import now_utc
from tests.api import builders as b
from tests.api.test_idempotency import _book, _booking, _count


def _held_claim(user_id: int, key: str) -> None:
    """The key row of a request that has claimed the key but not stored its answer."""
    db.session.add(
        IdempotentResponse(
            user_id=user_id,
            key=key,
            method="POST",
            path="/api/v1/infusions",
            request_hash="0" * 64,
            status_code=idempotency.CLAIMED,
            response_body="",
            created_at=now_utc(),
        )
    )
    db.session.commit()


def test_a_key_whose_holder_has_not_answered_is_refused_as_in_progress(api, admin):
    patient, _ = b.approved_auth(api)
    _held_claim(admin.id, "held")
    response = _book(api, _booking(patient["id"]), "held")
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "IDEMPOTENCY_IN_PROGRESS"
    assert body["message"] == "a request with this Idempotency-Key is in progress"
    assert "Idempotent-Replayed" not in response.headers
    assert _count(Infusion) == 0  # nothing booked under the held key
    assert _count(IdempotentResponse) == 1
    again = _book(api, _booking(patient["id"]), "another-key")
    assert again.status_code == 201, again.get_json()  # other keys are not held up


def test_an_answer_that_is_not_a_success_is_not_kept_and_the_key_stays_free(app_ctx, admin):
    refusal = '{"code": "CONFLICT"}'
    with app_ctx.test_request_context("/api/v1/infusions", method="POST", json={"a": 1}):
        row = idempotency._claim(admin.id, "k", idempotency.request_hash())

        def view():
            return Response(refusal, status=409, mimetype="application/json")

        response = idempotency._run_and_store(view, row, (), {})
    assert (response.status_code, response.get_data(as_text=True)) == (409, refusal)
    db.session.rollback()
    assert db.session.scalars(sa.select(IdempotentResponse)).all() == []
    with app_ctx.test_request_context("/api/v1/infusions", method="POST", json={"a": 1}):
        assert idempotency._stored(admin.id, "k") is None  # a retry runs the view again
        assert idempotency._claim(admin.id, "k", idempotency.request_hash()).id is not None
    db.session.rollback()
