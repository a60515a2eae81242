"""Turnaround from the request history (queries/turnaround.py) and RENEWAL_DUE timed by it
(queries/follow_through.py, domain/reminders.py): the configured response time below five
decisions, the recorded p80 from five, earlier when the payer's recorded turnaround grows;
no reminder once a renewal is in progress; the payer page's table and the request page's
timing say the same."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from priorauth.domain.business_days import add_business_days
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Clinic, User
from priorauth.queries import follow_through, turnaround
from priorauth.services import clock
from priorauth.services.authorizations import create_authorization
from priorauth.services.holidays import clinic_holidays
from priorauth.services.transitions import transition
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_infusions import book

CONFIGURED = 20


def reminders(api, as_of: date, kind: str = "RENEWAL_DUE") -> list[dict]:
    response = api.get(f"/api/v1/reminders?as_of={iso(as_of)}")
    assert response.status_code == 200
    return [r for r in response.get_json() if r["type"] == kind]


@pytest.fixture
def approval(api):
    """An approval ending in 60 days, an infusion booked inside it and one after it (an
    override: not covered): the renewal must be answered by that one's day."""
    patient, auth = b.approved_auth(
        api, end=TODAY + timedelta(days=60), payer_fields={"standard_response_days": CONFIGURED}
    )
    book(api, patient["id"], days=10)
    late = book(api, patient["id"], days=70, override_reason="renewal on its way")
    return auth, late


def actor(api) -> User:
    return db.session.scalar(sa.select(User).where(User.role == "admin"))


def decide(admin, auth: dict, sent: datetime, days: int, outcome: str = "denied", **extra):
    """A past request of the same patient, payer and code: submitted at `sent` (UTC), decided
    `days` later, each step stamped at its own time."""
    data = {
        "patient_id": auth["patient_id"],
        "coverage_id": auth["coverage_id"],
        "hcpcs_code": auth["hcpcs_code"],
        "diagnosis_codes": ["D50.9"],
        "dose_mg": Decimal("100"),
        "administrations": 1,
        "requested_start": sent.date(),
        "requested_end": sent.date() + timedelta(days=30),
    }
    with clock.replaying(sent):
        new = create_authorization(admin, data)
        step = {"to": "submitted", "channel": "fax", "override_reason": "history"}
        transition(admin, new.id, step, sent, sent.date())
    decided = sent + timedelta(days=days)
    if outcome == "denied":
        step = {"to": "denied", "denial_reason": extra.pop("reason", "not_medically_necessary")}
    else:
        step = {
            "to": outcome,
            "auth_number": f"H-{new.id}",
            "approved_units": 100 if outcome == "approved" else 1,
            "approved_start": decided.date(),
            "approved_end": decided.date() + timedelta(days=1),
        }
    with clock.replaying(decided):
        transition(admin, new.id, step | extra, decided, decided.date())
    db.session.commit()
    return new


def history(api, auth: dict, *days: int) -> None:
    admin = actor(api)
    for n, wait in enumerate(days):
        sent = datetime.combine(TODAY - timedelta(days=200 - n), time(14))
        decide(admin, auth, sent, wait)


def expected_start(target: date, days: int, clinic: Clinic) -> date:
    holidays = clinic_holidays(clinic)
    return add_business_days(target - timedelta(days=days), -3, holidays)


def test_below_five_decisions_renewal_uses_the_configured_response_time(api, approval):
    auth, late = approval
    target = date.fromisoformat(late["scheduled_at"][:10])
    clinic = db.session.get(Clinic, actor(api).clinic_id)
    start = expected_start(target, CONFIGURED, clinic)
    assert reminders(api, start - timedelta(days=1)) == []
    (due,) = reminders(api, start)
    assert due["authorization_id"] == auth["id"] and due["due_date"] == iso(start)
    assert (
        f"start the renewal by {start}: first uncovered infusion {target} − configured response"
        f" time {CONFIGURED} days (only 1 decision, fewer than 5) − 3 business days."
        in due["message"]
    )
    history(api, auth, 45, 45, 45)  # four decisions with the approval itself: still configured
    assert reminders(api, start)[0]["due_date"] == iso(start)


