"""The billing worklist (/billing): status of each administration in words, marking billed
(audited, all or none), the claim lines as CSV, filters in the URL and paging with a query
count that does not grow with the rows; the administration form's "Date given"."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, Infusion
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_infusions import administer, at, book
from tests.querycount import counting_queries
from tests.web.test_schedule_pages import administration, sign_in

YESTERDAY = TODAY - timedelta(days=1)
CSV_HEADER = [
    "Date of service",
    "Patient MRN",
    "Member ID",
    "Payer",
    "Code",
    "Modifiers",
    "Units",
    "Authorization number",
    "NDC/lot",
]


def given(api, patient_id: int, days: int = -1, **fields) -> dict:
    """A J1439 infusion booked and given `days` from today (the booked time)."""
    infusion = book(api, patient_id, days=days)
    return administer(api, infusion["id"], administered_at=at(days), **fields)


def three_states(api) -> dict[str, dict]:
    """One administration ready to bill, one without a reaction note, one billed."""
    patient, _ = b.approved_auth(api, dose="100", units=1000, start=TODAY - timedelta(days=5))
    ready = given(api, patient["id"], -3, reaction="tolerated well", lot_number="LOT-R")
    missing = given(api, patient["id"], -2)
    billed = given(api, patient["id"], -1, reaction="fine")
    marked = api.post("/api/v1/billing/billed", json={"infusion_ids": [billed["id"]]})
    assert marked.status_code == 200, marked.get_json()
    return {"ready": ready, "missing": missing, "billed": billed, "patient": patient}


def rows(html: str) -> dict[int, str]:
    """The worklist's rows by infusion id: their status."""
    found = re.findall(r'data-infusion="(\d+)" data-status="(\w+)"', html)
    return {int(ident): status for ident, status in found}


def biller(clinic, client):
    user = factories.user(clinic, "billing")
    sign_in(client, user)
    return user


def test_worklist_shows_each_status_in_words(client, api, clinic):
    made = three_states(api)
    biller(clinic, client)
    page = client.get(f"/billing?start={iso(TODAY - timedelta(days=7))}&end={iso(TODAY)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert rows(html) == {
        made["ready"]["id"]: "ready",
        made["missing"]["id"]: "missing_documentation",
        made["billed"]["id"]: "billed",
    }
    assert "Ready to bill" in html and "Missing documentation" in html and "Billed" in html
    assert "Missing: no reaction or tolerance note." in html
    assert "J1439-JZ × 100 · auth AUTH-1" in html
    assert "missing_documentation<" not in html and "MISSING" not in html
    checkboxes = re.findall(r'name="infusion_ids" value="(\d+)"', html)
    assert checkboxes == [str(made["ready"]["id"])]  # only what is ready can be ticked


def test_status_filter_is_in_the_url(client, api, clinic):
    made = three_states(api)
    biller(clinic, client)
    start = iso(TODAY - timedelta(days=7))
    for status, key in (("ready", "ready"), ("billed", "billed")):
        html = client.get(f"/billing?start={start}&status={status}").get_data(as_text=True)
        assert rows(html) == {made[key]["id"]: status}
        assert f'value="{status}" selected' in html


def test_the_default_range_is_the_last_thirty_days(client, api, clinic):
    patient, _ = b.approved_auth(api, dose="100", units=1000, start=TODAY - timedelta(days=40))
    old = given(api, patient["id"], -31, reaction="ok")
    recent = given(api, patient["id"], -30, reaction="ok")
    biller(clinic, client)
    html = client.get("/billing").get_data(as_text=True)
    assert rows(html) == {recent["id"]: "ready"}
    assert old["id"] not in rows(html)


