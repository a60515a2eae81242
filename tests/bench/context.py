"""What the operations run on: the app on a scale database, the clinic measured (the one with
the most patients), a signed-in client for its admin and the samples the timed loops draw."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask.testing import FlaskClient

from priorauth.demo.scale_setup import PASSWORD as SCALE_PASSWORD
from priorauth.extensions import db
from priorauth.factory import create_app
from priorauth.models import AuthorizationRequest, Clinic, Infusion, Patient, User
from priorauth.services import accounts, tokens
from priorauth.services.clock import clinic_today

PASSWORD = "correct-horse-7"
RUNWAY_PATIENTS = 20


class FreshContextClient(FlaskClient):
    """Each request in its own app context (own db session), as under gunicorn."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def bench_app(url: str):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    app.test_client_class = FreshContextClient
    return app


@dataclass
class Scene:
    """The clinic measured and what the loops draw from (set by `prepare`)."""

    clinic_id: int
    today: date
    admin: tuple[str, str]  # email, password
    checks: list[tuple[int, int, str, date, object]] = field(default_factory=list)
    runway_patients: list[int] = field(default_factory=list)


def largest_clinic() -> Clinic:
    clinic_id = db.session.scalar(
        sa.select(Patient.clinic_id)
        .group_by(Patient.clinic_id)
        .order_by(sa.func.count().desc(), Patient.clinic_id)
        .limit(1)
    )
    return db.session.get(Clinic, clinic_id)


def user_of(clinic: Clinic, role: str) -> tuple[str, str]:
    """(email, password) of the clinic's first active user of the role: one the generator
    made (its password is SCALE_PASSWORD), else one made here."""
    email = db.session.scalar(
        sa.select(User.email)
        .where(User.clinic_id == clinic.id, User.role == role, User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    if email is not None:
        return email, SCALE_PASSWORD
    email = f"bench-{role.replace('_', '-')}@c{clinic.id}.bench.test"
    accounts.create_user(clinic, email, f"Bench {role}", role, PASSWORD)
    db.session.commit()
    return email, PASSWORD


def api_token(clinic: Clinic) -> str:
    """A new API token of the clinic's scheduler."""
    email, _ = user_of(clinic, "scheduler")
    user = db.session.scalar(sa.select(User).where(User.email == email))
    _, plain = tokens.issue(user, label="bench")
    db.session.commit()
    return plain


def coverage_questions(clinic_id: int, today: date, count: int, seed: int = 11) -> list:
    """(clinic, patient, code, day, dose) of random requests of the clinic, 0-60 days ahead."""
    rows = db.session.execute(
        sa.select(
            AuthorizationRequest.patient_id,
            AuthorizationRequest.hcpcs_code,
            AuthorizationRequest.dose_mg,
        ).where(AuthorizationRequest.clinic_id == clinic_id)
    ).all()
    rng = random.Random(seed)
    picked = rng.sample(rows, min(count, len(rows)))
    return [
        (clinic_id, p, code, today + timedelta(days=rng.randint(0, 60)), dose)
        for p, code, dose in picked
    ]


def busiest_runways(clinic_id: int, limit: int = RUNWAY_PATIENTS) -> list[int]:
    """The patients of the clinic with the most booked infusions."""
    return db.session.scalars(
        sa.select(Infusion.patient_id)
        .where(Infusion.clinic_id == clinic_id, Infusion.status == "scheduled")
        .group_by(Infusion.patient_id)
        .order_by(sa.func.count().desc(), Infusion.patient_id)
        .limit(limit)
    ).all()


def prepare(clinic: Clinic, samples: int) -> Scene:
    """Inside an app context: the clinic's admin, then the samples."""
    admin = user_of(clinic, "admin")
    today = clinic_today(clinic)
    return Scene(
        clinic.id,
        today,
        admin,
        coverage_questions(clinic.id, today, samples),
        busiest_runways(clinic.id),
    )


def signed_in(app, email: str, password: str):
    """A test client with a session of the user (through the sign-in form)."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"sign-in as {email} failed: HTTP {response.status_code}")
    return client


def approved_question(clinic_id: int) -> tuple[int, int, str, date, object]:
    """(clinic, patient, code, day, dose) of the clinic's first approval, on its first day: a check
    that goes all the way (an approval, its usage, the plan)."""
    request = AuthorizationRequest
    return clinic_id, *db.session.execute(
        sa.select(request.patient_id, request.hcpcs_code, request.approved_start, request.dose_mg)
        .where(
            request.clinic_id == clinic_id,
            request.status == "approved",
            request.approved_start.is_not(None),
        )
        .order_by(request.id)
        .limit(1)
    ).one()
