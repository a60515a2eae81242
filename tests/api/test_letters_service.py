"""Letters of a request through services/letters.py on a real database: drafted with the
evidence the checklist used, edited until sent, kept as sent; clinic templates; the audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from priorauth.errors import Conflict, NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import Attachment, AuditEvent, AuthorizationRequest, Letter
from priorauth.services import authorizations, letters
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_authorizations import POLICY

LAB_DAY = TODAY - timedelta(days=5)
TRIAL_START, TRIAL_END = TODAY - timedelta(days=150), TODAY - timedelta(days=30)


@pytest.fixture
def request_id(api):
    """A demo-like J1439 draft: a policy, full evidence, an older ferritin, a short trial."""
    payer = b.payer(api)
    b.policy(api, payer["id"], "J1439", **POLICY)
    patient = b.patient(api, mrn="MRN-4711")
    coverage = b.coverage(api, patient["id"], payer["id"])
    pid, old = patient["id"], iso(TODAY - timedelta(days=60))
    b.evidence(api, pid, kind="lab", test="ferritin", value="44", observed_on=old)
    b.evidence(api, pid, kind="lab", test="ferritin", value="12", observed_on=iso(LAB_DAY))
    b.evidence(api, pid, kind="lab", test="tsat", value="9", observed_on=iso(LAB_DAY))
    b.evidence(api, pid, kind="lab", test="hemoglobin", value="9.8", observed_on=iso(LAB_DAY))
    trial = {"kind": "oral_iron_trial", "drug": "ferrous sulfate 325 mg"}
    short = {"start_date": old, "end_date": iso(TODAY - timedelta(days=50))}
    b.evidence(api, pid, **trial, **short, outcome="inadequate_response")
    b.evidence(
        api,
        pid,
        **trial,
        start_date=iso(TRIAL_START),
        end_date=iso(TRIAL_END),
        outcome="inadequate_response",
    )
    b.evidence(api, pid, kind="diagnosis", code="D50.9", observed_on=iso(LAB_DAY))
    made = b.request(api, pid, coverage["id"], ordering_provider="Dr. Grace Hopper")
    return made["id"]


def events(entity_type: str, entity_id: int) -> list[str]:
    rows = db.session.scalars(
        db.select(AuditEvent.action).where(
            AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id
        )
    )
    return list(rows)


def packet_row(clinic_id: int, auth: AuthorizationRequest) -> Attachment:
    row = Attachment(
        clinic_id=clinic_id,
        patient_id=auth.patient_id,
        authorization_id=auth.id,
        kind="submission_packet",
        filename="packet.pdf",
        content_type="application/pdf",
        size_bytes=4,
        sha256="0" * 64,
        content=b"%PDF",
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_the_draft_cites_what_the_checklist_used(admin, request_id):
    letter = letters.draft(admin, request_id, "medical_necessity")
    db.session.commit()
    auth = db.session.get(AuthorizationRequest, request_id)
    checklist = authorizations.checklist_for(auth, TODAY)
    assert checklist.ready, checklist.problems
    for part in (
        "MRN-4711",
        "J1439",
        f"{auth.units_requested} billing units",
        "Dr. Grace Hopper",
        f"ferritin 12 ng/mL on {LAB_DAY}",
        f"TSAT 9 % on {LAB_DAY}",
        f"hemoglobin 9.8 g/dL on {LAB_DAY}",
        f"from {TRIAL_START} to {TRIAL_END}",
        "D50.9 Iron deficiency anemia, unspecified",
    ):
        assert part in letter.body, part
    days = (TRIAL_END - TRIAL_START).days + 1
    assert f"{days} days of ferrous sulfate" in checklist.get("ORAL_IRON_TRIAL").detail
    assert f"({days} days): inadequate response" in letter.body
    assert "44 ng/mL" not in letter.body  # the older ferritin the checklist did not use
    assert letter.sent_at is None and letter.created_by_id == admin.id
    assert events("letters", letter.id) == ["drafted"]


def test_draft_again_returns_the_unsent_letter(front_desk, request_id):
    first = letters.draft(front_desk, request_id, "medical_necessity")
    again = letters.draft(front_desk, request_id, "medical_necessity")
    assert again.id == first.id
    assert db.session.query(Letter).count() == 1


def test_edit_until_sent_then_kept_as_sent(front_desk, request_id):
    letter = letters.draft(front_desk, request_id, "medical_necessity")
    letters.edit(front_desk, letter.id, "Dear payer,\r\nplease approve.")
    assert letter.body == "Dear payer,\nplease approve."
    packet = packet_row(front_desk.clinic_id, letter.authorization)
    letters.mark_sent(front_desk, letter, packet)
    db.session.commit()
    assert letter.sent_at is not None and letter.packet_id == packet.id
    with pytest.raises(Conflict) as refused:
        letters.edit(front_desk, letter.id, "changed after sending")
    assert refused.value.code == "LETTER_SENT"
    with pytest.raises(Conflict):
        letters.mark_sent(front_desk, letter, packet)
    db.session.rollback()
    assert db.session.get(Letter, letter.id).body == "Dear payer,\nplease approve."
    assert events("letters", letter.id) == ["drafted", "updated", "sent"]
    fresh = letters.draft(front_desk, request_id, "medical_necessity")
    assert fresh.id != letter.id and fresh.sent_at is None


def test_a_blank_edit_is_refused_naming_body(front_desk, request_id):
    letter = letters.draft(front_desk, request_id, "medical_necessity")
    with pytest.raises(ValidationFailed) as refused:
        letters.edit(front_desk, letter.id, "  \n ")
    assert "body" in refused.value.errors


def test_appeal_letter_only_for_a_denied_request(api, admin, request_id):
    with pytest.raises(Conflict):
        letters.draft(admin, request_id, "appeal")
    b.move(api, request_id, to="submitted", channel="fax")
    b.move(
        api,
        request_id,
        to="denied",
        denial_reason="labs_out_of_range",
        decided_on=iso(TODAY),
        note="ferritin too high",
    )
    letter = letters.draft(admin, request_id, "appeal")
    deadline = db.session.get(AuthorizationRequest, request_id).appeal_deadline
    assert f"Appeal deadline: {deadline}" in letter.body
    assert "Labs out of range or too old (ferritin too high)" in letter.body
    assert f"ferritin 12 ng/mL on {LAB_DAY}" in letter.body
    assert "ferritin at most 30" in letter.body


def test_another_clinics_request_and_letter_are_not_found(admin, request_id):
    letter = letters.draft(admin, request_id, "medical_necessity")
    db.session.commit()
    other = factories.user(factories.clinic(), "admin")
    with pytest.raises(NotFound):
        letters.draft(other, request_id, "medical_necessity")
    with pytest.raises(NotFound):
        letters.edit(other, letter.id, "mine now")
    with pytest.raises(NotFound):
        letters.preview(other.clinic_id, "medical_necessity", "{{ patient.mrn }}", request_id)


def test_unknown_kind_is_refused(admin, request_id):
    with pytest.raises(ValidationFailed) as refused:
        letters.draft(admin, request_id, "love_letter")
    assert "kind" in refused.value.errors


@pytest.mark.parametrize(
    "body", ["{% if %}", "Dear {{ payer.nam }}", "{{ nobody }}", "{{ ''.__class__ }}", " "]
)
def test_a_template_that_does_not_render_is_refused_naming_body(admin, body):
    with pytest.raises(ValidationFailed) as refused:
        letters.save_template(admin, "medical_necessity", body)
    assert list(refused.value.errors) == ["body"]


def test_a_clinic_template_is_used_for_new_drafts_and_audited(admin, request_id):
    default = letters.template_for(admin.clinic_id, "medical_necessity")
    assert "{{ patient.mrn }}" in default
    row = letters.save_template(
        admin, "medical_necessity", "Patient {{ patient.mrn }}, {{ request.code }}"
    )
    letters.save_template(admin, "medical_necessity", "MRN {{ patient.mrn }} / {{ request.units }}")
    db.session.commit()
    assert letters.template_for(admin.clinic_id, "medical_necessity").startswith("MRN {{")
    assert letters.template_for(admin.clinic_id, "appeal") == letters.bodies.default_body("appeal")
    units = db.session.get(AuthorizationRequest, request_id).units_requested
    assert letters.draft(admin, request_id, "medical_necessity").body == f"MRN MRN-4711 / {units}"
    assert events("letter_templates", row.id) == ["created", "updated"]
    other = factories.user(factories.clinic(), "admin")
    assert letters.template_for(other.clinic_id, "medical_necessity") == default
    letters.reset_template(admin, "medical_necessity")
    assert letters.template_for(admin.clinic_id, "medical_necessity") == default


def test_preview_with_a_request_or_the_sample(admin, request_id):
    body = "{{ patient.mrn }} {{ request.code }} {{ labs[0].text }}"
    assert letters.preview(admin.clinic_id, "appeal", body, request_id) == (
        f"MRN-4711 J1439 ferritin 12 ng/mL on {LAB_DAY}"
    )
    assert letters.preview(admin.clinic_id, "appeal", body).startswith("MRN-0000 J1439")
    with pytest.raises(ValidationFailed):
        letters.preview(admin.clinic_id, "appeal", "{{ nope }}", request_id)
