"""Attachments over the API: uploads checked by content, kept byte for byte, isolated by
clinic, hidden but kept when deleted, audited on upload, view and download; payer fax and
preferred channel (issue 13, items 1, 5 and 6)."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fpdf import FPDF
from PIL import Image

from priorauth.extensions import db
from priorauth.models import AuditEvent
from priorauth.models.documents import Attachment
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso

FIXED_CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def pdf_bytes(pages: int = 1, text: str = "Ferritin 45 ng/mL") -> bytes:
    """A small real PDF of `pages` pages (fpdf2)."""
    pdf = FPDF()
    pdf.set_creation_date(FIXED_CREATED)  # the same bytes each call, whatever the second
    pdf.set_font("helvetica", size=12)
    for number in range(pages):
        pdf.add_page()
        pdf.cell(text=f"{text} - page {number + 1}")
    return bytes(pdf.output())


def image_bytes(kind: str) -> bytes:
    """A 4x4 image as PNG, JPEG or TIFF (Pillow)."""
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def upload(api, patient_id: int, content: bytes, filename: str, **fields):
    data = {"patient_id": str(patient_id), "kind": "lab_report", **fields}
    data["file"] = (io.BytesIO(content), filename)
    return api.post("/api/v1/attachments", data=data, content_type="multipart/form-data")


def _stored() -> list[Attachment]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Attachment).order_by(Attachment.id)).all()


def _events(action: str, note: str | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    query = sa.select(AuditEvent).where(
        AuditEvent.entity_type == "attachments", AuditEvent.action == action
    )
    if note is not None:
        query = query.where(AuditEvent.note == note)
    return db.session.scalars(query).all()


@pytest.fixture
def patient(api) -> dict:
    return b.patient(api)


@pytest.mark.parametrize(
    ("filename", "make", "content_type"),
    [
        ("labs.pdf", lambda: pdf_bytes(3), "application/pdf"),
        ("scan.png", lambda: image_bytes("PNG"), "image/png"),
        ("photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
        ("fax.tif", lambda: image_bytes("TIFF"), "image/tiff"),
        ("no-extension", lambda: image_bytes("PNG"), "image/png"),
    ],
)
def test_each_type_uploads_and_round_trips_byte_for_byte(
    api, patient, filename, make, content_type
):
    content = make()
    response = upload(api, patient["id"], content, filename, document_date=iso(TODAY))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["content_type"] == content_type and "content" not in body
    assert body["size_bytes"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["page_count"] == (3 if content_type == "application/pdf" else None)
    assert body["document_date"] == iso(TODAY) and body["filename"] == filename
    download = api.get(f"/api/v1/attachments/{body['id']}/content")
    assert download.status_code == 200
    assert download.data == content
    assert download.mimetype == content_type
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and filename in disposition


def test_a_pdf_name_over_other_content_is_refused_naming_the_file(api, patient):
    response = upload(api, patient["id"], image_bytes("PNG"), "labs.pdf")
    assert response.status_code == 422
    body = response.get_json()
    assert "file" in body["errors"] and "PDF" in body["errors"]["file"][0]
    not_a_file = upload(api, patient["id"], b"MZ\x90\x00 an executable", "labs.pdf")
    assert not_a_file.status_code == 422 and "file" in not_a_file.get_json()["errors"]
    assert _stored() == [] and _events("uploaded") == []


def test_a_pdf_pypdf_cannot_read_is_refused(api, patient):
    response = upload(api, patient["id"], b"%PDF-1.7\nthis is not really a PDF", "x.pdf")
    assert response.status_code == 422
    assert response.get_json()["errors"]["file"] == ["is not a readable PDF"]
    assert _stored() == []


def test_an_empty_file_and_a_missing_file_are_refused(api, patient):
    empty = upload(api, patient["id"], b"", "empty.pdf")
    assert empty.status_code == 422 and empty.get_json()["errors"]["file"] == ["is empty"]
    missing = api.post(
        "/api/v1/attachments",
        data={"patient_id": str(patient["id"]), "kind": "lab_report"},
        content_type="multipart/form-data",
    )
    assert missing.status_code == 422 and "file" in missing.get_json()["errors"]
    assert _stored() == []


def test_too_large_is_refused_and_a_huge_body_is_413(app, api, patient):
    saved = app.config["ATTACHMENT_MAX_BYTES"]
    app.config["ATTACHMENT_MAX_BYTES"] = 2000
    try:
        over = upload(api, patient["id"], b"%PDF-" + b"0" * 2000, "big.pdf")
        assert over.status_code == 422
        assert "larger than the limit" in over.get_json()["errors"]["file"][0]
        huge = api.post(  # past every limit: refused before it is read
            "/api/v1/attachments",
            data=b"--x\r\n" + b"0" * (1536 * 1024),
            content_type="multipart/form-data; boundary=x",
        )
        assert huge.status_code == 413
        assert huge.get_json()["code"] == "PAYLOAD_TOO_LARGE"
    finally:
        app.config["ATTACHMENT_MAX_BYTES"] = saved
    assert _stored() == []


def test_a_json_body_is_refused_with_415(api, patient):
    response = api.post("/api/v1/attachments", json={"patient_id": patient["id"]})
    assert response.status_code == 415


def test_fields_are_checked(api, patient):
    future = upload(
        api, patient["id"], pdf_bytes(), "a.pdf", document_date=iso(TODAY + timedelta(days=1))
    )
    assert future.status_code == 422 and "document_date" in future.get_json()["errors"]
    generated = upload(api, patient["id"], pdf_bytes(), "a.pdf", kind="submission_packet")
    assert generated.status_code == 422 and "kind" in generated.get_json()["errors"]
    assert _stored() == []


def test_a_request_must_be_the_patients(api):
    p = b.payer(api)
    first, second = b.patient(api, mrn="A-1"), b.patient(api, mrn="A-2")
    auth = b.request(api, first["id"], b.coverage(api, first["id"], p["id"])["id"])
    wrong = upload(api, second["id"], pdf_bytes(), "a.pdf", authorization_id=str(auth["id"]))
    assert wrong.status_code == 422 and "authorization_id" in wrong.get_json()["errors"]
    right = upload(api, first["id"], pdf_bytes(), "a.pdf", authorization_id=str(auth["id"]))
    assert right.status_code == 201 and right.get_json()["authorization_id"] == auth["id"]
    listed = api.get(f"/api/v1/attachments?authorization_id={auth['id']}")
    assert [row["id"] for row in listed.get_json()] == [right.get_json()["id"]]


def test_another_clinics_attachment_is_a_404(api, patient, client):
    made = upload(api, patient["id"], pdf_bytes(), "mine.pdf").get_json()
    other = factories.clinic("Elsewhere Infusion")
    stranger = factories.ApiClient(client, factories.token(factories.user(other, "admin")))
    for call in (
        stranger.get(f"/api/v1/attachments/{made['id']}"),
        stranger.get(f"/api/v1/attachments/{made['id']}/content"),
        stranger.delete(f"/api/v1/attachments/{made['id']}"),
        stranger.get(f"/api/v1/attachments?patient_id={patient['id']}"),
    ):
        assert call.status_code == 404, call.get_json()
    assert upload(stranger, patient["id"], pdf_bytes(), "x.pdf").status_code == 404
    assert [row.deleted_at for row in _stored()] == [None]


def test_deleted_is_hidden_but_kept(api, patient):
    keep = upload(api, patient["id"], pdf_bytes(), "keep.pdf").get_json()
    gone = upload(api, patient["id"], pdf_bytes(2), "gone.pdf").get_json()
    assert api.delete(f"/api/v1/attachments/{gone['id']}").status_code == 204
    listed = api.get(f"/api/v1/attachments?patient_id={patient['id']}")
    assert [row["id"] for row in listed.get_json()] == [keep["id"]]
    assert listed.headers["X-Total-Count"] == "1"
    assert api.get(f"/api/v1/attachments/{gone['id']}").status_code == 404
    assert api.get(f"/api/v1/attachments/{gone['id']}/content").status_code == 404
    assert api.delete(f"/api/v1/attachments/{gone['id']}").status_code == 404
    kept = {row.id: row for row in _stored()}[gone["id"]]
    assert kept.deleted_at is not None and kept.content == pdf_bytes(2)
    assert [event.entity_id for event in _events("deleted")] == [gone["id"]]


def test_the_list_is_newest_first_and_paged(api, patient):
    ids = [upload(api, patient["id"], pdf_bytes(), f"{n}.pdf").get_json()["id"] for n in range(3)]
    first = api.get(f"/api/v1/attachments?patient_id={patient['id']}&limit=2")
    assert [row["id"] for row in first.get_json()] == ids[::-1][:2]
    assert first.headers["X-Total-Count"] == "3"
    rest = api.get(f"/api/v1/attachments?patient_id={patient['id']}&limit=2&offset=2")
    assert [row["id"] for row in rest.get_json()] == [ids[0]]
    everything = api.get("/api/v1/attachments")
    assert everything.status_code == 200 and everything.headers["X-Total-Count"] == "3"


def test_uploads_views_and_downloads_are_audited(api, patient, admin):
    made = upload(api, patient["id"], pdf_bytes(), "audited.pdf").get_json()
    api.get(f"/api/v1/attachments/{made['id']}")
    api.get(f"/api/v1/attachments/{made['id']}/content")
    api.get(f"/api/v1/attachments?patient_id={patient['id']}")
    uploaded = _events("uploaded")
    assert [(e.entity_id, e.user_id, e.patient_id) for e in uploaded] == [
        (made["id"], admin.id, patient["id"])
    ]
    assert uploaded[0].changes["sha256"] == made["sha256"]
    assert "content" not in uploaded[0].changes
    assert len(_events("viewed", note="content")) == 1
    assert len(_events("viewed")) == 3  # the description, the download, the list
    trail = api.get(f"/api/v1/audit?patient_id={patient['id']}").get_json()
    assert {"uploaded", "viewed"} <= {event["action"] for event in trail}


def test_a_payers_fax_and_preferred_channel_round_trip(api):
    payer = b.payer(api, fax="1-800-555-0199", preferred_channel="fax")
    assert (payer["fax"], payer["preferred_channel"]) == ("1-800-555-0199", "fax")
    changed = api.patch(f"/api/v1/payers/{payer['id']}", json={"preferred_channel": "portal"})
    assert changed.status_code == 200 and changed.get_json()["preferred_channel"] == "portal"
    got = api.get(f"/api/v1/payers/{payer['id']}").get_json()
    assert (got["fax"], got["preferred_channel"]) == ("1-800-555-0199", "portal")
    cleared = api.patch(f"/api/v1/payers/{payer['id']}", json={"fax": None})
    assert cleared.get_json()["fax"] is None


def test_a_bad_channel_or_fax_is_a_422_naming_it(api):
    bad = api.post("/api/v1/payers", json={"name": "X", "preferred_channel": "pigeon"})
    assert bad.status_code == 422 and "preferred_channel" in bad.get_json()["errors"]
    fax = api.post("/api/v1/payers", json={"name": "Y", "fax": "fax them"})
    assert fax.status_code == 422 and "fax" in fax.get_json()["errors"]
