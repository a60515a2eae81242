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
        input="pass-word-1-long\npass-word-1-long\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "bo@l.org"))
    assert user.check_password("pass-word-1-long")
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


def _events(user_id: int) -> list[tuple[str, int | None, dict | None]]:
    from priorauth.models import AuditEvent

    return db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.user_id, AuditEvent.changes)
        .where(AuditEvent.entity_type == "users", AuditEvent.entity_id == user_id)
        .order_by(AuditEvent.id)
    ).all()


def test_token_with_label_and_expiry_is_listed_then_revoked(app_ctx, admin):
    made = cli(
        app_ctx, "users", "token", admin.email, "--label", "lab feed", "--expires-days", "30"
    )
    assert made.exit_code == 0, made.output
    row = db.session.scalars(sa.select(ApiToken)).one()
    assert row.label == "lab feed" and row.expires_at is not None
    listed = cli(app_ctx, "users", "tokens", admin.email)
    assert listed.exit_code == 0, listed.output
    assert f"{row.id}\tactive\tlab feed" in listed.output
    revoked = cli(app_ctx, "users", "revoke-token", str(row.id))
    assert revoked.exit_code == 0, revoked.output
    assert f"{row.id}\trevoked\tlab feed" in cli(app_ctx, "users", "tokens", admin.email).output
    again = cli(app_ctx, "users", "revoke-token", str(row.id))
    assert again.exit_code != 0 and "already revoked" in again.output
    actions = [(action, actor) for action, actor, _ in _events(admin.id)]
    assert actions[-2:] == [("api_token_issued", None), ("api_token_revoked", None)]


def test_token_commands_refuse_bad_input_and_change_nothing(app_ctx, admin):
    cases = [
        (("users", "token", admin.email, "--expires-days", "0"), "--expires-days"),
        (("users", "token", admin.email, "--label", "x" * 101), "label"),
        (("users", "token", "nobody@x.org"), "no user with email nobody@x.org"),
        (("users", "tokens", "nobody@x.org"), "no user with email nobody@x.org"),
        (("users", "revoke-token", "424242"), "API token 424242 not found"),
        (("users", "revoke-token", "many"), "many"),
    ]
    for args, words in cases:
        result = cli(app_ctx, *args)
        assert result.exit_code != 0, args
        assert words in result.output, (args, result.output)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_deactivate_reactivate_and_set_role_are_audited(app_ctx, clinic, admin):
    from tests import factories

    user = factories.user(clinic, "front_desk")
    version = user.session_version
    for args, words in (
        (("deactivate", user.email), "deactivated"),
        (("reactivate", user.email), "reactivated"),
        (("set-role", user.email, "billing"), "is now billing"),
    ):
        result = cli(app_ctx, "users", *args)
        assert result.exit_code == 0, result.output
        assert words in result.output
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.active, user.role) == (True, "billing")
    assert user.session_version == version + 2  # deactivation and the role change end sessions
    events = _events(user.id)
    assert [(a, actor) for a, actor, _ in events[1:]] == [
        ("deactivated", None),
        ("reactivated", None),
        ("role_changed", None),
    ]
    assert events[-1][2] == {"from": "front_desk", "to": "billing"}


def test_user_commands_refuse_bad_input_and_keep_the_last_admin(app_ctx, clinic, admin):
    cases = [
        (("set-role", admin.email, "wizard"), "wizard"),
        (("set-role", admin.email, "billing"), "last active admin"),
        (("deactivate", admin.email), "last active admin"),
        (("reactivate", admin.email), "already active"),
        (("deactivate", "nobody@x.org"), "no user with email nobody@x.org"),
    ]
    for args, words in cases:
        result = cli(app_ctx, "users", *args)
        assert result.exit_code != 0, args
        assert words in result.output, (args, result.output)
    db.session.expire_all()
    assert (db.session.get(User, admin.id).role, db.session.get(User, admin.id).active) == (
        "admin",
        True,
    )
    assert [a for a, _, _ in _events(admin.id)] == ["created"]
