"""`flask import authorizations`: dry run, import, valid rows only, columns and payers given."""

from __future__ import annotations

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, ImportJob, Patient
from tests import sheet_files as files


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["import", "authorizations", *args])


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def write(tmp_path, rows, name="auths.csv"):
    path = tmp_path / name
    path.write_bytes(files.xlsx_bytes(rows) if name.endswith("xlsx") else files.csv_bytes(rows))
    return str(path)


def test_a_dry_run_reports_and_writes_nothing(app_ctx, clinic, tmp_path):
    files.payer(clinic)
    path = write(tmp_path, [files.row(1), files.row(2, Status="maybe")])
    result = cli(app_ctx, path, "--clinic", clinic.name, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "row 3, Status: 'maybe' is not a status we know" in result.output
    assert "dry run, nothing written: 1 requests to create (1 new patients), 0 skipped, 1 rows" in (
        result.output
    )
    assert count(AuthorizationRequest) == count(Patient) == count(ImportJob) == 0


def test_a_bad_file_imports_nothing_unless_valid_only(app_ctx, clinic, tmp_path):
    files.payer(clinic)
    path = write(tmp_path, [files.row(1), files.row(2, Status="maybe")], "auths.xlsx")
    refused = cli(app_ctx, path, "--clinic", str(clinic.id))
    assert (
        refused.exit_code == 1 and "1 problems in the file: nothing was imported" in refused.output
    )
    assert count(AuthorizationRequest) == 0
    done = cli(app_ctx, path, "--clinic", str(clinic.id), "--valid-only")
    assert done.exit_code == 0, done.output
    assert (
        "created 1 requests, 1 patients and 1 coverages; skipped 0, not imported 1" in done.output
    )
    again = cli(app_ctx, path, "--clinic", clinic.name, "--valid-only")
    assert "row 2: skipped, already imported (request #" in again.output
    assert count(AuthorizationRequest) == 1


def test_columns_and_payers_given_on_the_command_line(app_ctx, clinic, tmp_path):
    blue = files.payer(clinic)
    theirs = files.row(1, Payer="BCBS")
    theirs["Mg"] = theirs.pop("Dose (mg)")
    path = write(tmp_path, [theirs])
    missing = cli(app_ctx, path, "--clinic", clinic.name)
    assert "no column is chosen for Dose (mg) (use --column HEADER=FIELD)" in missing.output
    args = (path, "--clinic", clinic.name, "--column", "Mg=dose_mg")
    done = cli(app_ctx, *args, "--payer", f"BCBS={blue.id}")
    assert done.exit_code == 0, done.output
    assert db.session.scalar(sa.select(AuthorizationRequest.dose_mg)) == 750


def test_bad_options_are_refused(app_ctx, clinic, tmp_path):
    path = write(tmp_path, [files.row(1)])
    assert "no clinic named 'Nowhere'" in cli(app_ctx, path, "--clinic", "Nowhere").output
    assert (
        "'Mg' is not NAME=VALUE"
        in cli(app_ctx, path, "--clinic", clinic.name, "--column", "Mg").output
    )
    bad = cli(app_ctx, path, "--clinic", clinic.name, "--payer", "BCBS=x")
    assert "BCBS=x: PAYER_ID must be a number" in bad.output
