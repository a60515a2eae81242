"""Fixtures: the app on a real database (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from priorauth import create_app
from priorauth.extensions import db, limiter
from tests import factories

PG_URL_VAR = "PRIORAUTH_TEST_DATABASE_URL"
IN_CI = os.environ.get("CI", "").lower() == "true"
KEEP_TABLES = {"drug_codes", "alembic_version", "apscheduler_jobs"}


def pytest_report_header(config):
    pg = os.environ.get(PG_URL_VAR)
    if pg:
        return f"databases: sqlite and postgresql ({pg})"
    return f"databases: sqlite only (set {PG_URL_VAR} for postgresql)"


def _postgres_url() -> str:
    url = os.environ.get(PG_URL_VAR)
    if not url:
        message = f"{PG_URL_VAR} is not set: PostgreSQL tests not run"
        if IN_CI:
            pytest.fail(message + " (CI=true requires them)")
        pytest.skip(message)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    return _postgres_url()


def _reset_schema(app) -> None:
    """Drop everything, then build the schema with the Alembic migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        from priorauth.services.reference import load_catalog

        load_catalog()
        db.session.commit()


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context (own `g`, own db session), as in production,
    even while the test itself holds an app context to look at the database."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "MAIL_OUTBOX": str(instance / "outbox"),
        }
    )
    application.test_client_class = FreshContextClient
    _reset_schema(application)
    yield application
    with application.app_context():
        db.engine.dispose()


def _truncate(app) -> None:
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(t.name for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture
def app_ctx(app):
    """An app context on a clean database (and sign-in throttle); rows are removed after."""
    limiter.reset()
    with app.app_context():
        yield app
        db.session.remove()
    _truncate(app)


@pytest.fixture
def client(app_ctx):
    return app_ctx.test_client()


@pytest.fixture
def clinic(app_ctx):
    return factories.clinic()


@pytest.fixture
def admin(clinic):
    return factories.user(clinic, "admin")


@pytest.fixture
def front_desk(clinic):
    return factories.user(clinic, "front_desk")


@pytest.fixture
def api(client, admin):
    """A client that sends the admin's bearer token."""
    return factories.ApiClient(client, factories.token(admin))


_BY_DATABASE: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report):
    """Tally database tests by backend, for the closing summary."""
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    for backend in ("sqlite", "postgresql"):
        if f"[{backend}" in report.nodeid:
            tally = _BY_DATABASE.setdefault(backend, {})
            tally[report.outcome] = tally.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter):
    for backend, tally in sorted(_BY_DATABASE.items()):
        counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(tally.items()))
        terminalreporter.write_line(f"database tests on {backend}: {counts}")
