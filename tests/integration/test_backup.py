"""`flask backup create` and `flask backup restore`: every row comes back (SQLite, PostgreSQL)."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from priorauth import demo
from priorauth.extensions import db
from priorauth.factory import create_app
from priorauth.models import Clinic, Infusion
from tests import factories

TODAY = date(2026, 3, 16)


def cli(app, *args):
    """Run a flask command in `app`'s own context (the test holds the main app's)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def snapshot(engine) -> dict[str, tuple[int, str]]:
    """Per table: the row count and a SHA-256 of its rows, sorted."""
    tables = {}
    with engine.connect() as connection:
        for name in sa.inspect(connection).get_table_names():
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            rows = sorted(repr(tuple(row)) for row in connection.execute(sa.select(table)))
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            tables[name] = (len(rows), digest)
    return tables


def _restore_url(url: sa.URL, tmp_path: Path) -> sa.URL:
    """An empty database next to the test one: a new file, or a new PostgreSQL database."""
    if url.get_backend_name() == "sqlite":
        return url.set(database=str(tmp_path / "restored.sqlite"))
    target = url.set(database=f"{url.database}_restore")
    _admin(url, f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    _admin(url, f'CREATE DATABASE "{target.database}"')
    return target


def _admin(url: sa.URL, statement: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text(statement))
    engine.dispose()


@pytest.fixture
def target(app_ctx, tmp_path):
    """A second app on an empty database, for restores; the database is dropped after."""
    url = db.engine.url
    restore_url = _restore_url(url, tmp_path)
    restored = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": restore_url.render_as_string(hide_password=False),
            "SECRET_KEY": "test-secret",
        }
    )
    yield restored
    with restored.app_context():
        db.engine.dispose()
    if url.get_backend_name() == "postgresql":
        _admin(url, f'DROP DATABASE IF EXISTS "{restore_url.database}" WITH (FORCE)')


def _engine_of(app):
    with app.app_context():
        return db.engine


@pytest.fixture
def seeded(app_ctx):
    demo.seed(today=TODAY)
    db.session.commit()
    return app_ctx


def test_backup_and_restore_bring_back_every_row(seeded, target, tmp_path):
    path = tmp_path / "priorauth.backup"
    made = cli(seeded, "backup", "create", str(path))
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert f"Backup written to {path}" in made.output
    before = snapshot(db.engine)
    assert f"{len(before)} tables" in made.output
    assert before["infusions"][0] > 0 and before["audit_events"][0] > 0

    restored = cli(target, "backup", "restore", str(path))
    assert restored.exit_code == 0, restored.output
    assert f"{len(before)} tables, {sum(n for n, _ in before.values()):,} rows" in restored.output
    assert snapshot(_engine_of(target)) == before


def test_restore_refuses_a_database_that_has_tables(seeded, tmp_path):
    path = tmp_path / "priorauth.backup"
    assert cli(seeded, "backup", "create", str(path)).exit_code == 0
    before = snapshot(db.engine)
    refused = cli(seeded, "backup", "restore", str(path))
    assert refused.exit_code == 1
    assert isinstance(refused.exception, SystemExit)  # a click error, not a traceback
    assert "the target database is not empty" in refused.output
    assert "infusions" in refused.output and "patients" in refused.output
    assert snapshot(db.engine) == before


def test_restore_refuses_what_is_not_a_backup(app_ctx, target, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    refused = cli(target, "backup", "restore", str(junk))
    assert refused.exit_code == 1
    assert "is not a backup" in refused.output
    missing = cli(target, "backup", "restore", str(tmp_path / "missing.backup"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.output
    assert snapshot(_engine_of(target)) == {}


def test_backup_never_overwrites_a_file(app_ctx, tmp_path):
    path = tmp_path / "existing.backup"
    path.write_text("keep me")
    refused = cli(app_ctx, "backup", "create", str(path))
    assert refused.exit_code == 1
    assert "already exists" in refused.output
    assert path.read_text() == "keep me"


def test_online_backup_holds_committed_writes_only(app_ctx, target, tmp_path):
    """While the app runs: a committed write is in the backup, an uncommitted one is not."""
    factories.clinic("Committed Before Backup")
    in_flight = db.engine.connect()
    pending = in_flight.begin()
    in_flight.execute(sa.insert(Clinic.__table__).values(name="Not Committed", timezone="UTC"))
    if db.engine.dialect.name == "sqlite":  # the committed write still lives in the WAL file
        assert os.path.getsize(f"{db.engine.url.database}-wal") > 0
    path = tmp_path / "online.backup"
    try:
        made = cli(app_ctx, "backup", "create", str(path))
    finally:
        pending.rollback()
        in_flight.close()
    assert made.exit_code == 0, made.output
    restored = cli(target, "backup", "restore", str(path))
    assert restored.exit_code == 0, restored.output
    with _engine_of(target).connect() as connection:
        names = set(connection.scalars(sa.select(Clinic.name)))
        assert names == {"Committed Before Backup"}
        assert connection.scalar(sa.select(sa.func.count()).select_from(Infusion)) == 0
