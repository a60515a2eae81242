"""Back up the app database to one owner-only file, and restore it into an EMPTY database.

SQLite: the online backup API copies a consistent snapshot of the live database (every
committed write, including those still in the WAL file) while the app keeps running.
PostgreSQL: `pg_dump --format=custom` from an exported snapshot (so the row counts printed
are exactly what the file holds), restored with `pg_restore --no-owner --single-transaction`.
The password goes to pg_dump/pg_restore in PGPASSWORD, never on the command line.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
DIALECT_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SCHEMA_TABLE = "alembic_version"  # every priorauth database has it; a backup must too


class BackupError(Exception):
    """A refusal or failure, in words (the CLI shows it without a traceback)."""


@dataclass(frozen=True)
class Summary:
    """What a backup file holds, or what a restore wrote: rows per table."""

    path: Path
    size: int
    rows: dict[str, int]


def create(engine: Engine, path: Path) -> Summary:
    """Write a backup of the database behind `engine` to a new file at `path` (mode 0600)."""
    if engine.dialect.name == "sqlite":
        return _sqlite_create(_sqlite_file(engine.url), path)
    if engine.dialect.name == "postgresql":
        return _pg_create(engine, path)
    raise BackupError(f"backups of {engine.dialect.name} databases are not supported")


def restore(engine: Engine, path: Path) -> Summary:
    """Restore the backup at `path` into the (empty) database behind `engine`."""
    kind = backup_kind(path)
    if kind != engine.dialect.name:
        have, want = DIALECT_NAMES[kind], DIALECT_NAMES.get(engine.dialect.name)
        raise BackupError(f"{path} is a {have} backup but the database is {want}")
    if kind == "sqlite":
        return _sqlite_restore(_sqlite_file(engine.url), path)
    return _pg_restore(engine, path)


def backup_kind(path: Path) -> str:
    """'sqlite' or 'postgresql', from the file's first bytes; else a BackupError."""
    try:
        with open(path, "rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from error
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{path} is not a backup (neither a SQLite database nor a pg_dump custom-format file)"
    )


def _new_private_file(path: Path):
    """Open a new file for writing, readable by its owner only; never overwrite one."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as error:
        raise BackupError(f"{path} already exists; choose a new file name") from error
    except OSError as error:
        raise BackupError(f"cannot write {path}: {error.strerror}") from error
    os.fchmod(fd, 0o600)  # whatever the umask
    return os.fdopen(fd, "wb")


def _not_empty(tables: list[str]) -> BackupError:
    return BackupError(
        f"the target database is not empty: it has {len(tables)} tables "
        f"({', '.join(sorted(tables))}); restore only into a new, empty database"
    )


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_file(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(url.database)


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return sorted(name for (name,) in connection.execute(query))


def _sqlite_summary(path: Path) -> Summary:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        rows = {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in _sqlite_tables(connection)
        }
    return Summary(path, path.stat().st_size, rows)


def _sqlite_create(source: Path, path: Path) -> Summary:
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    _new_private_file(path).close()
    try:
        with (
            closing(sqlite3.connect(source)) as live,
            closing(sqlite3.connect(path)) as copy,
        ):
            live.backup(copy)  # one step: a consistent snapshot of every committed write
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    except sqlite3.Error as error:
        path.unlink(missing_ok=True)
        raise BackupError(f"the backup failed: {error}") from error
    return _sqlite_summary(path)


def _sqlite_restore(target: Path, path: Path) -> Summary:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as backup:
        if SCHEMA_TABLE not in _sqlite_tables(backup):
            raise BackupError(f"{path} is a SQLite database but not a priorauth backup")
        if target.exists():
            with closing(sqlite3.connect(target)) as existing:
                if found := _sqlite_tables(existing):
                    raise _not_empty(found)
        else:
            _new_private_file(target).close()
        with closing(sqlite3.connect(target)) as restored:
            backup.backup(restored)
    return _sqlite_summary(target)


# --- PostgreSQL ---------------------------------------------------------------------------


def libpq_url(url: URL) -> str:
    """The SQLAlchemy URL (postgresql+psycopg://) as a libpq URL, without the password."""
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False)


def _run(command: list[str], url: URL, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    try:
        done = subprocess.run(command, env=env, stderr=subprocess.PIPE, check=False, **kwargs)
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client tools "
            "(the same major version as the server, or newer)"
        ) from error
    if done.returncode != 0:
        problem = done.stderr.decode(errors="replace").strip()
        raise BackupError(f"{command[0]} failed: {problem}")
    return done


def _pg_rows(connection: sa.Connection) -> dict[str, int]:
    names = sa.inspect(connection).get_table_names()
    return {
        name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name)))
        for name in sorted(names)
    }


def _pg_create(engine: Engine, path: Path) -> Summary:
    """pg_dump reads the snapshot this transaction exported, so the counts match the file."""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
            rows = _pg_rows(connection)
            with _new_private_file(path) as out:
                command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}"]
                try:
                    _run([*command, "--dbname", libpq_url(engine.url)], engine.url, stdout=out)
                except BackupError:
                    path.unlink(missing_ok=True)
                    raise
    return Summary(path, path.stat().st_size, rows)


def _check_pg_archive(path: Path, url: URL) -> None:
    listing = _run(["pg_restore", "--list", str(path)], url, stdout=subprocess.PIPE).stdout
    if not re.search(rf"\bTABLE \S+ {SCHEMA_TABLE}\b", listing.decode(errors="replace")):
        raise BackupError(f"{path} is a pg_dump file but not a priorauth backup")


def _pg_restore(engine: Engine, path: Path) -> Summary:
    _check_pg_archive(path, engine.url)
    if found := sa.inspect(engine).get_table_names():
        raise _not_empty(found)
    command = ["pg_restore", "--no-owner", "--single-transaction", "--exit-on-error"]
    _run([*command, "--dbname", libpq_url(engine.url), str(path)], engine.url)
    with engine.connect() as connection:
        return Summary(path, path.stat().st_size, _pg_rows(connection))
