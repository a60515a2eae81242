"""The application factory: `create_app` configures Flask, then runs each register_* step."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from priorauth import config as settings
from priorauth.extensions import api, csrf, db, limiter, login_manager, migrate
from priorauth.security import make_private, private_dir, sqlite_files

TEMPLATES = str(Path(__file__).resolve().parent.parent / "templates")


def create_app(config: dict | None = None) -> Flask:
    """Configure, then register each part; the order of the steps matters where noted."""
    app = Flask("priorauth", instance_relative_config=True, template_folder=TEMPLATES)
    register_config(app, config)
    register_logging(app)
    register_extensions(app)
    register_read_model(app)
    register_auth(app)  # sessions first: an expired one is never used by what follows
    register_upload_limit(app)  # before anything reads a body
    register_sign_in_gate(app)
    register_csrf(app)  # after the gate: a write without a session is told to sign in
    register_json_body_check(app)
    register_api(app)
    register_web(app)
    register_error_rendering(app)  # after register_api: replaces flask-smorest's handler
    register_security_headers(app)
    register_cli(app)
    return app


def register_config(app: Flask, overrides: dict | None) -> None:
    private_dir(app.instance_path)  # holds the SQLite database and the outbox: owner-only
    app.config.from_mapping(settings.from_environment(app.instance_path))
    if overrides:
        app.config.from_mapping(overrides)
    settings.engine_options(app.config)
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


def register_read_model(app: Flask) -> None:
    """The stored attention facts follow every transaction (services/attention_events.py)."""
    from priorauth.services.attention_events import listen

    listen(db.session)


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


def register_error_rendering(app: Flask) -> None:
    """JSON errors under /api/v1 (the error contract, docs/api.md), the error page elsewhere."""
    from priorauth.api.errors import register_error_handlers

    register_error_handlers(app)


def register_upload_limit(app: Flask) -> None:
    """Uploads may send up to ATTACHMENT_MAX_BYTES (every other body: MAX_CONTENT_LENGTH)."""
    from priorauth.guards import allow_upload_bodies

    app.before_request(allow_upload_bodies)


def register_sign_in_gate(app: Flask) -> None:
    """Before every view: a signed-in user or bearer token, but on the public pages."""
    from priorauth.guards import require_sign_in

    app.before_request(require_sign_in)


def register_csrf(app: Flask) -> None:
    """CSRF tokens on every unsafe request but bearer-only API calls (guards.protect_from_csrf
    is the one place that decides: WTF_CSRF_CHECK_DEFAULT is off)."""
    from priorauth.guards import protect_from_csrf

    csrf.init_app(app)
    app.before_request(protect_from_csrf)


def register_json_body_check(app: Flask) -> None:
    """API writes carry a JSON object: a form, no body or `null` is refused."""
    from priorauth.guards import require_json_object

    app.before_request(require_json_object)


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
