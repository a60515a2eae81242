"""The operations issue 12 measures, each as the app runs it, one call at a time: the bench
times them, tests/integration/test_statement_counts.py counts their statements. Each call
ends its session (as a request does), so no call finds the previous one's rows loaded."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from priorauth.domain import queues as registry
from priorauth.extensions import db
from priorauth.models import Clinic
from priorauth.notify.render import render
from priorauth.notify.runner import recipients
from priorauth.queries import runway
from priorauth.queries.digests import digest_for, items_on
from priorauth.services import coverage_rows


def coverage_check(clinic_id: int, patient_id: int, code: str, day: date, dose_mg) -> bool:
    """The scheduler's question, in-process: the service POST /api/v1/coverage-check calls
    (services/coverage_rows.check)."""
    try:
        return coverage_rows.check(clinic_id, patient_id, code, day, dose_mg).covered
    finally:
        db.session.close()


def patient_runway(clinic_id: int, patient_id: int) -> int:
    """A patient's runway as GET /api/v1/patients/<id>/runway builds it; its steps."""
    try:
        actor = SimpleNamespace(clinic_id=clinic_id)
        return len(runway.patient_runway(actor, patient_id).steps)
    finally:
        db.session.close()


def _page(client, path: str) -> int:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status_code}")
    return len(response.data)


def dashboard_home(client) -> int:
    """GET / as the signed-in user; the page's size in bytes."""
    return _page(client, "/")


def queue_page(client, name: str) -> int:
    """GET /queues/<name> (first page, default order); its size in bytes."""
    return _page(client, f"/queues/{name}")


def queue_names() -> tuple[str, ...]:
    return registry.DASHBOARD


def clinic_digests(clinic_id: int, digest_date: date) -> int:
    """Every opted-in user's digest of the day, built and rendered as the scheduled job does
    before it sends (nothing is sent or recorded); the items listed, all digests together."""
    try:
        clinic = db.session.get(Clinic, clinic_id)
        items = items_on(clinic, digest_date)
        listed = 0
        for user in recipients(clinic_id):
            digest = digest_for(user, items, digest_date)
            render(digest, user)
            listed += len(digest.items)
        return listed
    finally:
        db.session.close()
