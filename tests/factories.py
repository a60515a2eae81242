"""Small builders for test data, going through the services where one exists."""

from __future__ import annotations

import itertools

from priorauth.extensions import db
from priorauth.services import accounts, tokens

_seq = itertools.count(1)


def clinic(name: str | None = None, timezone: str = "UTC"):
    """A clinic on UTC by default, so that tests' "today" is the clinic's today."""
    row = accounts.find_or_create_clinic(name or f"Clinic {next(_seq)}", timezone)
    db.session.commit()
    return row


PASSWORD = "correct-horse-7"  # what factory users sign in with (12+ characters, not common)


def user(owner, role: str, email: str | None = None, password: str = PASSWORD):
    row, _ = accounts.create_user(
        owner, email or f"{role}{next(_seq)}@example.test", role.title(), role, password
    )
    db.session.commit()
    return row


def token(owner) -> str:
    _, plain = tokens.issue(owner)
    db.session.commit()
    return plain


class ApiClient:
    """The Flask test client with a bearer token on every call."""

    def __init__(self, client, bearer: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {bearer}"}

    def __getattr__(self, method):
        call = getattr(self.client, method)

        def send(path, **kwargs):
            kwargs["headers"] = {**self.headers, **kwargs.get("headers", {})}
            return call(path, **kwargs)

        return send
