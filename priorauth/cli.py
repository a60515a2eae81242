"""flask commands for operators: reference and demo data, users, digests, scheduler."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from priorauth.extensions import db
from priorauth.models import Role, User
from priorauth.services import accounts, reference

users_cli = AppGroup("users", help="Create users and API tokens.")


@click.command("seed-reference")
def seed_reference() -> None:
    """Load the shipped drug code catalog (safe to run again)."""
    added, updated = reference.load_catalog()
    db.session.commit()
    click.echo(f"drug codes: {added} added, {updated} updated")


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Add the demo clinic even if one exists.")
def seed_demo(force: bool) -> None:
    """Create the demo clinic: users of each role, payers, patients, requests, infusions."""
    from priorauth.services import demo, demo_data

    reference.load_catalog()
    logins = demo.seed(force=force)
    db.session.commit()
    if logins is None:
        click.echo("demo data already present; nothing added")
        logins = [(f"{box}@{demo_data.EMAIL_DOMAIN}", role) for box, _, role in demo_data.USERS]
    click.echo(f"Demo sign-ins (password for all: {demo_data.PASSWORD}):")
    for email, role in logins:
        click.echo(f"  {role:<11} {email}")


@users_cli.command("create")
@click.option("--clinic", required=True, help="Clinic name; created when it does not exist.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--generate-password", is_flag=True, help="Generate a password and print it once.")
def create_user(clinic: str, email: str, name: str, role: str, generate_password: bool) -> None:
    """Create a user (and the clinic when it is new)."""
    password = None
    if not generate_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    owner = accounts.find_or_create_clinic(clinic)
    try:
        user, password = accounts.create_user(owner, email, name, role, password)
    except Exception as error:  # ValidationFailed from the service: say it, change nothing
        db.session.rollback()
        raise click.ClickException(getattr(error, "message", str(error))) from error
    db.session.commit()
    click.echo(f"created {user.email} ({user.role}) in {owner.name}")
    if generate_password:
        click.echo(f"password (shown once): {password}")


@users_cli.command("token")
@click.argument("email")
def create_token(email: str) -> None:
    """Print a new API token for the user (only its hash is stored)."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    token = accounts.issue_token(user)
    db.session.commit()
    click.echo(token)


def register_commands(app: Flask) -> None:
    from priorauth.cli_digests import digests_cli
    from priorauth.cli_scheduler import scheduler_cli

    for command in (seed_reference, seed_demo, users_cli, scheduler_cli, digests_cli):
        app.cli.add_command(command)
