"""`flask backup create PATH` and `flask backup restore PATH`: the database to a file and back."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from priorauth.extensions import db
from priorauth.services import backup
from priorauth.services.backup import BackupError, Summary

backup_cli = AppGroup(
    "backup", help="Back up the database to a file; restore a backup into an empty database."
)


def _size(count: int) -> str:
    """1536 -> "1.5 KB": bytes under 1 KB, then KB and MB, GB above."""
    if count < 1024:
        return f"{count} bytes"
    value = count / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _echo_rows(summary: Summary) -> None:
    total = sum(summary.rows.values())
    click.echo(f"{len(summary.rows)} tables, {total:,} rows in all:")
    width = max((len(name) for name in summary.rows), default=0)
    for name, count in summary.rows.items():
        click.echo(f"  {name:<{width}}  {count:>9,} {'row' if count == 1 else 'rows'}")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def create(path: Path) -> None:
    """Write a backup of the live database to the new file PATH (readable by you only).

    Safe while the app runs: the backup holds every write committed before it started.
    """
    try:
        summary = backup.create(db.engine, path.resolve())
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {summary.path} ({_size(summary.size)}, owner-only, mode 0600).")
    _echo_rows(summary)
    click.echo("The file holds patient data (PHI): keep it encrypted and owner-only.")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore(path: Path) -> None:
    """Restore the backup PATH into the configured database, which must be empty."""
    target = db.engine.url.render_as_string(hide_password=True)
    try:
        summary = backup.restore(db.engine, path.resolve())
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    finally:
        db.engine.dispose()
    click.echo(f"Restored {summary.path} into {target}.")
    _echo_rows(summary)
    click.echo("Next: `flask db check`, then start the app and sign in to look at the data.")
