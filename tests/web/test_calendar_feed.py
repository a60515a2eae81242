"""The calendar feed (docs/interop.md, Calendar feed): a per-user secret iCalendar URL with the
clinic's booked infusions (coverage in the title) and authorization ends, MRN and initials
only; created, rotated and removed from the account page, every fetch audited once."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from priorauth import demo
from priorauth.demo import data as demo_data
from priorauth.domain.vocab import label
from priorauth.domain.workflow import APPROVED_STATUSES
from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, Clinic, Infusion, Patient, User
from priorauth.queries import calendar as feed_queries
from priorauth.services import calendar_feed
from priorauth.services.clock import clinic_today
from tests import factories
from tests.querycount import counting_queries

FEED_URL = re.compile(r'value="http://[^"]+(/calendar/cal_[A-Za-z0-9_-]+\.ics)"')


@pytest.fixture
def seeded(app_ctx):
    demo.seed()
    db.session.commit()
    return db.session.scalar(sa.select(Clinic).where(Clinic.name == demo_data.CLINIC_NAME))


def _admin_of(clinic) -> User:
    return db.session.scalar(
        sa.select(User).where(User.clinic_id == clinic.id, User.role == "admin")
    )


def _sign_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": demo_data.PASSWORD})
    assert response.status_code == 302


def _create_feed(client) -> str:
    """Press the account page's button; -> the feed's path, as the page shows it once."""
    response = client.post("/account/calendar")
    assert response.status_code == 200
    found = FEED_URL.search(response.get_data(as_text=True))
    assert found, "the page shows the new feed URL"
    return found.group(1)


@pytest.fixture
def feed(client, seeded):
    _sign_in(client, _admin_of(seeded))
    return _create_feed(client)


def _events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _booked_in(clinic, first: date, last: date) -> list[Infusion]:
    return db.session.scalars(
        sa.select(Infusion).where(
            Infusion.clinic_id == clinic.id,
            Infusion.status == "scheduled",
            Infusion.scheduled_at >= datetime.combine(first, time.min),
            Infusion.scheduled_at < datetime.combine(last + timedelta(days=1), time.min),
        )
    ).all()


def test_the_feed_carries_the_booked_infusions_of_the_next_90_days(client, seeded, feed):
    response = client.get(feed)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "no-store" in response.headers["Cache-Control"]
    events = _events(response.data)
    today = clinic_today(seeded)
    ahead = _booked_in(seeded, today, today + timedelta(days=90))
    assert ahead, "the demo books infusions ahead"
    zone = ZoneInfo(seeded.timezone)
    for infusion in ahead:
        event = events[f"infusion-{infusion.id}@priorauth"]
        assert event.decoded("DTSTART") == infusion.scheduled_at.replace(tzinfo=zone)
        assert event["DTSTART"].params["TZID"] == seeded.timezone
        badge = label(infusion.coverage_badge).upper()
        mrn = infusion.patient.mrn
        assert str(event["SUMMARY"]).startswith(f"{infusion.hcpcs_code} infusion — {badge} — ")
        assert mrn in str(event["SUMMARY"]) and infusion.patient.initials in str(event["SUMMARY"])
        assert event.decoded("DTSTAMP").tzinfo is not None
    window = _booked_in(seeded, today - timedelta(days=30), today + timedelta(days=90))
    infusions = {uid for uid in events if uid.startswith("infusion-")}
    assert infusions == {f"infusion-{i.id}@priorauth" for i in window}
    calendar = icalendar.Calendar.from_ical(response.data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == [seeded.timezone]


def test_authorization_ends_are_all_day_events(client, seeded, feed):
    events = _events(client.get(feed).data)
    today = clinic_today(seeded)
    ending = db.session.scalars(
        sa.select(AuthorizationRequest).where(
            AuthorizationRequest.clinic_id == seeded.id,
            AuthorizationRequest.status.in_([s.value for s in APPROVED_STATUSES]),
            AuthorizationRequest.approved_end.between(
                today - timedelta(days=30), today + timedelta(days=90)
            ),
        )
    ).all()
    assert ending, "the demo has approvals ending in the window"
    ends = {uid: e for uid, e in events.items() if uid.startswith("authorization-")}
    assert set(ends) == {f"authorization-{a.id}-ends@priorauth" for a in ending}
    for auth in ending:
        event = ends[f"authorization-{auth.id}-ends@priorauth"]
        assert event.decoded("DTSTART") == auth.approved_end  # a date: all day
        assert event.decoded("DTEND") == auth.approved_end + timedelta(days=1)
        assert auth.patient.mrn in str(event["SUMMARY"])


def test_no_event_text_names_a_patient_or_a_diagnosis(client, seeded, feed):
    body = client.get(feed).get_data(as_text=True)
    text = body.replace("\r\n ", "")  # unfolded: a name split over two lines is still found
    patients = db.session.scalars(sa.select(Patient).where(Patient.clinic_id == seeded.id)).all()
    for patient in patients:
        for name in (patient.first_name, patient.last_name):
            assert not re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE), name
    codes = db.session.scalars(sa.select(AuthorizationRequest.diagnosis_codes)).all()
    for code in {c for row in codes for c in row}:
        assert code not in text


def test_the_same_event_keeps_its_uid_from_fetch_to_fetch(client, feed):
    first, second = _events(client.get(feed).data), _events(client.get(feed).data)
    assert set(first) == set(second) and first


def test_rotating_stops_the_old_url_and_removing_stops_the_new(client, seeded, feed):
    rotated = _create_feed(client)
    assert rotated != feed
    assert client.get(feed).status_code == 404
    assert client.get(rotated).status_code == 200
    page = client.get("/account/password").get_data(as_text=True)
    assert "Make a new feed URL" in page and "Remove the feed" in page
    response = client.post("/account/calendar/remove", follow_redirects=True)
    assert "its URL no longer works" in response.get_data(as_text=True)
    assert client.get(rotated).status_code == 404
    again = client.post("/account/calendar/remove", follow_redirects=True)
    assert "You have no calendar feed to remove." in again.get_data(as_text=True)
    assert "Create a feed URL" in again.get_data(as_text=True)
    admin = _admin_of(seeded)
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.entity_type == "users", AuditEvent.entity_id == admin.id)
        .where(AuditEvent.action.like("calendar_feed_%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["calendar_feed_created", "calendar_feed_rotated", "calendar_feed_removed"]


def test_only_the_hash_is_stored(client, seeded, feed):
    secret = feed.removeprefix("/calendar/").removesuffix(".ics")
    admin = _admin_of(seeded)
    db.session.refresh(admin)
    assert admin.calendar_token_hash and secret not in admin.calendar_token_hash
    assert calendar_feed.user_for_secret(secret).id == admin.id


def test_each_fetch_is_one_audited_read_in_a_fixed_number_of_statements(client, seeded, feed):
    def fetch() -> int:
        with counting_queries() as statements:
            assert client.get(feed).status_code == 200
        return len(statements)

    def reads() -> int:
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "viewed", AuditEvent.note == "calendar feed")
        )

    before = fetch()
    assert reads() == 1
    _more_bookings(seeded, 20)
    assert fetch() == before
    assert reads() == 2  # one row per fetch, however many events


def _more_bookings(clinic, count: int) -> None:
    """Copies of a booked infusion on the following days (the feed has more events)."""
    model = _booked_in(clinic, clinic_today(clinic), clinic_today(clinic) + timedelta(days=90))[0]
    for n in range(1, count + 1):
        db.session.add(
            Infusion(
                clinic_id=clinic.id,
                patient_id=model.patient_id,
                hcpcs_code=model.hcpcs_code,
                authorization_id=model.authorization_id,
                scheduled_at=model.scheduled_at + timedelta(days=n),
                dose_mg=model.dose_mg,
                units_reserved=0,
            )
        )
    db.session.commit()


def test_unchecked_coverage_and_an_open_ended_approval_read_plainly(client, seeded, feed):
    today = clinic_today(seeded)
    booking = _booked_in(seeded, today, today + timedelta(days=90))[0]
    approved = db.session.scalar(
        sa.select(AuthorizationRequest).where(
            AuthorizationRequest.clinic_id == seeded.id, AuthorizationRequest.status == "approved"
        )
    )
    ends = today + timedelta(days=10)
    with db.engine.begin() as connection:  # past the ORM: the stored facts stay as written
        connection.execute(
            sa.update(Infusion).where(Infusion.id == booking.id).values(coverage_badge=None)
        )
        connection.execute(
            sa.update(AuthorizationRequest)
            .where(AuthorizationRequest.id == approved.id)
            .values(auth_number=None, units_approved=None, approved_end=ends)
        )
    events = _events(client.get(feed).data)
    summary = str(events[f"infusion-{booking.id}@priorauth"]["SUMMARY"])
    assert f"— {feed_queries.UNKNOWN_COVERAGE} —" in summary
    end = events[f"authorization-{approved.id}-ends@priorauth"]
    assert str(end["SUMMARY"]).startswith(f"{approved.hcpcs_code} authorization ends — ")
    assert "no unit limit" in str(end["DESCRIPTION"])


def test_unknown_secrets_and_deactivated_users_get_404(client, seeded, feed):
    assert client.get("/calendar/nope.ics").status_code == 404
    assert client.get(f"/calendar/cal_{'x' * 120}.ics").status_code == 404
    assert client.get("/calendar/cal_unknown.ics").status_code == 404
    admin = _admin_of(seeded)
    admin.active = False
    db.session.commit()
    assert client.get(feed).status_code == 404


def test_the_feed_needs_no_session(app_ctx, seeded, feed):
    other = app_ctx.test_client()  # no cookie at all
    assert other.get(feed).status_code == 200


def test_another_clinics_events_never_appear(client, seeded, feed):
    demo.seed(force=True)  # an identical second clinic: same patients, other rows
    db.session.commit()
    ours = {
        i.id for i in db.session.scalars(sa.select(Infusion).where(Infusion.clinic_id == seeded.id))
    }
    auths = {
        a.id
        for a in db.session.scalars(
            sa.select(AuthorizationRequest).where(AuthorizationRequest.clinic_id == seeded.id)
        )
    }
    for uid in _events(client.get(feed).data):
        kind, ident = uid.split("@")[0].split("-")[:2]
        assert int(ident) in (ours if kind == "infusion" else auths)


def test_fetches_are_rate_limited_per_address(app_ctx, client, seeded, feed, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "CALENDAR_FEED_RATE_LIMIT", "2 per minute")
    assert [client.get(feed).status_code for _ in range(3)] == [200, 200, 429]


def test_the_account_page_offers_a_feed_to_create(client, app_ctx):
    user = factories.user(factories.clinic(), "scheduler")
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    page = client.get("/account/password").get_data(as_text=True)
    assert "Calendar feed" in page and "Create a feed URL" in page
    assert client.post("/account/calendar").status_code == 200


def test_the_buttons_need_a_session(client):
    assert client.post("/account/calendar").status_code == 302
    assert client.post("/account/calendar/remove").status_code == 302
