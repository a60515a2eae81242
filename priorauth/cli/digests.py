"""`flask digests send` and `flask digests preview`: the daily email digest for operators."""

from __future__ import annotations

from datetime import date, datetime

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from priorauth.extensions import db
from priorauth.models import Clinic, User
from priorauth.notify.render import render
from priorauth.notify.runner import recipients, send_digests
from priorauth.queries.digests import digest_for, digest_of_day, items_on
from priorauth.services.clock import clinic_today

digests_cli = AppGroup("digests", help="Send and preview the daily email digests.")
DAY = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None, clinic: Clinic) -> date:
    return value.date() if value else clinic_today(clinic)


def _clinics(name: str | None) -> list[Clinic]:
    query = sa.select(Clinic).order_by(Clinic.id)
    if name:
        query = query.where(Clinic.name == name)
    found = db.session.scalars(query).all()
    if name and not found:
        raise click.ClickException(f"no clinic named {name!r}")
    return found


def _echo_plan(clinic: Clinic, digest_date: date) -> None:
    """Dry run: each recipient and the size of their digest."""
    items = items_on(clinic, digest_date)
    for user in recipients(clinic.id):
        digest = digest_for(user, items, digest_date)
        groups = ", ".join(f"{g.type} {g.count}" for g in digest.groups) or "empty"
        click.echo(f"  {user.email} ({user.role}): {digest.total} items [{groups}]")


@digests_cli.command("send")
@click.option("--date", "day", type=DAY, help="The digest's day (default: each clinic's today).")
@click.option("--clinic", "clinic_name", help="Only this clinic (by name).")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
def send(day: datetime | None, clinic_name: str | None, dry_run: bool) -> None:
    """Send the day's digests of every clinic (each one once; failed ones are retried)."""
    for clinic in _clinics(clinic_name):
        digest_date = _day(day, clinic)
        counts = send_digests(clinic.id, digest_date, dry_run=dry_run)
        shown = ", ".join(f"{key} {value}" for key, value in counts.items())
        click.echo(f"{clinic.name} {digest_date}{' (dry run)' if dry_run else ''}: {shown}")
        if dry_run:
            _echo_plan(clinic, digest_date)


@digests_cli.command("preview")
@click.argument("email")
@click.option("--date", "day", type=DAY, help="The digest's day (default: the clinic's today).")
def preview(email: str, day: datetime | None) -> None:
    """Print the plain-text part of the user's digest (what was or will be sent)."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    digest_date = _day(day, user.clinic)
    digest, row = digest_of_day(user, digest_date)
    rendered = render(digest, user)
    if row is not None:
        click.echo(f"(delivery {row.status}, {row.attempts} attempt(s))", err=True)
    elif digest.is_empty and not user.digest_when_empty:
        click.echo("(empty: this digest is not sent)", err=True)
    click.echo(f"Subject: {rendered.subject}\n")
    click.echo(rendered.text)
