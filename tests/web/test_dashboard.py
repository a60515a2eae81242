"""The dashboard, the work queue lists and search, through the test client on the demo clinic
(and a second, identical demo clinic where scoping and query counts are at stake)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from priorauth import demo
from priorauth.domain.queues import DASHBOARD as QUEUES
from priorauth.domain.usage import UnitsUse
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Clinic, Infusion, Patient, User
from priorauth.queries import charts
from priorauth.services import authorizations
from tests.api import builders as b
from tests.querycount import counting_queries

ZONE = ZoneInfo("America/New_York")
PASSWORD = "demo-password"
ROLE_FIRST = {
    "front_desk": [
        "needs_evidence",
        "ready_to_submit",
        "waiting_on_payer",
        "appeal_open",
        "expiring",
    ],
    "scheduler": ["uncovered_soon", "units_low"],
    "billing": list(QUEUES),  # no dashboard queue of its own (its digest: documentation)
    "admin": list(QUEUES),
}
EMAILS = {
    "front_desk": "frontdesk",
    "scheduler": "scheduler",
    "billing": "billing",
    "admin": "admin",
}


def demo_today() -> date:
    """The demo clinic's local date, so that the pages' today is the seed's today."""
    return datetime.now(ZONE).date()


@pytest.fixture
def demo_clinic(app_ctx):
    demo.seed(today=demo_today())
    db.session.commit()
    return db.session.scalar(sa.select(Clinic).order_by(Clinic.id))


@pytest.fixture
def second_clinic(demo_clinic):
    """The demo seeded again: an identical clinic next to the first one."""
    demo.seed(force=True, today=demo_today())
    db.session.commit()
    return db.session.scalar(sa.select(Clinic).order_by(Clinic.id.desc()))


def sign_in_demo(client, role: str = "admin", suffix: str = "") -> None:
    email = f"{EMAILS[role]}{suffix}@demo.priorauth.test"
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302


def counts(client) -> dict[str, int]:
    html = client.get("/").get_data(as_text=True)
    return {name: int(n) for name, n in re.findall(r'data-queue="(\w+)">(\d+)<', html)}


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-row-id="(\d+)"', html)]


def all_rows(client, name: str, **args) -> list[int]:
    """The row ids of every page of a queue, following the Next links."""
    ids, page = [], 1
    while True:
        html = client.get(f"/queues/{name}", query_string={**args, "page": page})
        html = html.get_data(as_text=True)
        ids += row_ids(html)
        if 'rel="next"' not in html:
            return ids
        page += 1


def queue_order(html: str, list_id: str) -> list[str]:
    found = re.search(rf'id="{list_id}">(.*?)</ul>', html, re.S)
    return re.findall(r'data-queue="(\w+)"', found.group(1)) if found else []


# --- counts equal the lists -----------------------------------------------------------------


def test_each_queue_count_equals_the_rows_its_list_shows(client, demo_clinic):
    sign_in_demo(client)
    shown = counts(client)
    assert sorted(shown) == sorted(QUEUES)
    assert sum(shown.values()) > 0, "the demo clinic has work in its queues"
    for name in QUEUES:
        ids = all_rows(client, name)
        assert len(ids) == shown[name], name
        assert len(set(ids)) == len(ids), f"{name}: a row appears on two pages"


def test_demo_clinic_fills_the_front_desk_queues(client, demo_clinic):
    sign_in_demo(client, "front_desk")
    shown = counts(client)
    for name in (
        "needs_evidence",
        "ready_to_submit",
        "waiting_on_payer",
        "appeal_open",
        "expiring",
        "uncovered_soon",
    ):
        assert shown[name] > 0, name


def test_counts_move_when_a_request_is_submitted(client, demo_clinic):
    sign_in_demo(client, "front_desk")
    before = counts(client)
    ready = all_rows(client, "ready_to_submit")[0]
    response = client.post(
        f"/authorizations/{ready}/transition", data={"to": "submitted", "channel": "portal"}
    )
    assert response.status_code == 302
    middle = counts(client)
    assert middle["ready_to_submit"] == before["ready_to_submit"] - 1
    assert middle["waiting_on_payer"] == before["waiting_on_payer"] + 1
    assert ready in all_rows(client, "waiting_on_payer")

    lacking = all_rows(client, "needs_evidence")[0]
    response = client.post(
        f"/authorizations/{lacking}/transition",
        data={
            "to": "submitted",
            "channel": "fax",
            "override_reason": "payer accepts the GI letter",
        },
    )
    assert response.status_code == 302
    after = counts(client)
    assert after["needs_evidence"] == middle["needs_evidence"] - 1
    assert after["waiting_on_payer"] == middle["waiting_on_payer"] + 1


