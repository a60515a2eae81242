"""The packet PDF from plain values: cover, letter, evidence table, attachments in order, and
a cover that states the packet's real page count."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader

from priorauth.domain.evidence_summary import SummaryRow
from priorauth.services.packet_pdf import (
    AttachmentUnreadable,
    PacketAttachment,
    PacketInput,
    build_packet,
)


def pdf_of(*texts: str) -> bytes:
    doc = FPDF()
    doc.set_font("Helvetica", size=12)
    for text in texts:
        doc.add_page()
        doc.cell(0, 10, text)
    return bytes(doc.output())


def image_of(kind: str, color: str = "red", frames: int = 1) -> bytes:
    out = io.BytesIO()
    images = [Image.new("RGB", (300, 200), color) for _ in range(frames)]
    images[0].save(out, kind, save_all=frames > 1, append_images=images[1:])
    return out.getvalue()


def packet_input(*attachments: PacketAttachment, letter: str = "Dear reviewer,") -> PacketInput:
    return PacketInput(
        title="Prior authorization request",
        prepared_on=date(2026, 11, 30),
        clinic_name="Riverside Infusion",
        clinic_contact=("Pat Front, pat@riverside.test",),
        payer_name="Blue Harbor Health",
        payer_fax="555-0100",
        payer_portal=None,
        payer_phone=None,
        channel="fax",
        patient_name="Ada Lovelace",
        mrn="MRN-77",
        birth_date=date(1970, 3, 1),
        facts=(("Code", "J1439 (Injectafer)"), ("Units requested", "1500")),
        letter_title="Letter of medical necessity",
        letter_text=letter,
        summary=(
            SummaryRow("Iron labs", "met", "ferritin", "12 ng/mL", "2026-11-25"),
            SummaryRow(
                "Oral iron trial", "met", "oral iron", "121 days", "2026-07-03 to 2026-10-31"
            ),
        ),
        attachments=attachments,
    )


def read(content: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(content))
    return reader, [page.extract_text() for page in reader.pages]


def stated_pages(first_page: str) -> int:
    return int(re.search(r"Pages: (\d+) including this cover", first_page).group(1))


def test_cover_letter_and_table_with_the_stated_count():
    packet = build_packet(packet_input(letter="Dear reviewer,\nAda needs IV iron – now."))
    reader, texts = read(packet.content)
    assert packet.page_count == len(reader.pages) == stated_pages(texts[0]) == 3
    assert "Blue Harbor Health" in texts[0] and "555-0100" in texts[0]
    assert "CONFIDENTIAL" in texts[0]
    assert "Ada needs IV iron - now." in texts[1]
    body = "\n".join(texts[1:])
    for expected in (
        "MRN-77",
        "J1439",
        "1500",
        "12 ng/mL",
        "2026-11-25",
        "2026-07-03 to 2026-10-31",
    ):
        assert expected in body


def test_a_long_letter_takes_pages_and_the_cover_counts_them():
    letter = "\n\n".join(f"Paragraph {n}: " + "the evidence supports it. " * 40 for n in range(30))
    packet = build_packet(packet_input(letter=letter))
    reader, texts = read(packet.content)
    assert len(reader.pages) > 5
    assert stated_pages(texts[0]) == packet.page_count == len(reader.pages)


def test_attachments_follow_in_order_pdf_pages_then_image_pages():
    two_pages = PacketAttachment(
        "labs.pdf", "application/pdf", pdf_of("LAB PAGE ONE", "LAB PAGE TWO")
    )
    png = PacketAttachment("note.png", "image/png", image_of("PNG"))
    alone = build_packet(packet_input())
    packet = build_packet(packet_input(two_pages, png))
    reader, texts = read(packet.content)
    assert packet.page_count == alone.page_count + 3 == len(reader.pages)
    assert stated_pages(texts[0]) == packet.page_count
    assert "LAB PAGE ONE" in texts[-3] and "LAB PAGE TWO" in texts[-2]
    assert list(reader.pages[-1].images), "the PNG is drawn on the last page"


@pytest.mark.parametrize(("kind", "content_type"), [("JPEG", "image/jpeg"), ("TIFF", "image/tiff")])
def test_jpeg_and_multi_frame_tiff_become_pages(kind, content_type):
    frames = 2 if kind == "TIFF" else 1
    image = PacketAttachment(f"scan.{kind.lower()}", content_type, image_of(kind, frames=frames))
    packet = build_packet(packet_input(image))
    assert packet.page_count == build_packet(packet_input()).page_count + frames


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/pdf", b"%PDF-1.4 not really"),
        ("image/png", b"\x89PNG broken"),
        ("text/plain", b"hi"),
    ],
)
def test_an_unreadable_attachment_is_refused_by_name(content_type, content):
    with pytest.raises(AttachmentUnreadable, match="bad.file"):
        build_packet(packet_input(PacketAttachment("bad.file", content_type, content)))
