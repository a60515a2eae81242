"""`flask recompute`: rebuild every stored attention fact (services/attention.py), a batch of
patients per transaction. Needed after rows are written in bulk outside the services, or after
the drug-code catalog changes; the scheduler and the pages catch up the rest themselves."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from tqdm import tqdm

from priorauth.extensions import db
from priorauth.models import Clinic, Patient
from priorauth.services import attention


def _commit() -> None:
    db.session.commit()
    db.session.expunge_all()  # memory stays flat however many patients


@click.command("recompute")
@click.option("--clinic", "clinic_names", multiple=True, help="Only this clinic (repeatable).")
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(min=1))
@with_appcontext
def recompute(clinic_names: tuple[str, ...], batch_size: int) -> None:
    """Recompute every stored checklist, badge, usage and answer-due figure."""
    clinic_ids = None
    if clinic_names:
        found = db.session.execute(
            sa.select(Clinic.name, Clinic.id).where(Clinic.name.in_(clinic_names))
        ).all()
        missing = set(clinic_names) - {name for name, _ in found}
        if missing:
            raise click.ClickException(f"no clinic named {', '.join(sorted(missing))}")
        clinic_ids = [clinic_id for _, clinic_id in found]
    total = db.session.scalar(_patients(clinic_ids))
    with tqdm(total=total, unit="patient", disable=None) as bar:
        done = attention.recompute_all(clinic_ids, batch_size, bar.update, _commit)
    click.echo(f"recomputed the attention facts of {done} patients")


def _patients(clinic_ids: list[int] | None) -> sa.Select:
    query = sa.select(sa.func.count()).select_from(Patient)
    if clinic_ids is not None:
        query = query.where(Patient.clinic_id.in_(clinic_ids))
    return query
