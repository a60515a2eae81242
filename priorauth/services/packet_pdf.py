"""Draw a submission or appeal packet as one PDF from plain values (no database here): a fax
cover sheet stating the packet's exact page count, the letter, the evidence summary table,
then the chosen attachments in order (PDFs appended page by page, images drawn one a page).

The body and the attachments are made first and counted; the cover is drawn last, with the
count, and put in front."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image, ImageSequence
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from priorauth.domain.evidence_summary import SummaryRow

IMAGE_TYPES = ("image/png", "image/jpeg", "image/tiff")
CONFIDENTIAL = (
    "CONFIDENTIAL: this transmission contains protected health information, disclosed for the "
    "purpose of prior authorization and protected by federal and state privacy law. It is "
    "intended only for the payer named above. If you received it in error, notify the sender "
    "at once and destroy every copy; any other use, disclosure or copying is prohibited."
)
# The PDF core fonts are Latin-1: common typographic characters are spelled in ASCII.
_PLAIN = str.maketrans(
    {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}
    | {"\u2022": "-", "\u2026": "...", "\u00a0": " ", "\u2264": "<=", "\u2265": ">="}
    | {"\u00b7": "-", "\u2192": "->", "\u00d7": "x"}
)


class AttachmentUnreadable(Exception):
    """An attachment that cannot be put in the packet (a broken or locked PDF, an image
    that does not decode, a type that is neither)."""

    def __init__(self, filename: str, why: str):
        super().__init__(f"{filename}: {why}")
        self.filename = filename


@dataclass(frozen=True)
class PacketAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class PacketInput:
    """Everything a packet shows, as text. `facts`: (label, value) pairs of the request."""

    title: str  # "Prior authorization request" or "Appeal"
    prepared_on: date
    clinic_name: str
    clinic_contact: tuple[str, ...]
    payer_name: str
    payer_fax: str | None
    payer_portal: str | None
    payer_phone: str | None
    channel: str | None
    patient_name: str
    mrn: str
    birth_date: date
    facts: tuple[tuple[str, str], ...]
    letter_title: str
    letter_text: str
    summary: tuple[SummaryRow, ...]
    attachments: tuple[PacketAttachment, ...] = field(default=())


@dataclass(frozen=True)
class Packet:
    content: bytes
    page_count: int


def plain(text: object) -> str:
    """Text the core fonts can draw."""
    return str(text).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


class _Doc(FPDF):
    """US Letter pages; the body's footer repeats the patient and the page's place."""

    def __init__(self, footer: str = ""):
        super().__init__(format="letter", unit="mm")
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=16)
        self.footer_text = footer

    def footer(self):
        if self.footer_text:
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, plain(self.footer_text), align="C")

    def heading(self, text: str, size: int = 14) -> None:
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, 7, plain(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def text_block(self, text: str, size: int = 10, height: float = 5) -> None:
        self.set_font("Helvetica", size=size)
        self.multi_cell(0, height, plain(text), new_x="LMARGIN", new_y="NEXT")


def _facts_table(doc: _Doc, rows, widths=(50, 130)) -> None:
    doc.set_font("Helvetica", size=9)
    with doc.table(col_widths=widths, first_row_as_headings=False, line_height=5) as table:
        for label, value in rows:
            row = table.row()
            row.cell(plain(label), style=FontFace(emphasis="BOLD"))
            row.cell(plain(value))


def _summary_table(doc: _Doc, rows: tuple[SummaryRow, ...]) -> None:
    doc.set_font("Helvetica", size=8)
    head = ("Requirement", "Status", "Evidence", "Value", "Date")
    with doc.table(col_widths=(30, 18, 52, 50, 30), line_height=4.5) as table:
        table.row(head)
        for r in rows:
            table.row([plain(x) for x in (r.requirement, r.status, r.evidence, r.value, r.date)])


def _body(packet: PacketInput) -> bytes:
    footer = f"{packet.patient_name} - MRN {packet.mrn} - {packet.title}, {packet.clinic_name}"
    doc = _Doc(footer)
    doc.add_page()
    doc.heading(packet.letter_title)
    doc.text_block(packet.letter_text)
    doc.add_page()
    doc.heading("Request")
    _facts_table(doc, _patient_facts(packet) + packet.facts)
    doc.ln(4)
    doc.heading("Evidence summary", 12)
    if packet.summary:
        _summary_table(doc, packet.summary)
    else:
        doc.text_block("No evidence is required by the payer's policy for this request.")
    return bytes(doc.output())


def _patient_facts(packet: PacketInput) -> tuple[tuple[str, str], ...]:
    return (
        ("Patient", packet.patient_name),
        ("MRN", packet.mrn),
        ("Date of birth", str(packet.birth_date)),
    )


def _image_pages(item: PacketAttachment) -> bytes:
    """Each frame of the image on its own page, as large as fits, proportions kept."""
    try:
        image = Image.open(io.BytesIO(item.content))
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
    except (OSError, ValueError) as error:
        raise AttachmentUnreadable(item.filename, f"the image does not open ({error})") from None
    doc = _Doc()
    doc.set_auto_page_break(False)
    for frame in frames:
        doc.add_page()
        room_w, room_h = doc.epw, doc.eph
        scale = min(room_w / frame.width, room_h / frame.height)
        doc.image(frame, x=doc.l_margin, y=doc.t_margin, w=frame.width * scale)
    return bytes(doc.output())


def _reader(item: PacketAttachment) -> PdfReader:
    if item.content_type in IMAGE_TYPES:
        return PdfReader(io.BytesIO(_image_pages(item)))
    if item.content_type != "application/pdf":
        raise AttachmentUnreadable(item.filename, f"{item.content_type} cannot go in a packet")
    try:
        reader = PdfReader(io.BytesIO(item.content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise AttachmentUnreadable(item.filename, "the PDF is password-protected")
        len(reader.pages)
    except (PdfReadError, ValueError, KeyError) as error:
        raise AttachmentUnreadable(item.filename, f"the PDF does not open ({error})") from None
    return reader


def _cover(packet: PacketInput, pages: int) -> bytes:
    doc = _Doc()
    doc.set_auto_page_break(False)
    doc.add_page()
    doc.heading(f"FAX COVER SHEET - {packet.title}", 16)
    rows = [("Date", str(packet.prepared_on)), ("To", packet.payer_name)]
    rows += _payer_lines(packet)
    rows += [("From", packet.clinic_name)]
    rows += [("Contact", line) for line in packet.clinic_contact]
    rows += [
        ("Patient", f"{packet.patient_name}, MRN {packet.mrn}, born {packet.birth_date}"),
    ]
    _facts_table(doc, [(label, value[:160]) for label, value in rows])
    doc.ln(4)
    doc.heading(f"Pages: {pages} including this cover", 13)
    doc.text_block(f"Re: {packet.title} - {packet.letter_title}", 11, 6)
    doc.ln(6)
    doc.set_font("Helvetica", "B", 9)
    doc.multi_cell(0, 4.5, plain(CONFIDENTIAL), border=1, padding=2)
    return bytes(doc.output())


def _payer_lines(packet: PacketInput) -> list[tuple[str, str]]:
    lines = []
    if packet.channel:
        lines.append(("Sent by", packet.channel))
    if packet.payer_fax:
        lines.append(("Fax", packet.payer_fax))
    if packet.payer_portal:
        lines.append(("Portal", packet.payer_portal))
    if packet.payer_phone:
        lines.append(("Phone", packet.payer_phone))
    if not (packet.payer_fax or packet.payer_portal):
        lines.append(("Fax or portal", "not on file"))
    return lines


def build_packet(packet: PacketInput) -> Packet:
    """The packet's bytes and its page count (the number the cover states)."""
    parts = [PdfReader(io.BytesIO(_body(packet)))]
    parts += [_reader(item) for item in packet.attachments]
    pages = 1 + sum(len(part.pages) for part in parts)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_cover(packet, pages))))
    for part in parts:
        writer.append(part)
    writer.add_metadata({"/Title": plain(f"{packet.title}: {packet.patient_name}")})
    out = io.BytesIO()
    writer.write(out)
    return Packet(out.getvalue(), pages)
