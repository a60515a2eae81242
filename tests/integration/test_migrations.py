"""The Alembic revisions build the schema the models describe, and take it down again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import check, downgrade, upgrade

from priorauth.extensions import db

NOT_MIGRATED = {"alembic_version", "apscheduler_jobs"}  # Alembic's own; APScheduler's own


def _tables() -> set[str]:
    """The tables the migrations manage (a scheduler run by an earlier test leaves its own)."""
    return set(sa.inspect(db.engine).get_table_names()) - NOT_MIGRATED


def _drift() -> list:
    """What `flask db check` compares: the migrated database against the models."""
    options = current_app.extensions["migrate"].configure_args
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=options)
        return compare_metadata(context, db.metadata)


def test_upgrade_downgrade_and_check_are_clean(app_ctx):
    db.session.remove()
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert {"patients", "authorization_requests", "infusions", "digest_deliveries"} <= _tables()
    assert _drift() == []
    check()  # flask db check: exits non-zero on drift
    from priorauth.services.reference import load_catalog

    load_catalog()
    db.session.commit()


def test_drift_is_detected(app_ctx):
    """The check above can fail: a column the migrations lack shows up as drift."""
    extra = sa.Table("drift_probe", db.metadata, sa.Column("id", sa.Integer, primary_key=True))
    try:
        assert any(diff[0] == "add_table" for diff in _drift())
    finally:
        db.metadata.remove(extra)
