"""The error handlers: a constraint race on a page, and a hand-loaded body's field names.

A form post that loses a race at a unique constraint (another writer commits the same MRN
between the page's check and its insert) gets a 409 page that says so in words, not a
sqlstate code, and writes nothing. An evidence record the API loads by hand (not through
webargs) answers 422 naming each bad field."""

from __future__ import annotations

import threading
from datetime import date

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, Patient
from tests import factories
from tests.api.test_integrity_conflict import executing, wait_until

FORM = {"mrn": "MRN-88", "first_name": "Ada", "last_name": "Lovelace", "birth_date": "1970-03-01"}


def _post_form_in_thread(client) -> tuple[threading.Thread, dict]:
    answer: dict = {}

    def send() -> None:
        response = client.post("/patients/new", data=FORM)
        answer.update(status=response.status_code, page=response.get_data(as_text=True))

    thread = threading.Thread(target=send)
    thread.start()
    return thread, answer


def test_a_form_that_loses_a_race_at_a_constraint_gets_a_409_page_in_words(
    app_ctx, client, front_desk
):
    signed_in = client.post(
        "/login", data={"email": front_desk.email, "password": factories.PASSWORD}
    )
    assert signed_in.status_code == 302
    with db.engine.connect() as other:
        other_tx = other.begin()
        other.execute(  # another writer's patient with the same MRN, not committed yet
            sa.insert(Patient.__table__).values(
                clinic_id=front_desk.clinic_id,
                mrn=FORM["mrn"],
                first_name="Grace",
                last_name="Hopper",
                birth_date=date(1906, 12, 9),
            )
        )
        thread, answer = _post_form_in_thread(client)
        wait_until(lambda: executing(thread, "INSERT INTO patients"), thread)
        other_tx.commit()
        thread.join(timeout=60)
    assert answer["status"] == 409, answer
    page = answer["page"]
    assert "Someone saved a conflicting change at the same moment" in page
    assert "reload the page and try again" in page
    assert "Ada" not in page and "Lovelace" not in page  # no PHI echoed
    db.session.rollback()
    assert db.session.scalars(sa.select(Patient.first_name)).all() == ["Grace"]
    created = sa.select(sa.func.count()).where(AuditEvent.action == "created")
    assert db.session.scalar(created.where(AuditEvent.entity_type == "patients")) == 0


def test_evidence_loaded_by_hand_names_the_nested_field(api):
    patient = api.post(
        "/api/v1/patients",
        json={"mrn": "E-1", "first_name": "A", "last_name": "B", "birth_date": "1980-01-01"},
    ).get_json()
    response = api.post(
        f"/api/v1/patients/{patient['id']}/evidence",
        json={"kind": "lab", "test": "ferritin", "value": "high", "observed_on": "2026-02-30"},
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "VALIDATION_ERROR"
    assert {"value", "observed_on"} <= set(body["errors"])
    assert body["message"].split(":")[0] in body["errors"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Patient)) == 1
