"""The reports (/reports): each page draws its rows as an SVG chart with a table under it,
and its CSV holds exactly the rows the chart draws (the chart's bars are parsed and compared
with the CSV, row by row). The pages send as many statements at three times the data."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape

import pytest

from priorauth.extensions import db
from priorauth.models import FollowUp
from priorauth.queries import reports
from priorauth.services import clock
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.querycount import counting_queries
from tests.web.auth_helpers import sign_in

# Per report: the CSV columns that make a bar's label, and those drawn as bars.
DRAWN = {
    "turnaround": (("Payer", "Code"), ("Median days", "80th percentile days")),
    "outcomes": (("Month",), ("Approved %", "Partially approved %", "Denied %")),
    "denial_reasons": (("Reason",), ("Denials",)),
    "coordinators": (("Week from", "Coordinator"), ("Requests",)),
    "revenue": (("Week from",), ("Dollars at risk",)),
    "follow_ups": (("Payer",), ("Follow-ups per request",)),
}
DECISIONS = (
    ("approved", {"auth_number": "A-1", "approved_units": 750, "approved_administrations": 1,
                  "approved_start": iso(TODAY), "approved_end": iso(TODAY + timedelta(days=60))}),
    ("partially_approved", {"auth_number": "A-2", "approved_units": 300,
                            "approved_administrations": 1, "approved_start": iso(TODAY),
                            "approved_end": iso(TODAY + timedelta(days=60))}),
    ("denied", {"denial_reason": "labs_out_of_range"}),
    ("denied", {"denial_reason": "oral_iron_not_documented"}),
    ("denied", {"denial_reason": "other"}),
)  # fmt: skip


def history(api, desk_api, times: int, seq: list[int], clinic_id: int) -> None:
    """`times` rounds of: a payer with a rate, five requests decided (by two coordinators),
    follow-ups before and after their decisions, an uncovered booking."""
    for _ in range(times):
        n = seq[0] = seq[0] + 1
        payer = b.payer(api, name=f"Payer {n:02d}")
        b.policy(api, payer["id"], "J1439")
        api.put(f"/api/v1/payers/{payer['id']}/rates",
                json={"rates": [{"hcpcs_code": "J1439", "dollars_per_unit": "1.10"}]})  # fmt: skip
        for i, (outcome, fields) in enumerate(DECISIONS):
            creator = api if i % 2 else desk_api
            patient = b.patient(creator, mrn=f"R{n}-{i}")
            coverage = b.coverage(creator, patient["id"], payer["id"])
            draft = b.request(creator, patient["id"], coverage["id"], dose_mg="750",
                              administrations=1)  # fmt: skip
            b.move(api, draft["id"], to="submitted", channel="portal", override_reason="setup")
            b.move(api, draft["id"], to=outcome, decided_on=iso(TODAY), **fields)
            now = clock.now_utc()
            for hours in range(i):  # before the decision's day ends; one the day after
                at = now - timedelta(hours=hours)
                db.session.add(FollowUp(clinic_id=clinic_id, authorization_id=draft["id"],
                                        at=at, channel="phone"))  # fmt: skip
            db.session.add(FollowUp(clinic_id=clinic_id, authorization_id=draft["id"],
                                    at=now + timedelta(days=2), channel="fax"))  # fmt: skip
            db.session.commit()
        patient = b.patient(api, mrn=f"U{n}")
        b.coverage(api, patient["id"], payer["id"])
        api.post("/api/v1/infusions", json={
            "patient_id": patient["id"], "hcpcs_code": "J1439", "dose_mg": str(100 * n),
            "scheduled_at": f"{iso(TODAY + timedelta(days=3 + 7 * (n % 12)))}T10:00:00",
            "override_reason": "booked before the authorization"})  # fmt: skip


@pytest.fixture
def desk_api(client, clinic):
    desk = factories.user(clinic, "front_desk")
    return factories.ApiClient(client, factories.token(desk))


def chart_rows(html: str) -> list[tuple[str, list[str]]]:
    """Each group of bars of the report's chart: its label and its bars' values."""
    svg = re.search(r'<svg class="chart bars" id="report-chart".*?</svg>', html, re.S).group(0)
    groups = re.findall(r'<g class="row" data-label="([^"]*)">(.*?)</g>', svg, re.S)
    return [(unescape(label), [unescape(v) for v in re.findall(r'data-value="([^"]*)"', body)])
            for label, body in groups]  # fmt: skip


def csv_drawn(text: str, name: str) -> tuple[list[str], list[tuple[str, list[str]]], list]:
    header, *rows = list(csv.reader(io.StringIO(text)))
    labels, series = DRAWN[name]
    drawn = [
        (" · ".join(row[header.index(c)] for c in labels),
         [row[header.index(c)] for c in series])
        for row in rows
    ]  # fmt: skip
    return header, drawn, rows


def table_rows(html: str) -> list[list[str]]:
    table = re.search(r'<table id="report-table">.*?</table>', html, re.S).group(0)
    body = table.split("<tbody>")[1]
    return [[unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]  # fmt: skip


def test_each_reports_csv_has_the_rows_its_chart_draws(api, desk_api, client, admin):
    history(api, desk_api, 2, [0], admin.clinic_id)
    sign_in(client, admin.email)
    for name in reports.NAMES:
        page = client.get(f"/reports/{name}")
        assert page.status_code == 200, name
        html = page.get_data(as_text=True)
        download = client.get(f"/reports/{name}.csv")
        assert download.mimetype == "text/csv"
        assert f"filename={name}.csv" in download.headers["Content-Disposition"]
        header, drawn, rows = csv_drawn(download.get_data(as_text=True), name)
        assert drawn, f"{name} has no rows"
        assert chart_rows(html) == drawn, name
        assert table_rows(html) == rows, name  # the table fallback: the same rows
        assert 'role="img"' in html and '<title id="report-chart-title">' in html


def test_the_reports_count_what_happened(api, desk_api, client, admin):
    history(api, desk_api, 2, [0], admin.clinic_id)
    sign_in(client, admin.email)

    def rows(name):
        return csv_drawn(client.get(f"/reports/{name}.csv").get_data(as_text=True), name)[2]

    assert [r[:3] for r in rows("turnaround")] == [["Payer 01", "J1439", "5"],
                                                  ["Payer 02", "J1439", "5"]]  # fmt: skip
    month = TODAY.strftime("%Y-%m")
    assert rows("outcomes") == [[month, "10", "2", "2", "6", "20.0", "20.0", "60.0"]]
    assert rows("denial_reasons") == [
        ["Labs out of range or too old", "2", "33.3"],
        ["No documented oral iron trial, or why it was not used", "2", "33.3"],
        ["Other", "2", "33.3"],
    ]
    monday = TODAY - timedelta(days=TODAY.weekday())
    assert rows("coordinators") == [[iso(monday), "Admin", "4"], [iso(monday), "Front_Desk", "6"]]
    # 0 + 1 + 2 + 3 + 4 follow-ups before the five decisions; the ones two days later are not
    assert rows("follow_ups") == [["Payer 01", "5", "10", "2.0"], ["Payer 02", "5", "10", "2.0"]]
    revenue = rows("revenue")
    assert len(revenue) == 12 and sum(float(r[1]) for r in revenue) == 1.10 * 300


def test_the_list_the_navigation_and_unknown_reports(client, admin):
    sign_in(client, admin.email)
    home = client.get("/").get_data(as_text=True)
    assert '<a href="/reports">Reports</a>' in home
    listed = client.get("/reports").get_data(as_text=True)
    for name in reports.NAMES:
        assert f'href="/reports/{name}"' in listed and f'href="/reports/{name}.csv"' in listed
    assert client.get("/reports/nothing").status_code == 404
    assert client.get("/reports/nothing.csv").status_code == 404
    empty = client.get("/reports/turnaround").get_data(as_text=True)
    assert 'id="report-empty"' in empty and "<svg" not in empty.split("<main")[1]
    assert client.get("/reports/turnaround.csv").get_data(as_text=True).strip() == (
        "Payer,Code,Decisions,Median days,80th percentile days"
    )


def test_reports_need_a_session(client):
    response = client.get("/reports/outcomes")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_name_is_not_read_as_a_formula(api, client, admin):
    payer = b.payer(api, name="=HYPERLINK(1)")
    patient = b.patient(api, mrn="F1")
    coverage = b.coverage(api, patient["id"], payer["id"])
    draft = b.request(api, patient["id"], coverage["id"])
    b.move(api, draft["id"], to="submitted", channel="portal", override_reason="setup")
    b.move(api, draft["id"], to="denied", decided_on=iso(TODAY), denial_reason="other")
    sign_in(client, admin.email)
    text = client.get("/reports/follow_ups.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1),1,0,0.0" in text


def _statements(client, url: str) -> int:
    with counting_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_statement_counts_do_not_grow_with_the_data(api, desk_api, client, admin):
    seq = [0]
    history(api, desk_api, 1, seq, admin.clinic_id)
    sign_in(client, admin.email)
    urls = ["/reports"] + [f"/reports/{n}{ext}" for n in reports.NAMES for ext in ("", ".csv")]
    for url in urls:  # warm up: the first request of a session loads more
        client.get(url)
    small = {url: _statements(client, url) for url in urls}
    history(api, desk_api, 3, seq, admin.clinic_id)
    large = {url: _statements(client, url) for url in urls}
    assert large == small
