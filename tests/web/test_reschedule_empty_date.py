"""Emptying the date on the reschedule form is refused: 422 naming the field, the infusion
stays where it was (date, dose, units) and no audit event is written."""

from __future__ import annotations

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, Infusion
from tests.web.test_schedule_pages import book, covered_patient, sign_in


def _state(infusion_id: int) -> tuple:
    db.session.expire_all()
    row = db.session.get(Infusion, infusion_id)
    return row.scheduled_at, row.dose_mg, row.units_reserved, row.status, row.authorization_id


def _events() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def test_emptying_the_date_on_reschedule_changes_nothing_and_audits_nothing(client, api, admin):
    patient, _ = covered_patient(api)
    infusion_id = book(api, patient["id"])["id"]
    sign_in(client, admin)
    before, events = _state(infusion_id), _events()
    refused = client.post(
        f"/infusions/{infusion_id}", data={"scheduled_at": "  ", "dose_mg": "150"}
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Date and time is required." in html
    assert "moved to" not in html
    assert _state(infusion_id) == before
    assert _events() == events


def test_the_date_alone_emptied_is_refused_too(client, api, admin):
    """Same dose as before and no date: still a 422, not a move to nowhere."""
    patient, _ = covered_patient(api)
    infusion_id = book(api, patient["id"])["id"]
    sign_in(client, admin)
    before, events = _state(infusion_id), _events()
    refused = client.post(f"/infusions/{infusion_id}", data={"scheduled_at": "", "dose_mg": "100"})
    assert refused.status_code == 422
    assert "Date and time is required." in refused.get_data(as_text=True)
    assert (_state(infusion_id), _events()) == (before, events)
    cancelled = client.post(f"/infusions/{infusion_id}", data={"status": "cancelled"})
    assert cancelled.status_code == 302  # the cancel form sends no date: not refused
    assert _state(infusion_id)[3] == "cancelled"
