"""The spreadsheet import's use cases, one ImportJob from upload to result (docs/interop.md):
upload, choose the columns (remembered for the clinic), pick payers for unknown names, check
the rows a step at a time (the page's progress bar drives the steps), import. Nothing is
written unless every row is valid, or the user asked for the valid rows only."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from priorauth.domain.sheet_columns import FIELDS, JobStatus, guess_mapping, mapping_problems
from priorauth.errors import Conflict, ValidationFailed
from priorauth.extensions import db
from priorauth.models import Clinic, ImportJob, Payer
from priorauth.services import audit, clock
from priorauth.services.scope import get_owned
from priorauth.services.sheet_check import Checked, check
from priorauth.services.sheet_file import Table, read_table
from priorauth.services.sheet_write import write

STEP_ROWS = 2000  # rows checked per step of the page's progress bar


def upload(actor, clinic_id: int, filename: str, content: bytes) -> ImportJob:
    """A new import of the file; its columns guessed from the headers and the clinic's choices."""
    table = read_table(content)
    clinic = db.session.get(Clinic, clinic_id)
    columns = guess_mapping(table.headers, clinic.import_columns)
    job = ImportJob(
        clinic_id=clinic_id,
        user_id=getattr(actor, "id", None),
        filename=filename[:255] or "upload",
        content=content,
        total_rows=len(table.rows),
        mapping={"columns": columns, "payers": {}},
        problems=[],
    )
    _restart(job, JobStatus.MAPPING if mapping_problems(columns) else JobStatus.CHECKING)
    changes = {"filename": job.filename, "rows": job.total_rows}
    return audit.added(actor, job, "uploaded", changes=changes)


def _restart(job: ImportJob, status: JobStatus) -> None:
    job.status, job.processed_rows, job.problems, job.result = status, 0, [], None


def get_job(actor_clinic_id: int, job_id: int) -> ImportJob:
    return get_owned(ImportJob, job_id, actor_clinic_id, what="import")


def _open_job(clinic_id: int, job_id: int) -> ImportJob:
    job = get_job(clinic_id, job_id)
    if job.status == JobStatus.DONE:
        raise Conflict("this file is already imported; upload it again to re-import", code="DONE")
    return job


def headers_of(job: ImportJob) -> list[str]:
    return list(job.mapping["columns"])


def set_columns(actor, clinic_id: int, job_id: int, chosen: dict[str, str | None]) -> ImportJob:
    """Which field each header fills (None: ignored); remembered for the clinic's next file."""
    job = _open_job(clinic_id, job_id)
    columns = {h: (chosen.get(h) or None) for h in headers_of(job)}
    problems = mapping_problems(columns)
    if problems:
        raise ValidationFailed("; ".join(problems), {"columns": problems})
    clinic = db.session.get(Clinic, clinic_id)
    clinic.import_columns = {**(clinic.import_columns or {}), **columns}
    job.mapping = {**job.mapping, "columns": columns}
    _restart(job, JobStatus.CHECKING)
    audit.record(actor, job, "columns_chosen", changes={"columns": columns})
    return job


def set_payers(actor, clinic_id: int, job_id: int, chosen: dict[str, int | None]) -> ImportJob:
    """Map unknown payer names of the file onto the clinic's payers, then check again."""
    job = _open_job(clinic_id, job_id)
    picks = {name: payer_id for name, payer_id in chosen.items() if payer_id}
    for payer_id in picks.values():
        get_owned(Payer, payer_id, clinic_id, what="payer")
    job.mapping = {**job.mapping, "payers": {**job.mapping.get("payers", {}), **picks}}
    _restart(job, JobStatus.CHECKING)
    audit.record(actor, job, "payers_chosen", changes={"payers": picks})
    return job


