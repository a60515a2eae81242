"""Every list downloads as CSV with the page's filters (docs/interop.md, Exports): the rows of
the download are the rows of the list over all its pages, another clinic's never; a cell that
starts like a formula is escaped; each download is audited; the statements do not grow with
the rows."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from priorauth import demo
from priorauth.demo import data as demo_data
from priorauth.domain import queues as registry
from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, Clinic, Infusion, Patient, User
from priorauth.queries import billing as billing_queries
from priorauth.queries.digests import clinic_digest
from priorauth.services import audit
from priorauth.services.clock import clinic_now, clinic_today
from tests.querycount import counting_queries
from tests.web.test_list_paging import make_patients, make_requests

REQUEST_LINK = re.compile(r'href="/authorizations/(\d+)">#\1<')
INFUSION_LINK = re.compile(r'href="/infusions/(\d+)">')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


@pytest.fixture
def seeded(app_ctx):
    demo.seed()
    db.session.commit()
    return db.session.scalar(sa.select(Clinic).where(Clinic.name == demo_data.CLINIC_NAME))


def _user(clinic, role: str = "admin") -> User:
    return db.session.scalar(sa.select(User).where(User.clinic_id == clinic.id, User.role == role))


def _sign_in(client, user: User) -> None:
    response = client.post("/login", data={"email": user.email, "password": demo_data.PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def admin(client, seeded):
    user = _user(seeded)
    _sign_in(client, user)
    return user


def _csv(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _every_page(client, url: str, pattern: re.Pattern) -> list[int]:
    """The ids the list shows, page after page (following its Next links)."""
    found: list[int] = []
    while url:
        html = client.get(url).get_data(as_text=True)
        found += [int(ident) for ident in pattern.findall(html)]
        following = NEXT.search(html)
        url = following.group(1).replace("&amp;", "&") if following else None
    return found


# --- The requests


@pytest.mark.parametrize("query", ["", "status=approved", "status=draft", "status=nonsense"])
def test_requests_csv_rows_are_the_lists_rows_over_every_page(client, seeded, admin, query):
    shown = _every_page(client, f"/authorizations?per_page=25&{query}", REQUEST_LINK)
    rows = _csv(client, f"/exports/requests.csv?{query}")
    assert [int(r["Request"]) for r in rows] == shown
    if not query:
        assert len(shown) > 25  # the demo's requests span two pages of 25


def test_requests_csv_cells_are_the_pages_values(client, seeded, admin):
    auth = db.session.scalar(
        sa.select(AuthorizationRequest)
        .where(
            AuthorizationRequest.clinic_id == seeded.id, AuthorizationRequest.status == "approved"
        )
        .order_by(AuthorizationRequest.id)
    )
    rows = {int(r["Request"]): r for r in _csv(client, "/exports/requests.csv")}
    row = rows[auth.id]
    assert row["Patient MRN"] == auth.patient.mrn and row["Last name"] == auth.patient.last_name
    assert row["Code"] == auth.hcpcs_code and row["Units approved"] == str(auth.units_approved)
    page = client.get(f"/authorizations?patient_id={auth.patient_id}").get_data(as_text=True)
    cells = re.search(rf"#{auth.id}</a></td>(.*?)</tr>", page, re.S).group(1)
    assert f"<td>{row['Units left'] or '—'}</td>" in cells
    assert f">{row['Status'].lower()}</span>" in cells


def test_the_patient_filter_follows_and_is_audited_against_the_patient(client, seeded, admin):
    patient = db.session.scalar(
        sa.select(Patient).where(Patient.clinic_id == seeded.id, Patient.mrn == "MRN-10023")
    )
    page = client.get(f"/authorizations?patient_id={patient.id}").get_data(as_text=True)
    assert f'href="/exports/requests.csv?patient_id={patient.id}"' in page
    rows = _csv(client, f"/exports/requests.csv?patient_id={patient.id}")
    assert rows and {r["Patient MRN"] for r in rows} == {patient.mrn}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "exported"))
    assert event.patient_id == patient.id and event.user_id == admin.id
    assert event.changes == {"list": "requests", "patient_id": patient.id}


def test_the_download_link_carries_the_pages_query_string(client, seeded, admin):
    page = client.get("/authorizations?status=approved&per_page=25").get_data(as_text=True)
    assert 'href="/exports/requests.csv?status=approved&amp;per_page=25" download' in page
    assert 'href="/exports/requests.csv" download' in client.get("/authorizations").get_data(
        as_text=True
    )


# --- The work queues


def _queue_ids(rows: list[dict], queue: registry.Queue) -> list[int]:
    key = "Infusion" if queue.subject == registry.INFUSION else dict(queue.columns)["request"]
    return [int(r[key]) for r in rows]


@pytest.mark.parametrize(
    "queue", [q for q in registry.QUEUES if q.on_dashboard], ids=lambda q: q.name
)
def test_each_queue_csv_holds_the_queues_rows_in_order(client, seeded, admin, queue):
    pattern = INFUSION_LINK if queue.subject == registry.INFUSION else REQUEST_LINK
    url = f"/queues/{queue.name}?per_page=25"
    shown = _every_page(client, url, pattern)
    rows = _csv(client, f"/exports/queues/{queue.name}.csv?per_page=25")
    assert _queue_ids(rows, queue) == shown
    header = list(rows[0]) if rows else []
    assert not rows or header[-2:] == ["Owner", "Flagged"]


def test_a_long_queue_filtered_and_sorted_spans_pages_and_the_csv_holds_them_all(
    client, seeded, admin
):
    patients = make_patients(seeded, 3, last_name="Exported")
    for patient in patients:
        make_requests(seeded, patient, 20)
    queue = registry.BY_NAME["needs_evidence"]
    for query in ("q=exported&sort=patient&dir=desc", "sort=request", "q=PG-0001&owner=unowned"):
        shown = _every_page(client, f"/queues/needs_evidence?per_page=25&{query}", REQUEST_LINK)
        rows = _csv(client, f"/exports/queues/needs_evidence.csv?{query}")
        assert _queue_ids(rows, queue) == shown
    assert len(_csv(client, "/exports/queues/needs_evidence.csv?q=exported")) == 60
    mine = _csv(client, "/exports/queues/needs_evidence.csv?owner=mine")
    assert all(r["Owner"] == admin.name for r in mine)


def test_an_unknown_queue_is_404(client, seeded, admin):
    assert client.get("/exports/queues/nothing.csv").status_code == 404
    assert client.get("/exports/queues/evidence_stale.csv").status_code == 404  # not listed


def test_queue_rows_spell_out_their_cells(client, seeded, admin):
    rows = _csv(client, "/exports/queues/needs_evidence.csv")
    assert rows and all(r["Status"] in ("Draft", "Pended") for r in rows)
    assert all(r["To fix"] for r in rows)
    booked = _csv(client, "/exports/queues/uncovered_soon.csv")
    assert all(r["Coverage"] == "Not covered" for r in booked)
    waiting = _csv(client, "/exports/queues/waiting_on_payer.csv")
    assert waiting and all(
        re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r["Submitted"]) for r in waiting
    )


# --- The schedule


@pytest.mark.parametrize("query", ["view=week", "view=day&status=scheduled", "view=week&start=+"])
def test_schedule_csv_rows_are_the_schedules_rows(client, seeded, admin, query):
    today = clinic_today(seeded)
    query = query.replace("+", str(today + timedelta(days=7)))
    shown = [
        int(i)
        for i in INFUSION_LINK.findall(client.get(f"/schedule?{query}").get_data(as_text=True))
    ]
    rows = _csv(client, f"/exports/schedule.csv?{query}")
    assert [int(r["Infusion"]) for r in rows] == shown


def test_schedule_csv_spells_out_coverage(client, seeded, admin):
    today = clinic_today(seeded)
    week = _csv(client, f"/exports/schedule.csv?view=week&start={today}")
    booked = [r for r in week if r["Status"] == "Scheduled"]
    assert booked and all(r["Coverage"] in ("Covered", "At risk", "Not covered") for r in booked)


# --- The reminders


def test_reminders_csv_holds_every_reminder_of_the_page(client, seeded, admin):
    rows = _csv(client, "/exports/reminders.csv")
    digest = clinic_digest(seeded, clinic_now(seeded))
    items = [(g.title, item.message) for g in digest.groups for item in g.items]
    assert [(r["Reminder"], r["What"]) for r in rows] == items and items
    assert all(r["Link"].startswith("http") for r in rows)
    day = clinic_today(seeded) + timedelta(days=3)
    later = _csv(client, f"/exports/reminders.csv?as_of={day}")
    assert later != rows


def test_a_bad_day_is_refused_naming_the_field(client, seeded, admin):
    response = client.get("/exports/reminders.csv?as_of=someday")
    assert response.status_code == 400
    assert response.get_data(as_text=True).startswith("as_of: ")


# --- The audit trail


def _trail(clinic, filters: dict) -> list[AuditEvent]:
    return audit.search(clinic, filters, limit=10**6)


@pytest.mark.parametrize("query", ["", "action=viewed", "action=sign_in", "since=+"])
def test_audit_csv_holds_every_event_of_the_filters(client, seeded, admin, query):
    today = clinic_today(seeded)
    query = query.replace("+", str(today))
    patient = db.session.scalar(sa.select(Patient.id).where(Patient.clinic_id == seeded.id))
    assert client.get(f"/patients/{patient}").status_code == 200  # a viewed event
    rows = _csv(client, f"/exports/audit.csv?{query}")
    filters = dict(p.split("=") for p in query.split("&") if p)
    if "since" in filters:
        filters["since"] = today
    expected = _trail(seeded, filters)
    assert len(rows) == len(expected) > 0
    assert [r["Who"] for r in rows] == [e.user.name if e.user else "system" for e in expected]


def test_audit_csv_by_patient_shows_mrn_and_initials(client, seeded, admin):
    patient = db.session.scalar(sa.select(Patient).where(Patient.clinic_id == seeded.id))
    rows = _csv(client, f"/exports/audit.csv?patient_id={patient.id}")
    assert rows and all(r["Patient MRN"] == patient.mrn for r in rows)
    assert {r["Patient initials"] for r in rows} == {patient.initials.upper()}
    assert patient.last_name not in str(rows)


def test_audit_csv_refuses_bad_filters_and_other_clinics(client, seeded, admin):
    response = client.get("/exports/audit.csv?since=yesterday")
    assert response.status_code == 422 and "since: " in response.get_data(as_text=True)
    demo.seed(force=True)
    db.session.commit()
    other = db.session.scalar(sa.select(Patient).where(Patient.clinic_id != seeded.id))
    assert client.get(f"/exports/audit.csv?patient_id={other.id}").status_code == 404


def test_audit_csv_is_for_those_who_see_the_audit_page(client, seeded):
    _sign_in(client, _user(seeded, "scheduler"))
    assert client.get("/audit").status_code == 403
    assert client.get("/exports/audit.csv").status_code == 403
    assert client.get("/exports/requests.csv").status_code == 200


# --- The claim lines (billing's own download)


def test_claim_lines_csv_holds_the_lines_of_every_worklist_page(client, seeded, admin):
    today = clinic_today(seeded)
    start = today - timedelta(days=200)
    rows = _csv(client, f"/billing/claims.csv?start={start}")
    filters = {"start": start}
    pages, lines, number = None, [], 1
    while pages is None or number <= pages:
        page = billing_queries.worklist(seeded.id, filters, today, number, 25)
        lines += billing_queries.line_rows(page.items)
        pages, number = page.pages, number + 1
    assert rows and [r["Patient MRN"] for r in rows] == [line["patient_mrn"] for line in lines]


# --- Every list


EXPORTS = (
    "/exports/requests.csv",
    "/exports/queues/needs_evidence.csv",
    "/exports/schedule.csv?view=week",
    "/exports/reminders.csv",
    "/exports/audit.csv",
)


def test_every_download_is_one_audit_event_naming_its_list(client, seeded, admin):
    for url in EXPORTS:
        _csv(client, url)
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "exported").order_by(AuditEvent.id)
    ).all()
    assert [e.changes["list"] for e in events] == [
        "requests", "queue needs_evidence", "schedule", "reminders", "audit",
    ]  # fmt: skip
    assert {(e.entity_type, e.entity_id, e.user_id) for e in events} == {
        ("clinics", seeded.id, admin.id)
    }
    trail = client.get("/audit").get_data(as_text=True)
    assert "Exported: list" in trail


def test_formulas_in_cells_are_escaped(client, seeded, admin):
    patient = make_patients(seeded, 1, last_name='=HYPERLINK("http://x")')[0]
    patient.first_name, patient.mrn = "@SUM(A1)", "+1-555"
    db.session.commit()
    make_requests(seeded, patient, 1)
    rows = _csv(client, f"/exports/requests.csv?patient_id={patient.id}")
    assert rows[0]["Last name"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["First name"] == "'@SUM(A1)" and rows[0]["Patient MRN"] == "'+1-555"
    queue = _csv(client, "/exports/queues/needs_evidence.csv?q=hyperlink")
    assert queue[0]["Last name"].startswith("'=")


def test_negative_numbers_stay_numbers_and_text_starting_with_minus_is_escaped(app_ctx):
    from priorauth.web.exports import cell

    assert cell(-3) == "-3" and cell("-3") == "'-3" and cell("\tx") == "'\tx"
    assert cell(None) == "" and cell("plain") == "plain"


def test_another_clinics_rows_never_appear(client, seeded, admin):
    demo.seed(force=True)  # an identical second clinic: same names and MRNs, other rows
    db.session.commit()
    ours = set(
        db.session.scalars(
            sa.select(AuthorizationRequest.id).where(AuthorizationRequest.clinic_id == seeded.id)
        )
    )
    booked = set(db.session.scalars(sa.select(Infusion.id).where(Infusion.clinic_id == seeded.id)))
    assert {int(r["Request"]) for r in _csv(client, "/exports/requests.csv")} <= ours
    for queue in (q for q in registry.QUEUES if q.on_dashboard):
        ids = set(_queue_ids(_csv(client, f"/exports/queues/{queue.name}.csv"), queue))
        assert ids <= (booked if queue.subject == registry.INFUSION else ours)
    week = _csv(client, f"/exports/schedule.csv?view=week&start={clinic_today(seeded)}")
    assert week and {int(r["Infusion"]) for r in week} <= booked
    trail = _csv(client, "/exports/audit.csv")
    assert len(trail) == audit.count(seeded, {})
    reminders = _csv(client, "/exports/reminders.csv")
    linked = [re.search(r"/authorizations/(\d+)", r["Link"]) for r in reminders]
    assert {int(found.group(1)) for found in linked if found} <= ours
    assert len(reminders) == sum(
        len(g.items) for g in clinic_digest(seeded, clinic_now(seeded)).groups
    )


def test_statements_do_not_grow_with_the_rows(client, seeded, admin):
    def counted(url: str) -> int:
        with counting_queries() as statements:
            _csv(client, url)
        return len(statements)

    urls = ("/exports/requests.csv", "/exports/queues/needs_evidence.csv", "/exports/audit.csv")
    before = [counted(url) for url in urls]
    patient = make_patients(seeded, 1, last_name="Many")[0]
    make_requests(seeded, patient, 120)
    assert [counted(url) for url in urls] == before


def test_downloads_need_a_session(client, seeded):
    response = client.get("/exports/requests.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
