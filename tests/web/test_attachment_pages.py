"""Documents on the patient and request pages: upload with the form, errors beside the file
field, download, delete with a POST, another clinic's document a 404, every step audited;
the payer form's fax and preferred channel."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, Payer
from priorauth.models.documents import Attachment
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_attachments import image_bytes, pdf_bytes
from tests.web.test_frontdesk_pages import sign_in


@pytest.fixture
def world(client, admin) -> dict:
    """A patient with a request, made through the API by the admin."""
    api = factories.ApiClient(client, factories.token(admin))
    payer = b.payer(api)
    patient = b.patient(api)
    auth = b.request(api, patient["id"], b.coverage(api, patient["id"], payer["id"])["id"])
    return {"patient": patient["id"], "auth": auth["id"]}


def _post(client, path: str, content: bytes, filename: str, **fields):
    data = {"kind": "lab_report", "document_date": "", "note": "", **fields}
    data["file"] = (io.BytesIO(content), filename)
    return client.post(path, data=data, content_type="multipart/form-data")


def _stored() -> list[Attachment]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Attachment).order_by(Attachment.id)).all()


def _actions() -> list[tuple[str, str | None]]:
    db.session.expire_all()
    query = sa.select(AuditEvent.action, AuditEvent.note).where(
        AuditEvent.entity_type == "attachments"
    )
    return db.session.execute(query.order_by(AuditEvent.id)).all()


def test_front_desk_attaches_a_lab_report_to_a_request_and_downloads_it(client, world, front_desk):
    sign_in(client, front_desk)
    content = pdf_bytes(2)
    path = f"/authorizations/{world['auth']}/documents"
    response = _post(client, path, content, "iron labs.pdf", document_date=iso(TODAY))
    assert response.status_code == 302
    assert response.location.endswith(f"/authorizations/{world['auth']}#documents")
    [row] = _stored()
    assert (row.authorization_id, row.patient_id, row.page_count) == (
        world["auth"],
        world["patient"],
        2,
    )
    page = client.get(f"/authorizations/{world['auth']}").get_data(as_text=True)
    assert 'id="documents"' in page and "iron labs.pdf" in page and "Lab report" in page
    assert f"/attachments/{row.id}/download" in page and 'enctype="multipart/form-data"' in page
    patient_page = client.get(f"/patients/{world['patient']}").get_data(as_text=True)
    assert "iron labs.pdf" in patient_page and f"#{world['auth']}" in patient_page
    download = client.get(f"/attachments/{row.id}/download")
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.mimetype == "application/pdf"
    assert _actions() == [("uploaded", None), ("viewed", "content")]


def test_a_pdf_named_image_is_refused_beside_the_file_field(client, world, front_desk):
    sign_in(client, front_desk)
    path = f"/patients/{world['patient']}/documents"
    response = _post(client, path, image_bytes("PNG"), "labs.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="doc-file-error"' in page and "PDF" in page
    assert 'href="#doc-file"' in page  # the error summary links to the field
    assert "<title>Error:" in page
    assert _stored() == [] and _actions() == []


def test_missing_file_kind_and_future_date_are_named(client, world, front_desk):
    sign_in(client, front_desk)
    path = f"/patients/{world['patient']}/documents"
    empty = client.post(
        path, data={"kind": "", "document_date": ""}, content_type="multipart/form-data"
    )
    page = empty.get_data(as_text=True)
    assert empty.status_code == 422
    assert "Choose a file to attach." in page and 'id="doc-kind-error"' in page
    tomorrow = iso(TODAY + timedelta(days=1))
    future = _post(client, path, pdf_bytes(), "a.pdf", document_date=tomorrow)
    assert future.status_code == 422
    assert 'id="doc-document_date-error"' in future.get_data(as_text=True)
    assert _stored() == []


def test_a_scheduler_sees_and_downloads_but_cannot_upload_or_delete(client, world, admin, clinic):
    sign_in(client, admin)
    assert (
        _post(client, f"/patients/{world['patient']}/documents", pdf_bytes(), "a.pdf").status_code
        == 302
    )
    [row] = _stored()
    client.post("/logout")
    sign_in(client, factories.user(clinic, "scheduler"))
    page = client.get(f"/patients/{world['patient']}").get_data(as_text=True)
    assert "a.pdf" in page and "Add a document" not in page
    assert client.get(f"/attachments/{row.id}/download").status_code == 200
    path = f"/patients/{world['patient']}/documents"
    assert _post(client, path, pdf_bytes(), "b.pdf").status_code == 403
    assert client.post(f"/attachments/{row.id}/delete").status_code == 403
    assert [r.deleted_at for r in _stored()] == [None]


def test_delete_hides_the_document_and_keeps_it(client, world, front_desk):
    sign_in(client, front_desk)
    _post(client, f"/patients/{world['patient']}/documents", pdf_bytes(), "old.pdf")
    [row] = _stored()
    page = client.get(f"/patients/{world['patient']}").get_data(as_text=True)
    assert f'action="/attachments/{row.id}/delete"' in page and "data-confirm=" in page
    response = client.post(f"/attachments/{row.id}/delete")
    assert response.status_code == 302
    after = client.get(f"/patients/{world['patient']}").get_data(as_text=True)
    assert "old.pdf deleted." in after and f"/attachments/{row.id}/download" not in after
    assert client.get(f"/attachments/{row.id}/download").status_code == 404
    [kept] = _stored()
    assert kept.deleted_at is not None and kept.content == pdf_bytes()
    assert ("deleted", None) in _actions()


def test_another_clinics_document_is_a_404(client, world, admin):
    sign_in(client, admin)
    _post(client, f"/patients/{world['patient']}/documents", pdf_bytes(), "ours.pdf")
    [row] = _stored()
    client.post("/logout")
    other = factories.clinic("Elsewhere Infusion")
    sign_in(client, factories.user(other, "admin"))
    assert client.get(f"/attachments/{row.id}/download").status_code == 404
    assert client.post(f"/attachments/{row.id}/delete").status_code == 404
    path = f"/patients/{world['patient']}/documents"
    assert _post(client, path, pdf_bytes(), "theirs.pdf").status_code == 404
    assert [r.deleted_at for r in _stored()] == [None]


def test_the_payer_form_records_fax_and_preferred_channel(client, admin):
    sign_in(client, admin)
    form = {
        "name": "Cedar Mutual",
        "kind": "commercial",
        "requires_waste_modifiers": "true",
        "fax": "1-800-555-0199",
        "preferred_channel": "fax",
    }
    assert client.post("/payers/new", data=form).status_code == 302
    db.session.expire_all()
    payer = db.session.scalar(sa.select(Payer).where(Payer.name == "Cedar Mutual"))
    assert (payer.fax, payer.preferred_channel) == ("1-800-555-0199", "fax")
    listing = client.get("/payers").get_data(as_text=True)
    assert "1-800-555-0199" in listing and "Fax" in listing
    edit = client.get(f"/payers/{payer.id}/edit").get_data(as_text=True)
    assert 'value="1-800-555-0199"' in edit and '<option value="fax" selected>' in edit
    bad = client.post(
        f"/payers/{payer.id}/edit", data={**form, "fax": "none", "preferred_channel": "pigeon"}
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="f-fax-error"' in page and 'id="f-preferred_channel-error"' in page