def test_renewal_moves_earlier_when_the_payers_turnaround_grows(api, approval):
    auth, late = approval
    target = date.fromisoformat(late["scheduled_at"][:10])
    clinic = db.session.get(Clinic, actor(api).clinic_id)
    history(api, auth, 30, 30, 30, 30)  # five decisions: 0 (the approval), 30 × 4 -> p80 30
    start = expected_start(target, 30, clinic)
    assert reminders(api, start - timedelta(days=1)) == []
    (due,) = reminders(api, start)
    assert "− p80 30 days (5 decisions) − 3 business days." in due["message"]
    history(api, auth, 50, 50)  # seven decisions: 0, 30 × 4, 50 × 2 -> ceil(5.6) = 6th: 50
    later = reminders(api, start)
    assert later[0]["due_date"] == iso(expected_start(target, 50, clinic))
    assert date.fromisoformat(later[0]["due_date"]) < start  # earlier than before
    assert "− p80 50 days (7 decisions) −" in later[0]["message"]


def test_a_renewal_in_progress_stops_the_reminder(api, approval):
    auth, late = approval
    as_of = TODAY + timedelta(days=55)  # before the approval's end, well past the start day
    assert [r["authorization_id"] for r in reminders(api, as_of)] == [auth["id"]]
    response = api.post(f"/api/v1/authorizations/{auth['id']}/renew", json={})
    assert response.status_code == 201, response.get_json()
    assert reminders(api, as_of) == []
    renewal = response.get_json()["id"]
    b.move(api, renewal, to="cancelled", note="started by mistake")
    assert [r["authorization_id"] for r in reminders(api, as_of)] == [auth["id"]]


def test_the_authorization_end_when_more_infusions_are_planned(api):
    end = TODAY + timedelta(days=40)
    patient, auth = b.approved_auth(
        api, end=end, administrations=3, payer_fields={"standard_response_days": 10}
    )
    book(api, patient["id"], days=5)  # one of three administrations booked, none after the end
    clinic = db.session.get(Clinic, actor(api).clinic_id)
    start = expected_start(end, 10, clinic)
    (due,) = reminders(api, start)
    assert f"authorization end {end} − configured response time 10 days" in due["message"]


def test_no_renewal_when_nothing_more_is_planned_or_the_approval_ended(api):
    patient, auth = b.approved_auth(api, end=TODAY + timedelta(days=20), administrations=1)
    book(api, patient["id"], days=3)  # the only administration is booked: nothing after it
    assert reminders(api, TODAY + timedelta(days=19)) == []
    assert reminders(api, TODAY + timedelta(days=21)) == []  # ended: the approval is past


def test_units_running_out_inside_the_dates_time_the_renewal(api):
    patient, auth = b.approved_auth(
        api, units=150, administrations=5, end=TODAY + timedelta(days=200), dose="100"
    )
    book(api, patient["id"], days=3)
    short = book(api, patient["id"], days=40, override_reason="units requested")
    target = date.fromisoformat(short["scheduled_at"][:10])
    (due,) = reminders(api, target)
    assert f"first uncovered infusion {target}" in due["message"]


def test_turnaround_rows_from_a_hand_built_history(api, approval):
    auth, _ = approval
    admin = actor(api)
    sent = datetime.combine(TODAY - timedelta(days=100), time(16))
    decide(admin, auth, sent, 4, "approved")
    decide(admin, auth, sent, 9, "partially_approved")
    decide(admin, auth, sent, 12, reason="missing_documentation")
    decide(admin, auth, sent, 20)
    pended = decide(admin, auth, sent, 6, "approved", decided_on=(sent + timedelta(days=3)).date())
    (row,) = turnaround.turnaround_rows(admin.clinic_id)
    # days 0 (the approval fixture), 4, 9, 12, 20 and 3 (its decided_on, the payer's date)
    assert (row.decisions, row.median_days, row.p80_days) == (6, 6.5, 12)
    assert (row.approved, row.partial, row.denied) == (3, 1, 2)
    assert row.denial_reasons == {"missing_documentation": 1, "not_medically_necessary": 1}
    assert (row.payer_id, row.hcpcs_code) == (auth["payer_id"], "J1439")
    found = {d.request_id: d for d in turnaround.decisions(admin.clinic_id)}
    assert found[pended.id].decided_on == (sent + timedelta(days=3)).date()
    assert found[pended.id].submitted_on == sent.date()
    assert turnaround.turnaround_rows(admin.clinic_id, since=TODAY + timedelta(days=1)) == []
    recent = turnaround.decisions(admin.clinic_id, since=TODAY)
    assert [d.request_id for d in recent] == [auth["id"]]
    assert turnaround.turnaround_rows(admin.clinic_id, pairs=[(auth["payer_id"], "J1756")]) == []


