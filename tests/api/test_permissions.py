"""Every API write, walked for every role from one permission table: the roles the table allows
succeed, the others answer 403 and change nothing."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from priorauth import permissions as perm
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, ReminderState, Role
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso

EVERYONE = tuple(role.value for role in Role)
# Rows that a refused call may still touch without changing anything of the clinic's records.
NOT_COMPARED = {"api_tokens", "idempotent_responses", "alembic_version", "apscheduler_jobs"}


def _at(days: int) -> str:
    return f"{iso(TODAY + timedelta(days=days))}T10:00:00"


def _booking(w) -> dict:
    return {
        "patient_id": w["patient"],
        "hcpcs_code": "J1439",
        "scheduled_at": _at(2),
        "dose_mg": "100",
    }


def _coverage(w) -> dict:
    return {"payer_id": w["payer"], "member_id": "M999", "start_date": iso(TODAY)}


def _request(w) -> dict:
    return {
        "patient_id": w["patient"],
        "coverage_id": w["coverage"],
        "hcpcs_code": "J1439",
        "diagnosis_codes": ["D50.9"],
        "dose_mg": "750",
        "administrations": 2,
        "requested_start": iso(TODAY),
        "requested_end": iso(TODAY + timedelta(days=90)),
    }


def _administration(w) -> dict:
    return {
        "dose_mg": "100",
        "discarded_mg": "0",
        "lot_number": "L1",
        "lot_expiration": iso(TODAY + timedelta(days=200)),
    }


class Multipart(dict):
    """A body sent as multipart/form-data (an upload) rather than JSON."""


def _upload(w) -> Multipart:
    return Multipart(
        patient_id=str(w["patient"]),
        kind="lab_report",
        file=(io.BytesIO(PNG), "labs.png"),
    )


# A 1x1 PNG: the smallest file an upload accepts.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63606060000000040001f61738550000000049454e44ae426082"
)


def _claim_response(code: str) -> dict:
    """A Da Vinci PAS ClaimResponse whose review action code is `code` (C: cancelled)."""
    action = {
        "url": "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction",
        "extension": [{"url": "code", "valueCodeableConcept": {"coding": [{"code": code}]}}],
    }
    adjudication = {"category": {"text": "submitted"}, "extension": [action]}
    return {
        "resourceType": "ClaimResponse",
        "status": "active",
        "type": {"text": "professional"},
        "use": "preauthorization",
        "patient": {"reference": "Patient/1"},
        "created": iso(TODAY),
        "insurer": {"reference": "Organization/1"},
        "outcome": "complete",
        "item": [{"itemSequence": 1, "adjudication": [adjudication]}],
    }


# (method, path, who may, expected success status, body). The one table this test walks.
WRITES = [
    ("post", "/api/v1/payers", perm.EDIT_PAYERS, 201, lambda w: {"name": "Other Payer"}),
    ("patch", "/api/v1/payers/{payer}", perm.EDIT_PAYERS, 200, lambda w: {"name": "Renamed"}),
    ("put", "/api/v1/payers/{payer}/policies/J1437", perm.EDIT_PAYERS, 200, lambda w: {}),
    ("put", "/api/v1/payers/{payer}/rates", perm.EDIT_PAYERS, 200, lambda w: {"rates": []}),
    ("patch", "/api/v1/clinic", perm.EDIT_CLINIC, 200, lambda w: {"digest_items_per_type": 5}),
    ("put", "/api/v1/clinic/queue-owners", perm.EDIT_CLINIC, 200, lambda w: {}),
    (
        "post",
        "/api/v1/patients",
        perm.EDIT_PATIENTS,
        201,
        lambda w: {"mrn": "N-1", "first_name": "B", "last_name": "C", "birth_date": "1960-01-01"},
    ),
    (
        "patch",
        "/api/v1/patients/{patient}",
        perm.EDIT_PATIENTS,
        200,
        lambda w: {"first_name": "Al"},
    ),
    ("post", "/api/v1/patients/{patient}/coverages", perm.EDIT_PATIENTS, 201, _coverage),
    (
        "post",
        "/api/v1/patients/{patient}/evidence",
        perm.EDIT_EVIDENCE,
        201,
        lambda w: {"kind": "diagnosis", "code": "D50.9", "observed_on": iso(TODAY)},
    ),
    ("post", "/api/v1/authorizations", perm.EDIT_AUTHORIZATIONS, 201, _request),
    (
        "patch",
        "/api/v1/authorizations/{draft}",
        perm.EDIT_AUTHORIZATIONS,
        200,
        lambda w: {"administrations": 3},
    ),
    (
        "post",
        "/api/v1/authorizations/{draft}/transitions",
        perm.EDIT_AUTHORIZATIONS,
        200,
        lambda w: {"to": "submitted", "channel": "portal", "override_reason": "permission walk"},
    ),
    (
        "post",
        "/api/v1/authorizations/{draft}/packet/sent",
        perm.SEND_PACKETS,
        200,
        lambda w: {"channel": "fax", "override_reason": "permission walk"},
    ),
    (
        "post",
        "/api/v1/authorizations/{approved}/renew",
        perm.START_RENEWALS,
        201,
        lambda w: {},
    ),
    (
        "post",
        "/api/v1/authorizations/{approved}/payer-changes",
        perm.EDIT_AUTHORIZATIONS,
        200,
        lambda w: {"payer_reference": "permission walk", "approved_units": 450},
    ),
    (
        "post",
        "/api/v1/authorizations/{draft}/pas-response",
        perm.EDIT_AUTHORIZATIONS,
        200,
        lambda w: _claim_response("C"),
    ),
    (
        "patch",
        "/api/v1/authorizations/{draft}/owner",
        perm.REASSIGN_OWNERS,
        200,
        lambda w: {"owner_id": None},
    ),
    (
        "post",
        "/api/v1/authorizations/reassign",
        perm.REASSIGN_OWNERS,
        200,
        lambda w: {"ids": [w["draft"]], "owner_id": None},
    ),
    (
        "post",
        "/api/v1/authorizations/{submitted}/follow-ups",
        perm.EDIT_AUTHORIZATIONS,
        201,
        lambda w: {"channel": "phone", "contact": "PA line"},
    ),
    ("post", "/api/v1/reminders/acknowledge", EVERYONE, 200, lambda w: {"key": w["reminder"]}),
    (
        "post",
        "/api/v1/reminders/reassign",
        perm.REASSIGN_OWNERS,
        200,
        lambda w: {"key": w["reminder"], "owner_id": w["owner"]},
    ),
    ("post", "/api/v1/attachments", perm.EDIT_ATTACHMENTS, 201, _upload),
    ("delete", "/api/v1/attachments/{attachment}", perm.EDIT_ATTACHMENTS, 204, lambda w: {}),
    ("post", "/api/v1/infusions", perm.BOOK_INFUSIONS, 201, _booking),
    (
        "patch",
        "/api/v1/infusions/{infusion}",
        perm.BOOK_INFUSIONS,
        200,
        lambda w: {"status": "cancelled"},
    ),
    (
        "post",
        "/api/v1/infusions/{infusion}/administration",
        perm.RECORD_ADMINISTRATION,
        200,
        _administration,
    ),
    (
        "post",
        "/api/v1/infusions/{infusion}/eligibility",
        perm.VERIFY_ELIGIBILITY,
        201,
        lambda w: {"method": "phone", "result": "active"},
    ),
    (
        "post",
        "/api/v1/billing/billed",
        perm.BILLING,
        409,  # past the role check: the booking is not given yet, so it is not ready to bill
        lambda w: {"infusion_ids": [w["infusion"]]},
    ),
    (
        "post",
        "/api/v1/coverage-check",
        EVERYONE,
        200,
        lambda w: {
            "patient_id": w["patient"],
            "hcpcs_code": "J1439",
            "service_date": iso(TODAY),
            "dose_mg": "100",
        },
    ),
]


def _reminder_state(sent: dict) -> ReminderState:
    """A due reminder's stored state (the hourly sync would make it), owned by the request's
    owner, for the acknowledge and reassign walks."""
    request = db.session.get(AuthorizationRequest, sent["id"])
    state = ReminderState(
        clinic_id=request.clinic_id,
        key=f"FOLLOW_UP_DUE:a{request.id}:{TODAY.isoformat()}",
        type="FOLLOW_UP_DUE",
        authorization_id=request.id,
        patient_id=request.patient_id,
        due_date=TODAY,
        first_seen_on=TODAY,
        escalates_on=TODAY,
        owner_id=request.owner_id,
    )
    db.session.add(state)
    db.session.commit()
    return state


def _world(api) -> dict:
    """A payer, a patient with an approved request and a booking, a draft and a submitted
    request."""
    patient, auth = b.approved_auth(api, dose="100", units=500)
    draft = b.request(api, patient["id"], auth["coverage_id"])
    sent = b.request(api, patient["id"], auth["coverage_id"])
    b.move(api, sent["id"], to="submitted", channel="portal", override_reason="permission walk")
    booking = api.post(
        "/api/v1/infusions",
        json={
            "patient_id": patient["id"],
            "hcpcs_code": "J1439",
            "scheduled_at": _at(1),
            "dose_mg": "100",
        },
    )
    assert booking.status_code == 201, booking.get_json()
    document = api.post(
        "/api/v1/attachments",
        data=_upload({"patient": patient["id"]}),
        content_type="multipart/form-data",
    )
    assert document.status_code == 201, document.get_json()
    reminder = _reminder_state(sent)
    return {
        "reminder": reminder.key,
        "owner": reminder.owner_id,
        "payer": auth["payer_id"],
        "patient": patient["id"],
        "coverage": auth["coverage_id"],
        "draft": draft["id"],
        "submitted": sent["id"],
        "approved": auth["id"],
        "infusion": booking.get_json()["id"],
        "attachment": document.get_json()["id"],
    }


def _snapshot() -> dict:
    """Every row of every table the clinic's records live in."""
    db.session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name not in NOT_COMPARED:
            order = [column for column in table.primary_key.columns]
            rows[table.name] = db.session.execute(sa.select(table).order_by(*order)).all()
    db.session.rollback()
    return rows


