"""Documents: which files may be attached, told apart by their bytes, never by their name.

A file is a PDF, PNG, JPEG or TIFF when its first bytes say so (its "magic"); a name that
claims one type over content of another is refused, so a renamed file cannot pass as a PDF.
"""

from __future__ import annotations

import re

from priorauth.domain.vocab import AttachmentKind

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"

# (content type, leading bytes) in the order they are tried.
MAGIC: tuple[tuple[str, bytes], ...] = (
    (PDF, b"%PDF-"),
    (PNG, b"\x89PNG\r\n\x1a\n"),
    (JPEG, b"\xff\xd8\xff"),
    (TIFF, b"II*\x00"),
    (TIFF, b"MM\x00*"),
)
# The type a file name's ending claims.
EXTENSIONS = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "jpe": JPEG,
    "tif": TIFF,
    "tiff": TIFF,
}
TYPE_WORDS = {PDF: "a PDF", PNG: "a PNG image", JPEG: "a JPEG image", TIFF: "a TIFF image"}
ACCEPTED = "a PDF, PNG, JPEG or TIFF file"

# Written by priorauth itself when it sends a letter or a packet; never uploaded.
GENERATED_KINDS = (
    AttachmentKind.LETTER,
    AttachmentKind.SUBMISSION_PACKET,
    AttachmentKind.APPEAL_PACKET,
)
UPLOADABLE_KINDS = tuple(kind for kind in AttachmentKind if kind not in GENERATED_KINDS)

MAX_FILENAME = 255
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def sniff(content: bytes) -> str | None:
    """The content type the bytes start with, or None when it is none we accept."""
    for content_type, magic in MAGIC:
        if content.startswith(magic):
            return content_type
    return None


def claimed_type(filename: str) -> str | None:
    """The content type the name's ending claims (report.PDF: PDF), or None."""
    stem, dot, ending = filename.rpartition(".")
    return EXTENSIONS.get(ending.lower()) if dot and stem else None


def file_problem(filename: str, content: bytes) -> str | None:
    """Why the file cannot be attached (said of the file), or None when it can."""
    if not content:
        return "is empty"
    found, claimed = sniff(content), claimed_type(filename)
    if found is None:
        return f"must be {ACCEPTED} (checked by its content, whatever its name)"
    if claimed is not None and claimed != found:
        return f"is named as {TYPE_WORDS[claimed]} but its content is {TYPE_WORDS[found]}"
    return None


def safe_filename(filename: str, content_type: str | None = None) -> str:
    """The name to store and offer on download: no folders, no control characters or
    characters a header or a file system would choke on, at most 255 characters; a name
    left empty becomes "document" with the ending of its type."""
    base = re.split(r"[\\/]", filename or "")[-1]
    name = " ".join(_UNSAFE.sub("_", base).split()).strip(" ._")
    if not name:
        ending = next((e for e, t in EXTENSIONS.items() if t == content_type), "bin")
        name = f"document.{ending}"
    stem, dot, ending = name.rpartition(".")
    tail = dot + ending if dot and len(ending) <= 10 else ""  # kept whole when cut
    return (stem if tail else name)[: MAX_FILENAME - len(tail)] + tail
