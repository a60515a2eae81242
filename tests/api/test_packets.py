"""GET /authorizations/{id}/packet and POST .../packet/sent: the PDF a payer receives, and
sending it (the packet kept, the letter marked sent, the request submitted or appealed)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader

from priorauth.extensions import db
from priorauth.models import Attachment, AuditEvent, Letter
from priorauth.services.packet_pdf import plain
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_authorizations import POLICY

RECENT = TODAY - timedelta(days=5)
TRIAL_START, TRIAL_END = TODAY - timedelta(days=150), TODAY - timedelta(days=30)


def pdf_of(*texts: str) -> bytes:
    doc = FPDF()
    doc.set_font("Helvetica", size=12)
    for text in texts:
        doc.add_page()
        doc.cell(0, 10, text)
    return bytes(doc.output())


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), "blue").save(out, "PNG")
    return out.getvalue()


def ready_request(api, mrn="MRN-PK1", payer_fields=None) -> dict:
    """A demo-like J1439 request whose checklist is ready: labs, trial, diagnosis."""
    payer = b.payer(
        api, name=f"Payer {mrn}", fax="555-0142", preferred_channel="fax", **(payer_fields or {})
    )
    b.policy(api, payer["id"], "J1439", **POLICY)
    patient = b.patient(api, mrn=mrn)
    coverage = b.coverage(api, patient["id"], payer["id"])
    pid, recent = patient["id"], iso(RECENT)
    b.evidence(api, pid, kind="lab", test="ferritin", value="12", observed_on=recent)
    b.evidence(api, pid, kind="lab", test="tsat", value="9", observed_on=recent)
    b.evidence(api, pid, kind="lab", test="hemoglobin", value="9.8", observed_on=recent)
    b.evidence(
        api,
        pid,
        kind="oral_iron_trial",
        drug="ferrous sulfate 325 mg",
        start_date=iso(TRIAL_START),
        end_date=iso(TRIAL_END),
        outcome="inadequate_response",
    )
    auth = b.request(api, pid, coverage["id"], ordering_provider="Dr. Grace Hopper")
    assert api.get(f"/api/v1/authorizations/{auth['id']}/checklist").get_json()["ready"]
    return auth


def upload(api, auth: dict, filename: str, content: bytes, kind="lab_report", own=True) -> int:
    """An attachment of the request (own) or of its patient, through H's upload API."""
    data = {"patient_id": str(auth["patient_id"]), "kind": kind, "document_date": iso(RECENT)}
    if own:
        data["authorization_id"] = str(auth["id"])
    data["file"] = (io.BytesIO(content), filename)
    response = api.client.post(
        "/api/v1/attachments", data=data, headers=api.headers, content_type="multipart/form-data"
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def get_packet(api, auth_id, **query):
    response = api.get(f"/api/v1/authorizations/{auth_id}/packet", query_string=query)
    assert response.status_code == 200, response.get_data()[:500]
    return response


def read(content: bytes) -> tuple[PdfReader, str, list[str]]:
    reader = PdfReader(io.BytesIO(content))
    texts = [page.extract_text() for page in reader.pages]
    return reader, "\n".join(texts), texts


def stated(cover: str) -> int:
    return int(re.search(r"Pages: (\d+) including this cover", cover).group(1))


def test_the_packet_of_a_ready_request_shows_the_evidence_the_checklist_used(api):
    auth = ready_request(api)
    response = get_packet(api, auth["id"])
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    reader, text, texts = read(response.get_data())
    assert stated(texts[0]) == len(reader.pages) == int(response.headers["X-Page-Count"])
    assert "555-0142" in texts[0] and "CONFIDENTIAL" in texts[0]
    for expected in (
        "MRN-PK1",
        "J1439",
        "1500",  # the units requested: 750 mg x 2 at 1 mg a unit
        "12 ng/mL",
        "9 %",
        "9.8 g/dL",
        iso(RECENT),
        f"{iso(TRIAL_START)} to {iso(TRIAL_END)}",
        "Letter of medical necessity",
    ):
        assert expected in text, expected


def test_attachments_are_appended_in_the_order_given(api):
    auth = ready_request(api)
    two = upload(api, auth, "labs.pdf", pdf_of("ATTACHED LAB ONE", "ATTACHED LAB TWO"))
    image = upload(api, auth, "note.png", png(), kind="chart_note", own=False)
    bare = read(get_packet(api, auth["id"], attachment_ids="").get_data())[0]
    reader, _, texts = read(get_packet(api, auth["id"], attachment_ids=f"{two},{image}").get_data())
    assert len(reader.pages) == len(bare.pages) + 3 == stated(texts[0])
    assert "ATTACHED LAB ONE" in texts[-3] and "ATTACHED LAB TWO" in texts[-2]
    assert list(reader.pages[-1].images)
    reader, _, texts = read(get_packet(api, auth["id"], attachment_ids=f"{image},{two}").get_data())
    assert "ATTACHED LAB ONE" in texts[-2] and "ATTACHED LAB TWO" in texts[-1]
    by_default = read(get_packet(api, auth["id"]).get_data())[0]
    assert len(by_default.pages) == len(bare.pages) + 3  # own PDF and the patient's chart note


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "fax"}, "kind"),
        ({"attachment_ids": "1,x"}, "attachment_ids"),
        ({"attachment_ids": "999999"}, "attachment_ids"),
    ],
)
def test_bad_packet_query_is_422_naming_the_field(api, query, field):
    auth = ready_request(api)
    response = api.get(f"/api/v1/authorizations/{auth['id']}/packet", query_string=query)
    assert response.status_code == 422, response.get_json()
    assert field in str(response.get_json()["errors"])


