"""A clinic export that is damaged, of another version, or aimed at the wrong place is refused
in words before anything is written; and the values that round-trip through JSON."""

from __future__ import annotations

import json
import os
import stat
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from priorauth.errors import Conflict, NotFound
from priorauth.extensions import db
from priorauth.models import AuditEvent, Clinic, User
from priorauth.services import clinic_export, clinic_import
from priorauth.services.clinic_transfer import MANIFEST, from_json, sha256_of, table, to_json
from tests.integration.clinic_transfer_data import small_clinic


@pytest.fixture
def export(app_ctx, tmp_path) -> Path:
    """A small clinic's export, its user's email already taken (it is still here)."""
    clinic_export.export_clinic(small_clinic(), tmp_path / "out")
    db.session.commit()
    return tmp_path / "out"


def _manifest(directory: Path) -> dict:
    return json.loads((directory / MANIFEST).read_text())


def _write_manifest(directory: Path, manifest: dict) -> None:
    (directory / MANIFEST).write_text(json.dumps(manifest))


def _rewrite(directory: Path, name: str, change) -> None:
    """Change a table's rows and sign the file again, as a careful forger would."""
    path = directory / f"{name}.json"
    rows = json.loads(path.read_text())
    change(rows)
    path.write_text(json.dumps(rows))
    manifest = _manifest(directory)
    manifest["files"][path.name] = sha256_of(path)
    manifest["counts"][name] = len(rows)
    _write_manifest(directory, manifest)


def _refusal(directory: Path, into: str = "Copy", tag: str | None = "t") -> str:
    clinics = db.session.scalar(sa.select(sa.func.count()).select_from(Clinic))
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    with pytest.raises(Conflict) as refused:
        clinic_import.import_clinic(directory, into, email_tag=tag)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Clinic)) == clinics
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events
    assert refused.value.code == "CLINIC_TRANSFER_REFUSED"
    return refused.value.message


def test_a_changed_file_fails_its_checksum(export):
    rows = (export / "patients.json").read_text().replace('"Ann"', '"Anne"')
    (export / "patients.json").write_text(rows)
    assert _refusal(export) == (
        "patients.json: its SHA-256 differs from the manifest's (changed or damaged)"
    )


def test_a_missing_or_unreadable_manifest_is_refused(export):
    (export / MANIFEST).write_text("{not json")
    assert _refusal(export).startswith(f"{MANIFEST} cannot be read: ")
    (export / MANIFEST).write_text("[]")
    assert _refusal(export) == f"{MANIFEST} is not a JSON object"
    (export / MANIFEST).unlink()
    assert _refusal(export).endswith("manifest.json is missing: not a clinic export")


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("format_version", 2, "priorauth-clinic-export version 2 is not a priorauth-clinic"),
        ("format", "other", "other version 1 is not a priorauth-clinic-export version 1"),
        ("schema_revision", "0000", "exported at schema revision 0000, this database is at"),
        ("files", None, "no list of files with their SHA-256"),
    ],
)
def test_another_format_or_schema_is_refused(export, key, value, words):
    manifest = _manifest(export)
    manifest[key] = value
    _write_manifest(export, manifest)
    assert words in _refusal(export)


@pytest.mark.parametrize("name", ["../elsewhere.json", "attachments", "nothing.json"])
def test_a_listed_file_must_be_a_file_inside_the_export(export, name):
    (export.parent / "elsewhere.json").write_text("[]")
    manifest = _manifest(export)
    manifest["files"][name] = "0" * 64
    _write_manifest(export, manifest)
    assert _refusal(export) == f"{MANIFEST} lists {name}, which is not a file of the export"


def test_every_table_file_is_listed_and_counted(export):
    manifest = _manifest(export)
    manifest["counts"]["patients"] = 2
    _write_manifest(export, manifest)
    assert _refusal(export) == "patients.json holds 1 rows; the manifest counts 2"
    del manifest["files"]["patients.json"]
    _write_manifest(export, manifest)
    assert _refusal(export) == f"{MANIFEST} does not list patients.json"


def test_a_table_file_must_be_an_array(export):
    _rewrite(export, "payers", lambda rows: None)
    (export / "payers.json").write_text("{}")
    manifest = _manifest(export)
    manifest["files"]["payers.json"] = sha256_of(export / "payers.json")
    _write_manifest(export, manifest)
    assert _refusal(export) == "payers.json is not a JSON array"


def test_an_export_holds_one_clinic(export):
    _rewrite(export, "clinics", lambda rows: rows.append(rows[0]))
    assert _refusal(export) == "clinics.json holds 2 clinics; an export holds one"


def test_a_reference_to_a_row_not_in_the_export_is_refused(export):
    _rewrite(export, "coverages", lambda rows: rows[0].update(payer_id=999999))
    assert _refusal(export) == "coverages.payer_id: payers 999999 is not in the export"


