"""Da Vinci PAS through the API: every demo request exports as a Claim request Bundle that
fhir.resources parses, and a payer's ClaimResponse records its decision like a manual one."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from fhir.resources.R4B.bundle import Bundle

from priorauth import demo
from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, User
from priorauth.services import pas_response, tokens
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/"
X12_306 = "https://codesystem.x12.org/005010/306"


@pytest.fixture
def submitted(api):
    payer = b.payer(api)
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api)
    coverage = b.coverage(api, patient["id"], payer["id"])
    b.evidence(api, patient["id"], kind="lab", test="ferritin", value="12", observed_on=iso(TODAY))
    draft = b.request(api, patient["id"], coverage["id"], ordering_provider="Dr. Hopper")
    return b.move(api, draft["id"], to="submitted", channel="portal", override_reason="test setup")


def claim_response(code: str | None, **fields) -> dict:
    """A FHIR R4 ClaimResponse as a PAS payer answers, with `code` as the review action."""
    action = {"url": PAS + "extension-reviewAction", "extension": []}
    if code:
        concept = {"coding": [{"system": X12_306, "code": code}]}
        action["extension"].append({"url": "code", "valueCodeableConcept": concept})
    body = {
        "resourceType": "ClaimResponse",
        "status": "active",
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/claim-type",
                    "code": "professional",
                }
            ]
        },
        "use": "preauthorization",
        "patient": {"reference": "Patient/patient-1"},
        "created": f"{iso(TODAY)}T09:30:00Z",
        "insurer": {"reference": "Organization/payer-1"},
        "outcome": "complete",
        "item": [
            {
                "itemSequence": 1,
                "adjudication": [
                    {"category": {"coding": [{"code": "submitted"}]}, "extension": [action]}
                ],
            }
        ],
    }
    return body | fields


def quantity(value) -> dict:
    return {
        "url": PAS + "extension-itemAuthorizedDetail",
        "extension": [{"url": "quantity", "valueQuantity": {"value": value}}],
    }


PERIOD = {"start": iso(TODAY), "end": iso(TODAY + timedelta(days=45))}


def partial(code: str, units=90, **fields) -> dict:
    body = claim_response(code, **{"preAuthRef": "PA-55", "preAuthPeriod": PERIOD} | fields)
    body["item"][0]["extension"] = [quantity(units)]
    return body


def _send(api, auth_id: int, body):
    return api.post(f"/api/v1/authorizations/{auth_id}/pas-response", json=body)


def _stored(auth_id: int) -> AuthorizationRequest:
    db.session.expire_all()
    return db.session.get(AuthorizationRequest, auth_id)


def _events(auth_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.entity_id == auth_id)
    )


# The Bundle


def test_every_demo_request_exports_a_bundle_that_fhir_resources_parses(app_ctx, client):
    demo.seed(today=date.today())
    db.session.commit()
    admin = db.session.scalar(sa.select(User).where(User.role == "admin"))
    api = factories.ApiClient(client, tokens.issue(admin)[1])
    db.session.commit()
    requests = db.session.scalars(sa.select(AuthorizationRequest)).all()
    assert len(requests) >= 20
    assert {a.review_action_code for a in requests} == {None, "A4", "A6"}  # the demo's codes
    for auth in requests:
        answer = api.get(f"/api/v1/authorizations/{auth.id}/pas-bundle")
        assert answer.status_code == 200, (auth.id, answer.get_data(as_text=True)[:500])
        bundle = Bundle.model_validate(json.loads(answer.get_data()))
        claim = bundle.entry[0].resource
        assert (bundle.type, claim.get_resource_type(), claim.use) == (
            "collection",
            "Claim",
            "preauthorization",
        )
        item = claim.item[0]
        assert item.productOrService.coding[0].code == auth.hcpcs_code
        assert item.quantity.value == auth.units_requested
        assert (item.servicedPeriod.start, item.servicedPeriod.end) == (
            auth.requested_start,
            auth.requested_end,
        )
        codes = [d.diagnosisCodeableConcept.coding[0].code for d in claim.diagnosis or []]
        assert codes == list(auth.diagnosis_codes or [])


def test_the_bundle_is_a_fhir_json_download_and_its_read_is_audited(api, submitted, admin):
    answer = api.get(f"/api/v1/authorizations/{submitted['id']}/pas-bundle")
    assert answer.status_code == 200
    assert answer.mimetype == "application/fhir+json"
    disposition = answer.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="pas-bundle-request-{submitted["id"]}.json"'
    assert answer.get_data(as_text=True).startswith('{"resourceType": "Bundle"')
    kinds = [e["resource"]["resourceType"] for e in json.loads(answer.get_data())["entry"]]
    assert kinds == ["Claim", "Patient", "Coverage", "Organization", "Organization", "Practitioner"]
    info = json.loads(answer.get_data())["entry"][0]["resource"]["supportingInfo"]
    assert [i["code"].get("text") or i["code"]["coding"][0]["code"] for i in info] == [
        "Requested dose",
        "2276-4",
    ]
    viewed = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "viewed", AuditEvent.note == "pas bundle")
    ).all()
    assert [(e.entity_id, e.user_id, e.patient_id) for e in viewed] == [
        (submitted["id"], admin.id, submitted["patient_id"])
    ]


def test_another_clinics_request_has_no_bundle_and_takes_no_response(api, submitted):
    other = factories.clinic("Elsewhere")
    stranger = factories.ApiClient(api.client, factories.token(factories.user(other, "admin")))
    assert stranger.get(f"/api/v1/authorizations/{submitted['id']}/pas-bundle").status_code == 404
    answer = _send(stranger, submitted["id"], claim_response("A1", preAuthRef="X"))
    assert answer.status_code == 404
    assert _stored(submitted["id"]).status == "submitted"


# The ClaimResponse


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        (
            claim_response("A1", preAuthRef="PA-1"),
            "approved",
            {
                "auth_number": "PA-1",
                "units_approved": 1500,
                "approved_end": TODAY + timedelta(days=90),
            },
        ),
        (partial("A2"), "partially_approved", {"auth_number": "PA-55", "units_approved": 90}),
        (partial("A6", units=1500), "partially_approved", {"units_approved": 1500}),
        (
            claim_response("A3", disposition="Labs out of range"),
            "denied",
            {"denial_reason": "other", "denial_note": "Labs out of range", "decided_on": TODAY},
        ),
        (claim_response("A4", disposition="Send the TSAT"), "pended", {}),
        (claim_response("CT"), "pended", {}),
        (claim_response("C"), "cancelled", {}),
        (claim_response(None, outcome="queued"), "pended", {"review_action_code": "A4"}),
    ],
)
def test_each_review_action_code_moves_the_request_to_its_status(
    api, submitted, body, status, fields
):
    answer = _send(api, submitted["id"], body)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == status
    stored = _stored(submitted["id"])
    code = (
        fields.get("review_action_code")
        or body["item"][0]["adjudication"][0]["extension"][0]["extension"][0][
            "valueCodeableConcept"
        ]["coding"][0]["code"]
    )
    assert stored.review_action_code == code
    for name, value in fields.items():
        assert getattr(stored, name) == value
    history = api.get(f"/api/v1/authorizations/{submitted['id']}/history").get_json()
    assert history[-1]["to_status"] == status
    assert history[-1]["changes"]["action_code"] == code
    assert history[-1]["changes"]["via"] == "pas_response"


def test_a_pend_without_words_is_noted_with_its_code(api, submitted):
    assert _send(api, submitted["id"], claim_response("CT")).status_code == 200
    history = api.get(f"/api/v1/authorizations/{submitted['id']}/history").get_json()
    assert history[-1]["note"] == "The payer pended the request (X12 CT: contact payer)."


def test_the_reviewaction_number_is_the_authorization_number_without_preauthref(api, submitted):
    body = claim_response("A1")
    body["item"][0]["adjudication"][0]["extension"][0]["extension"].append(
        {"url": "number", "valueString": "RA-9"}
    )
    assert _send(api, submitted["id"], body).status_code == 200
    assert _stored(submitted["id"]).auth_number == "RA-9"


def test_a_decision_the_status_does_not_allow_is_409_and_changes_nothing(api, submitted):
    assert _send(api, submitted["id"], claim_response("A1", preAuthRef="PA-1")).status_code == 200
    before = _events(submitted["id"])
    answer = _send(api, submitted["id"], claim_response("A4"))
    assert answer.status_code == 409
    body = answer.get_json()
    assert (body["code"], body["current_status"]) == ("TRANSITION_NOT_ALLOWED", "approved")
    stored = _stored(submitted["id"])
    assert (stored.status, stored.review_action_code) == ("approved", "A1")
    assert _events(submitted["id"]) == before


def test_a_draft_cannot_be_decided_by_a_response(api, submitted):
    payer = b.payer(api, name="Second payer")
    patient = b.patient(api, mrn="MRN-2")
    coverage = b.coverage(api, patient["id"], payer["id"])
    draft = b.request(api, patient["id"], coverage["id"])
    answer = _send(api, draft["id"], partial("A2"))
    assert answer.status_code == 409
    assert answer.get_json()["allowed"] == ["submitted", "not_required", "cancelled"]
    assert _stored(draft["id"]).status == "draft"


def _with(body: dict, **changes) -> dict:
    return body | changes


NOT_FHIR = [
    ({"status": "active"}, "resourceType", "Missing data for required field."),
    ({"resourceType": "Patient"}, "resourceType", "Must be equal to ClaimResponse."),
    ({"resourceType": "ClaimResponse"}, "insurer", "Field required"),
    (_with(claim_response("A1"), use="claim", bogus=1), "bogus", "Extra inputs are not permitted"),
    (
        _with(claim_response("A1"), item=[{"itemSequence": "first"}]),
        "item[0].itemSequence",
        "Input should be a valid integer",
    ),
    (_with(claim_response("A1"), status="cancelled"), "status", "is cancelled: only an active"),
    (_with(claim_response("A1"), use="claim"), "use", "is claim, not preauthorization"),
]
NOT_A_DECISION = [
    (_with(claim_response("A1"), outcome="error"), "outcome", "the payer answered with an error"),
    (claim_response(None), "item", "no review action code"),
    (claim_response("NA"), "item[0].adjudication[0].extension(reviewAction).code", "NA is not"),
    (claim_response("A1"), "preAuthRef", "is required to record approved"),
    (
        claim_response("A2", preAuthRef="P", preAuthPeriod=PERIOD),
        "item[0].extension(itemAuthorizedDetail).quantity",
        "is required to record partially_approved",
    ),
    (
        partial("A2", units=1.5),
        "item[0].extension(itemAuthorizedDetail).quantity",
        "Not a valid integer.",
    ),
    (partial("A6", preAuthRef="P\x00"), "preAuthRef", "must not contain NUL characters"),
    (
        claim_response("A4", disposition="x" * 5001),
        "disposition",
        "Longer than maximum length 5000.",
    ),
    (
        partial("A2", preAuthPeriod={"start": iso(TODAY), "end": iso(TODAY - timedelta(days=1))}),
        "preAuthPeriod.end",
        "must be on or after approved_start",
    ),
    (_with(partial("A2"), created="2026"), "created", "Not a valid date."),
]


@pytest.mark.parametrize(("body", "field", "words"), NOT_FHIR + NOT_A_DECISION)
def test_a_response_that_cannot_be_recorded_is_422_naming_the_element(
    api, submitted, body, field, words
):
    before = _events(submitted["id"])
    answer = _send(api, submitted["id"], body)
    assert answer.status_code == 422, answer.get_json()
    errors = answer.get_json()["errors"]
    assert words in errors[field][0], errors
    assert answer.get_json()["message"].startswith(next(iter(errors)))
    stored = _stored(submitted["id"])
    assert (stored.status, stored.review_action_code) == ("submitted", None)
    assert _events(submitted["id"]) == before


def test_only_who_edits_requests_may_send_a_response(api, submitted, clinic):
    scheduler = factories.ApiClient(
        api.client, factories.token(factories.user(clinic, "scheduler"))
    )
    assert _send(scheduler, submitted["id"], claim_response("C")).status_code == 403
    assert scheduler.get(f"/api/v1/authorizations/{submitted['id']}/pas-bundle").status_code == 200


def test_what_fhir_resources_refuses_is_named_by_its_path():
    with pytest.raises(pas_response.ValidationFailed) as not_an_object:
        pas_response.parse([])
    assert list(not_an_object.value.errors) == ["body"]
    refusal = pas_response.invalid(ValueError("a  broken\nvalue"))
    assert refusal.errors == {"body": ["a broken value"]}
    assert refusal.message == "body: a broken value (not a FHIR R4 ClaimResponse)"


def test_a_response_may_come_as_fhir_json(api, submitted):
    answer = api.post(
        f"/api/v1/authorizations/{submitted['id']}/pas-response",
        data=json.dumps(claim_response("C")),
        content_type="application/fhir+json",
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "cancelled"
