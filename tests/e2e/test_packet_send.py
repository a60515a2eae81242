"""A coordinator sends a ready request: adds a lab report, previews and edits the letter,
downloads the packet (cover sheet with the page count, letter, evidence, the lab report),
marks it sent, and sees the request submitted with the packet in its history."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from fpdf import FPDF
from pypdf import PdfReader

pytestmark = pytest.mark.e2e
EDIT = "We also enclose the lab report of this week (e2e edit)."


def _lab_pdf() -> bytes:
    doc = FPDF()
    doc.set_font("Helvetica", size=12)
    doc.add_page()
    doc.cell(0, 10, "E2E LAB REPORT PAGE")
    return bytes(doc.output())


def _ready_request(live_server) -> tuple[int, str]:
    """A J1439 draft of a new patient whose checklist is ready (labs, trial, diagnosis), with
    a payer that takes faxes: (request id, MRN)."""
    from priorauth.models import User
    from priorauth.services import authorizations, clock, patients, payers

    def write(session):
        email = live_server.users["front_desk"]
        actor = session.scalars(sa.select(User).where(User.email == email)).one()
        today = clock.clinic_today(actor.clinic)
        payer = payers.create_payer(
            actor,
            {"name": "Packet Health E2E", "fax": "1-800-555-0142", "preferred_channel": "fax"},
        )
        policy = {"ferritin_max": Decimal("30"), "oral_iron_min_days": 90}
        payers.put_policy(actor, payer.id, "J1439", {"pa_required": True, **policy})
        birth = today - timedelta(days=365 * 50)
        person = {"mrn": "E2E-PKT-1", "first_name": "Ines", "last_name": "Packet"}
        patient = patients.create_patient(actor, {**person, "birth_date": birth})
        coverage = patients.add_coverage(
            actor,
            patient.id,
            {"payer_id": payer.id, "member_id": "PK-1", "start_date": today - timedelta(days=30)},
        )
        lab = {"test": "ferritin", "value": Decimal("11"), "observed_on": today - timedelta(days=3)}
        patients.add_evidence(actor, patient.id, "lab", lab)
        trial = {
            "drug": "ferrous sulfate 325 mg",
            "start_date": today - timedelta(days=140),
            "end_date": today - timedelta(days=20),
            "outcome": "inadequate_response",
        }
        patients.add_evidence(actor, patient.id, "oral_iron_trial", trial)
        auth = authorizations.create_authorization(
            actor,
            {
                "patient_id": patient.id,
                "coverage_id": coverage.id,
                "hcpcs_code": "J1439",
                "diagnosis_codes": ["D50.9"],
                "dose_mg": Decimal("750"),
                "administrations": 2,
                "requested_start": today,
                "requested_end": today + timedelta(days=60),
            },
        )
        session.commit()
        return auth.id, patient.mrn

    return live_server.query(write)


def _add_lab_report(site, page) -> None:
    page.locator("#add-document summary").click()
    page.set_input_files(
        "#doc-file",
        {"name": "ferritin.pdf", "mimeType": "application/pdf", "buffer": _lab_pdf()},
    )
    page.select_option("#doc-kind", "lab_report")
    site.submit(page.get_by_role("button", name="Attach"))
    assert "ferritin.pdf" in page.locator("#documents").inner_text()


def _edit_the_letter(site, page) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name="Letter of medical necessity").click()
    site.check()
    preview = page.locator("pre.letter").inner_text()
    assert "ferritin 11 ng/mL" in preview and "ferrous sulfate 325 mg" in preview
    text = page.locator("#f-text")
    text.fill(text.input_value() + "\n" + EDIT)
    site.submit(page.get_by_role("button", name="Save letter"))
    assert EDIT in page.locator("pre.letter").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Back to the request").click()
    site.check()


def _download_packet(page) -> tuple[int, list[str]]:
    send = page.locator("#send")
    assert send.get_by_role("checkbox", name=re.compile("ferritin.pdf")).is_checked()
    with page.expect_download() as download:
        send.get_by_role("button", name="Download packet").click()
    reader = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    return len(reader.pages), [p.extract_text() for p in reader.pages]


def test_a_coordinator_sends_a_ready_request_as_one_packet(site, page, live_server):
    auth_id, mrn = _ready_request(live_server)
    site.sign_in("front_desk")
    site.visit(f"/authorizations/{auth_id}")
    assert page.locator("#checklist .summary.ready").count() == 1
    _add_lab_report(site, page)
    _edit_the_letter(site, page)

    pages, texts = _download_packet(page)
    stated = int(re.search(r"Pages: (\d+) including this cover", texts[0]).group(1))
    assert stated == pages
    everything = " ".join(" ".join(texts).split())
    for expected in (mrn, "J1439", "1500", "11 ng/mL", "E2E LAB REPORT PAGE", "(e2e edit)"):
        assert expected in everything, expected
    assert "E2E LAB REPORT PAGE" in texts[-1]

    page.fill("#send-payer_reference", "E2E-REF-1")
    site.submit(page.locator("#send").get_by_role("button", name="Mark as sent"))
    assert page.locator("h1 .badge").inner_text().strip() == "submitted"
    history = page.locator("#history")
    link = history.get_by_role("link", name=re.compile(f"packet sent by fax, {pages} pages"))
    assert re.fullmatch(r"/attachments/\d+/download", link.get_attribute("href"))
    assert "E2E-REF-1" in history.inner_text()
    assert page.locator("#send").count() == 0
