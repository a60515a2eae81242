"""Fixtures: the app on a real database (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from priorauth.extensions import db, limiter
from priorauth.factory import create_app
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


# The closing summary: one line per database ("database tests on sqlite: 681 passed,
# 4 skipped (PostgreSQL-only)") and one per reason for other skips, instead of pytest's line
# per skipped test (tests/pytest.ini reports failures and errors only, -rfEX).
_BY_DATABASE: dict[str, Counter[str]] = {}
_OTHER_SKIPS: Counter[str] = Counter()
_BACKEND = re.compile(r"[\[-](sqlite|postgresql)[\]-]")
_OUTCOME_ORDER = ("passed", "failed", "error", "xfailed", "xpassed")


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def _skip_label(backend: str, reason: str) -> str:
    """Why a database test was skipped, in a few words."""
    if backend == "postgresql" and PG_URL_VAR in reason:
        return f"{PG_URL_VAR} not set"
    if backend == "sqlite" and "PostgreSQL" in reason:
        return "PostgreSQL-only"
    return reason


def _outcome(report, backend: str | None) -> str:
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    if report.skipped:
        return f"skipped ({_skip_label(backend or '', _skip_reason(report))})"
    return "error" if report.when != "call" and report.failed else report.outcome


def pytest_runtest_logreport(report):
    """Tally each test once (its call, or the setup/teardown that failed or skipped it)."""
    if report.when != "call" and report.passed:
        return
    found = _BACKEND.search(report.nodeid)
    backend = found.group(1) if found else None
    if backend is not None:
        _BY_DATABASE.setdefault(backend, Counter())[_outcome(report, backend)] += 1
    elif report.skipped and not hasattr(report, "wasxfail"):
        _OTHER_SKIPS[_skip_reason(report)] += 1


def _order(outcome: str) -> tuple[int, str]:
    known = outcome in _OUTCOME_ORDER
    return (_OUTCOME_ORDER.index(outcome) if known else len(_OUTCOME_ORDER), outcome)


def pytest_terminal_summary(terminalreporter):
    for backend, tally in sorted(_BY_DATABASE.items()):
        counts = ", ".join(f"{tally[o]} {o}" for o in sorted(tally, key=_order))
        terminalreporter.write_line(f"database tests on {backend}: {counts}")
    for reason, number in sorted(_OTHER_SKIPS.items()):
        terminalreporter.write_line(f"other tests: {number} skipped ({reason})")