def test_overdue_payer_answers_are_red_with_days_overdue(client, demo_clinic):
    sign_in_demo(client, "front_desk")
    home = client.get("/").get_data(as_text=True)
    overdue = int(re.search(r'data-flagged="waiting_on_payer" data-count="(\d+)"', home).group(1))
    assert overdue >= 1
    html = client.get("/queues/waiting_on_payer").get_data(as_text=True)
    assert html.count('class="queue-row overdue') == overdue
    assert re.search(r'class="overdue-text">\d+ days? overdue<', html)


def test_submitted_times_are_shown_in_the_clinics_time_zone(client, demo_clinic):
    sign_in_demo(client, "front_desk")
    auth = db.session.scalars(
        sa.select(AuthorizationRequest).where(AuthorizationRequest.status == "submitted")
    ).first()
    local = auth.submitted_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZONE)
    html = client.get("/queues/waiting_on_payer").get_data(as_text=True)
    assert f"{local:%Y-%m-%d %H:%M}" in html
    assert f"{auth.submitted_at:%Y-%m-%d %H:%M}" not in html  # UTC never shown


def test_unknown_queue_is_not_found(client, demo_clinic):
    sign_in_demo(client)
    assert client.get("/queues/everything").status_code == 404


def test_queues_need_a_signed_in_user(client, demo_clinic):
    response = client.get("/queues/needs_evidence")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- role ordering --------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ROLE_FIRST))
def test_the_queues_a_role_sees_first_follow_the_role(client, demo_clinic, role):
    sign_in_demo(client, role)
    html = client.get("/").get_data(as_text=True)
    first, other = queue_order(html, "queues-first"), queue_order(html, "queues-other")
    assert first == ROLE_FIRST[role]
    assert other == [q for q in QUEUES if q not in ROLE_FIRST[role]]


# --- sorting and pagination -----------------------------------------------------------------


def _names(html: str) -> list[str]:
    return re.findall(r'/patients/\d+">([^<]+)</a>', html)


def test_sorting_by_a_column_both_ways(client, demo_clinic):
    sign_in_demo(client)
    up = client.get("/queues/waiting_on_payer?sort=patient&dir=asc").get_data(as_text=True)
    down = client.get("/queues/waiting_on_payer?sort=patient&dir=desc").get_data(as_text=True)
    names = _names(up)
    assert len(names) >= 3
    assert names == sorted(names, key=str.lower)
    assert _names(down) == names[::-1]
    assert 'aria-sort="ascending"' in up and 'aria-sort="descending"' in down
    assert "sort=patient&amp;dir=desc" in up  # the sorted column's link turns the order round


def test_default_order_puts_the_most_overdue_first(client, api, admin):
    """Three submitted requests, created in no particular order: the queue lists them by
    how late the payer is, most overdue first, and marks only the late ones overdue."""
    payer = b.payer(api, name="Slow Payer")  # answers standard requests within 15 days
    submitted_days_ago = {"MRN-A": 20, "MRN-B": 40, "MRN-C": 3}
    ids = {}
    for mrn in submitted_days_ago:
        patient = b.patient(api, mrn=mrn)
        coverage = b.coverage(api, patient["id"], payer["id"])
        auth = b.request(api, patient["id"], coverage["id"])
        b.move(api, auth["id"], to="submitted", channel="portal", override_reason="test")
        ids[mrn] = auth["id"]
    for mrn, days_ago in submitted_days_ago.items():  # through the ORM: the answer due follows
        auth = db.session.get(AuthorizationRequest, ids[mrn])
        auth.submitted_at = datetime.now() - timedelta(days=days_ago)
    db.session.commit()
    client.post("/login", data={"email": admin.email, "password": "correct-horse-7"})
    html = client.get("/queues/waiting_on_payer").get_data(as_text=True)
    assert row_ids(html) == [ids["MRN-B"], ids["MRN-A"], ids["MRN-C"]]
    rows = {n: html.split(f'data-row-id="{n}"')[1].split("</tr>")[0] for n in ids.values()}
    assert "overdue" in rows[ids["MRN-B"]] and "overdue" in rows[ids["MRN-A"]]
    assert "overdue" not in rows[ids["MRN-C"]]


