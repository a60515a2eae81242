"""Idempotency-Key on API writes: a retried POST gets the first answer, never a second row.

A client that sends `Idempotency-Key: <key>` with a POST and retries it (a timeout, a
dropped connection) gets the stored status and body of the first success again, with
`Idempotent-Replayed: true`, for 24 hours. The same key with another body or path is a 422.

How the write and the key row commit together: the decorator first *claims* the key (an
`idempotent_responses` row, flushed, so the unique (user_id, key) constraint decides
between two concurrent requests before either writes anything), then runs the view with
its `db.session.commit()` held back (a flush, and objects expired as a commit would), fills
the row with the answer and commits once. A crash can therefore never leave the write
without its key, and the loser of a race answers with the winner's stored answer.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import Response, request
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from priorauth.errors import Conflict, ValidationFailed
from priorauth.extensions import db
from priorauth.models import IdempotentResponse
from priorauth.services.clock import now_utc

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEEP_FOR = timedelta(hours=24)
MAX_LENGTH = 255
CLAIMED = 0  # status_code of a claimed row whose answer is not written yet (never committed)

KEY_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": (
        "A unique value per intended write (e.g. a UUID). Retrying with the same key and body "
        "within 24 hours returns the first answer again (header `Idempotent-Replayed: true`) "
        "instead of writing twice; the same key with a different body is refused with 422."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": "^[ -~]+$"},
}


class KeyReused(ValidationFailed):
    code = "IDEMPOTENCY_KEY_REUSED"


def _key_from_header() -> str | None:
    """The header's value, None when absent; refused unless 1-255 printable ASCII characters."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_LENGTH or not all(" " <= ch <= "~" for ch in key):
        raise ValidationFailed.on(HEADER, f"use 1 to {MAX_LENGTH} printable ASCII characters")
    return key


def request_hash() -> str:
    """SHA-256 of method, path and the JSON body with sorted keys (key order does not matter)."""
    body = json.dumps(request.get_json(silent=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _stored(user_id: int, key: str) -> IdempotentResponse | None:
    """The committed answer to (user, key) from the last 24 hours."""
    return db.session.scalar(
        sa.select(IdempotentResponse).where(
            IdempotentResponse.user_id == user_id,
            IdempotentResponse.key == key,
            IdempotentResponse.created_at >= now_utc() - KEEP_FOR,
            IdempotentResponse.status_code != CLAIMED,
        )
    )


def _replay(row: IdempotentResponse, fingerprint: str) -> Response:
    if row.request_hash != fingerprint or row.path != request.path:
        raise KeyReused(
            f"{HEADER} was used with a different request",
            {HEADER: ["was used with a different request; send a new key for a new write"]},
        )
    response = Response(row.response_body, status=row.status_code, mimetype="application/json")
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _claim(user_id: int, key: str, fingerprint: str) -> IdempotentResponse:
    """Purge the user's expired keys, then insert and flush this one (raises IntegrityError
    when a concurrent request holds the key; PostgreSQL waits for it to commit or roll back)."""
    db.session.execute(
        sa.delete(IdempotentResponse).where(
            IdempotentResponse.user_id == user_id,
            IdempotentResponse.created_at < now_utc() - KEEP_FOR,
        )
    )
    row = IdempotentResponse(
        user_id=user_id,
        key=key,
        method=request.method,
        path=request.path,
        request_hash=fingerprint,
        status_code=CLAIMED,
        response_body="",
        created_at=now_utc(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def _lost_race(user_id: int, key: str, fingerprint: str) -> Response:
    """Another request with the key committed first: answer with its stored answer."""
    db.session.rollback()
    winner = _stored(user_id, key)
    if winner is None:
        raise Conflict(
            f"a request with this {HEADER} is in progress", code="IDEMPOTENCY_IN_PROGRESS"
        )
    return _replay(winner, fingerprint)


@contextmanager
def _commit_held_back():
    """Inside: the view's `db.session.commit()` flushes and expires (as a commit would)
    but leaves the transaction open, so the decorator's one commit includes the key row."""
    session = db.session()

    def flush_instead() -> None:
        session.flush()
        session.expire_all()

    session.commit = flush_instead
    try:
        yield
    finally:
        del session.commit


def _run_and_store(view, row: IdempotentResponse, args, kwargs) -> Response:
    try:
        with _commit_held_back():
            response = view(*args, **kwargs)
    except Exception:
        db.session.rollback()  # the claim goes with the failed write
        raise
    if 200 <= response.status_code < 300:
        row.status_code = response.status_code
        row.response_body = response.get_data(as_text=True)
    else:
        db.session.delete(row)  # only successes are replayed
    db.session.commit()
    return response


def idempotent(view):
    """Decorator for POST views, placed above `blp.arguments`/`blp.response` (it needs the
    finished response) and below `role_required`. Without the header nothing changes."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = _key_from_header()
        if key is None:
            return view(*args, **kwargs)
        user_id, fingerprint = current_user.id, request_hash()
        stored = _stored(user_id, key)
        if stored is not None:
            return _replay(stored, fingerprint)
        try:
            row = _claim(user_id, key, fingerprint)
        except IntegrityError:
            return _lost_race(user_id, key, fingerprint)
        return _run_and_store(view, row, args, kwargs)

    return Blueprint.doc(parameters=[KEY_PARAMETER])(wrapper)