def test_another_clinics_request_or_attachment_is_not_served(api, client):
    auth = ready_request(api)
    mine = upload(api, auth, "labs.pdf", pdf_of("MINE"))
    other = factories.ApiClient(
        client, factories.token(factories.user(factories.clinic(name="Other"), "admin"))
    )
    assert other.get(f"/api/v1/authorizations/{auth['id']}/packet").status_code == 404
    sent = other.post(f"/api/v1/authorizations/{auth['id']}/packet/sent", json={})
    assert sent.status_code == 404
    theirs = ready_request(other, mrn="MRN-OTHER")
    response = other.get(
        f"/api/v1/authorizations/{theirs['id']}/packet", query_string={"attachment_ids": str(mine)}
    )
    assert response.status_code == 422 and "attachment_ids" in response.get_json()["errors"]


def events(entity_type: str, entity_id: int, action: str) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.entity_type == entity_type,
            AuditEvent.entity_id == entity_id,
            AuditEvent.action == action,
        )
    ).all()


def test_marking_it_sent_submits_the_request_and_keeps_the_packet(api):
    auth = ready_request(api)
    two = upload(api, auth, "labs.pdf", pdf_of("ATTACHED LAB ONE", "ATTACHED LAB TWO"))
    response = api.post(
        f"/api/v1/authorizations/{auth['id']}/packet/sent",
        json={"payer_reference": "PA-2231", "attachment_ids": [two]},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted"
    assert body["submission_channel"] == "fax"  # the payer's preferred channel
    assert body["payer_reference"] == "PA-2231"
    packet = db.session.get(Attachment, body["packet"]["id"])
    assert packet.kind == "submission_packet" and packet.authorization_id == auth["id"]
    reader, text, texts = read(packet.content)
    assert body["packet"]["pages"] == packet.page_count == len(reader.pages) == stated(texts[0])
    assert "ATTACHED LAB TWO" in texts[-1]
    letter = db.session.scalars(
        db.select(Letter).where(Letter.authorization_id == auth["id"])
    ).one()
    assert letter.sent_at is not None and letter.packet_id == packet.id
    assert " ".join(plain(letter.body).split())[:300] in " ".join(text.split())
    [moved] = events("authorization_requests", auth["id"], "transition")
    assert moved.to_status == "submitted"
    assert moved.changes["packet_id"] == packet.id and moved.changes["pages"] == packet.page_count
    assert moved.changes["channel"] == "fax" and moved.changes["payer_reference"] == "PA-2231"
    history = api.get(f"/api/v1/authorizations/{auth['id']}/history").get_json()
    assert any((e["changes"] or {}).get("packet_id") == packet.id for e in history)
    again = api.post(f"/api/v1/authorizations/{auth['id']}/packet/sent", json={})
    assert again.status_code == 409, again.get_json()


def test_an_incomplete_checklist_needs_an_override_and_a_refusal_keeps_nothing(api):
    auth = ready_request(api)
    b.move(api, auth["id"], to="cancelled")
    draft = b.request(api, auth["patient_id"], auth["coverage_id"], administrations=3)
    refused = api.post(f"/api/v1/authorizations/{draft['id']}/packet/sent", json={})
    assert refused.status_code == 409 and refused.get_json()["code"] == "CHECKLIST_NOT_READY"
    assert db.session.scalars(db.select(Attachment)).all() == []
    assert db.session.scalars(db.select(Letter)).all() == []
    sent = api.post(
        f"/api/v1/authorizations/{draft['id']}/packet/sent",
        json={"channel": "portal", "override_reason": "payer agreed by phone"},
    )
    assert sent.status_code == 200 and sent.get_json()["submission_channel"] == "portal"


def test_no_channel_anywhere_is_422_naming_channel(api):
    auth = ready_request(api, mrn="MRN-NOCH")
    api.patch(f"/api/v1/payers/{auth['payer_id']}", json={"preferred_channel": None})
    response = api.post(f"/api/v1/authorizations/{auth['id']}/packet/sent", json={})
    assert response.status_code == 422 and "channel" in response.get_json()["errors"]


def test_an_appeal_packet_from_a_denial_moves_the_request_to_appealed(api):
    auth = ready_request(api)
    b.move(api, auth["id"], to="submitted", channel="fax")
    b.move(api, auth["id"], to="denied", denial_reason="labs_out_of_range", note="labs too old")
    response = get_packet(api, auth["id"])
    _, text, texts = read(response.get_data())
    assert "Appeal" in texts[0] and "labs too old" in text and "12 ng/mL" in text
    sent = api.post(f"/api/v1/authorizations/{auth['id']}/packet/sent", json={"channel": "portal"})
    assert sent.status_code == 200, sent.get_json()
    body = sent.get_json()
    assert body["status"] == "appealed"
    packet = db.session.get(Attachment, body["packet"]["id"])
    assert packet.kind == "appeal_packet"
    moved = events("authorization_requests", auth["id"], "transition")[-1]
    assert (moved.from_status, moved.to_status) == ("denied", "appealed")
    assert moved.changes["packet_id"] == packet.id and moved.changes["channel"] == "portal"
    letter = db.session.scalars(db.select(Letter).where(Letter.kind == "appeal")).one()
    assert letter.packet_id == packet.id


def test_an_appeal_packet_needs_a_denial(api):
    auth = ready_request(api)
    response = api.get(
        f"/api/v1/authorizations/{auth['id']}/packet", query_string={"kind": "appeal"}
    )
    assert response.status_code == 409 and response.get_json()["code"] == "NOT_DENIED"


def test_reading_the_packet_is_audited_for_the_request_and_its_attachments(api):
    auth = ready_request(api)
    two = upload(api, auth, "labs.pdf", pdf_of("X"))
    get_packet(api, auth["id"], attachment_ids=str(two))
    viewed = events("authorization_requests", auth["id"], "viewed")
    assert any(e.note == "packet" for e in viewed)
    assert any(e.note == "packet" for e in events("attachments", two, "viewed"))
