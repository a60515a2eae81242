"""`flask seed-reference`, `flask seed-demo` and `flask users ...`: reference and demo data,
users, roles and API tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from priorauth.errors import AppError
from priorauth.extensions import db
from priorauth.models import Role, User
from priorauth.services import accounts, clock, reference, staff, tokens

users_cli = AppGroup("users", help="Users: create, roles, deactivation and API tokens.")


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
    from priorauth import demo
    from priorauth.demo import data as demo_data

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


def _refusal(error: AppError) -> click.ClickException:
    """A service refusal as a click error; nothing is changed."""
    db.session.rollback()
    return click.ClickException(error.message)


def _user(email: str) -> User:
    try:
        return staff.by_email(email)
    except AppError as error:
        raise _refusal(error) from None


@users_cli.command("token")
@click.argument("email")
@click.option("--label", help="What the token is for (up to 100 characters).")
@click.option(
    "--expires-days",
    type=click.IntRange(1, tokens.MAX_DAYS),
    help="Refuse the token this many days from now (default: never).",
)
def create_token(email: str, label: str | None, expires_days: int | None) -> None:
    """Print a new API token for the user (only its hash is stored)."""
    user = _user(email)
    try:
        _, plain = tokens.issue(user, label=label, expires_in_days=expires_days)
    except AppError as error:
        raise _refusal(error) from None
    db.session.commit()
    click.echo(plain)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


@users_cli.command("tokens")
@click.argument("email")
def list_tokens(email: str) -> None:
    """List the user's API tokens: id, state, label, created, last used, expires."""
    user, now = _user(email), clock.now_utc()
    rows = tokens.tokens_of(user)
    if not rows:
        click.echo(f"{user.email} has no API tokens")
    for row in rows:
        times = (row.created_at, row.last_used_at, row.expires_at)
        created, used, expires = (_when(value) for value in times)
        click.echo(
            f"{row.id}\t{tokens.state(row, now)}\t{row.label or '-'}\tcreated {created}"
            f"\tlast used {used}\texpires {expires}"
        )


def _run(action, *args, done: str) -> None:
    """Run a staff or token action as the operator (actor None), commit and say so."""
    try:
        action(None, *args)
    except AppError as error:
        raise _refusal(error) from None
    db.session.commit()
    click.echo(done)


@users_cli.command("revoke-token")
@click.argument("token_id", type=click.IntRange(1))
def revoke_token(token_id: int) -> None:
    """Revoke an API token (see `flask users tokens EMAIL` for ids)."""
    _run(tokens.revoke, token_id, done=f"API token {token_id} revoked")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Deactivate a user: their sessions end and their tokens are refused."""
    user = _user(email)
    _run(staff.deactivate, user.id, done=f"{user.email} deactivated")


@users_cli.command("reactivate")
@click.argument("email")
def reactivate(email: str) -> None:
    """Let a deactivated user sign in again."""
    user = _user(email)
    _run(staff.reactivate, user.id, done=f"{user.email} reactivated")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def set_role(email: str, role: str) -> None:
    """Give a user another role (their sessions end)."""
    user = _user(email)
    _run(staff.change_role, user.id, role, done=f"{user.email} is now {role}")
