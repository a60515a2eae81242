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


def _known_values(sql: str) -> tuple[str, ...]:
    """The quoted values of a CHECK "... IN ('a', 'b')" (as SQLite stores it, or PostgreSQL's
    "= ANY (ARRAY['a'::character varying, ...])")."""
    import re

    return tuple(re.findall(r"'([^']*)'", sql))


def test_every_vocabulary_check_in_the_database_lists_its_enum(app_ctx):
    """The migrated CHECK constraints hold exactly the values of domain/vocab.py's enums, so
    the enum and the database cannot disagree on a spelling."""
    from priorauth.domain.evidence import Dialysis, LabTest, TrialOutcome
    from priorauth.domain.runway import Badge
    from priorauth.domain.vocab import (
        AttachmentKind,
        Channel,
        DeliveryStatus,
        EligibilityMethod,
        EligibilityResult,
        InfusionStatus,
        LetterKind,
        PayerKind,
        Role,
        Sex,
        Urgency,
        values,
    )

    expected = {
        "ck_attachments_kind_known": AttachmentKind,
        "ck_letter_templates_kind_known": LetterKind,
        "ck_letters_kind_known": LetterKind,
        "ck_payers_preferred_channel_known": Channel,
        "ck_follow_ups_channel_known": Channel,
        "ck_authorization_requests_urgency_known": Urgency,
        "ck_ckd_statuses_dialysis_known": Dialysis,
        "ck_digest_deliveries_status_known": DeliveryStatus,
        "ck_eligibility_checks_method_known": EligibilityMethod,
        "ck_eligibility_checks_result_known": EligibilityResult,
        "ck_infusions_status_known": InfusionStatus,
        "ck_infusions_badge_known": Badge,
        "ck_lab_results_test_known": LabTest,
        "ck_oral_iron_trials_outcome_known": TrialOutcome,
        "ck_patients_sex_known": Sex,
        "ck_payers_kind_known": PayerKind,
        "ck_users_role_known": Role,
    }
    inspector = sa.inspect(db.engine)
    found = {
        check["name"]: _known_values(check["sqltext"])
        for table in _tables()
        for check in inspector.get_check_constraints(table)
        if check["name"] and check["name"].endswith("_known")
    }
    assert found == {name: values(enum) for name, enum in expected.items()}


def test_the_latest_revisions_go_down_and_up_again_with_rows_in_the_tables(api, app_ctx):
    """On SQLite a revision that alters a table rebuilds it (copy, drop, rename); rows of other
    tables that point at it must not stop that, nor be lost (migrations/env.py)."""
    from datetime import timedelta

    from tests.api import builders as b
    from tests.api.builders import TODAY, iso

    patient, _ = b.approved_auth(api, dose="100", units=400, administrations=4)
    body = {
        "patient_id": patient["id"],
        "hcpcs_code": "J1439",
        "scheduled_at": f"{iso(TODAY + timedelta(days=3))}T10:00:00",
        "dose_mg": "100",
    }
    booked = api.post("/api/v1/infusions", json=body).get_json()
    checked = {"method": "portal", "result": "active"}
    assert (
        api.post(f"/api/v1/infusions/{booked['id']}/eligibility", json=checked).status_code == 201
    )
    tables = ("clinics", "users", "payers", "patients", "authorization_requests", "infusions")
    before = {t: _count(t) for t in (*tables, "eligibility_checks")}
    db.session.remove()
    downgrade(revision="e46e5591ddd6")  # before the revisions that rebuild these tables
    upgrade()
    assert {t: _count(t) for t in before} == before
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def _count(table: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
