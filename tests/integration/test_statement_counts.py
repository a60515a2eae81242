"""Issue 12: the SQL statements each measured operation sends do not grow with the data. The
same operations `make bench` times (tests/bench/operations.py), on the scale generator's data
at two sizes, the second three times the first; the counts must be equal."""

from __future__ import annotations

import sqlalchemy as sa

from priorauth.demo.scale import generate
from priorauth.extensions import db
from tests.bench import context, operations
from tests.bench.measure import statements_of
from tests.conftest import KEEP_TABLES

SMALL = {"clinics": 2, "patients": 60, "authorizations": 180, "infusions": 600}


def _empty_tables() -> None:
    db.session.remove()
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(t.name for t in tables)} CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


def _generated(times: int) -> None:
    generate(
        SMALL["clinics"], *(SMALL[k] * times for k in ("patients", "authorizations", "infusions"))
    )
    db.session.commit()


def statement_counts(app) -> dict[str, int]:
    """Statements per operation, on the clinic with the most patients."""
    clinic = context.largest_clinic()
    clinic_id, scene = clinic.id, context.prepare(clinic, 1)
    question = context.approved_question(clinic_id)
    client = context.signed_in(app, *scene.admin)
    counts = {
        "coverage check": statements_of(operations.coverage_check, *question),
        "runway": statements_of(operations.patient_runway, clinic_id, scene.runway_patients[0]),
        "dashboard home": statements_of(operations.dashboard_home, client),
    }
    for name in operations.queue_names():
        counts[f"queue {name}"] = statements_of(operations.queue_page, client, name)
    counts["digests"] = statements_of(operations.clinic_digests, clinic_id, scene.today)
    return counts


def test_statement_counts_are_the_same_at_three_times_the_data(app_ctx):
    _generated(1)
    small = statement_counts(app_ctx)
    _empty_tables()
    _generated(3)
    large = statement_counts(app_ctx)
    grew = {name: (small[name], large[name]) for name in small if large[name] != small[name]}
    assert large == small, f"statements (1x, 3x) of the operations that changed: {grew}"
