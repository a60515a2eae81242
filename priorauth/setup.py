"""The register_* steps of the app factory."""

from __future__ import annotations

import logging
import os

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from priorauth import config as settings
from priorauth.extensions import api, csrf, db, limiter, login_manager, migrate
from priorauth.security import make_private, private_dir, sqlite_files


def register_config(app: Flask, overrides: dict | None) -> None:
    private_dir(app.instance_path)  # holds the SQLite database and the outbox: owner-only
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
        files = [row[2] for row in cursor.execute("PRAGMA database_list") if row[2]]
        cursor.close()
        for database in files:  # owner-only: the file, its -wal and -shm
            make_private(*sqlite_files(database))


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
    """Sessions (no remember-me), sign-in throttling, bearer tokens. The session check runs
    before every other request guard, so an expired session is never used."""
    from priorauth.services import tokens
    from priorauth.web import sessions

    limiter.init_app(app)
    app.before_request(sessions.end_when_expired)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(sessions.load_user)
    login_manager.request_loader(tokens.user_from_bearer)


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


def register_errors(app: Flask) -> None:
    """JSON errors under /api/v1, the error page elsewhere."""
    from priorauth.api.errors import register_error_handlers

    register_error_handlers(app)


def register_request_guards(app: Flask) -> None:
    """Before every view: sign-in, then CSRF, then the JSON body check (priorauth/guards.py)."""
    from priorauth.guards import REQUEST_GUARDS

    for guard in REQUEST_GUARDS:
        app.before_request(guard)


def register_security_headers(app: Flask) -> None:
    """CSP, nosniff, frame denial, referrer policy, no-store and HSTS on every response."""
    from priorauth.security import add_security_headers

    app.after_request(add_security_headers)


def register_logging(app: Flask) -> None:
    """Access logs (werkzeug's) keep paths but drop query strings, which may hold PHI."""
    from priorauth.security import DropQueryStrings

    werkzeug_log = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropQueryStrings) for f in werkzeug_log.filters):
        werkzeug_log.addFilter(DropQueryStrings())
