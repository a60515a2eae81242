"""Read a clinic export directory and verify it before anything is written: the manifest's
format and version, the database's schema revision, every listed file's SHA-256 (no file
outside the directory), every table's file present and holding the rows the manifest counts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from priorauth.services.clinic_transfer import (
    EXPORTED,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    refused,
    schema_revision,
    sha256_of,
)


@dataclass
class Export:
    directory: Path
    manifest: dict
    rows: dict[str, list[dict]]  # table -> its rows, as written


def read_export(directory: Path) -> Export:
    """The verified export at `directory`; a refusal naming the first problem found."""
    directory = directory.resolve()
    manifest = _load(directory, MANIFEST, dict)
    _check_version(manifest)
    _check_files(directory, manifest.get("files"))
    rows = {name: _table_rows(directory, manifest, name) for name in EXPORTED}
    if len(rows["clinics"]) != 1:
        raise refused(f"clinics.json holds {len(rows['clinics'])} clinics; an export holds one")
    return Export(directory, manifest, rows)


def _load(directory: Path, name: str, kind: type):
    try:
        value = json.loads((directory / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise refused(f"{directory / name} is missing: not a clinic export") from None
    except (ValueError, OSError) as error:
        raise refused(f"{name} cannot be read: {error}") from error
    if not isinstance(value, kind):
        raise refused(f"{name} is not a JSON {'object' if kind is dict else 'array'}")
    return value


def _check_version(manifest: dict) -> None:
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        found = f"{manifest.get('format')} version {manifest.get('format_version')}"
        raise refused(f"{MANIFEST}: {found} is not a {FORMAT} version {FORMAT_VERSION}")
    here = schema_revision()
    if manifest.get("schema_revision") != here:
        raise refused(
            f"{MANIFEST}: exported at schema revision {manifest.get('schema_revision')}, "
            f"this database is at {here}; import with the same version of priorauth"
        )


def _check_files(directory: Path, files) -> None:
    if not isinstance(files, dict):
        raise refused(f"{MANIFEST}: no list of files with their SHA-256")
    for name, digest in files.items():
        path = (directory / name).resolve()
        if not path.is_relative_to(directory) or not path.is_file():
            raise refused(f"{MANIFEST} lists {name}, which is not a file of the export")
        if sha256_of(path) != digest:
            raise refused(f"{name}: its SHA-256 differs from the manifest's (changed or damaged)")


def _table_rows(directory: Path, manifest: dict, name: str) -> list[dict]:
    file_name = f"{name}.json"
    if file_name not in manifest["files"]:
        raise refused(f"{MANIFEST} does not list {file_name}")
    rows = _load(directory, file_name, list)
    expected = manifest.get("counts", {}).get(name)
    if len(rows) != expected:
        raise refused(f"{file_name} holds {len(rows)} rows; the manifest counts {expected}")
    return rows
