"""The register_* steps of the app factory."""

from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from priorauth import config as settings
from priorauth.extensions import api, csrf, db, login_manager, migrate


def register_config(app: Flask, overrides: dict | None) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings.from_environment(app.instance_path))
    if overrides:
        app.config.from_mapping(overrides)
    settings.check_safe(app.config)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Keep APScheduler's own table out of Alembic autogenerate."""
    return not (type_ == "table" and name == "apscheduler_jobs")


def register_extensions(app: Flask) -> None:
    from priorauth import models  # noqa: F401 - register the mappings

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(app.root_path, "..", "migrations"),
        include_object=_include_object,
        compare_type=True,
    )
    csrf.init_app(app)


def register_auth(app: Flask) -> None:
    from priorauth.services import accounts

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.user_loader(accounts.load_user)
    login_manager.request_loader(accounts.user_from_bearer)


def register_api(app: Flask) -> None:
    from priorauth.api import register_blueprints
    from priorauth.api.errors import ErrorSchema

    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app)
    register_blueprints(app, api)


def register_web(app: Flask) -> None:
    from priorauth.web import register_blueprints

    register_blueprints(app)


def register_cli(app: Flask) -> None:
    from priorauth.cli import register_commands

    register_commands(app)
