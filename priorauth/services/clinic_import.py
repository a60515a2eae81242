"""A clinic export (services/clinic_export.py) read back into a new or empty clinic.

The directory is verified first (services/clinic_export_check.py: format, schema revision,
every file's SHA-256, every table's row count); then every row is recreated with a new id,
its references translated from the source ids to the new ones, in the caller's transaction
(the handler commits once: all of it or nothing). Users come over without a usable password:
they sign in again after an admin sends them a reset link (docs/interop.md). The stored
attention facts are recomputed for the new patients, and the import is audited on the clinic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent, Clinic, DrugCode, User
from priorauth.services import attention, clock
from priorauth.services.clinic_export_check import Export, read_export
from priorauth.services.clinic_transfer import (
    EXPORTED,
    KEPT_REFERENCES,
    NOT_IMPORTED,
    exported_columns,
    from_json,
    refused,
    table,
)

UNUSABLE_PASSWORD = "!imported"  # no "$": never matches any password (werkzeug)
BATCH = 1000
NOT_EMPTY_IGNORES = {"clinics", "users", "audit_events"}  # an empty clinic may have staff


@dataclass
class Imported:
    """What an import created (rows per table) and what it left aside, with the reason."""

    clinic: Clinic
    counts: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def import_clinic(directory: Path, into: str, email_tag: str | None = None) -> Imported:
    """Recreate the export at `directory` as the clinic named `into` (new, or existing and
    empty); `email_tag` turns ann@x.org into ann+TAG@x.org (emails are unique everywhere)."""
    export = read_export(directory)
    users = [_tagged(row, email_tag) for row in export.rows["users"]]
    export.rows["users"] = users
    _check_emails(users)
    _check_codes(export)
    clinic_id = _target(into, export.rows["clinics"][0])
    maps: dict[str, dict[int, int]] = {"clinics": {export.manifest["clinic"]["id"]: clinic_id}}
    clinic = db.session.get(Clinic, clinic_id, populate_existing=True)
    result = Imported(clinic, {"clinics": 1})
    for name in EXPORTED[1:]:
        if name in NOT_IMPORTED:
            result.skipped[name] = f"{len(export.rows[name])} rows: {NOT_IMPORTED[name]}"
            continue
        maps[name] = _insert_table(name, export.rows[name], maps, export.directory, result)
    attention.refresh_patients(maps["patients"].values())
    _record_import(result, export)
    return result


def _tagged(row: dict, tag: str | None) -> dict:
    if not tag:
        return row
    local, _, domain = row["email"].partition("@")
    return {**row, "email": f"{local}+{tag}@{domain}"}


def _check_emails(users: list[dict]) -> None:
    emails = [row["email"] for row in users]
    taken = sorted(db.session.scalars(sa.select(User.email).where(User.email.in_(emails))))
    if taken:
        raise refused(
            f"these emails already have an account here: {', '.join(taken)} "
            "(import with --email-tag to tell the imported users apart)"
        )


def _code_values(export: Export) -> Iterator[str]:
    for name, rows in export.rows.items():
        for column in exported_columns(name):
            if any(fk.column.table.name in KEPT_REFERENCES for fk in column.foreign_keys):
                yield from (row[column.name] for row in rows if row[column.name] is not None)


def _check_codes(export: Export) -> None:
    wanted = set(_code_values(export))
    known = set(db.session.scalars(sa.select(DrugCode.code).where(DrugCode.code.in_(wanted))))
    if missing := sorted(wanted - known):
        raise refused(
            f"drug codes missing from this database's catalog: {', '.join(missing)} "
            "(run `flask seed-reference` first)"
        )


def _settings(row: dict) -> dict:
    columns = [c for c in exported_columns("clinics") if c.name not in {"id", "name"}]
    return {column.name: from_json(column, row[column.name]) for column in columns}


def _target(into: str, clinic_row: dict) -> int:
    """The clinic to fill: the one named `into` when it holds nothing yet, else a new one;
    either way it takes the exported clinic's settings."""
    clinics = table("clinics")
    found = db.session.scalar(sa.select(clinics.c.id).where(clinics.c.name == into))
    if found is None:
        insert = sa.insert(clinics).values(name=into, **_settings(clinic_row))
        return db.session.execute(insert.returning(clinics.c.id)).scalar_one()
    _check_empty(found, into)
    update = sa.update(clinics).where(clinics.c.id == found).values(**_settings(clinic_row))
    db.session.execute(update)
    return found


