"""The request page's Send section: documents to tick, the packet as a download, marking it
sent (submitted, or appealed from a denial) and the packet linked from the history."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from priorauth.extensions import db
from priorauth.models import Attachment
from tests import factories
from tests.api import builders as b
from tests.api.test_packets import pdf_of, png, ready_request, stated, upload

PASSWORD = factories.PASSWORD


@pytest.fixture
def web(app_ctx, admin):
    client = app_ctx.test_client()
    response = client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def page(web, auth_id) -> str:
    response = web.get(f"/authorizations/{auth_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def send_section(html: str) -> str:
    found = re.search(r'<section class="card" id="send".*?</section>', html, re.S)
    return found.group(0) if found else ""


def pages_of(content: bytes) -> tuple[int, list[str]]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), [p.extract_text() for p in reader.pages]


def test_a_ready_request_offers_its_documents_ticked_and_a_draft_to_fix_does_not(api, web):
    auth = ready_request(api)
    own = upload(api, auth, "labs.pdf", pdf_of("LAB"))
    chart = upload(api, auth, "note.png", png(), kind="chart_note", own=False)
    payer_letter = upload(api, auth, "old.pdf", pdf_of("OLD"), kind="payer_letter", own=False)
    section = send_section(page(web, auth["id"]))
    assert "Send to the payer" in section and "555-0142" in section
    for ticked in (own, chart):
        assert re.search(rf'value="{ticked}" checked', section)
    assert f'value="{payer_letter}">' in section  # listed, not ticked
    draft = b.request(api, auth["patient_id"], auth["coverage_id"], administrations=3)
    assert send_section(page(web, draft["id"])) == ""


def test_download_carries_the_ticked_documents_in_order(api, web):
    auth = ready_request(api)
    two = upload(api, auth, "labs.pdf", pdf_of("FIRST DOC ONE", "FIRST DOC TWO"))
    image = upload(api, auth, "note.png", png(), kind="chart_note", own=False)
    url = f"/authorizations/{auth['id']}/packet"
    bare = web.post(url, data={})
    assert bare.status_code == 200 and bare.mimetype == "application/pdf"
    assert bare.headers["Content-Disposition"].startswith("attachment")
    both = web.post(url, data={"attachment_ids": [str(two), str(image)]})
    count, texts = pages_of(both.get_data())
    assert count == pages_of(bare.get_data())[0] + 3 == stated(texts[0])
    assert "FIRST DOC ONE" in texts[-3]


def test_mark_as_sent_submits_and_the_history_links_the_packet(api, web):
    auth = ready_request(api)
    lab = upload(api, auth, "labs.pdf", pdf_of("SENT LAB"))
    response = web.post(
        f"/authorizations/{auth['id']}/packet/sent",
        data={"attachment_ids": [str(lab)], "channel": "portal", "payer_reference": "REF-77"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    html = page(web, auth["id"])
    moved = api.get(f"/api/v1/authorizations/{auth['id']}").get_json()
    assert (moved["status"], moved["submission_channel"], moved["payer_reference"]) == (
        "submitted",
        "portal",
        "REF-77",
    )
    packet = db.session.scalars(
        db.select(Attachment).where(Attachment.kind == "submission_packet")
    ).one()
    link = f"/attachments/{packet.id}/download"
    assert link in html and "packet sent by payer portal" in html and "REF-77" in html
    assert send_section(html) == ""  # sent: nothing more to send
    download = web.get(link)
    count, texts = pages_of(download.get_data())
    assert count == packet.page_count == stated(texts[0]) and "SENT LAB" in texts[-1]


def test_a_denial_is_appealed_from_the_send_section(api, web):
    auth = ready_request(api)
    b.move(api, auth["id"], to="submitted", channel="fax")
    b.move(api, auth["id"], to="denied", denial_reason="oral_iron_not_documented")
    section = send_section(page(web, auth["id"]))
    assert "Send the appeal" in section and "Appeal deadline" in section
    response = web.post(f"/authorizations/{auth['id']}/packet/sent", data={"channel": "fax"})
    assert response.status_code == 302
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["status"] == "appealed"


def test_a_bad_choice_is_shown_beside_the_form_and_changes_nothing(api, web):
    auth = ready_request(api)
    response = web.post(f"/authorizations/{auth['id']}/packet/sent", data={"channel": "pigeon"})
    assert response.status_code == 422
    section = send_section(response.get_data(as_text=True))
    assert "Channel" in section and "error" in section.lower()
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["status"] == "draft"
    assert db.session.scalars(db.select(Attachment)).all() == []


def test_a_scheduler_sees_no_send_section_and_may_not_send(api, app_ctx, clinic):
    auth = ready_request(api)
    scheduler = factories.user(clinic, "scheduler")
    client = app_ctx.test_client()
    client.post("/login", data={"email": scheduler.email, "password": PASSWORD})
    assert send_section(page(client, auth["id"])) == ""
    response = client.post(f"/authorizations/{auth['id']}/packet/sent", data={"channel": "fax"})
    assert response.status_code == 403
    assert api.get(f"/api/v1/authorizations/{auth['id']}").get_json()["status"] == "draft"
