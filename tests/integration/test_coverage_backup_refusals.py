"""Backups refuse, in words, what they cannot do: the wrong kind of file or database, a file
that cannot be read or written, an in-memory or missing database. Nothing is left behind."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa

from priorauth.services import backup
from priorauth.services.backup import BackupError


def _sqlite_engine(path: Path) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{path}", poolclass=sa.pool.NullPool)


def _tiny_priorauth_database(path: Path) -> Path:
    """A SQLite file with the table every priorauth database has, and one other row."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('872ef3f35d62')")
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        connection.executemany("INSERT INTO notes (body) VALUES (?)", [("a",), ("b",)])
        connection.commit()
    return path


POSTGRES = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/never_connected")


def test_a_sqlite_backup_is_not_restored_into_postgresql(tmp_path):
    source = _tiny_priorauth_database(tmp_path / "live.sqlite")
    copy = tmp_path / "backup.sqlite"
    backup.create(_sqlite_engine(source), copy)
    with pytest.raises(BackupError, match="is a SQLite backup but the database is PostgreSQL"):
        backup.restore(POSTGRES, copy)


def test_a_pg_dump_file_is_not_restored_into_sqlite(tmp_path):
    dump = tmp_path / "backup.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
    target = tmp_path / "empty.sqlite"
    with pytest.raises(BackupError, match="is a PostgreSQL backup but the database is SQLite"):
        backup.restore(_sqlite_engine(target), dump)
    assert not target.exists()


def test_a_file_that_cannot_be_read_is_named(tmp_path):
    missing = tmp_path / "nowhere.sqlite"
    with pytest.raises(BackupError, match=f"cannot read {missing}: No such file or directory"):
        backup.backup_kind(missing)


def test_an_in_memory_database_has_nothing_to_back_up(tmp_path):
    with pytest.raises(BackupError, match="an in-memory SQLite database has nothing"):
        backup.create(sa.create_engine("sqlite://"), tmp_path / "backup.sqlite")
    assert not (tmp_path / "backup.sqlite").exists()


def test_backing_up_a_database_that_is_not_there_is_refused(tmp_path):
    absent = tmp_path / "absent.sqlite"
    with pytest.raises(BackupError, match=f"there is no database at {absent}"):
        backup.create(_sqlite_engine(absent), tmp_path / "backup.sqlite")
    assert not (tmp_path / "backup.sqlite").exists()


def test_a_backup_into_a_folder_that_does_not_exist_says_it_cannot_write(tmp_path):
    source = _tiny_priorauth_database(tmp_path / "live.sqlite")
    target = tmp_path / "no-such-folder" / "backup.sqlite"
    with pytest.raises(BackupError, match=f"cannot write {target}: No such file or directory"):
        backup.create(_sqlite_engine(source), target)


def test_a_sqlite_file_of_another_program_is_not_restored(tmp_path):
    foreign = tmp_path / "other-app.sqlite"
    with closing(sqlite3.connect(foreign)) as connection:
        connection.execute("CREATE TABLE bookmarks (url TEXT)")
        connection.commit()
    target = tmp_path / "restored.sqlite"
    with pytest.raises(BackupError, match="is a SQLite database but not a priorauth backup"):
        backup.restore(_sqlite_engine(target), foreign)
    assert not target.exists()


def test_restore_into_an_existing_empty_file_brings_back_every_row(tmp_path):
    source = _tiny_priorauth_database(tmp_path / "live.sqlite")
    copy = tmp_path / "backup.sqlite"
    made = backup.create(_sqlite_engine(source), copy)
    target = tmp_path / "restored.sqlite"
    target.touch()  # created empty by whoever set up the new database
    restored = backup.restore(_sqlite_engine(target), copy)
    assert made.rows == restored.rows == {"alembic_version": 1, "notes": 2}
    with closing(sqlite3.connect(target)) as connection:
        assert connection.execute("SELECT body FROM notes ORDER BY id").fetchall() == [
            ("a",),
            ("b",),
        ]
