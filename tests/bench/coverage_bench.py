"""Benchmark: the coverage check at 10,000 patients and 100,000 authorizations.

Run with `make bench`. Builds its own database (BENCH_DATABASE_URL, default a SQLite file in
instance/), bulk-loads the data once, then times the coverage check through the service and
through the HTTP API, printing median and p95 and the SQL statements per check.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.factory import create_app
from priorauth.models import AuthorizationRequest, Coverage, Infusion, Patient
from priorauth.services import accounts, coverage, tokens
from priorauth.services.reference import load_catalog
from tests.querycount import counting_queries

PATIENTS, AUTHS_PER_PATIENT, INFUSIONS_PER_PATIENT = 10_000, 10, 2
CODES = ("J1439", "J1437", "Q0138", "J1756")
STATUSES = ("approved", "approved", "approved", "denied", "submitted", "draft", "cancelled")
TODAY = datetime.now(UTC).date()
SAMPLES = 500


def database_url() -> str:
    default = Path(__file__).resolve().parents[2] / "instance" / "bench.sqlite"
    return os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{default}")


def fresh_schema(app) -> None:
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        load_catalog()
        db.session.commit()


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(model), rows[start : start + 5000])


def _patients_and_coverages(clinic_id: int, payer_id: int) -> None:
    _insert(
        Patient,
        [
            {
                "clinic_id": clinic_id,
                "mrn": f"B{n:06d}",
                "first_name": "Bench",
                "last_name": f"P{n}",
                "birth_date": date(1960, 1, 1) + timedelta(days=n % 9000),
            }
            for n in range(PATIENTS)
        ],
    )
    _insert(
        Coverage,
        [
            {
                "clinic_id": clinic_id,
                "patient_id": n + 1,
                "payer_id": payer_id,
                "member_id": f"M{n}",
                "start_date": TODAY - timedelta(days=400),
            }
            for n in range(PATIENTS)
        ],
    )


def _auth_row(rng, clinic_id: int, patient: int, k: int) -> dict:
    status = rng.choice(STATUSES)
    start = TODAY - timedelta(days=rng.randint(0, 200))
    approved = status == "approved"
    return {
        "clinic_id": clinic_id,
        "patient_id": patient,
        "coverage_id": patient,
        "hcpcs_code": CODES[k % len(CODES)],
        "diagnosis_codes": ["D50.9"],
        "dose_mg": 500,
        "administrations": 2,
        "units_requested": 1000,
        "requested_start": start,
        "requested_end": start + timedelta(days=180),
        "status": status,
        "urgency": "standard",
        "units_approved": 1000 if approved else None,
        "administrations_approved": 2 if approved else None,
        "approved_start": start if approved else None,
        "approved_end": start + timedelta(days=180) if approved else None,
        "auth_number": f"A{patient}-{k}" if approved else None,
        "version": 1,
    }


def load_data(app) -> None:
    rng = random.Random(7)
    with app.app_context():
        clinic = accounts.find_or_create_clinic("Bench Clinic", "UTC")
        db.session.execute(
            sa.text(
                "INSERT INTO payers (clinic_id, name, kind, standard_response_days, "
                "expedited_response_hours, appeal_window_days, requires_waste_modifiers) "
                "VALUES (:c, 'Bench Payer', 'commercial', 15, 72, 180, true)"
            ),
            {"c": clinic.id},
        )
        payer_id = db.session.scalar(sa.text("SELECT max(id) FROM payers"))
        _patients_and_coverages(clinic.id, payer_id)
        _insert(
            AuthorizationRequest,
            [
                _auth_row(rng, clinic.id, p, k)
                for p in range(1, PATIENTS + 1)
                for k in range(AUTHS_PER_PATIENT)
            ],
        )
        _insert(
            Infusion,
            [
                {
                    "clinic_id": clinic.id,
                    "patient_id": p,
                    "hcpcs_code": "J1439",
                    "scheduled_at": datetime.combine(
                        TODAY + timedelta(days=7 * i + 1), datetime.min.time()
                    ),
                    "dose_mg": 500,
                    "units_reserved": 500,
                    "status": "scheduled",
                    "booked_at": TODAY,
                }
                for p in range(1, PATIENTS + 1)
                for i in range(INFUSIONS_PER_PATIENT)
            ],
        )
        db.session.commit()


def timed(fn, samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{label:<34} median {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms   "
        f"(n={len(ordered)})"
    )


def main() -> None:
    url = database_url()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    started = time.perf_counter()
    fresh_schema(app)
    load_data(app)
    print(f"database: {url.split('@')[-1]}")
    print(
        f"loaded {PATIENTS:,} patients, {PATIENTS * AUTHS_PER_PATIENT:,} authorizations, "
        f"{PATIENTS * INFUSIONS_PER_PATIENT:,} infusions in {time.perf_counter() - started:.1f} s"
    )
    rng = random.Random(11)
    with app.app_context():

        def service_check():
            patient = rng.randint(1, PATIENTS)
            day = TODAY + timedelta(days=rng.randint(0, 60))
            coverage.check(patient, rng.choice(CODES), day, 500)
            db.session.rollback()

        with counting_queries() as statements:
            service_check()
        print(f"SQL statements per coverage check: {len(statements)}")
        report("coverage check (service)", timed(service_check, SAMPLES))
        user, _ = accounts.create_user(
            accounts.find_or_create_clinic("Bench Clinic"), "bench@example.test", "B", "scheduler"
        )
        _, token = tokens.issue(user)
        db.session.commit()
    client = app.test_client()

    def http_check():
        response = client.post(
            "/api/v1/coverage-check",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "patient_id": rng.randint(1, PATIENTS),
                "hcpcs_code": "J1439",
                "service_date": (TODAY + timedelta(days=10)).isoformat(),
                "dose_mg": "500",
            },
        )
        assert response.status_code == 200, response.get_json()

    report("POST /api/v1/coverage-check", timed(http_check, SAMPLES))


if __name__ == "__main__":
    main()
