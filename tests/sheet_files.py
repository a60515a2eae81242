"""Spreadsheets for the import tests and the bench: rows as dicts, written as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from openpyxl import Workbook

from priorauth.extensions import db
from priorauth.models import Payer


def row(n: int = 1, **changes) -> dict:
    """A clean row: patient MRN-n, J1439 750 mg × 2, approved, starting in 2026."""
    start = date(2026, 1, 5) + timedelta(days=n % 200)
    values = {
        "MRN": f"MRN-{n}",
        "First name": "Ann",
        "Last name": f"Lee{n}",
        "Date of birth": "04/05/1960",
        "Payer": "Blue Shield",
        "Member ID": f"M{n}",
        "HCPCS code": "J1439",
        "Dose (mg)": "750",
        "Administrations": "2",
        "Requested start": f"{start.month}/{start.day}/{start.year % 100:02d}",
        "Requested end": (start + timedelta(days=90)).isoformat(),
        "Status": "approved",
        "Auth number": f"A{n}",
    }
    return values | changes


def _headers(rows: list[dict]) -> list[str]:
    """Every key of the rows, in the order first met."""
    return list(dict.fromkeys(key for values in rows for key in values))


def csv_bytes(rows: list[dict], headers: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers or _headers(rows))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: list[dict], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    names = headers or _headers(rows)
    sheet.append(names)
    for values in rows:
        sheet.append([values.get(h) for h in names])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def payer(clinic, name: str = "Blue Shield") -> Payer:
    found = Payer(clinic_id=clinic.id, name=name)
    db.session.add(found)
    db.session.commit()
    return found


def checked_job(clinic_id: int, rows: list[dict]) -> int:
    """An import of the clinic checked and awaiting its choice (the crawl's path value)."""
    from priorauth.domain.sheet_columns import JobStatus
    from priorauth.services import clock, sheet_import

    job = sheet_import.upload(None, clinic_id, "crawl.csv", csv_bytes(rows))
    while job.status == JobStatus.CHECKING:
        sheet_import.check_step(clinic_id, job.id, clock.utcnow().date())
    db.session.commit()
    return job.id
