"""Every list pages instead of stopping silently: it says how many rows there are in all,
links to the previous and next page, offers a page size, and keeps its filters in the links
(a POSTed search pages with POSTed buttons, so a typed name never lands in a URL). The number
of statements a page sends does not grow with the number of rows."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Coverage, Patient, Payer
from tests import factories
from tests.querycount import counting_queries


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302


def make_patients(clinic, count: int, start: int = 0, last_name: str = "Paged") -> list[Patient]:
    """`count` patients with a coverage each, and a payer for them."""
    payer = db.session.query(Payer).filter_by(clinic_id=clinic.id, name="Paging Health").first()
    if payer is None:
        payer = Payer(clinic_id=clinic.id, name="Paging Health")
        db.session.add(payer)
    rows = []
    for n in range(start, start + count):
        patient = Patient(
            clinic_id=clinic.id,
            mrn=f"PG-{n:04d}",
            first_name=f"Pat{n:04d}",
            last_name=last_name,
            birth_date=date(1960, 1, 1),
        )
        patient.coverages.append(
            Coverage(
                clinic_id=clinic.id,
                payer=payer,
                member_id=f"MEM-{n:04d}",
                start_date=date(2020, 1, 1),
            )
        )
        rows.append(patient)
    db.session.add_all(rows)
    db.session.commit()
    return rows


def make_requests(clinic, patient: Patient, count: int, status: str = "draft") -> None:
    for _ in range(count):
        db.session.add(
            AuthorizationRequest(
                clinic_id=clinic.id,
                patient_id=patient.id,
                coverage_id=patient.coverages[0].id,
                hcpcs_code="J1439",
                dose_mg=750,
                administrations=2,
                units_requested=1500,
                requested_start=date(2026, 1, 1),
                requested_end=date(2026, 3, 31),
                status=status,
            )
        )
    db.session.commit()


def make_payers(clinic, count: int, start: int = 0) -> None:
    names = (f"Payer {n:03d}" for n in range(start, start + count))
    db.session.add_all(Payer(clinic_id=clinic.id, name=name) for name in names)
    db.session.commit()


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return unescape(found.group(1)) if found else None


def showing(html: str) -> str:
    return re.search(r"Showing \d+–\d+ of \d+", html).group(0)


def rows_of(html: str, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="(\d+)"', html)


# --- The requests list


def test_requests_page_with_count_links_and_size_keeping_the_status(client, clinic, admin):
    patient = make_patients(clinic, 1)[0]
    make_requests(clinic, patient, 60, status="submitted")
    make_requests(clinic, patient, 5, status="draft")
    sign_in(client, admin)
    first = client.get("/authorizations?status=submitted&per_page=25").get_data(as_text=True)
    assert showing(first) == "Showing 1–25 of 60"
    assert link(first, "prev") is None
    following = link(first, "next")
    assert "status=submitted" in following and "page=2" in following and "per_page=25" in following
    second = client.get(following).get_data(as_text=True)
    assert showing(second) == "Showing 26–50 of 60"
    assert "status=submitted" in link(second, "prev") and "page=1" in link(second, "prev")
    third = client.get(link(second, "next")).get_data(as_text=True)
    assert showing(third) == "Showing 51–60 of 60" and link(third, "next") is None
    # the page-size form carries the filter as a hidden field, and offers the sizes
    assert '<input type="hidden" name="status" value="submitted">' in first
    assert '<option value="25" selected>25</option>' in first
    assert '<option value="100">100</option>' in first


def test_requests_list_no_longer_stops_at_200(client, clinic, admin):
    patient = make_patients(clinic, 1)[0]
    make_requests(clinic, patient, 205)
    sign_in(client, admin)
    html = client.get("/authorizations?per_page=200&page=2").get_data(as_text=True)
    assert showing(html) == "Showing 201–205 of 205"
    assert "205 requests" in html


def test_a_page_past_the_end_shows_the_last_page_and_bad_numbers_the_first(client, clinic, admin):
    patient = make_patients(clinic, 1)[0]
    make_requests(clinic, patient, 30)
    sign_in(client, admin)
    past = client.get("/authorizations?page=99&per_page=25").get_data(as_text=True)
    assert showing(past) == "Showing 26–30 of 30"
    for query in ("page=abc", "page=-1", "per_page=7", "per_page=99999999999", f"page={2**70}"):
        response = client.get(f"/authorizations?{query}")
        assert response.status_code == 200, query
        assert "Showing" in response.get_data(as_text=True), query


# --- The patient list and its POSTed search


def test_patients_page_and_their_search_pages_by_post(client, clinic, admin):
    make_patients(clinic, 60)
    make_patients(clinic, 3, start=100, last_name="Elsewhere")
    sign_in(client, admin)
    first = client.get("/patients?per_page=25").get_data(as_text=True)
    assert showing(first) == "Showing 1–25 of 63"
    second = client.get(link(first, "next")).get_data(as_text=True)
    assert showing(second) == "Showing 26–50 of 63"

    found = client.post("/patients", data={"q": "paged", "per_page": "25"})
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and showing(html) == "Showing 1–25 of 60"
    # no link carries the name: the next page is a POSTed button with the search as a field
    assert "paged" not in (link(html, "next") or "") and link(html, "next") is None
    assert '<button type="submit" name="page" value="2">Next</button>' in html
    assert '<input type="hidden" name="q" value="paged">' in html
    page_two = client.post("/patients", data={"q": "paged", "per_page": "25", "page": "2"})
    assert showing(page_two.get_data(as_text=True)) == "Showing 26–50 of 60"


def test_an_old_patients_bookmark_with_a_name_is_not_searched(client, clinic, admin):
    make_patients(clinic, 3)
    make_patients(clinic, 2, start=50, last_name="Bookmarked")
    sign_in(client, admin)
    html = client.get("/patients?q=bookmarked").get_data(as_text=True)
    assert showing(html) == "Showing 1–5 of 5"


# --- Payers, staff, audit


def test_payers_page(client, clinic, admin):
    make_payers(clinic, 30)
    sign_in(client, admin)
    first = client.get("/payers?per_page=25").get_data(as_text=True)
    assert showing(first) == "Showing 1–25 of 30"
    assert "Payer 024" in first and "Payer 025" not in first
    second = client.get(link(first, "next")).get_data(as_text=True)
    assert showing(second) == "Showing 26–30 of 30" and "Payer 029" in second


def test_staff_page(client, clinic, admin):
    for n in range(26):
        factories.user(clinic, "front_desk", email=f"desk{n:02d}@example.test")
    sign_in(client, admin)
    first = client.get("/staff?per_page=25").get_data(as_text=True)
    assert showing(first) == "Showing 1–25 of 27"
    second = client.get(link(first, "next")).get_data(as_text=True)
    assert showing(second) == "Showing 26–27 of 27"
    # a refused invitation shows the list again; its pager asks the list, not the POST
    refused = client.post("/staff/invite", data={"name": "", "email": "x", "role": "admin"})
    assert refused.status_code == 422
    assert '<form method="get" action="/staff" class="row">' in refused.get_data(as_text=True)


def test_audit_page_size_keeps_the_filters(client, clinic, admin):
    from tests.web.test_audit import event

    desk = factories.user(clinic, "front_desk")
    for minute in range(30):
        event(clinic, desk, None, _at(minute))
    db.session.commit()
    sign_in(client, admin)
    first = client.get(f"/audit?user_id={desk.id}&per_page=25").get_data(as_text=True)
    assert showing(first) == "Showing 1–25 of 30"
    following = link(first, "next")
    assert f"user_id={desk.id}" in following and "per_page=25" in following
    assert showing(client.get(following).get_data(as_text=True)) == "Showing 26–30 of 30"


def _at(minute: int):
    from datetime import datetime

    return datetime(2026, 3, 1, 12, minute)


# --- The search page


def test_search_results_page_by_post_per_section(client, clinic, admin):
    patients = make_patients(clinic, 30)
    make_requests(clinic, patients[0], 3)
    sign_in(client, admin)
    body = {"q": "pat00", "patients_per_page": "25"}
    first = client.post("/search", data=body).get_data(as_text=True)
    assert showing(first) == "Showing 1–25 of 30"
    assert '<button type="submit" name="patients_page" value="2">Next</button>' in first
    second = client.post("/search", data={**body, "patients_page": "2"}).get_data(as_text=True)
    assert showing(second) == "Showing 26–30 of 30"


# --- Statements per page do not grow with rows


def _statements(client, method: str, path: str, **kwargs) -> int:
    with counting_queries() as statements:
        response = getattr(client, method)(path, **kwargs)
    assert response.status_code == 200, path
    return len(statements)


PAGES = [
    ("get", "/authorizations?per_page=25", {}),
    ("get", "/patients?per_page=25", {}),
    ("post", "/patients", {"data": {"q": "pat", "per_page": "25"}}),
    ("get", "/payers?per_page=25", {}),
    ("get", "/staff?per_page=25", {}),
    ("get", "/audit?per_page=25", {}),
    ("post", "/search", {"data": {"q": "pat", "patients_per_page": "25"}}),
    ("get", "/authorizations/new", {}),
    ("post", "/authorizations/new", {"data": {"patient_q": "pat"}}),
    ("post", "/schedule/coverage-check", {"data": {"mrn": "pat"}}),
]


def test_statements_per_page_do_not_grow_with_rows(client, clinic, admin):
    sign_in(client, admin)
    few = make_patients(clinic, 3)
    for patient in few:
        make_requests(clinic, patient, 1)
    make_payers(clinic, 3)
    small = {path + str(kw): _statements(client, m, path, **kw) for m, path, kw in PAGES}
    many = make_patients(clinic, 60, start=10)
    for patient in many:
        make_requests(clinic, patient, 2)
    make_payers(clinic, 60, start=10)
    for n in range(30):
        factories.user(clinic, "billing", email=f"billing{n:02d}@example.test")
    large = {path + str(kw): _statements(client, m, path, **kw) for m, path, kw in PAGES}
    assert large == small