def _check_empty(clinic_id: int, name: str) -> None:
    held = {}
    for table_name in EXPORTED:
        if table_name in NOT_EMPTY_IGNORES:
            continue
        rows = table(table_name)
        count = sa.select(sa.func.count()).select_from(rows).where(rows.c.clinic_id == clinic_id)
        if number := db.session.scalar(count):
            held[table_name] = number
    if held:
        what = ", ".join(f"{count} {table_name}" for table_name, count in held.items())
        raise refused(f"clinic {name} is not empty ({what}); import into a new clinic")


def _insert_table(name: str, rows: list[dict], maps: dict, directory: Path, result) -> dict:
    """Insert the table's rows with new ids; -> source id -> new id."""
    columns = [c for c in exported_columns(name) if c.name != "id"]
    values, sources, later = [], [], []
    for row in rows:
        value = _row_values(name, row, columns, maps, directory)
        if value is None:  # an audit event about a row that was not carried over
            continue
        later.append(value.pop("_self", None))
        values.append(value)
        sources.append(row["id"])
    new_ids = _insert_rows(name, values)
    mapping = dict(zip(sources, new_ids, strict=True))
    _link_to_self(name, new_ids, later, mapping)
    result.counts[name] = len(new_ids)
    if left := len(rows) - len(new_ids):
        result.skipped[name] = f"{left} rows about rows that were not exported"
    return mapping


def _row_values(name, row, columns, maps, directory) -> dict | None:
    values = {}
    for column in columns:
        value = from_json(column, row.get(column.name))
        targets = {fk.column.table.name for fk in column.foreign_keys} - KEPT_REFERENCES
        if value is not None and targets:
            (target,) = targets
            if target == name:  # a row of the same table (a renewal): linked after the insert
                values["_self"], value = value, None
            else:
                value = _translated(maps, target, value, f"{name}.{column.name}")
        values[column.name] = value
    return _special(name, row, values, maps, directory)


def _translated(maps: dict, target: str, source_id: int, where: str) -> int:
    new_id = maps[target].get(source_id)
    if new_id is None:
        raise refused(f"{where}: {target} {source_id} is not in the export")
    return new_id


def _special(name: str, row: dict, values: dict, maps: dict, directory: Path) -> dict | None:
    """What a column's foreign key does not say: passwords, files, audited rows."""
    if name == "users":
        values["password_hash"] = UNUSABLE_PASSWORD
    elif name == "attachments":
        values["content"] = (directory / row["content"]).read_bytes()
    elif name == "audit_events":
        values["entity_id"] = maps.get(row["entity_type"], {}).get(row["entity_id"])
        if values["entity_id"] is None:
            return None
    return values


def _insert_rows(name: str, values: list[dict]) -> list[int]:
    rows, new_ids = table(name), []
    insert = sa.insert(rows).returning(rows.c.id, sort_by_parameter_order=True)
    try:
        for start in range(0, len(values), BATCH):
            new_ids += db.session.scalars(insert, values[start : start + BATCH]).all()
    except sa.exc.IntegrityError as error:  # an export edited by hand (and signed again)
        raise refused(f"{name}.json: a row breaks a rule of the database: {error.orig}") from None
    return new_ids


def _link_to_self(name: str, new_ids: list[int], sources: list, mapping: dict) -> None:
    """Set a self-reference (a request's renews_id) once every row of the table has its id;
    updated_at stays what the export says."""
    rows = table(name)
    column = next((c for c in rows.columns if c.name != "id" and _refers_to(c, name)), None)
    for new_id, source in zip(new_ids, sources, strict=True):
        if source is None:
            continue
        target = _translated({name: mapping}, name, source, f"{name}.{column.name}")
        kept = {c.name: c for c in rows.columns if c.name == "updated_at"}  # not onupdate's now
        update = sa.update(rows).where(rows.c.id == new_id)
        db.session.execute(update.values({column.name: target, **kept}))


def _refers_to(column: sa.Column, name: str) -> bool:
    return any(fk.column.table.name == name for fk in column.foreign_keys)


def _record_import(result: Imported, export: Export) -> None:
    source = export.manifest["clinic"]
    event = AuditEvent(
        clinic_id=result.clinic.id,
        entity_type="clinics",
        entity_id=result.clinic.id,
        action="imported",
        changes={"rows": sum(result.counts.values()), "source_clinic_id": source["id"]},
        note=f"clinic export of {source['name']} ({export.manifest['exported_at']})",
        at=clock.recorded_now(),
    )
    db.session.add(event)
    db.session.flush()
