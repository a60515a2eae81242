"""`make bench` (also `python -m tests.bench.import_sheet [ROWS]`): the spreadsheet import of a
10,000-row CSV into a fresh SQLite clinic (new patients, one payer), timed from upload to commit,
attention facts included. It prints the figure; no test asserts it (docs/interop.md: under a
minute on SQLite)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from priorauth.domain.sheet_columns import JobStatus
from priorauth.extensions import db
from priorauth.services import accounts, clock, sheet_import
from priorauth.services.reference import load_catalog
from tests import sheet_files
from tests.bench.context import bench_app

ROWS = 10_000
PATIENTS = 4_000  # rows per patient: 2.5 on average, the later rows find the patient planned


def timed_import(rows: int = ROWS) -> tuple[float, dict]:
    """Seconds to upload, check and import `rows` rows, and the import's counts."""
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(f"sqlite:///{Path(folder) / 'import.sqlite'}")
        with app.app_context():
            upgrade()
            load_catalog()
            clinic = accounts.find_or_create_clinic("Import bench", "UTC")
            user, _ = accounts.create_user(
                clinic, "bench@example.test", "Bench", "front_desk", "correct-horse-7"
            )
            sheet_files.payer(clinic)
            content = sheet_files.csv_bytes([_row(n) for n in range(rows)])
            started = time.perf_counter()
            figures = _run(user, content)
            seconds = time.perf_counter() - started
            db.session.remove()
            db.engine.dispose()
    return seconds, figures


def _row(n: int) -> dict:
    patient = n % PATIENTS
    values = sheet_files.row(patient, **{"Auth number": f"A{n}"})
    return values | {"Status": ("approved", "denied", "pending", "expired")[n % 4]}


def _run(user, content: bytes) -> dict:
    today = clock.clinic_today(user.clinic)
    job = sheet_import.upload(user, user.clinic_id, "bench.csv", content)
    db.session.commit()
    while job.status == JobStatus.CHECKING:
        sheet_import.check_step(user.clinic_id, job.id, today)
        db.session.commit()
    sheet_import.run(user, user.clinic_id, job.id, True, today)
    db.session.commit()
    return {k: v for k, v in job.result.items() if k != "rows"}


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    seconds, figures = timed_import(rows)
    print(f"spreadsheet import, {rows:,} rows on SQLite: {seconds:.1f} s ({figures})")


if __name__ == "__main__":
    main()
