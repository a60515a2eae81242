"""`flask seed-scale`: a clinic network's worth of data for performance work."""

from __future__ import annotations

import click

from priorauth.extensions import db
from priorauth.services import reference

COUNT = click.IntRange(min=0)


@click.command("seed-scale")
@click.option("--clinics", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--patients", default=100_000, show_default=True, type=COUNT)
@click.option("--authorizations", default=300_000, show_default=True, type=COUNT)
@click.option("--infusions", default=1_000_000, show_default=True, type=COUNT)
@click.option("--seed", default=None, type=int, help="Random seed (default: a fixed one).")
@click.option(
    "--append",
    is_flag=True,
    help="Add more clinics when scale data is already there (without it: refuse).",
)
@click.option("--progress/--no-progress", default=True, help="Progress bars per table.")
def seed_scale(clinics, patients, authorizations, infusions, seed, append, progress) -> None:
    """Generate scale data: CLINICS clinics named 'Scale Clinic NN', each with one user per
    role (admin@clinic-NN.scale.test, frontdesk@..., scheduler@..., billing@...; password
    scale-password), four payers with policies, and the patients, requests (every status)
    and infusions (given before today, booked from today, a few not covered) split evenly
    among them, dated around each clinic's today. The same seed on the same day gives the
    same data. Refuses when scale clinics exist, unless --append. Prints rows/s per table."""
    from priorauth.demo import scale

    reference.load_catalog()
    try:
        report = scale.load(
            clinics,
            patients,
            authorizations,
            infusions,
            seed=scale.DEFAULT_SEED if seed is None else seed,
            progress=progress,
            append=append,
        )
    except (scale.ScaleDataPresent, ValueError) as refused:
        db.session.rollback()
        raise click.ClickException(str(refused)) from None
    db.session.commit()
    _echo(report)


def _echo(report) -> None:
    for table, load in report.loads.items():
        click.echo(
            f"{table:<24}{load.rows:>10,} rows {load.seconds:>8.1f} s"
            f" {load.rows_per_second:>10,.0f} rows/s"
        )
    total = sum(report.counts.values())
    click.echo(
        f"{'total':<24}{total:>10,} rows {report.seconds:>8.1f} s"
        f" {total / report.seconds:>10,.0f} rows/s overall"
        f" (of which {report.finishing_seconds:.1f} s usage, recompute, ANALYZE)"
    )
