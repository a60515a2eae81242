"""`make bench`'s packet line: a 20-page submission packet built in-process from plain values
(services/packet_pdf.build_packet): cover, a letter, the evidence summary, a 9-page lab report
PDF, five page-sized scans (PNG and JPEG) and a 3-frame TIFF. Goal: under 2 s.

Run alone: .venv/bin/python -m tests.bench.packet"""

from __future__ import annotations

import io
from datetime import date

from fpdf import FPDF
from PIL import Image, ImageDraw

from priorauth.domain.evidence_summary import SummaryRow
from priorauth.services.packet_pdf import PacketAttachment, PacketInput, build_packet
from tests.bench.measure import Figures, measure
from tests.bench.report import print_table

PAGES, SAMPLES, GOAL_MS = 20, 15, 2000
LETTER = "\n\n".join(
    "The patient has iron deficiency anemia documented by the laboratory results below; "
    "oral iron was tried for more than ninety days with an inadequate response. " * 3
    for _ in range(5)
)


def _lab_report(pages: int) -> bytes:
    doc = FPDF(format="letter")
    doc.set_font("Helvetica", size=10)
    for page in range(pages):
        doc.add_page()
        for line in range(45):
            doc.cell(0, 5, f"Lab report page {page + 1}, line {line + 1}: ferritin 12 ng/mL")
            doc.ln()
    return bytes(doc.output())


def _scan(kind: str, frames: int = 1) -> bytes:
    """A letter-size page scanned at 150 dpi, grey with some text-like strokes."""
    images = []
    for frame in range(frames):
        image = Image.new("L", (1275, 1650), 245)
        draw = ImageDraw.Draw(image)
        for row in range(60):
            draw.line((100, 100 + row * 24, 1100 - (row * 37 + frame) % 400, 100 + row * 24), 40, 3)
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, kind, save_all=frames > 1, append_images=images[1:])
    return out.getvalue()


def twenty_page_input() -> PacketInput:
    attachments = (
        PacketAttachment("labs.pdf", "application/pdf", _lab_report(9)),
        *(PacketAttachment(f"scan{n}.png", "image/png", _scan("PNG")) for n in range(3)),
        *(PacketAttachment(f"note{n}.jpg", "image/jpeg", _scan("JPEG")) for n in range(2)),
        PacketAttachment("chart.tiff", "image/tiff", _scan("TIFF", frames=3)),
    )
    rows = tuple(
        SummaryRow("Iron labs", "met", f"lab {n}", f"{10 + n} ng/mL", "2026-11-25")
        for n in range(12)
    )
    return PacketInput(
        title="Prior authorization request",
        prepared_on=date(2026, 11, 30),
        clinic_name="Bench Infusion Center",
        clinic_contact=("Front Desk, frontdesk@bench.test",),
        payer_name="Bench Payer",
        payer_fax="1-800-555-0199",
        payer_portal="https://portal.bench.test",
        payer_phone=None,
        channel="Fax",
        patient_name="Ada Lovelace",
        mrn="MRN-BENCH",
        birth_date=date(1970, 3, 1),
        facts=(("Code", "J1439"), ("Units requested", "1500")),
        letter_title="Letter of medical necessity",
        letter_text=LETTER,
        summary=rows,
        attachments=attachments,
    )


def packet_row() -> Figures:
    """The packet's line of the bench table (no floor: drawing is all there is)."""
    values = twenty_page_input()
    pages = build_packet(values).page_count
    assert pages == PAGES, f"the bench packet has {pages} pages, not {PAGES}"
    return measure(
        f"{PAGES}-page packet, in-process",
        lambda _: build_packet(values),
        None,
        [(n,) for n in range(SAMPLES)],
        goal_ms=GOAL_MS,
    )


if __name__ == "__main__":
    from priorauth.factory import create_app

    with create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).app_context():
        print_table("packet (no database)", [packet_row()], {})
