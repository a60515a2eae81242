"""Recording a payer's decision by its X12 278 action code (docs/domain.md §8) through the
API: the code gives the status, the request and its history keep it, refusals name the field."""

from __future__ import annotations

from datetime import timedelta

import pytest

from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest
from priorauth.services.transitions import with_action_code
from tests.api import builders as b
from tests.api.builders import TODAY, iso

APPROVAL = {
    "auth_number": "AUTH-7",
    "approved_units": 1500,
    "approved_start": iso(TODAY),
    "approved_end": iso(TODAY + timedelta(days=60)),
}
DECISIONS = [
    ("A1", APPROVAL, "approved"),
    ("A2", APPROVAL, "partially_approved"),  # a partial approval even for every unit asked
    ("A6", APPROVAL | {"approved_units": 750}, "partially_approved"),
    ("A3", {"denial_reason": "labs_out_of_range"}, "denied"),
    ("A4", {"note": "send the TSAT"}, "pended"),
    ("CT", {"note": "call the reviewer"}, "pended"),
    ("C", {}, "cancelled"),
]


@pytest.fixture
def submitted(api):
    payer = b.payer(api)
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api)
    coverage = b.coverage(api, patient["id"], payer["id"])
    draft = b.request(api, patient["id"], coverage["id"])
    return b.move(api, draft["id"], to="submitted", channel="portal", override_reason="test setup")


def _post(api, auth_id: int, **body):
    return api.post(f"/api/v1/authorizations/{auth_id}/transitions", json=body)


def _stored(auth_id: int) -> AuthorizationRequest:
    db.session.expire_all()
    return db.session.get(AuthorizationRequest, auth_id)


def _last_event(auth_id: int) -> AuditEvent:
    return db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.entity_id == auth_id, AuditEvent.action == "transition")
        .order_by(AuditEvent.id.desc())
    ).first()


@pytest.mark.parametrize(("code", "fields", "status"), DECISIONS)
def test_an_action_code_alone_records_its_status_and_the_code(api, submitted, code, fields, status):
    answer = b.move(api, submitted["id"], action_code=code, **fields)
    assert (answer["status"], answer["review_action_code"]) == (status, code)
    assert _stored(submitted["id"]).review_action_code == code
    event = _last_event(submitted["id"])
    assert (event.to_status, event.changes["action_code"]) == (status, code)
    history = api.get(f"/api/v1/authorizations/{submitted['id']}/history").get_json()
    assert history[-1]["changes"]["action_code"] == code


def test_a_code_with_its_own_status_is_accepted_in_any_case(api, submitted):
    answer = b.move(api, submitted["id"], to="partially_approved", action_code=" a6 ", **APPROVAL)
    assert (answer["status"], answer["review_action_code"]) == ("partially_approved", "A6")


def test_a1_for_fewer_units_is_a_partial_approval_that_keeps_the_code(api, submitted):
    answer = b.move(api, submitted["id"], action_code="A1", **APPROVAL | {"approved_units": 500})
    assert (answer["status"], answer["review_action_code"]) == ("partially_approved", "A1")


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"action_code": "ZZ"}, "action_code", "Must be one of: A1, A2, A3, A4, A6, C, CT."),
        ({"to": "approved", "action_code": "A3"}, "action_code", "A3 means denied, not approved"),
        ({"note": "no step"}, "to", "give the status or the payer's X12 action_code"),
        ({"action_code": "A2", "auth_number": "P-1"}, "approved_units", "is required"),
        ({"action_code": "A3"}, "denial_reason", "is required to record denied"),
    ],
)
def test_a_wrong_code_is_422_naming_the_field_and_changes_nothing(
    api, submitted, body, field, words
):
    answer = _post(api, submitted["id"], **body)
    assert answer.status_code == 422, answer.get_json()
    assert words in answer.get_json()["errors"][field][0]
    stored = _stored(submitted["id"])
    assert (stored.status, stored.review_action_code) == ("submitted", None)


def test_a_code_the_status_does_not_allow_is_409_and_changes_nothing(api, submitted):
    b.move(api, submitted["id"], action_code="A1", **APPROVAL)
    answer = _post(api, submitted["id"], action_code="A4", note="late pend")
    assert answer.status_code == 409
    assert answer.get_json()["code"] == "TRANSITION_NOT_ALLOWED"
    stored = _stored(submitted["id"])
    assert (stored.status, stored.review_action_code) == ("approved", "A1")


def test_a_step_without_a_code_clears_the_last_one_and_the_history_keeps_both(api, submitted):
    b.move(api, submitted["id"], action_code="CT", note="call the reviewer")
    answer = b.move(api, submitted["id"], to="submitted", channel="phone")
    assert answer["review_action_code"] is None
    history = api.get(f"/api/v1/authorizations/{submitted['id']}/history").get_json()
    steps = [(e["to_status"], (e["changes"] or {}).get("action_code")) for e in history[1:]]
    assert steps == [("submitted", None), ("pended", "CT"), ("submitted", None)]


def test_the_service_refuses_an_unknown_code_and_a_step_without_status_or_code():
    with pytest.raises(ValidationFailed) as unknown:
        with_action_code({"action_code": "NA"})
    assert unknown.value.errors == {
        "action_code": ["NA is not an X12 278 action code (A1, A2, A3, A4, A6, C, CT)"]
    }
    with pytest.raises(ValidationFailed) as nothing:
        with_action_code({"action_code": " ", "to": None})
    assert list(nothing.value.errors) == ["to"]
    assert with_action_code({"to": "pended", "action_code": " "}) == {
        "to": "pended",
        "action_code": None,
    }
