"""`flask export clinic` / `flask import clinic`: a whole clinic to JSON files and back into an
empty clinic, every row reproduced field by field (ids aside); SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from werkzeug.security import check_password_hash

from priorauth.errors import Conflict
from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, Clinic, User
from priorauth.services import clinic_export, clinic_import
from priorauth.services.clinic_transfer import (
    EXPORTED,
    LEFT_OUT,
    MANIFEST,
    SECRET_COLUMNS,
    sha256_of,
    table,
)
from tests.integration.clinic_transfer_data import PDF, full_clinic, small_clinic, snapshot


def cli(app, *args):
    """Run a flask command in its own app context (its own session), as a command runs."""
    db.session.commit()
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def clinic(app_ctx):
    return full_clinic()


def _export(clinic, directory: Path) -> dict:
    manifest = clinic_export.export_clinic(clinic, directory)
    db.session.commit()
    return manifest


def _rows(directory: Path, name: str) -> list[dict]:
    return json.loads((directory / f"{name}.json").read_text())


def test_every_table_is_exported_or_left_out_on_purpose():
    assert set(db.metadata.tables) == set(EXPORTED) | set(LEFT_OUT)
    assert not set(EXPORTED) & set(LEFT_OUT)


def test_the_export_writes_every_column_of_every_table(clinic, tmp_path):
    manifest = _export(clinic, tmp_path / "out")
    for name in EXPORTED:
        rows = _rows(tmp_path / "out", name)
        assert rows, f"the test clinic has no {name}: the column check would prove nothing"
        wanted = {c.name for c in table(name).columns} - SECRET_COLUMNS.get(name, set())
        assert all(set(row) == wanted for row in rows), name
        assert manifest["counts"][name] == len(rows)


def _ids(name: str, clinic_id: int) -> list[int]:
    rows = table(name)
    owner = rows.c.id if name == "clinics" else rows.c.clinic_id
    query = sa.select(rows.c.id).where(owner == clinic_id).order_by(rows.c.id)
    return list(db.session.scalars(query))


def _migrations_head() -> str:
    """The newest revision in migrations/ (what the test database was upgraded to)."""
    return ScriptDirectory(
        str(Path(current_app.root_path).parent / "migrations")
    ).get_current_head()


def test_the_export_holds_the_clinics_rows_and_no_secret(clinic, tmp_path):
    other = small_clinic()
    out = tmp_path / "out"
    ids = {name: _ids(name, clinic.id) for name in EXPORTED}
    manifest = _export(clinic, out)
    for name in EXPORTED:
        assert [row["id"] for row in _rows(out, name)] == ids[name], name
    users = (out / "users.json").read_text()
    assert "password_hash" not in users and "c" * 64 not in users and "ann@small" not in users
    assert other.name not in (out / "clinics.json").read_text()
    assert manifest["clinic"] == {"id": clinic.id, "name": clinic.name}
    assert manifest["schema_revision"] == _migrations_head() and manifest["format_version"] == 1
    assert manifest["exported_at"].endswith("Z")


def test_attachments_are_files_and_every_file_has_its_checksum(clinic, tmp_path):
    out = tmp_path / "out"
    manifest = _export(clinic, out)
    (row,) = _rows(out, "attachments")
    assert row["content"] == f"attachments/{row['id']}.bin"
    assert (out / row["content"]).read_bytes() == PDF
    listed = {path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()}
    assert set(manifest["files"]) == listed - {MANIFEST}
    assert all(sha256_of(out / name) == digest for name, digest in manifest["files"].items())
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o700
    assert {stat.S_IMODE(os.stat(out / name).st_mode) for name in listed} == {0o600}


def test_the_export_is_recorded_and_changes_nothing_else(clinic, tmp_path):
    before = snapshot(clinic.id)
    _export(clinic, tmp_path / "out")
    after = snapshot(clinic.id)
    event = after["audit_events"].pop()
    assert (event["entity_type"], event["action"]) == ("clinics", "exported")
    assert after == before


def test_the_same_clinic_gives_the_same_files(clinic, tmp_path):
    first, second = _export(clinic, tmp_path / "a"), _export(clinic, tmp_path / "b")
    changed = {n for n in first["files"] if first["files"][n] != second["files"][n]}
    assert changed == {"audit_events.json"}  # the second holds the first's "exported" event


def test_an_import_reproduces_the_clinic_field_by_field(clinic, tmp_path):
    sources = {u.email: u for u in db.session.scalars(sa.select(User))}
    before = snapshot(clinic.id)
    _export(clinic, tmp_path / "out")
    result = clinic_import.import_clinic(tmp_path / "out", "Copy", email_tag="copy")
    db.session.commit()
    copy = db.session.scalar(sa.select(Clinic).where(Clinic.name == "Copy"))
    assert result.clinic.id == copy.id != clinic.id
    after = snapshot(copy.id)
    event = after["audit_events"].pop()
    assert (event["action"], event["entity_id"]) == ("imported", 0)
    before["audit_events"] = [e for e in before["audit_events"] if e["entity_type"] != "api_tokens"]
    for name in before:
        assert after[name] == before[name], name
    assert result.skipped["audit_events"] == "1 rows about rows that were not exported"
    assert "reminder_states" in result.skipped
    assert result.counts["patients"] == 30 and result.counts["infusions"] == 27
    _check_users(sources, copy.id)
    _check_renewal(copy)


def _check_users(sources: dict, copy_id: int) -> None:
    """Imported users: tagged emails, no usable password, no sign-in or calendar secrets."""
    users = db.session.scalars(sa.select(User).where(User.clinic_id == copy_id)).all()
    assert len(users) == len(sources) == 4
    for user in users:
        local, domain = user.email.split("@")
        source = sources[f"{local.removesuffix('+copy')}@{domain}"]
        assert local.endswith("+copy") and user.active == source.active
        assert not check_password_hash(user.password_hash, "correct-horse-7")
        assert user.calendar_token_hash is None and user.locked_until is None


def _check_renewal(copy: Clinic) -> None:
    """A renewal names the new request it renews; issue-14/15 columns came along."""
    renewal = db.session.scalar(
        sa.select(AuthorizationRequest).where(
            AuthorizationRequest.clinic_id == copy.id, AuthorizationRequest.renews_id.is_not(None)
        )
    )
    renewed = db.session.get(AuthorizationRequest, renewal.renews_id)
    assert renewed.clinic_id == copy.id and renewal.owner.clinic_id == copy.id
    assert (renewal.review_action_code, renewal.import_key) == ("A1", "sheet-row-7")


def test_an_import_fills_an_existing_empty_clinic_keeping_its_staff(app_ctx, tmp_path):
    source = small_clinic(with_user=False)
    source.digest_hour = 9
    _export(source, tmp_path / "out")
    target = small_clinic("Target", with_user=False)
    for row in ("coverages", "patients", "payers"):
        db.session.execute(sa.delete(table(row)).where(table(row).c.clinic_id == target.id))
    db.session.add(
        User(clinic_id=target.id, email="boss@t.test", name="B", role="admin", password_hash="x")
    )
    db.session.commit()
    result = clinic_import.import_clinic(tmp_path / "out", "Target")
    db.session.commit()
    assert result.clinic.id == target.id and result.counts["patients"] == 1
    db.session.refresh(target)
    assert target.digest_hour == 9 and target.name == "Target"
    assert db.session.scalar(sa.select(User.clinic_id).where(User.email == "boss@t.test")) == (
        target.id
    )
    assert snapshot(target.id)["patients"] == snapshot(source.id)["patients"]


def test_a_non_empty_clinic_is_refused_and_nothing_changes(clinic, tmp_path):
    small_clinic("Busy")
    _export(clinic, tmp_path / "out")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    with pytest.raises(Conflict) as refused:
        clinic_import.import_clinic(tmp_path / "out", "Busy", email_tag="t")
    db.session.rollback()
    assert "clinic Busy is not empty (1 payers, 1 patients, 1 coverages)" in str(refused.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


def test_the_commands_round_trip(app_ctx, clinic, tmp_path):
    out = tmp_path / "out"
    result = cli(app_ctx, "export", "clinic", str(out), "--clinic", str(clinic.id))
    assert result.exit_code == 0, result.output
    assert f"Exported {clinic.name} to {out}" in result.output and "patients" in result.output
    result = cli(app_ctx, "import", "clinic", str(out), "--into", "Moved", "--email-tag", "m")
    assert result.exit_code == 0, result.output
    assert "Imported" in result.output and "not imported: reminder_states" in result.output
    db.session.commit()
    moved = db.session.scalar(sa.select(Clinic).where(Clinic.name == "Moved"))
    assert snapshot(moved.id)["infusions"] == snapshot(clinic.id)["infusions"]


def test_the_commands_refuse_in_words(app_ctx, clinic, tmp_path):
    app = app_ctx
    result = cli(app, "export", "clinic", str(tmp_path / "out"), "--clinic", "Nowhere")
    assert result.exit_code == 1 and "clinic: no clinic Nowhere" in result.output
    assert (
        cli(app, "export", "clinic", str(tmp_path / "out"), "--clinic", clinic.name).exit_code == 0
    )
    result = cli(app, "import", "clinic", str(tmp_path / "out"), "--into", "Copy")
    assert result.exit_code == 1 and "already have an account here" in result.output
    assert db.session.scalar(sa.select(Clinic.id).where(Clinic.name == "Copy")) is None
