"""Owners cost no statement per row (docs/follow-through.md, Owners): a queue page filtered by
"mine", "unowned" or one owner sends as many statements as the unfiltered page (an empty
page reads no rows: one statement less, counted back), the API's
list filtered by owner as many as unfiltered, all the same at three times the data; the
dashboard's unowned count is one statement."""

from __future__ import annotations

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import Clinic, User
from priorauth.queries.dashboard import ClinicQueues
from priorauth.services.clock import clinic_now
from tests import factories
from tests.bench import context, operations
from tests.bench.measure import statements_of
from tests.integration.test_statement_counts import _empty_tables, _generated

FILTERS = ("", "mine", "unowned", "{admin}")


def _get(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, path


def owner_counts(app) -> dict[str, int]:
    clinic: Clinic = context.largest_clinic()
    scene = context.prepare(clinic, 1)
    client = context.signed_in(app, *scene.admin)
    admin = db.session.scalar(sa.select(User).where(User.email == scene.admin[0]))
    counts = {}
    for name in operations.queue_names():
        for owner in FILTERS:
            arg = owner.format(admin=admin.id)
            path = f"/queues/{name}?owner={arg}"
            empty = b"data-row-id" not in client.get(path).data  # no rows: no rows statement
            counts[f"{name} {owner}"] = statements_of(_get, client, path) + empty
    api = factories.ApiClient(client, factories.token(admin))
    for owner in FILTERS:
        arg = owner.format(admin=admin.id)
        path = f"/api/v1/authorizations?owner={arg}" if arg else "/api/v1/authorizations"
        counts[f"api {owner}"] = statements_of(_get, api, path)
    queues = ClinicQueues(clinic, clinic_now(clinic))
    counts["unowned count"] = statements_of(queues.unowned)
    return counts


def test_owner_filters_add_no_statement_and_do_not_grow_with_the_data(app_ctx):
    _generated(1)
    small = owner_counts(app_ctx)
    _empty_tables()
    _generated(3)
    large = owner_counts(app_ctx)
    assert large == small
    assert small["unowned count"] == 1
    for name in operations.queue_names():
        assert {small[f"{name} {owner}"] for owner in FILTERS} == {small[f"{name} "]}, name
    assert small["api unowned"] == small["api "]  # both list rows (the admin owns none)
