"""`flask export clinic DIR --clinic ID` and `flask import clinic DIR --into NAME`: a whole
clinic to a directory of JSON files and back (services/clinic_export.py, clinic_import.py)."""

from __future__ import annotations

from pathlib import Path

import click

from priorauth.cli.transfer import export_cli, import_cli
from priorauth.errors import AppError
from priorauth.extensions import db
from priorauth.services import clinic_export, clinic_import


def _refusal(error: AppError) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(error.message)


def _snapshot() -> None:
    """PostgreSQL: every table read from one snapshot, so the files agree with each other
    while the app keeps writing (SQLite's read transaction is one already)."""
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


@export_cli.command("clinic")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--clinic", "clinic_ident", required=True, help="The clinic's id or name.")
def export_clinic(directory: Path, clinic_ident: str) -> None:
    """Write the whole clinic to the new directory DIRECTORY: JSON per table and a manifest."""
    _snapshot()
    try:
        clinic = clinic_export.find_clinic(clinic_ident)
        manifest = clinic_export.export_clinic(clinic, directory)
    except AppError as error:
        raise _refusal(error) from None
    db.session.commit()
    counts = manifest["counts"]
    click.echo(f"Exported {clinic.name} to {directory}: {sum(counts.values()):,} rows.")
    for name, count in counts.items():
        click.echo(f"  {name:<24} {count:>9,}")
    click.echo("The directory holds patient data (PHI): keep it encrypted and owner-only.")


@import_cli.command("clinic")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--into", required=True, help="A new clinic's name, or an existing empty one's.")
@click.option("--email-tag", help="Import ann@x.org as ann+TAG@x.org (emails are unique).")
def import_clinic(directory: Path, into: str, email_tag: str | None) -> None:
    """Recreate the clinic export DIRECTORY as the clinic INTO, in one transaction."""
    try:
        result = clinic_import.import_clinic(directory, into, email_tag)
    except AppError as error:
        raise _refusal(error) from None
    db.session.commit()
    click.echo(f"Imported {directory} into {result.clinic.name}:")
    for name, count in result.counts.items():
        click.echo(f"  {name:<24} {count:>9,}")
    for name, why in result.skipped.items():
        click.echo(f"  not imported: {name}: {why}")
    click.echo("Users have no password yet: an admin sends each a reset link from Staff.")