def test_marking_billed_stamps_audits_and_keeps_the_filters(client, api, clinic):
    made = three_states(api)
    user = biller(clinic, client)
    start = iso(TODAY - timedelta(days=7))
    form = {"infusion_ids": str(made["ready"]["id"]), "start": start, "status": "ready"}
    done = client.post("/billing/billed", data=form)
    assert done.status_code == 302
    assert done.location == f"/billing?start={start}&status=ready"
    row = db.session.get(Infusion, made["ready"]["id"])
    assert row.billed_at is not None and row.billed_by_id == user.id
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.entity_id == row.id,
            AuditEvent.entity_type == "infusions",
            AuditEvent.action == "billed",
        )
    ).one()
    assert event.user_id == user.id and event.changes["lines"] == 1
    html = client.get(f"/billing?start={start}").get_data(as_text=True)
    assert rows(html)[made["ready"]["id"]] == "billed"


def test_marking_one_not_ready_marks_none_and_says_why(client, api, clinic):
    made = three_states(api)
    biller(clinic, client)
    ids = [made["ready"]["id"], made["missing"]["id"], made["billed"]["id"]]
    page = client.post("/billing/billed", data={"infusion_ids": [str(i) for i in ids]})
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    missing, billed = made["missing"]["id"], made["billed"]["id"]
    assert f"Infusion {missing} is missing documentation: no reaction or tolerance note" in html
    assert f"Infusion {billed} was already marked billed" in html
    assert "Infusion ids" not in html and "infusion_ids" not in html.split("<form")[0]
    assert db.session.get(Infusion, made["ready"]["id"]).billed_at is None


def test_marking_nothing_is_named_in_words(client, api, clinic):
    biller(clinic, client)
    page = client.post("/billing/billed", data={})
    assert page.status_code == 422
    summary = re.search(r'class="error-summary".*?</div>', page.get_data(as_text=True), re.S)
    assert summary and "<li>Administrations is required.</li>" in summary.group(0)