def test_a_renewal_of_a_request_not_in_the_export_is_refused(export):
    def add_request(rows):
        coverage = json.loads((export / "coverages.json").read_text())[0]
        rows.append(_request(coverage, renews_id=424242))

    _rewrite(export, "authorization_requests", add_request)
    expected = (
        "authorization_requests.renews_id: authorization_requests 424242 is not in the export"
    )
    assert _refusal(export) == expected


def _request(coverage: dict, **extra) -> dict:
    columns = table("authorization_requests").columns
    row = {column.name: None for column in columns}
    row.update(
        id=77,
        clinic_id=coverage["clinic_id"],
        patient_id=coverage["patient_id"],
        coverage_id=coverage["id"],
        hcpcs_code="J1439",
        diagnosis_codes=["D50.9"],
        dose_mg="750",
        administrations=1,
        units_requested=750,
        requested_start="2026-03-01",
        requested_end="2026-05-31",
        urgency="standard",
        status="draft",
        units_given=0,
        units_booked=0,
        visits_given=0,
        visits_booked=0,
        created_at="2026-03-01T12:00:00",
        updated_at="2026-03-01T12:00:00",
        version=1,
    )
    return {**row, **extra}


def test_a_row_breaking_a_database_rule_is_refused(export):
    _rewrite(export, "payers", lambda rows: rows.append({**rows[0], "id": 99}))
    assert _refusal(export).startswith("payers.json: a row breaks a rule of the database: ")


def test_a_drug_code_unknown_here_is_refused(export):
    def add_request(rows):
        coverage = json.loads((export / "coverages.json").read_text())[0]
        rows.append(_request(coverage, hcpcs_code="Q9999"))

    _rewrite(export, "authorization_requests", add_request)
    assert _refusal(export).startswith("drug codes missing from this database's catalog: Q9999")


def test_emails_taken_here_are_refused_unless_tagged(export):
    assert _refusal(export, tag=None) == (
        "these emails already have an account here: ann@small.test "
        "(import with --email-tag to tell the imported users apart)"
    )
    result = clinic_import.import_clinic(export, "Copy", email_tag="copy")
    assert db.session.scalar(sa.select(User.email).where(User.clinic_id == result.clinic.id)) == (
        "ann+copy@small.test"
    )


def test_without_users_no_tag_is_needed(app_ctx, tmp_path):
    clinic_export.export_clinic(small_clinic(with_user=False), tmp_path / "out")
    result = clinic_import.import_clinic(tmp_path / "out", "Copy")
    assert result.counts["users"] == 0 and result.counts["coverages"] == 1


def test_the_export_needs_a_new_or_empty_directory(app_ctx, tmp_path):
    clinic = small_clinic()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    (tmp_path / "file").write_text("x")
    for name in ("full", "file"):
        with pytest.raises(Conflict) as refused:
            clinic_export.export_clinic(clinic, tmp_path / name)
        assert (
            refused.value.message
            == f"{tmp_path / name} is not an empty directory; choose a new one"
        )
    (tmp_path / "empty").mkdir(mode=0o755)
    assert clinic_export.export_clinic(clinic, tmp_path / "empty")["counts"]["patients"] == 1
    assert stat.S_IMODE(os.stat(tmp_path / "empty").st_mode) == 0o700
    with pytest.raises(Conflict) as refused:
        clinic_export.export_clinic(clinic, tmp_path / "file" / "below")
    assert refused.value.message.startswith(f"cannot write {tmp_path / 'file' / 'below'}: ")


def test_a_clinic_is_found_by_id_or_name(app_ctx):
    clinic = small_clinic()
    assert clinic_export.find_clinic(str(clinic.id)) is clinic
    assert clinic_export.find_clinic("Small") is clinic
    with pytest.raises(NotFound, match="clinic: no clinic 999"):
        clinic_export.find_clinic("999")


@pytest.mark.parametrize(
    ("column", "value", "written"),
    [
        (table("infusions").c.scheduled_at, datetime(2026, 3, 2, 9, 30), "2026-03-02T09:30:00"),
        (table("infusions").c.lot_expiration, date(2027, 1, 31), "2027-01-31"),
        (table("infusions").c.dose_mg, Decimal("750.000"), "750.000"),
        (table("attachments").c.content, b"\x00\xff", "AP8="),
        (table("infusions").c.claim_lines, [{"code": "J1439"}], [{"code": "J1439"}]),
        (table("infusions").c.units_reserved, 750, 750),
        (table("infusions").c.lot_number, None, None),
    ],
)
def test_values_round_trip_through_json(column, value, written):
    assert to_json(value) == written
    assert from_json(column, json.loads(json.dumps(written))) == value
