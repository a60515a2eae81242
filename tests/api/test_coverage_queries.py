"""One coverage check sends the same number of SQL statements however much data there is."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_infusions import book
from tests.querycount import counting_queries


def check(api, patient_id):
    with counting_queries() as statements:
        response = api.post(
            "/api/v1/coverage-check",
            json={
                "patient_id": patient_id,
                "hcpcs_code": "J1439",
                "service_date": iso(TODAY + timedelta(days=40)),
                "dose_mg": "100",
            },
        )
    assert response.status_code == 200
    return len(statements), response.get_json()


def test_coverage_check_query_count_does_not_grow(api):
    small, _ = b.approved_auth(api, mrn="SMALL", units=5000, administrations=50)
    small_count, _ = check(api, small["id"])

    big, auth = b.approved_auth(api, mrn="BIG", units=5000, administrations=50)
    for day in range(1, 21):
        book(api, big["id"], days=day)
    for n in range(10):  # more requests of every kind for the same patient and code
        extra = b.request(api, big["id"], auth["coverage_id"])
        if n % 2:
            b.move(api, extra["id"], to="submitted", channel="fax", override_reason="bulk")
    big_count, answer = check(api, big["id"])
    assert answer["covered"] is True
    assert answer["units_left"] == 5000 - 20 * 100
    assert big_count == small_count, (small_count, big_count)
    assert big_count <= 12


def _grow(api, patient, auth) -> None:
    for day in range(1, 16):
        book(api, patient["id"], days=day)
    for n in range(8):
        extra = b.request(api, patient["id"], auth["coverage_id"])
        if n % 2:
            b.move(api, extra["id"], to="submitted", channel="fax", override_reason="bulk")


@pytest.mark.parametrize("spaced", [False, True])
def test_an_api_coverage_check_sends_the_same_few_statements_at_two_sizes(api, spaced):
    # with and without a payer's spacing rule (which reads the code's infusions)
    spacing = {"min_days_between_doses": 1} if spaced else {}
    build = {"units": 5000, "administrations": 50, "policy_fields": spacing}
    small, _ = b.approved_auth(api, mrn="SMALL", **build)
    big, big_auth = b.approved_auth(api, mrn="BIG", **build)
    _grow(api, big, big_auth)
    check(api, small["id"])  # the token's last use is stamped at most once a minute
    small_count, _ = check(api, small["id"])
    big_count, answer = check(api, big["id"])
    assert answer["covered"] is True
    assert answer["units_left"] == 5000 - 15 * 100
    # the token with its user; the patient's plans; their requests and infusions for the code
    assert small_count == big_count == 3, (small_count, big_count)
