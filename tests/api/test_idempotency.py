"""Idempotency-Key on POST /infusions, /authorizations, /patients: a retry never writes twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa
from flask_sqlalchemy.session import Session

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, IdempotentResponse, Infusion, Patient
from tests import factories
from tests.api import builders as b
from tests.api.test_infusions import at

RACERS = 8


def _count(model) -> int:
    db.session.rollback()  # see what the requests committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _booking(patient_id: int, days: int = 1) -> dict:
    return {
        "patient_id": patient_id,
        "hcpcs_code": "J1439",
        "scheduled_at": at(days),
        "dose_mg": "100",
    }


def _book(api, body: dict, key: str | None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return api.post("/api/v1/infusions", json=body, headers=headers)


def test_same_key_twice_books_once_and_replays_the_first_answer(api):
    patient, _ = b.approved_auth(api)
    first = _book(api, _booking(patient["id"]), "booking-1")
    second = _book(api, _booking(patient["id"]), "booking-1")
    assert first.status_code == 201, first.get_json()
    assert "Idempotent-Replayed" not in first.headers
    assert second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_data() == first.get_data()
    assert second.content_type == "application/json"
    assert _count(Infusion) == 1
    assert _count(IdempotentResponse) == 1


def test_key_order_in_the_body_does_not_matter(api):
    patient, _ = b.approved_auth(api)
    body = _booking(patient["id"])
    first = _book(api, body, "k")
    again = _book(api, dict(reversed(list(body.items()))), "k")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert _count(Infusion) == 1


def test_same_key_with_another_body_is_refused_and_writes_nothing(api):
    patient, _ = b.approved_auth(api)
    assert _book(api, _booking(patient["id"], days=1), "booking-1").status_code == 201
    other = _book(api, _booking(patient["id"], days=2), "booking-1")
    assert other.status_code == 422
    assert other.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert other.get_json()["message"] == "Idempotency-Key was used with a different request"
    assert "Idempotency-Key" in other.get_json()["errors"]
    assert _count(Infusion) == 1


def test_same_key_on_another_path_is_refused(api):
    patient, _ = b.approved_auth(api)
    assert _book(api, _booking(patient["id"]), "shared").status_code == 201
    body = {"mrn": "MRN-9", "first_name": "Bo", "last_name": "Ng", "birth_date": "1980-01-01"}
    other = api.post("/api/v1/patients", json=body, headers={"Idempotency-Key": "shared"})
    assert other.status_code == 422
    assert other.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert _count(Patient) == 1


def test_without_a_key_each_post_books(api):
    patient, _ = b.approved_auth(api)
    assert _book(api, _booking(patient["id"]), None).status_code == 201
    assert _book(api, _booking(patient["id"]), None).status_code == 201
    assert _count(Infusion) == 2
    assert _count(IdempotentResponse) == 0


def test_keys_belong_to_their_user(api, clinic):
    patient, _ = b.approved_auth(api)
    scheduler = factories.ApiClient(
        api.client, factories.token(factories.user(clinic, "scheduler"))
    )
    mine = _book(api, _booking(patient["id"]), "same-key")
    theirs = _book(scheduler, _booking(patient["id"]), "same-key")
    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.get_json()["id"] != mine.get_json()["id"]
    assert _count(Infusion) == 2


def test_bad_keys_are_refused_naming_the_header(api):
    patient, _ = b.approved_auth(api)
    for key in ("k" * 256, "caf\u00e9"):
        response = _book(api, _booking(patient["id"]), key)
        assert response.status_code == 422, key
        assert response.get_json()["errors"] == {
            "Idempotency-Key": ["use 1 to 255 printable ASCII characters"]
        }
    assert _book(api, _booking(patient["id"]), "k" * 255).status_code == 201
    assert _count(Infusion) == 1


def test_a_failed_write_does_not_spend_the_key(api):
    headers = {"Idempotency-Key": "new-patient"}
    bad = api.post("/api/v1/patients", json={"mrn": "MRN-1"}, headers=headers)
    assert bad.status_code == 422
    assert _count(IdempotentResponse) == 0
    body = {"mrn": "MRN-1", "first_name": "Ada", "last_name": "Byron", "birth_date": "1970-01-01"}
    good = api.post("/api/v1/patients", json=body, headers=headers)
    again = api.post("/api/v1/patients", json=body, headers=headers)
    assert good.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == good.get_json()
    assert _count(Patient) == 1


def test_authorization_requests_are_idempotent(api):
    pat = b.patient(api)
    cov = b.coverage(api, pat["id"], b.payer(api)["id"])
    body = {
        "patient_id": pat["id"],
        "coverage_id": cov["id"],
        "hcpcs_code": "J1439",
        "diagnosis_codes": ["D50.9"],
        "dose_mg": "750",
        "administrations": 2,
        "requested_start": b.iso(b.TODAY),
        "requested_end": b.iso(b.TODAY + timedelta(days=90)),
    }
    headers = {"Idempotency-Key": "auth-request-1"}
    first = api.post("/api/v1/authorizations", json=body, headers=headers)
    second = api.post("/api/v1/authorizations", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.get_data() == first.get_data()
    assert _count(AuthorizationRequest) == 1


def test_a_key_is_forgotten_after_24_hours(api):
    patient, _ = b.approved_auth(api)
    first = _book(api, _booking(patient["id"]), "daily")
    db.session.execute(
        sa.update(IdempotentResponse).values(
            created_at=IdempotentResponse.created_at - timedelta(hours=24, seconds=1)
        )
    )
    db.session.commit()
    later = _book(api, _booking(patient["id"]), "daily")
    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later.headers
    assert later.get_json()["id"] != first.get_json()["id"]
    assert _count(Infusion) == 2
    assert _count(IdempotentResponse) == 1  # the expired row was purged


def test_the_booking_and_its_key_commit_in_one_transaction(api):
    """No commit ever makes the infusion visible without its stored answer (a crash in
    between would leave a booking that a retry could not replay)."""
    patient, _ = b.approved_auth(api)
    seen: list[tuple[int, int]] = []
    answered = IdempotentResponse.status_code == 201  # the key row holds the answer

    def before_commit(session):
        count = sa.select(sa.func.count()).select_from
        seen.append(
            (
                session.scalar(count(Infusion)),
                session.scalar(count(IdempotentResponse).where(answered)),
            )
        )

    sa.event.listen(Session, "before_commit", before_commit)
    try:
        assert _book(api, _booking(patient["id"]), "atomic").status_code == 201
    finally:
        sa.event.remove(Session, "before_commit", before_commit)
    assert (1, 1) in seen
    assert (1, 0) not in seen


def test_concurrent_retries_with_one_key_book_once(app_ctx, api):
    patient, _ = b.approved_auth(api)
    app = app_ctx
    barrier = threading.Barrier(RACERS)
    results: list = [None] * RACERS

    def race(slot: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/infusions",
            headers={**api.headers, "Idempotency-Key": "raced"},
            json=_booking(patient["id"]),
        )
        results[slot] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=race, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert {code for code, _ in results} == {201}, results
    assert len({body for _, body in results}) == 1, results
    assert _count(Infusion) == 1
    assert _count(IdempotentResponse) == 1
