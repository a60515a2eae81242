"""`flask import authorizations FILE --clinic NAME`: a clinic's spreadsheet of authorizations
(CSV or XLSX) imported like the page does (docs/interop.md), with a progress bar; the columns
come from the headers and the clinic's remembered choices (`--column HEADER=FIELD` adds more),
unknown payer names are mapped with `--payer NAME=PAYER_ID`. `--dry-run` checks and writes
nothing; `--valid-only` imports the valid rows even when others have problems."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from tqdm import tqdm

from priorauth.cli.transfer import import_cli
from priorauth.domain.sheet_columns import mapping_problems
from priorauth.errors import AppError
from priorauth.extensions import db
from priorauth.models import Clinic
from priorauth.services import sheet_import
from priorauth.services.clock import clinic_today


def _clinic(value: str) -> Clinic:
    """A clinic by name, or by id."""
    found = db.session.scalar(sa.select(Clinic).where(Clinic.name == value))
    if found is None and value.isdigit():
        found = db.session.get(Clinic, int(value))
    if found is None:
        raise click.ClickException(f"no clinic named {value!r}")
    return found


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, sep, target = value.rpartition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint=option)
        pairs[name.strip()] = target.strip()
    return pairs


@import_cli.command("authorizations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--clinic", "clinic_name", required=True, help="The clinic (its name or id).")
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option("--valid-only", is_flag=True, help="Import the valid rows, skip the others.")
@click.option("--column", "columns", multiple=True, help="HEADER=FIELD (repeatable).")
@click.option("--payer", "payers", multiple=True, help="NAME=PAYER_ID (repeatable).")
def import_authorizations(file, clinic_name, dry_run, valid_only, columns, payers) -> None:
    """Import authorization requests from a CSV or XLSX file."""
    clinic = _clinic(clinic_name)
    try:
        job = sheet_import.upload(None, clinic.id, file.name, file.read_bytes())
        chosen = {**job.mapping["columns"], **_pairs(columns, "--column")}
        problems = mapping_problems(chosen)
        if problems:
            raise click.ClickException("; ".join(problems) + " (use --column HEADER=FIELD)")
        job.mapping = {"columns": chosen, "payers": _payer_ids(payers)}
        _import(job, clinic, dry_run, valid_only)
    except AppError as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None


def _payer_ids(payers: tuple[str, ...]) -> dict[str, int]:
    picks = _pairs(payers, "--payer")
    bad = [f"{name}={pid}" for name, pid in picks.items() if not pid.isdigit()]
    if bad:
        raise click.BadParameter(
            f"{', '.join(bad)}: PAYER_ID must be a number", param_hint="--payer"
        )
    return {name: int(pid) for name, pid in picks.items()}


def _import(job, clinic: Clinic, dry_run: bool, valid_only: bool) -> None:
    with tqdm(total=job.total_rows, unit="row", disable=None) as bar:
        checked = sheet_import.check_job(job, clinic_today(clinic), progress=bar.update)
    for problem in checked.problems:
        click.echo(f"row {problem.row}, {problem.column}: {problem.message}")
    counts = checked.counts()
    if dry_run:
        db.session.rollback()
        click.echo(
            f"dry run, nothing written: {counts['valid']} requests to create "
            f"({len(checked.plan.new_patients)} new patients), {counts['skipped']} skipped, "
            f"{counts['invalid']} rows with problems"
        )
        return
    result = sheet_import.finish(None, job, checked, valid_only)
    db.session.commit()
    for row in result["rows"]:
        if row["outcome"] == "skipped":
            click.echo(f"row {row['row']}: skipped, {row['reason']}")
    click.echo(
        f"created {result['requests']} requests, {result['patients']} patients and "
        f"{result['coverages']} coverages; skipped {result['skipped']}, "
        f"not imported {result['not_imported']} (import #{job.id})"
    )