def check_job(job: ImportJob, today: date, upto: int | None = None, progress=None) -> Checked:
    """Check the job's rows (the first `upto` only, when given) with its columns and payers."""
    table = read_table(job.content)
    rows = table.rows if upto is None else table.rows[:upto]
    payers = {name: int(pid) for name, pid in job.mapping.get("payers", {}).items()}
    table = Table(table.headers, rows)
    return check(job.clinic_id, table, job.mapping["columns"], today, payers, progress)


def check_step(clinic_id: int, job_id: int, today: date) -> ImportJob:
    """Check the next step of rows (with every row before it: new patients and repeated rows
    depend on earlier rows); once all are checked, the job shows its preview."""
    job = get_job(clinic_id, job_id)
    if job.status != JobStatus.CHECKING:
        return job
    upto = min(job.processed_rows + STEP_ROWS, job.total_rows)
    checked = check_job(job, today, upto)
    job.processed_rows = upto
    job.problems = [[p.row, p.column, p.message] for p in checked.problems]
    if upto >= job.total_rows:
        job.status = JobStatus.CHECKED
        job.result = {"check": checked.counts(), "unknown_payers": checked.unknown_payers}
    return job


def _locked(clinic_id: int, job_id: int) -> ImportJob:
    """The job, its row locked until the transaction ends (a no-op UPDATE, on every database):
    a second click on Import waits for the first, then finds the job done."""
    jobs = ImportJob.__table__
    db.session.execute(sa.update(jobs).where(jobs.c.id == job_id).values(status=jobs.c.status))
    db.session.refresh(get_job(clinic_id, job_id))
    return _open_job(clinic_id, job_id)


def run(actor, clinic_id: int, job_id: int, valid_only: bool, today: date) -> ImportJob:
    """Import the checked file in the caller's transaction: all rows (refused while any has
    a problem) or the valid rows only; the result names each row's fate."""
    job = _locked(clinic_id, job_id)
    if job.status != JobStatus.CHECKED:
        raise Conflict("the file's rows are not checked yet", code="NOT_CHECKED")
    checked = check_job(job, today)
    finish(actor, job, checked, valid_only)
    return job


def finish(actor, job: ImportJob, checked: Checked, valid_only: bool) -> dict:
    """Write the checked rows (or refuse, naming the problems) and store the job's result."""
    problems = checked.problems
    if problems and not valid_only:
        raise Conflict(
            f"{len(problems)} problems in the file: nothing was imported; fix them, "
            "or import the valid rows only",
            {"file": [f"row {p.row}, {p.column}: {p.message}" for p in problems[:20]]},
            code="FILE_NOT_VALID",
        )
    written = write(actor, job.clinic_id, checked, f"import #{job.id} {job.filename}")
    job.valid_only, job.status = valid_only, JobStatus.DONE
    job.processed_rows, job.finished_at = len(checked.outcomes), clock.utcnow()
    job.problems = [[p.row, p.column, p.message] for p in problems]
    job.result = result_of(checked, written)
    audit.record(
        actor, job, "imported", changes={k: v for k, v in job.result.items() if k != "rows"}
    )
    return job.result


def result_of(checked: Checked, written: dict) -> dict:
    rows = []
    for outcome in checked.outcomes:
        if outcome.row in written["rows"]:
            rows.append(
                {
                    "row": outcome.row,
                    "outcome": "created",
                    "request_id": written["rows"][outcome.row],
                }
            )
        elif outcome.problems:
            reason = "; ".join(f"{p.column}: {p.message}" for p in outcome.problems)
            rows.append({"row": outcome.row, "outcome": "not imported", "reason": reason})
        else:
            rows.append({"row": outcome.row, "outcome": "skipped", "reason": outcome.skipped})
    counts = checked.counts()
    return {
        "requests": written["requests"],
        "patients": written["patients"],
        "coverages": written["coverages"],
        "skipped": counts["skipped"],
        "not_imported": counts["invalid"],
        "rows": rows,
    }


def template_headers() -> list[str]:
    return list(FIELDS.values())
