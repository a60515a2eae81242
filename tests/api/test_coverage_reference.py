"""The bench's reference endpoint (tests/bench/load_app.py) answers as the API, behind the same
token check; and the hot path never answers from a stale catalog."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import DrugCode
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.bench.load_app import REFERENCE_PATH, build


@pytest.fixture
def bench_app(app_ctx):
    """The load app on the test database (the tables are app_ctx's, cleaned after), with
    CSRF protection on as in production (bearer-only calls pass it)."""
    bench = build({**app_ctx.config, "WTF_CSRF_ENABLED": True})
    yield bench
    with bench.app_context():  # its own engine: close its connections before the cleanup
        db.engine.dispose()


def _ask(client, token, patient_id, dose="100", code="J1439"):
    body = {
        "patient_id": patient_id,
        "hcpcs_code": code,
        "service_date": iso(TODAY + timedelta(days=10)),
        "dose_mg": dose,
    }
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    api = client.post("/api/v1/coverage-check", json=body, headers=headers)
    reference = client.post(REFERENCE_PATH, json=body, headers=headers)
    return api, reference


def test_the_reference_endpoint_answers_as_the_api(bench_app, api, admin):
    patient, _ = b.approved_auth(api, units=150, policy_fields={"max_mg_per_dose": "400"})
    token = factories.token(admin)
    client = bench_app.test_client()
    for dose in ("100", "200", "500"):  # covered; units exhausted; and over the dose limit
        answer, reference = _ask(client, token, patient["id"], dose)
        assert answer.status_code == reference.status_code == 200
        assert reference.get_json() == answer.get_json()
    assert reference.get_json()["covered"] is False
    missing, unknown = (
        _ask(client, token, patient["id"] + 99),
        _ask(client, token, patient["id"], code="J9999"),
    )
    assert [r.status_code for r in missing] == [404, 404]
    assert [r.status_code for r in unknown] == [422, 422]


def test_the_reference_endpoint_sits_behind_the_token_check(bench_app, api, admin, clinic):
    patient, _ = b.approved_auth(api)
    client = bench_app.test_client()
    for token in (None, "pa_not-a-token"):
        answer, reference = _ask(client, token, patient["id"])
        assert answer.status_code == reference.status_code == 401
    stranger = factories.user(factories.clinic(), "scheduler")
    answer, reference = _ask(client, factories.token(stranger), patient["id"])
    assert answer.status_code == reference.status_code == 404  # another clinic's patient


def test_a_catalog_reloaded_elsewhere_is_seen_by_the_next_check(api):
    """mg per unit is read with the patient's rows, not cached: a change committed by another
    process (`flask seed-reference`) counts from the next check on."""
    patient, _ = b.approved_auth(api, units=500)

    def units_required():
        response = api.post(
            "/api/v1/coverage-check",
            json={"patient_id": patient["id"], "hcpcs_code": "J1439",
                  "service_date": iso(TODAY + timedelta(days=5)), "dose_mg": "100"},
        )  # fmt: skip
        assert response.status_code == 200
        return response.get_json()["units_required"]

    assert units_required() == 100
    with db.engine.begin() as other_process:
        other_process.execute(
            sa.update(DrugCode).where(DrugCode.code == "J1439").values(mg_per_unit=2)
        )
    try:
        assert units_required() == 50
    finally:
        with db.engine.begin() as other_process:
            other_process.execute(
                sa.update(DrugCode).where(DrugCode.code == "J1439").values(mg_per_unit=1)
            )