def test_every_api_write_is_in_the_table(app_ctx):
    """A new write route must be added to WRITES, so the walk below cannot miss it."""
    walked = {(method.upper(), re.sub(r"\{\w+\}", "_", path)) for method, path, *_ in WRITES}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        shape = re.sub(r"<[^>]+>", "_", rule.rule)
        shape = shape.replace("/policies/_", "/policies/J1437")
        for method in rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            assert (method, shape) in walked, f"{method} {rule.rule} is not in the permission walk"


CASES = [(write, role.value) for write in WRITES for role in Role]


@pytest.mark.parametrize(
    ("write", "role"), CASES, ids=[f"{w[0]} {w[1]} as {role}" for w, role in CASES]
)
def test_role_may_or_may_not(api, clinic, write, role):
    method, path, allowed, success, body = write
    world = _world(api)
    actor = factories.ApiClient(api.client, factories.token(factories.user(clinic, role)))
    before = _snapshot()
    payload = body(world)
    sent = (
        {"data": payload, "content_type": "multipart/form-data"}
        if isinstance(payload, Multipart)
        else {"json": payload}
    )
    response = getattr(actor, method)(path.format(**world), **sent)
    if perm.has_role(_Role(role), allowed):
        assert response.status_code == success, response.get_json()
        return
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["code"] == "FORBIDDEN"
    assert _snapshot() == before


class _Role:
    """has_role takes a user; the walk only needs its role."""

    def __init__(self, role: str):
        self.role = role
