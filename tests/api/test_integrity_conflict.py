"""A constraint the validation cannot see coming answers 409 CONFLICT, never a 500, and
writes nothing (priorauth/api/errors.py handle_integrity_error).

The MRN check of POST /patients reads before it inserts; a patient with the same MRN that
another transaction inserts in between (committed after the check, before the insert) is only
caught by the unique (clinic_id, mrn) constraint. The test makes that interleaving exact: it
holds the other patient's insert uncommitted, waits until the request is blocked inside its
own INSERT (past the check), then commits."""

from __future__ import annotations

import sys
import threading
import time
from datetime import date

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, Patient
from tests.api.test_administration_refusals import all_rows

BODY = {"mrn": "MRN-77", "first_name": "Ada", "last_name": "Lovelace", "birth_date": "1970-03-01"}


def executing(thread: threading.Thread, sql_start: str) -> bool:
    """Whether the thread is inside SQLAlchemy's execute of a statement starting so."""
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        statement = frame.f_locals.get("statement")
        if frame.f_code.co_name == "do_execute" and str(statement).startswith(sql_start):
            return True
        frame = frame.f_back
    return False


def wait_until(condition, thread: threading.Thread, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert thread.is_alive(), "the request ended before reaching its INSERT"
        assert time.monotonic() < deadline, "the request never reached its INSERT"
        time.sleep(0.02)


def post_in_thread(app, api, body: dict) -> tuple[threading.Thread, dict]:
    answer: dict = {}

    def send() -> None:
        response = app.test_client().post("/api/v1/patients", headers=api.headers, json=body)
        answer.update(status=response.status_code, body=response.get_json())

    thread = threading.Thread(target=send)
    thread.start()
    return thread, answer


def test_same_mrn_committed_between_check_and_insert_is_409_conflict(app_ctx, api, admin):
    assert api.get("/api/v1/patients").status_code == 200  # stamps the token's last use now
    before = all_rows()
    with db.engine.connect() as other:
        other_tx = other.begin()
        other.execute(  # another writer's patient with the same MRN, not committed yet
            sa.insert(Patient.__table__).values(
                clinic_id=admin.clinic_id,
                mrn=BODY["mrn"],
                first_name="Grace",
                last_name="Hopper",
                birth_date=date(1906, 12, 9),
            )
        )
        thread, answer = post_in_thread(app_ctx, api, BODY)
        wait_until(lambda: executing(thread, "INSERT INTO patients"), thread)
        other_tx.commit()
        thread.join(timeout=60)
    assert answer["status"] == 409, answer
    assert answer["body"] == {
        "code": "CONFLICT",
        "message": "the change conflicts with existing data",
        "errors": {},
    }
    after = all_rows()
    [(mrn, first_name)] = [
        (row.mrn, row.first_name) for row in db.session.scalars(sa.select(Patient))
    ]
    assert (mrn, first_name) == ("MRN-77", "Grace")  # only the other transaction's patient
    assert {name: rows for name, rows in after.items() if name != "patients"} == {
        name: rows for name, rows in before.items() if name != "patients"
    }  # no audit event, nothing else
    assert len(after["patients"]) == len(before["patients"]) + 1


def test_twenty_concurrent_creations_of_one_mrn_make_one_patient(app_ctx, api):
    assert api.get("/api/v1/patients").status_code == 200
    racers = 20
    barrier = threading.Barrier(racers)
    results: list = [None] * racers

    def race(slot: int) -> None:
        client = app_ctx.test_client()
        barrier.wait()
        response = client.post("/api/v1/patients", headers=api.headers, json=BODY)
        results[slot] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=race, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    codes = sorted(code for code, _ in results)
    assert codes.count(201) == 1, results
    for code, body in results:
        if code == 409:  # lost the race at the constraint
            assert body["code"] == "CONFLICT"
        elif code == 422:  # lost it at the check: saw the winner's committed row
            assert list(body["errors"]) == ["mrn"]
        else:
            assert code == 201, (code, body)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Patient)) == 1
    created = sa.select(sa.func.count()).where(
        AuditEvent.entity_type == "patients", AuditEvent.action == "created"
    )
    assert db.session.scalar(created) == 1
