"""API lists never stop silently: each answers X-Total-Count (how many match in all, limit and
offset aside, filters kept), documented in openapi.json, so a client pages with offset; and
the statements a list sends do not grow with the rows."""

from __future__ import annotations

from tests.querycount import counting_queries
from tests.web.test_list_paging import make_patients, make_requests


def test_patients_list_counts_all_and_pages_with_offset(api, clinic):
    make_patients(clinic, 7)
    make_patients(clinic, 2, start=50, last_name="Other")
    first = api.get("/api/v1/patients?q=paged&limit=5")
    assert first.status_code == 200 and first.headers["X-Total-Count"] == "7"
    assert len(first.get_json()) == 5
    rest = api.get("/api/v1/patients?q=paged&limit=5&offset=5")
    assert rest.headers["X-Total-Count"] == "7" and len(rest.get_json()) == 2
    assert {p["mrn"] for p in first.get_json() + rest.get_json()} == {
        f"PG-{n:04d}" for n in range(7)
    }
    by_member = api.get("/api/v1/patients?q=MEM-0051")
    assert [p["mrn"] for p in by_member.get_json()] == ["PG-0051"]


def test_authorizations_list_counts_all_with_its_filters_and_takes_an_offset(api, clinic):
    patient = make_patients(clinic, 1)[0]
    make_requests(clinic, patient, 6, status="submitted")
    make_requests(clinic, patient, 3, status="draft")
    first = api.get("/api/v1/authorizations?status=submitted&limit=4")
    assert first.headers["X-Total-Count"] == "6" and len(first.get_json()) == 4
    rest = api.get("/api/v1/authorizations?status=submitted&limit=4&offset=4")
    assert len(rest.get_json()) == 2
    ids = [a["id"] for a in first.get_json() + rest.get_json()]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6
    assert api.get("/api/v1/authorizations?offset=-1").status_code == 422


def test_audit_list_counts_all(api, clinic, admin):
    make_patients(clinic, 3)
    api.get("/api/v1/patients")  # three "viewed" events
    answer = api.get(f"/api/v1/audit?user_id={admin.id}&action=viewed&limit=2")
    assert answer.headers["X-Total-Count"] == "3" and len(answer.get_json()) == 2


def test_the_total_header_is_documented(client, app_ctx):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/patients",
        "/api/v1/authorizations",
        "/api/v1/audit",
        "/api/v1/infusions",
    ):
        ok = spec["paths"][path]["get"]["responses"]["200"]
        assert ok["headers"]["X-Total-Count"]["schema"]["type"] == "integer", path


def _statements(api, path: str) -> int:
    """Statements of one answer (the token's last-used stamp, written now and then, aside)."""
    with counting_queries() as statements:
        assert api.get(path).status_code == 200
    return len([s for s in statements if not s.startswith("UPDATE api_tokens")])


def test_list_statements_do_not_grow_with_rows(api, clinic):
    paths = ("/api/v1/patients?limit=20", "/api/v1/authorizations?limit=20", "/api/v1/infusions")
    patients = make_patients(clinic, 2)
    make_requests(clinic, patients[0], 2)
    few = [_statements(api, p) for p in paths]
    for patient in make_patients(clinic, 40, start=10):
        make_requests(clinic, patient, 1)
    assert [_statements(api, p) for p in paths] == few


def test_infusions_list_counts_all_and_pages_with_offset(api):
    from tests.api import builders as b
    from tests.api.test_infusions import book

    patient, _ = b.approved_auth(api, mrn="MRN-INF")
    booked = [book(api, patient["id"], days=n)["id"] for n in (1, 2, 3)]
    first = api.get("/api/v1/infusions?limit=2")
    assert first.headers["X-Total-Count"] == "3" and len(first.get_json()) == 2
    rest = api.get("/api/v1/infusions?limit=2&offset=2")
    assert [i["id"] for i in first.get_json() + rest.get_json()] == booked
    assert api.get("/api/v1/infusions?limit=501").status_code == 422