def test_a_submission_long_before_since_is_not_read(api, approval):
    auth, _ = approval
    admin = actor(api)
    slow = decide(admin, auth, datetime.combine(TODAY - timedelta(days=800), time(9)), 500)
    since = TODAY - timedelta(days=350)  # reads events from 716 days back: not the submission
    assert slow.id not in {d.request_id for d in turnaround.decisions(admin.clinic_id, since)}
    assert slow.id in {d.request_id for d in turnaround.decisions(admin.clinic_id)}


def test_pends_and_appeals_keep_the_first_submission_and_decision(api, approval):
    auth, _ = approval
    admin = actor(api)
    sent = datetime.combine(TODAY - timedelta(days=90), time(15))
    denied = decide(admin, auth, sent, 10)
    appeal_at = sent + timedelta(days=12)
    with clock.replaying(appeal_at):
        transition(admin, denied.id, {"to": "appealed"}, appeal_at, appeal_at.date())
    won = sent + timedelta(days=40)
    step = {
        "to": "approved",
        "auth_number": "WON",
        "approved_units": 100,
        "approved_start": won.date(),
        "approved_end": won.date(),
    }
    with clock.replaying(won):
        transition(admin, denied.id, step, won, won.date())
    data = {
        "patient_id": auth["patient_id"],
        "coverage_id": auth["coverage_id"],
        "hcpcs_code": "J1439",
        "diagnosis_codes": ["D50.9"],
        "dose_mg": Decimal("100"),
        "administrations": 1,
        "requested_start": sent.date(),
        "requested_end": sent.date(),
    }
    with clock.replaying(sent):
        waiting = create_authorization(admin, data)
        transition(admin, waiting.id, {"to": "submitted", "channel": "fax"} | OVERRIDE, sent, TODAY)
    with clock.replaying(sent + timedelta(days=2)):
        transition(admin, waiting.id, {"to": "pended", "note": "labs"}, sent, TODAY)
    again = sent + timedelta(days=5)
    with clock.replaying(again):
        transition(
            admin, waiting.id, {"to": "submitted", "channel": "fax"} | OVERRIDE, again, TODAY
        )
    db.session.commit()
    found = {d.request_id: d for d in turnaround.decisions(admin.clinic_id)}
    assert (found[denied.id].outcome, found[denied.id].decided_on) == (
        "denied",
        sent.date() + timedelta(days=10),
    )
    assert waiting.id not in found  # submitted, pended, resubmitted: not decided yet
    drafts = create_authorization(admin, data)  # never submitted: no decision
    db.session.commit()
    assert drafts.id not in {d.request_id for d in turnaround.decisions(admin.clinic_id)}
    assert len(found) == 2  # the fixture's approval and the denial


OVERRIDE = {"override_reason": "history"}


def test_payer_page_shows_the_turnaround_table(api, approval, client):
    auth, _ = approval
    history(api, auth, 8, 8, 8, 8)
    client.post("/login", data={"email": actor(api).email, "password": "correct-horse-7"})
    page = client.get("/payers").get_data(as_text=True)
    assert "Turnaround, last 12 months" in page
    assert '<tr data-code="J1439"><td>J1439</td><td>5</td><td>8</td><td>8</td>' in page
    row = page[page.index('<tr data-code="J1439">') :]
    row = row[: row.index("</tr>")]
    assert "<td>1 (20 %)</td><td>0 (0 %)</td><td>4 (80 %)</td>" in row
    assert "Not medically necessary: 4" in row


def test_request_page_and_renew_form_say_when_to_start(api, approval, client):
    auth, late = approval
    client.post("/login", data={"email": actor(api).email, "password": "correct-horse-7"})
    page = client.get(f"/authorizations/{auth['id']}").get_data(as_text=True)
    target = late["scheduled_at"][:10]
    assert "Start the renewal by" in page and f"first uncovered infusion {target}" in page
    form = client.get(f"/authorizations/{auth['id']}/renew").get_data(as_text=True)
    assert "Start the renewal by" in form
    request = db.session.get(AuthorizationRequest, auth["id"])
    clinic = db.session.get(Clinic, request.clinic_id)
    facts, timing = follow_through.renewal_of(clinic, request, TODAY)
    assert f'data-start-by="{timing.start_by}"' in page
    assert follow_through.renewal_of(clinic, request, request.approved_end + timedelta(days=1)) == (
        None,
        None,
    )
    nothing = b.approved_auth(api, mrn="MRN-2", administrations=1)[1]  # nothing booked after
    book(api, nothing["patient_id"], days=2)
    single = db.session.get(AuthorizationRequest, nothing["id"])
    assert follow_through.renewal_of(clinic, single, TODAY) == (None, None)
    assert "Start the renewal by" not in client.get(f"/authorizations/{single.id}").get_data(
        as_text=True
    )
