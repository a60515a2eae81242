"""Audit of access through the pages: each patient, request and infusion page records who saw
it, and the admins' audit page finds events by patient, user, action and clinic-local day."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent
from priorauth.services import patients
from tests import factories
from tests.api import builders as b
from tests.api.test_infusions import book

ADDRESS = "198.51.100.23"
NAME = {"first_name": "Ada", "last_name": "Lovelace", "birth_date": date(1970, 3, 1)}


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302


def events(**where) -> list[AuditEvent]:
    """Audit events, read afresh (each request commits in its own session)."""
    db.session.rollback()
    query = sa.select(AuditEvent).filter_by(**where).order_by(AuditEvent.id)
    return db.session.scalars(query).all()


def event(clinic, user, patient_id, at, action="viewed", **fields) -> AuditEvent:
    row = AuditEvent(
        clinic_id=clinic.id,
        user_id=user.id if user else None,
        entity_type=fields.pop("entity_type", "patients"),
        entity_id=fields.pop("entity_id", patient_id or 1),
        action=action,
        patient_id=patient_id,
        at=at,
        **fields,
    )
    db.session.add(row)
    return row


def table_rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [r for r in re.findall(r"<tr>(.*?)</tr>", body, re.S) if "No events match" not in r]


@pytest.fixture
def world(api):
    """A patient with an approved request and a booked infusion (made by the admin's token)."""
    patient, auth = b.approved_auth(api, mrn="MRN-AUD")
    infusion = book(api, patient["id"])
    return {"patient": patient["id"], "auth": auth["id"], "infusion": infusion["id"]}


@pytest.fixture
def desk(clinic):
    return factories.user(clinic, "front_desk")


# --- each page view is one viewed event -------------------------------------------------------


@pytest.mark.parametrize(
    "path, entity_type, key",
    [
        ("/patients/{patient}", "patients", "patient"),
        ("/authorizations/{auth}", "authorization_requests", "auth"),
        ("/infusions/{infusion}", "infusions", "infusion"),
    ],
)
def test_each_page_view_records_one_viewed_event(client, world, desk, path, entity_type, key):
    sign_in(client, desk)
    for n in (1, 2):
        page = client.get(path.format(**world), environ_base={"REMOTE_ADDR": ADDRESS})
        assert page.status_code == 200
        seen = events(action="viewed")
        assert len(seen) == n
    last = seen[-1]
    assert (last.user_id, last.patient_id, last.remote_addr) == (desk.id, world["patient"], ADDRESS)
    assert (last.entity_type, last.entity_id, last.clinic_id) == (
        entity_type,
        world[key],
        desk.clinic_id,
    )


def test_another_clinics_record_is_404_and_records_nothing(client, world):
    stranger = factories.user(factories.clinic(), "admin")
    sign_in(client, stranger)
    assert client.get(f"/patients/{world['patient']}").status_code == 404
    assert events(action="viewed") == []


def test_the_request_history_does_not_list_views(client, world, desk):
    sign_in(client, desk)
    client.get(f"/authorizations/{world['auth']}")
    html = client.get(f"/authorizations/{world['auth']}").get_data(as_text=True)
    history = html.split('id="history"', 1)[1]
    assert "viewed" not in history
    assert "submitted" in history


# --- the audit page ---------------------------------------------------------------------------


def test_only_admins_see_the_audit_page(client, desk, admin):
    sign_in(client, desk)
    assert client.get("/audit").status_code == 403
    assert client.post("/audit/patient", data={"mrn": "MRN-AUD"}).status_code == 403
    assert "/audit" not in client.get("/patients").get_data(as_text=True).split("<main", 1)[0]
    client.post("/logout")
    sign_in(client, admin)
    page = client.get("/audit")
    assert page.status_code == 200
    assert 'href="/audit"' in page.get_data(as_text=True).split("<main", 1)[0]


def test_the_page_shows_who_what_patient_address_in_words(client, world, desk, admin):
    sign_in(client, desk)
    client.get(f"/infusions/{world['infusion']}", environ_base={"REMOTE_ADDR": ADDRESS})
    patients.update_patient(admin, world["patient"], {"first_name": "Augusta"})
    db.session.commit()
    client.post("/logout")
    sign_in(client, admin)
    html = client.get("/audit").get_data(as_text=True)
    viewed = next(r for r in table_rows(html) if "Viewed the record" in r)
    assert desk.name in viewed and ADDRESS in viewed
    assert f'href="/infusions/{world["infusion"]}"' in viewed
    assert "MRN-AUD" in viewed and "A.L." in viewed
    changed = next(r for r in table_rows(html) if "Updated" in r)
    assert "Updated: first name" in changed and "Augusta" not in changed
    assert "{" not in changed


def test_filter_by_patient_goes_through_a_posted_mrn(client, clinic, admin, desk):
    ada = patients.create_patient(admin, {"mrn": "MRN-A", **NAME})
    bob = patients.create_patient(admin, {"mrn": "MRN-B", **NAME})
    event(clinic, desk, ada.id, datetime(2026, 3, 1, 12))
    event(clinic, desk, bob.id, datetime(2026, 3, 1, 13))
    db.session.commit()
    sign_in(client, admin)
    found = client.post("/audit/patient", data={"mrn": "mrn-a", "action": "viewed"})
    assert found.status_code == 302
    assert "MRN" not in found.location and "mrn" not in found.location
    assert f"patient_id={ada.id}" in found.location and "action=viewed" in found.location
    rows = table_rows(client.get(found.location).get_data(as_text=True))
    assert len(rows) == 1 and "MRN-A" in rows[0]
    missing = client.post("/audit/patient", data={"mrn": "NOPE"})
    assert missing.status_code == 422
    assert "No patient with MRN NOPE." in missing.get_data(as_text=True)


def test_filter_by_user_and_by_action(client, clinic, admin, desk):
    other = factories.user(clinic, "billing")
    event(clinic, desk, None, datetime(2026, 3, 1, 12), entity_type="users", entity_id=desk.id)
    event(clinic, other, None, datetime(2026, 3, 1, 13), entity_type="users", entity_id=other.id)
    event(
        clinic,
        other,
        None,
        datetime(2026, 3, 1, 14),
        action="signed_in",
        entity_type="users",
        entity_id=other.id,
    )
    db.session.commit()
    sign_in(client, admin)
    page = client.get(f"/audit?user_id={other.id}&since=2026-03-01&until=2026-03-01")
    html = page.get_data(as_text=True)
    assert f'<option value="{other.id}" selected>' in html
    assert len(table_rows(html)) == 2
    window = "since=2026-03-01&until=2026-03-01"
    sign_ins = client.get(f"/audit?action=sign_in&{window}").get_data(as_text=True)
    assert [("Signed in" in r) for r in table_rows(sign_ins)] == [True]
    views = client.get(f"/audit?action=viewed&user_id={desk.id}&{window}").get_data(as_text=True)
    assert len(table_rows(views)) == 1


def test_dates_are_clinic_local_days(client, clinic, admin, desk):
    clinic.timezone = "America/New_York"
    late_evening = event(clinic, desk, None, datetime(2026, 3, 2, 3, 30))  # 22:30 on Mar 1 local
    event(clinic, desk, None, datetime(2026, 3, 2, 5, 30))  # 00:30 on Mar 2 local
    event(clinic, desk, None, datetime(2026, 2, 28, 4, 59))  # 23:59 on Feb 27 local
    db.session.commit()
    sign_in(client, admin)
    first = client.get("/audit?since=2026-03-01&until=2026-03-01").get_data(as_text=True)
    assert [r.count("2026-03-01 22:30:00") for r in table_rows(first)] == [1]
    assert late_evening.id
    both = client.get("/audit?since=2026-02-28&until=2026-03-02").get_data(as_text=True)
    assert len(table_rows(both)) == 2
    backwards = client.get("/audit?since=2026-03-02&until=2026-03-01")
    assert backwards.status_code == 422
    assert "Last day must be on or after the first day." in backwards.get_data(as_text=True)


def test_pages_of_50_keep_the_filters(client, clinic, admin, desk):
    for minute in range(53):
        event(clinic, desk, None, datetime(2026, 3, 1, 12, minute))
    event(clinic, admin, None, datetime(2026, 3, 1, 12, 0))
    db.session.commit()
    sign_in(client, admin)
    first = client.get(f"/audit?user_id={desk.id}&action=viewed").get_data(as_text=True)
    assert len(table_rows(first)) == 50
    assert "53 events" in first and "page 1 of 2" in first
    older = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert f"user_id={desk.id}" in older and "action=viewed" in older and "page=2" in older
    second = client.get(older).get_data(as_text=True)
    assert len(table_rows(second)) == 3
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get("/audit?page=0").status_code == 422


def test_another_clinics_events_are_never_shown(client, clinic, admin, desk):
    elsewhere = factories.clinic()
    their_admin = factories.user(elsewhere, "admin")
    theirs = patients.create_patient(their_admin, {"mrn": "THEIRS-1", **NAME})
    event(elsewhere, their_admin, theirs.id, datetime(2026, 3, 1, 12))
    event(clinic, desk, None, datetime(2026, 3, 1, 12))
    db.session.commit()
    sign_in(client, admin)
    html = client.get("/audit").get_data(as_text=True)
    assert "THEIRS-1" not in html
    assert (
        len(table_rows(client.get("/audit?since=2026-03-01&until=2026-03-01").data.decode())) == 1
    )
    assert client.get(f"/audit?patient_id={theirs.id}").status_code == 404
    assert client.get(f"/audit?user_id={their_admin.id}").status_code == 404
    assert client.post("/audit/patient", data={"mrn": "THEIRS-1"}).status_code == 422
