"""A whole clinic written to a directory: one JSON file per table, the attachments' bytes as
files, and a manifest (format and schema version, counts, a SHA-256 per file).

A read: nothing of the clinic changes, but the export itself is recorded (an "exported"
audit event on the clinic), and the handler commits that. Rows keep their ids (the source
ids) and refer to each other by them; every table's rows are written in id order, one row a
line, keys sorted, so the same clinic gives the same files. docs/interop.md describes the
format; services/clinic_import.py reads it back.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import sqlalchemy as sa

from priorauth.errors import NotFound
from priorauth.extensions import db
from priorauth.models import AuditEvent, Clinic
from priorauth.services import clock
from priorauth.services.clinic_transfer import (
    ATTACHMENTS_DIR,
    EXPORTED,
    FORMAT,
    FORMAT_VERSION,
    LEFT_OUT,
    MANIFEST,
    NOT_IMPORTED,
    SECRET_COLUMNS,
    attachment_path,
    exported_columns,
    refused,
    schema_revision,
    sha256_of,
    table,
    to_json,
)

BATCH = 1000  # rows fetched at a time: memory stays flat whatever the clinic's size


def find_clinic(ident: str) -> Clinic:
    """A clinic by its id (digits) or its name."""
    column = Clinic.id if ident.isdigit() else Clinic.name
    value = int(ident) if ident.isdigit() else ident
    clinic = db.session.scalar(sa.select(Clinic).where(column == value))
    if clinic is None:
        raise NotFound(f"clinic: no clinic {ident}", {"clinic": [f"no clinic {ident}"]})
    return clinic


def export_clinic(clinic: Clinic, directory: Path) -> dict:
    """Write the clinic to `directory` (new or empty; made owner-only) and return the manifest."""
    try:
        manifest = _write_export(clinic, directory)
    except OSError as error:
        raise refused(f"cannot write {error.filename or directory}: {error.strerror}") from None
    _record_export(clinic, directory, manifest["counts"])
    return manifest


def _write_export(clinic: Clinic, directory: Path) -> dict:
    _prepare(directory)
    counts, files = {}, {}
    for name in EXPORTED:
        counts[name] = _write_table(clinic.id, name, directory, files)
    manifest = _manifest(clinic, counts, files)
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    _write_private(directory / MANIFEST, text.encode())
    return manifest


def _prepare(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise refused(f"{directory} is not an empty directory; choose a new one")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)  # an existing empty directory too
    (directory / ATTACHMENTS_DIR).mkdir(mode=0o700)


def _private_file(path: Path):
    """A new file, opened for writing, readable by its owner only (an export holds PHI)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _write_private(path: Path, data: bytes) -> None:
    with _private_file(path) as file:
        file.write(data)


def _rows(clinic_id: int, name: str):
    rows = table(name)
    owner = rows.c.id if name == "clinics" else rows.c.clinic_id
    query = sa.select(*exported_columns(name)).where(owner == clinic_id).order_by(rows.c.id)
    return db.session.execute(query.execution_options(yield_per=BATCH)).mappings()


def _write_table(clinic_id: int, name: str, directory: Path, files: dict) -> int:
    """`name`.json: a JSON array, one row a line; attachments' bytes go to their own files."""
    file_name, count = f"{name}.json", 0
    with _private_file(directory / file_name) as out:
        out.write(b"[")
        for row in _rows(clinic_id, name):
            values = {key: to_json(value) for key, value in row.items()}
            if name == "attachments":
                values["content"] = _write_attachment(row["id"], row["content"], directory, files)
            out.write(b",\n" if count else b"\n")
            out.write(json.dumps(values, sort_keys=True).encode())
            count += 1
        out.write(b"\n]\n")
    files[file_name] = sha256_of(directory / file_name)
    return count


def _write_attachment(source_id: int, content: bytes, directory: Path, files: dict) -> str:
    relative = attachment_path(source_id)
    _write_private(directory / relative, content)
    files[relative] = sha256_of(directory / relative)
    return relative


def _manifest(clinic: Clinic, counts: dict, files: dict) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": schema_revision(),
        "exported_at": clock.now_utc().isoformat(timespec="seconds") + "Z",
        "clinic": {"id": clinic.id, "name": clinic.name},
        "counts": counts,
        "files": dict(sorted(files.items())),
        "left_out": {
            "tables": LEFT_OUT,
            "columns": {name: sorted(columns) for name, columns in SECRET_COLUMNS.items()},
            "not_imported": NOT_IMPORTED,
        },
    }


def _record_export(clinic: Clinic, directory: Path, counts: dict) -> None:
    event = AuditEvent(
        clinic_id=clinic.id,
        entity_type="clinics",
        entity_id=clinic.id,
        action="exported",
        changes={"rows": sum(counts.values())},
        note=f"clinic export written to {directory}",
        at=clock.recorded_now(),
    )
    db.session.add(event)
    db.session.flush()
