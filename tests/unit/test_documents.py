"""What may be attached (priorauth/domain/documents.py) and the digest's payer contact with a
fax (priorauth/domain/digests.py)."""

from __future__ import annotations

from datetime import date

import pytest

from priorauth.domain import digests
from priorauth.domain import documents as d
from priorauth.domain.attention import PayerContact
from priorauth.domain.digests import DigestItem
from priorauth.domain.reminders import Reminder, ReminderType

PDF = b"%PDF-1.7\n..."
PNG = b"\x89PNG\r\n\x1a\n...."
JPEG = b"\xff\xd8\xff\xe0...."
TIFF_LE = b"II*\x00...."
TIFF_BE = b"MM\x00*...."


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, d.PDF),
        (PNG, d.PNG),
        (JPEG, d.JPEG),
        (TIFF_LE, d.TIFF),
        (TIFF_BE, d.TIFF),
        (b"%PDF", None),  # cut short
        (b" %PDF-1.7", None),  # not at the start
        (b"\x89PNG\r\n\x1a", None),
        (b"\xff\xd8", None),
        (b"II*\x01", None),
        (b"MM\x00+", None),
        (b"GIF89a", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_leading_bytes(content, expected):
    assert d.sniff(content) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("labs.pdf", d.PDF),
        ("LABS.PDF", d.PDF),
        ("scan.png", d.PNG),
        ("a.jpg", d.JPEG),
        ("a.jpeg", d.JPEG),
        ("a.JPE", d.JPEG),
        ("fax.tif", d.TIFF),
        ("fax.tiff", d.TIFF),
        ("notes.txt", None),
        ("pdf", None),
        (".pdf", None),  # a hidden file's name, not an ending
        ("archive.pdf.zip", None),
        ("report.v2.pdf", d.PDF),
        ("", None),
    ],
)
def test_the_type_a_name_claims(name, expected):
    assert d.claimed_type(name) == expected


def test_file_problems_are_said_of_the_file():
    assert d.file_problem("a.pdf", b"") == "is empty"
    assert d.file_problem("a.pdf", PNG) == "is named as a PDF but its content is a PNG image"
    assert d.file_problem("a.png", PDF) == "is named as a PNG image but its content is a PDF"
    assert d.file_problem("a.pdf", b"MZ\x90") == (
        "must be a PDF, PNG, JPEG or TIFF file (checked by its content, whatever its name)"
    )
    assert d.file_problem("a.pdf", PDF) is None
    assert d.file_problem("a.jpeg", JPEG) is None
    assert d.file_problem("scan", TIFF_BE) is None  # no ending: the content decides
    assert d.file_problem("notes.txt", PNG) is None


def test_uploadable_kinds_leave_out_what_priorauth_writes():
    assert [str(k) for k in d.UPLOADABLE_KINDS] == [
        "lab_report",
        "chart_note",
        "payer_letter",
        "denial_letter",
        "prescription",
        "other",
    ]
    assert [str(k) for k in d.GENERATED_KINDS] == ["letter", "submission_packet", "appeal_packet"]


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("labs.pdf", d.PDF, "labs.pdf"),
        ("C:\\Users\\me\\labs.pdf", d.PDF, "labs.pdf"),
        ("../../etc/passwd", None, "passwd"),
        ('re"port\r\n.pdf', d.PDF, "re_port_.pdf"),
        ("  spaced   out .png ", d.PNG, "spaced out .png"),
        ("a;b:c|d.pdf", d.PDF, "a_b_c_d.pdf"),
        ("", d.PDF, "document.pdf"),
        ("...", d.PNG, "document.png"),
        ("///", d.JPEG, "document.jpg"),
        ("", d.TIFF, "document.tif"),
        ("", None, "document.bin"),
        ("__.pdf", d.PDF, "pdf"),
        ("Xray.png", d.PNG, "Xray.png"),
        ("scan.v2.tif", d.TIFF, "scan.v2.tif"),
    ],
)
def test_safe_filename(name, content_type, expected):
    assert d.safe_filename(name, content_type) == expected


def test_a_long_name_is_cut_keeping_its_ending():
    assert d.safe_filename("x" * 300 + ".pdf") == "x" * 251 + ".pdf"
    assert len(d.safe_filename("x" * 300 + ".pdf")) == d.MAX_FILENAME
    assert d.safe_filename("x" * 256) == "x" * 255
    long_ending = "a." + "y" * 300
    assert d.safe_filename(long_ending) == long_ending[:255]
    assert d.safe_filename("x" * 255) == "x" * 255
    ten = "x" * 300 + "." + "z" * 10
    assert d.safe_filename(ten) == "x" * 244 + "." + "z" * 10
    eleven = "x" * 300 + "." + "z" * 11
    assert d.safe_filename(eleven) == ("x" * 300)[:255]
    dotted = "x.y" + "x" * 300 + ".pdf"
    assert d.safe_filename(dotted) == dotted[:251] + ".pdf"


def _item(**payer) -> DigestItem:
    return DigestItem("AUTH_EXPIRING", date(2025, 3, 1), "m", "/p", 3, payer_name="Blue", **payer)


def test_the_digest_contact_names_the_fax():
    phone, fax, portal = "1-800-555-0100", "1-800-555-0199", "https://blue.example"
    assert _item(payer_fax=fax).contact == "Fax 1-800-555-0199."
    assert _item(payer_phone=phone, payer_fax=fax).contact == (
        "Call Blue at 1-800-555-0100 or fax 1-800-555-0199."
    )
    assert _item(payer_phone=phone, payer_fax=fax, payer_portal=portal).contact == (
        "Call Blue at 1-800-555-0100, fax 1-800-555-0199 or use Blue's portal https://blue.example."
    )
    assert _item(payer_fax=fax, payer_portal=portal).contact == (
        "Fax 1-800-555-0199 or use Blue's portal https://blue.example."
    )


def test_a_reminder_hands_its_payers_fax_to_the_digest():
    payer = PayerContact("Blue", None, None, "1-800-555-0199")
    reminder = Reminder(ReminderType.AUTH_EXPIRING, date(2025, 3, 5), "ends", 3, None, 7, 4, payer)
    item = digests.from_reminder(reminder)
    assert (item.payer_name, item.payer_fax) == ("Blue", "1-800-555-0199")
    assert item.contact == "Fax 1-800-555-0199."
    silent = Reminder(ReminderType.AUTH_EXPIRING, date(2025, 3, 5), "ends", 3, None, 7, 4)
    assert digests.from_reminder(silent).payer_fax is None