def test_an_unknown_sort_column_falls_back_to_the_default(client, demo_clinic):
    sign_in_demo(client)
    response = client.get("/queues/expiring?sort=password&dir=sideways&page=x")
    assert response.status_code == 200
    assert row_ids(response.get_data(as_text=True)) == all_rows(client, "expiring")


@pytest.fixture
def thirty_drafts(api, admin):
    """A clinic with 30 drafts for a payer with no policy on file: all need evidence."""
    payer = b.payer(api, name="Policy-less Health")
    ids = []
    for n in range(30):
        patient = b.patient(api, mrn=f"P-{n:02d}", last_name=f"Name{n:02d}")
        coverage = b.coverage(api, patient["id"], payer["id"])
        ids.append(b.request(api, patient["id"], coverage["id"])["id"])
    return ids


def test_pagination_with_page_size_filter_and_sort_in_the_url(client, admin, thirty_drafts):
    client.post("/login", data={"email": admin.email, "password": "correct-horse-7"})
    assert counts(client)["needs_evidence"] == 30
    url = "/queues/needs_evidence?sort=patient&per_page=25"
    first = client.get(url).get_data(as_text=True)
    second = client.get(f"{url}&page=2").get_data(as_text=True)
    assert len(row_ids(first)) == 25 and len(row_ids(second)) == 5
    assert sorted(row_ids(first) + row_ids(second)) == sorted(thirty_drafts)
    assert "page 1 of 2" in first and "page 2 of 2" in second
    assert "Showing 1–25 of 30" in first and "Showing 26–30 of 30" in second
    assert 'rel="next"' in first and 'rel="prev"' in second and 'rel="next"' not in second
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1)
    assert "sort=patient" in following and "page=2" in following and "per_page=25" in following
    names = _names(first) + _names(second)
    assert names == sorted(names)
    beyond = client.get(f"{url}&page=99").get_data(as_text=True)
    assert row_ids(beyond) == row_ids(second)
    every = client.get("/queues/needs_evidence?per_page=50").get_data(as_text=True)
    assert len(row_ids(every)) == 30 and 'rel="next"' not in every
    one = client.get("/queues/needs_evidence?q=name07&per_page=25").get_data(as_text=True)
    assert row_ids(one) == [thirty_drafts[7]] and "1 row matching" in one
    by_mrn = client.get("/queues/needs_evidence?q=P-1&sort=patient").get_data(as_text=True)
    assert len(row_ids(by_mrn)) == 10  # P-10 … P-19


# --- search ---------------------------------------------------------------------------------


def _patient(mrn: str, clinic) -> Patient:
    return db.session.scalar(
        sa.select(Patient).where(Patient.mrn == mrn, Patient.clinic_id == clinic.id)
    )


