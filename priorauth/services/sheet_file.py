"""Read an uploaded spreadsheet (CSV or XLSX, told by its first bytes): its headers and its
rows, each row numbered as the clinic sees it in its spreadsheet (the header is row 1)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from priorauth.errors import ValidationFailed

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, dict]]  # (row number, header -> cell value), empty rows left out


def read_table(content: bytes) -> Table:
    """The file's headers and rows; a file that is neither, empty, or without headers is
    refused on the field `file`."""
    lines = _xlsx_lines(content) if content.startswith(XLSX_MAGIC) else _csv_lines(content)
    header_row = next(lines, None)
    headers = [str(h).strip() if h is not None else "" for h in header_row or ()]
    if not any(headers):
        raise ValidationFailed.on("file", "the file is empty; its first row must be the headers")
    named = [h for h in headers if h]
    if len(set(named)) != len(named):
        raise ValidationFailed.on("file", "two columns have the same header")
    rows = []
    for number, cells in enumerate(lines, start=2):
        if any(c not in (None, "") for c in cells):
            rows.append((number, {h: v for h, v in zip(headers, cells, strict=False) if h}))
        if len(rows) > MAX_ROWS:
            raise ValidationFailed.on("file", f"the file has more than {MAX_ROWS:,} rows")
    return Table(named, rows)


def _csv_lines(content: bytes) -> Iterator[list]:
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = content.decode("cp1252", errors="replace")
    if "\x00" in decoded:
        raise ValidationFailed.on("file", "the file is neither CSV nor XLSX")
    return iter(csv.reader(io.StringIO(decoded, newline="")))


def _xlsx_lines(content: bytes) -> Iterator[tuple]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise ValidationFailed.on("file", "the file is not an XLSX workbook we can read") from None
    # One row past the limit is enough to refuse the file; the rest is never read.
    lines = list(islice(book.worksheets[0].iter_rows(values_only=True), MAX_ROWS + 2))
    book.close()
    return iter(lines)
