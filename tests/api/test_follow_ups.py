"""Follow-ups with the payer (services/follow_ups.py): logged through the API and the request
page on a request awaiting the payer, audited, refused otherwise; FOLLOW_UP_DUE through the
reminders (queries/reminders.py) across a weekend and a federal holiday, reset by a follow-up."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, FollowUp
from tests import factories
from tests.api import builders as b
from tests.api.builders import iso

WED_BEFORE_THANKSGIVING = datetime(2025, 11, 26, 15, 0)  # UTC clinic; Thu 11-27 a US holiday


def follow_ups_path(auth_id: int) -> str:
    return f"/api/v1/authorizations/{auth_id}/follow-ups"


@pytest.fixture
def sent(api) -> dict:
    payer = b.payer(api, standard_response_days=30)
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api)
    coverage = b.coverage(api, patient["id"], payer["id"])
    auth = b.request(api, patient["id"], coverage["id"])
    return b.move(api, auth["id"], to="submitted", channel="portal", override_reason="test")


def submitted_at(auth_id: int, moment: datetime) -> None:
    """The request's last submission, moved (the clock of the test's story)."""
    db.session.get(AuthorizationRequest, auth_id).submitted_at = moment
    db.session.commit()


def follow_up_reminders(api, as_of: date) -> list[dict]:
    response = api.get(f"/api/v1/reminders?as_of={iso(as_of)}")
    assert response.status_code == 200
    return [r for r in response.get_json() if r["type"] == "FOLLOW_UP_DUE"]


def test_log_and_list_follow_ups_with_an_audit_event(api, sent, admin):
    body = {"channel": "phone", "contact": "Dana at PA line", "payer_said": "in clinical review"}
    response = api.post(follow_ups_path(sent["id"]), json=body)
    assert response.status_code == 201, response.get_json()
    logged = response.get_json()
    assert {k: logged[k] for k in body} == body
    assert (logged["authorization_id"], logged["logged_by_id"]) == (sent["id"], admin.id)
    assert logged["logged_by_name"] == admin.name and logged["at"].endswith("Z")
    earlier = api.post(
        follow_ups_path(sent["id"]), json={"channel": "fax", "at": "2026-01-02T09:00:00"}
    )
    assert earlier.status_code == 201
    listed = api.get(follow_ups_path(sent["id"])).get_json()
    assert [f["channel"] for f in listed] == ["phone", "fax"]  # latest first
    assert listed[1]["at"] == "2026-01-02T09:00:00Z" and listed[1]["contact"] is None
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "follow_up").order_by(AuditEvent.id)
    ).first()
    assert (event.entity_type, event.entity_id) == ("authorization_requests", sent["id"])
    assert event.changes["contact"] == "Dana at PA line"
    assert event.changes["follow_up_id"] == logged["id"]
    viewed = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "viewed", AuditEvent.note == "follow-ups")
    ).all()
    assert len(viewed) == 1


def test_refused_on_a_request_not_awaiting_the_payer(api, sent):
    b.move(api, sent["id"], to="pended", note="payer wants labs")
    response = api.post(follow_ups_path(sent["id"]), json={"channel": "phone"})
    assert response.status_code == 409
    answer = response.get_json()
    assert answer["code"] == "NOT_AWAITING_PAYER" and "is pended" in answer["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 0


def test_bad_input_names_the_field_and_changes_nothing(api, sent):
    for body, field in (
        ({}, "channel"),
        ({"channel": "pigeon"}, "channel"),
        ({"channel": "phone", "contact": "x" * 201}, "contact"),
        ({"channel": "phone", "at": "soon"}, "at"),
        ({"channel": "phone", "at": "2100-01-01T10:00:00"}, "at"),  # in the future
        ({"channel": "phone", "said": "hi"}, "said"),
    ):
        response = api.post(follow_ups_path(sent["id"]), json=body)
        assert response.status_code == 422, body
        assert field in str(response.get_json()), body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 0


def test_another_clinics_request_is_not_found(api, sent, client):
    other = factories.user(factories.clinic(), "admin")
    stranger = factories.ApiClient(client, factories.token(other))
    assert stranger.get(follow_ups_path(sent["id"])).status_code == 404
    posted = stranger.post(follow_ups_path(sent["id"]), json={"channel": "phone"})
    assert posted.status_code == 404
    assert api.get(follow_ups_path(999999)).status_code == 404


def test_a_viewer_may_read_but_not_log(api, sent, client, clinic):
    viewer = factories.ApiClient(client, factories.token(factories.user(clinic, "billing")))
    assert viewer.get(follow_ups_path(sent["id"])).status_code == 200
    assert viewer.post(follow_ups_path(sent["id"]), json={"channel": "fax"}).status_code == 403


def test_cadence_across_thanksgiving_and_the_weekend_then_reset(api, sent, clinic):
    clinic.holiday_country, clinic.holiday_subdivision = "US", None
    submitted_at(sent["id"], WED_BEFORE_THANKSGIVING)
    # + 2 business days: Thu 27 (Thanksgiving), Sat 29, Sun 30 skipped -> Fri 28, Mon 12-01
    assert follow_up_reminders(api, date(2025, 11, 30)) == []
    (due,) = follow_up_reminders(api, date(2025, 12, 1))
    assert (due["authorization_id"], due["due_date"]) == (sent["id"], "2025-12-01")
    assert "2 business days after it was submitted on 2025-11-26" in due["message"]
    logged = api.post(
        follow_ups_path(sent["id"]),
        json={"channel": "phone", "at": "2025-12-02T10:00:00", "payer_said": "pending"},
    )
    assert logged.status_code == 201
    assert follow_up_reminders(api, date(2025, 12, 3)) == []  # reset: next due Thu 12-04
    (again,) = follow_up_reminders(api, date(2025, 12, 4))
    assert "after the last follow-up on 2025-12-02" in again["message"]


def test_the_clinics_cadence_and_holidays_are_used(api, sent, clinic):
    submitted_at(sent["id"], WED_BEFORE_THANKSGIVING)
    clinic.follow_up_business_days = 1
    db.session.commit()
    assert follow_up_reminders(api, date(2025, 11, 27)) == []  # Thanksgiving is no business day
    assert len(follow_up_reminders(api, date(2025, 11, 28))) == 1
    clinic.holiday_country = "GB"  # no Thanksgiving in England: Thursday counts
    db.session.commit()
    assert len(follow_up_reminders(api, date(2025, 11, 27))) == 1


def test_the_follow_up_form_on_the_request_page(client, admin, api, sent):
    response = client.post("/login", data={"email": admin.email, "password": "correct-horse-7"})
    assert response.status_code == 302
    page = client.get(f"/authorizations/{sent['id']}").get_data(as_text=True)
    assert "Log a follow-up" in page and "No follow-up logged." in page
    path = f"/authorizations/{sent['id']}/follow-ups"
    bad = client.post(path, data={"channel": "", "contact": "Dana"})
    assert bad.status_code == 422
    assert "Channel" in bad.get_data(as_text=True) and 'id="follow-up-form" open' in bad.get_data(
        as_text=True
    )
    future = client.post(path, data={"channel": "fax", "at": "2100-01-01T09:00"})
    assert future.status_code == 422 and "is in the future" in future.get_data(as_text=True)
    done = client.post(
        path, data={"channel": "fax", "contact": "Dana", "payer_said": "approved soon"}
    )
    assert done.status_code == 302 and done.location.endswith("#follow-ups")
    shown = client.get(f"/authorizations/{sent['id']}").get_data(as_text=True)
    assert "Dana" in shown and "approved soon" in shown and "Fax" in shown
    b.move(api, sent["id"], to="cancelled", note="no longer needed")
    late = client.post(path, data={"channel": "phone"})
    assert late.status_code == 409
    text = late.get_data(as_text=True)
    assert "Only a request awaiting the payer" in text and "nothing was logged" in text
    assert "Log a follow-up" not in text and "Dana" in text  # the log stays, the form goes


def test_at_given_in_the_clinics_time(api, sent, clinic):
    clinic.timezone = "America/New_York"
    db.session.commit()
    response = api.post(
        follow_ups_path(sent["id"]), json={"channel": "phone", "at": "2026-06-01T09:00:00"}
    )
    assert response.get_json()["at"] == "2026-06-01T13:00:00Z"
    stored = db.session.scalar(sa.select(FollowUp.at))
    assert stored == datetime.combine(date(2026, 6, 1), time(13))