def test_search_by_exact_mrn_opens_the_patient(client, demo_clinic):
    sign_in_demo(client, "scheduler")
    patient = _patient("MRN-10023", demo_clinic)
    response = client.post("/search", data={"q": "mrn-10023"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/patients/{patient.id}")


def test_search_by_part_of_an_mrn_or_a_name_lists_patients(client, demo_clinic):
    sign_in_demo(client, "billing")
    patient = _patient("MRN-10023", demo_clinic)
    for text in ("1002", "alvarez", "Maria Alvarez", "Alvarez, Maria"):
        html = client.post("/search", data={"q": text}).get_data(as_text=True)
        assert f'data-patient-id="{patient.id}"' in html, text
        assert f"/patients/{patient.id}" in html
    html = client.post("/search", data={"q": "zzz-nobody"}).get_data(as_text=True)
    assert "data-patient-id" not in html and "No patient" in html


def test_search_by_auth_number(client, demo_clinic):
    sign_in_demo(client, "front_desk")
    auth = db.session.scalars(
        sa.select(AuthorizationRequest).where(AuthorizationRequest.auth_number.like("BH-%"))
    ).first()
    response = client.post("/search", data={"q": auth.auth_number.lower()})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/authorizations/{auth.id}")
    html = client.post("/search", data={"q": "BH-"}).get_data(as_text=True)
    found = {int(n) for n in re.findall(r'data-request-id="(\d+)"', html)}
    expected = db.session.scalars(
        sa.select(AuthorizationRequest.id).where(AuthorizationRequest.auth_number.like("BH-%"))
    ).all()
    assert found == set(expected) and len(found) >= 2
    assert auth.hcpcs_code in html and f"/authorizations/{auth.id}" in html


def test_search_is_in_the_header_of_every_page(client, demo_clinic):
    sign_in_demo(client)
    for path in (
        "/",
        "/patients",
        "/authorizations",
        "/schedule",
        "/queues/expiring",
        "/search",
    ):
        html = client.get(path).get_data(as_text=True)
        assert 'action="/search"' in html and 'id="site-search"' in html, path
        assert '<label class="visually-hidden" for="site-search">' in html, path


def test_another_clinics_rows_never_appear(client, demo_clinic, second_clinic):
    sign_in_demo(client)
    mine = _patient("MRN-10023", demo_clinic)
    response = client.post("/search", data={"q": "MRN-10023"})
    assert response.headers["Location"].endswith(f"/patients/{mine.id}")
    html = client.post("/search", data={"q": "alvarez"}).get_data(as_text=True)
    assert re.findall(r'data-patient-id="(\d+)"', html) == [str(mine.id)]
    html = client.post("/search", data={"q": "BH-"}).get_data(as_text=True)
    theirs = set(
        db.session.scalars(
            sa.select(AuthorizationRequest.id).where(
                AuthorizationRequest.clinic_id == second_clinic.id
            )
        ).all()
    )
    found = {int(n) for n in re.findall(r'data-request-id="(\d+)"', html)}
    assert found and not found & theirs
    for name in QUEUES:
        model = Infusion if name == "uncovered_soon" else AuthorizationRequest
        foreign = set(
            db.session.scalars(sa.select(model.id).where(model.clinic_id == second_clinic.id)).all()
        )
        assert not set(all_rows(client, name)) & foreign, name


def test_a_second_clinic_does_not_change_the_first_clinics_counts(client, demo_clinic):
    sign_in_demo(client)
    alone = counts(client)
    demo.seed(force=True, today=demo_today())
    db.session.commit()
    assert counts(client) == alone


# --- a fixed number of queries ----------------------------------------------------------------


def _queries(client, path: str) -> int:
    with counting_queries() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


COPIED = (
    "patient_id",
    "coverage_id",
    "hcpcs_code",
    "diagnosis_codes",
    "dose_mg",
    "administrations",
    "requested_start",
    "requested_end",
    "urgency",
)


def _copy_requests(clinic) -> None:
    """Each of the clinic's requests logged once more, as a draft."""
    desk = db.session.scalar(
        sa.select(User).where(User.clinic_id == clinic.id, User.role == "front_desk")
    )
    rows = db.session.scalars(
        sa.select(AuthorizationRequest).where(AuthorizationRequest.clinic_id == clinic.id)
    ).all()
    for auth in rows:
        authorizations.create_authorization(desk, {k: getattr(auth, k) for k in COPIED})
    db.session.commit()


def test_the_dashboard_runs_a_fixed_number_of_queries(client, demo_clinic):
    sign_in_demo(client)
    paths = ("/", "/queues/needs_evidence", "/queues/uncovered_soon", "/queues/units_low")
    once = {path: _queries(client, path) for path in paths}
    demo.seed(force=True, today=demo_today())
    db.session.commit()
    twice = {path: _queries(client, path) for path in paths}
    assert twice == once
    before = counts(client)
    _copy_requests(demo_clinic)
    assert counts(client)["needs_evidence"] > before["needs_evidence"]
    assert {path: _queries(client, path) for path in paths} == once  # more rows, same queries
    # 31 measured: user, clinic, charts 3, the reminder states every queue reads (requests,
    # usage, checklists, labs, the schedule with its badges, runways of expiring approvals)
    assert once["/"] <= 33, once


# --- pictures -------------------------------------------------------------------------------


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def _accessible(svg: str) -> None:
    assert 'role="img"' in svg
    title = re.search(r'<title id="([\w-]+)">[^<]+</title>', svg)
    desc = re.search(r'<desc id="([\w-]+)">[^<]+</desc>', svg)
    assert title and desc
    assert f'aria-labelledby="{title.group(1)} {desc.group(1)}"' in svg


def test_dashboard_pictures_have_titles_and_text_alternatives(client, demo_clinic):
    sign_in_demo(client)
    html = client.get("/").get_data(as_text=True)
    svgs = _svgs(html)
    assert len(svgs) == 2
    for svg in svgs:
        _accessible(svg)
    today = demo_today()
    statuses = dict(charts.pipeline_counts(demo_clinic.id, today))
    assert f"draft {statuses['draft']}," in svgs[0]
    assert f"approved {statuses['approved']}," in svgs[0]
    assert sum(statuses.values()) == db.session.scalar(
        sa.select(sa.func.count()).select_from(AuthorizationRequest)
    )
    assert f"week of {today:%d %b}:" in svgs[1]
    assert html.count('<details class="chart-table">') == 2  # the numbers as a table
    assert not [url for url in re.findall(r'(?:src|href)="([^"]+)"', html) if "//" in url]


def test_request_page_has_a_units_bar(client, demo_clinic):
    sign_in_demo(client)
    auth = db.session.scalars(
        sa.select(AuthorizationRequest).where(AuthorizationRequest.auth_number.like("BH-%-00123"))
    ).one()
    html = client.get(f"/authorizations/{auth.id}").get_data(as_text=True)
    (svg,) = _svgs(html)
    _accessible(svg)
    assert "1500 units approved: 750 given, 750 booked, 0 left" in svg
    assert "750 given" in html and "of 1500 approved" in html
    draft = db.session.scalars(
        sa.select(AuthorizationRequest).where(AuthorizationRequest.status == "draft")
    ).first()
    assert "<svg" not in client.get(f"/authorizations/{draft.id}").get_data(as_text=True)


def test_units_bar_shows_booking_beyond_the_approval():
    bar = charts.units_bar(UnitsUse(units_approved=100, units_given=60, units_booked=70), 260)
    parts = {s.kind: s for s in bar.segments}
    assert (bar.left, bar.short) == (-30, 30)  # docs/domain.md §9: left goes negative
    assert (parts["given"].width, parts["booked"].width, parts["left"].width) == (120, 140, 0)
    assert (parts["short"].x, parts["short"].width) == (200, 60)  # from the approved mark on
    assert bar.summary == "100 units approved: 60 given, 70 booked, -30 left (30 short)"


def test_bars_scale_to_the_largest_value():
    chart = charts.hbar_chart(
        [("draft", 4), ("approved", 2), ("denied", 0)], width=300, label_width=100
    )
    assert [bar.width for bar in chart.bars] == [150, 75, 0]
    assert chart.summary == "draft 4, approved 2, denied 0"
    weeks = [charts.Week(date(2026, 3, 2) + timedelta(days=7 * n), n % 2, n) for n in range(8)]
    grouped = charts.weeks_chart(weeks)
    tallest = max(bar.height for g in grouped.groups for bar in g.bars)
    assert [bar.height for bar in grouped.groups[7].bars][1] == tallest
    assert grouped.groups[0].label == "02 Mar"


def test_weeks_count_expirations_and_bookings_per_week(demo_clinic):
    """The demo books infusions 1-16 days ahead and has approvals ending in 8, 24 and 29 days."""
    weeks = charts.weeks_ahead(demo_clinic.id, demo_today())
    assert [(w.expirations, w.infusions) for w in weeks] == [
        (0, 10),
        (1, 4),
        (0, 2),
        (1, 0),
        (1, 0),
        (0, 0),
        (0, 0),
        (0, 0),
    ]
    assert weeks[1].start == demo_today() + timedelta(days=7)
    assert weeks[1].end == demo_today() + timedelta(days=13)