def test_bad_filters_are_named_beside_their_field(client, api, clinic):
    biller(clinic, client)
    page = client.get(f"/billing?start={iso(TODAY)}&end={iso(YESTERDAY)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert re.search(r'id="b-end-error">[^<]*must be on or after From', html)
    assert f'value="{iso(YESTERDAY)}"' in html  # what was typed stays
    page = client.get("/billing?status=lost")
    assert page.status_code == 422
    assert re.search(r'id="b-status-error">', page.get_data(as_text=True))


def test_csv_has_one_row_per_claim_line_with_the_claim_columns(client, api, clinic):
    made = three_states(api)
    patient = made["patient"]
    infusion = book(api, patient["id"], days=0)
    discarded = administer(
        api, infusion["id"], administered_at=at(0, hour=0), discarded_mg="5", reaction="ok"
    )
    biller(clinic, client)
    response = client.get(f"/billing/claims.csv?start={iso(TODAY - timedelta(days=3))}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment; filename=claim-lines-" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == CSV_HEADER
    by_day = [(r[0], r[4], r[5], r[6]) for r in table[1:]]
    assert by_day == [
        (iso(TODAY - timedelta(days=3)), "J1439", "JZ", "100"),
        (iso(TODAY - timedelta(days=2)), "J1439", "JZ", "100"),
        (iso(YESTERDAY), "J1439", "JZ", "100"),
        (iso(TODAY), "J1439", "", "100"),
        (iso(TODAY), "J1439", "JW", "5"),
    ]
    first = dict(zip(CSV_HEADER, table[1], strict=True))
    assert first["Patient MRN"] == "MRN-1" and first["Member ID"] == "M123"
    assert first["Payer"] == "Payer MRN-1" and first["Authorization number"] == "AUTH-1"
    assert first["NDC/lot"] == "LOT-R"
    assert discarded["claim_lines"][1]["modifiers"] == ["JW"]


def test_csv_follows_the_status_filter(client, api, clinic):
    made = three_states(api)
    biller(clinic, client)
    start = iso(TODAY - timedelta(days=7))
    table = list(
        csv.reader(
            io.StringIO(
                client.get(f"/billing/claims.csv?start={start}&status=billed").get_data(
                    as_text=True
                )
            )
        )
    )
    assert [r[0] for r in table[1:]] == [made["billed"]["claim_lines"][0]["service_date"]]


def test_the_list_pages_and_its_queries_do_not_grow_with_rows(app_ctx, client, api, clinic):
    patient, _ = b.approved_auth(
        api, dose="100", units=10000, administrations=40, start=TODAY - timedelta(days=30)
    )
    for days in range(-27, -24):
        given(api, patient["id"], days, reaction="ok")
    browser = app_ctx.test_client()  # the biller's own session; `api` keeps the admin token
    biller(clinic, browser)
    start = iso(TODAY - timedelta(days=29))
    with counting_queries() as few:
        assert browser.get(f"/billing?start={start}&per_page=25").status_code == 200
    for days in range(-24, 0):
        given(api, patient["id"], days, reaction="ok")
    with counting_queries() as many:
        first = browser.get(f"/billing?start={start}&per_page=25")
    assert len(many) == len(few), (len(few), len(many))
    html = first.get_data(as_text=True)
    assert len(rows(html)) == 25 and "Showing 1–25 of 27" in html
    following = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "start=" in following and "per_page=25" in following
    second = browser.get(following).get_data(as_text=True)
    assert len(rows(second)) == 2 and "Showing 26–27 of 27" in second


def test_only_billing_and_admin_see_the_worklist(client, api, clinic):
    scheduler = factories.user(clinic, "scheduler")
    sign_in(client, scheduler)
    assert client.get("/billing").status_code == 403
    assert client.get("/billing/claims.csv").status_code == 403
    assert 'href="/billing"' not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    biller(clinic, client)
    assert 'href="/billing"' in client.get("/").get_data(as_text=True)


def test_the_administration_form_starts_at_the_booked_time_and_names_date_given(client, api, admin):
    patient, _ = b.approved_auth(api, dose="100", units=500, start=YESTERDAY)
    infusion = book(api, patient["id"], days=-1)
    sign_in(client, admin)
    html = client.get(f"/infusions/{infusion['id']}").get_data(as_text=True)
    assert re.search(r'<label for="a-administered_at">Date given', html)
    assert f'value="{iso(YESTERDAY)}T10:00"' in html
    future = f"{iso(TODAY + timedelta(days=1))}T09:00"
    page = client.post(
        f"/infusions/{infusion['id']}/administration", data=administration(administered_at=future)
    )
    assert page.status_code == 422
    error = re.search(r'id="a-administered_at-error">([^<]*)<', page.get_data(as_text=True))
    assert error and error.group(1).startswith("Date given ")
    assert "is in the future" in error.group(1) and "Time given" not in error.group(1)
    assert db.session.get(Infusion, infusion["id"]).status == "scheduled"


def test_given_a_day_late_on_the_page_says_coverage_was_rechecked(client, api, admin):
    patient, _ = b.approved_auth(api, dose="100", units=500, start=TODAY - timedelta(days=3))
    infusion = book(api, patient["id"], days=-2)
    sign_in(client, admin)
    done = client.post(
        f"/infusions/{infusion['id']}/administration",
        data=administration(administered_at=f"{iso(YESTERDAY)}T11:00"),
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert f"Given on {YESTERDAY}, not the booked {TODAY - timedelta(days=2)}" in html
    assert "billed under authorization AUTH-1" in html
    line = re.findall(r'<tr class="claim-line">(.*?)</tr>', html, re.S)[0]
    assert f"<td>{iso(YESTERDAY)}</td>" in line


def test_a_csv_asked_with_a_bad_range_answers_the_worklist_with_the_errors(client, clinic):
    biller(clinic, client)
    response = client.get("/billing/claims.csv?start=2026-13-01")
    assert response.status_code == 422 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<title>Error:" in page
    assert "From must be a date written as YYYY-MM-DD" in page
