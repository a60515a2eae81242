"""Operators' commands: users, tokens, the reference catalog."""

from __future__ import annotations

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import ApiToken, Clinic, DrugCode, User


def cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_users_create_makes_the_clinic_and_generates_a_password(app_ctx):
    result = cli(
        app_ctx,
        "users",
        "create",
        "--clinic",
        "Lakeside",
        "--email",
        "Ann@Lakeside.org",
        "--name",
        "Ann",
        "--role",
        "front_desk",
        "--generate-password",
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("password (shown once): ")[1].strip()
    user = db.session.scalar(sa.select(User).where(User.email == "ann@lakeside.org"))
    assert user.clinic.name == "Lakeside"
    assert user.check_password(password)
    assert password not in user.password_hash


def test_users_create_prompts_for_a_password(app_ctx):
    result = cli(
        app_ctx,
        "users",
        "create",
        "--clinic",
        "Lakeside",
        "--email",
        "bo@l.org",
        "--name",
        "Bo",
        "--role",
        "billing",
        input="pass-word-1\npass-word-1\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "bo@l.org"))
    assert user.check_password("pass-word-1")
    assert db.session.scalar(sa.select(sa.func.count(Clinic.id))) == 1


def test_duplicate_user_is_refused_and_changes_nothing(app_ctx):
    args = (
        "users",
        "create",
        "--clinic",
        "Lakeside",
        "--email",
        "cy@l.org",
        "--name",
        "Cy",
        "--role",
        "admin",
        "--generate-password",
    )
    assert cli(app_ctx, *args).exit_code == 0
    again = cli(app_ctx, *args)
    assert again.exit_code != 0
    assert "already has an account" in again.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_unknown_role_is_refused(app_ctx):
    result = cli(
        app_ctx,
        "users",
        "create",
        "--clinic",
        "L",
        "--email",
        "d@l.org",
        "--name",
        "D",
        "--role",
        "wizard",
        "--generate-password",
    )
    assert result.exit_code != 0
    assert "wizard" in result.output


def test_token_is_printed_once_and_stored_hashed(app_ctx, admin):
    result = cli(app_ctx, "users", "token", admin.email)
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("pa_")
    hashes = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert token not in hashes and len(hashes) == 1
    assert cli(app_ctx, "users", "token", "nobody@x.org").exit_code != 0


def test_seed_reference_is_idempotent_and_keeps_admin_edits(app_ctx):
    row = db.session.get(DrugCode, "J1756")
    row.package_size_mg = 100
    db.session.commit()
    result = cli(app_ctx, "seed-reference")
    assert result.exit_code == 0
    assert "0 added, 0 updated" in result.output
    db.session.expire_all()
    assert db.session.get(DrugCode, "J1756").package_size_mg == 100
    assert db.session.get(DrugCode, "J1444").mg_per_unit == __import__("decimal").Decimal("0.1")
    row.package_size_mg = 200
    db.session.commit()


def test_user_creation_and_token_are_audited(app_ctx):
    from priorauth.models import AuditEvent

    cli(
        app_ctx,
        "users",
        "create",
        "--clinic",
        "L",
        "--email",
        "e@l.org",
        "--name",
        "E",
        "--role",
        "scheduler",
        "--generate-password",
    )
    cli(app_ctx, "users", "token", "e@l.org")
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_type == "users")
    ).all()
    assert actions == ["created", "api_token_issued"]
