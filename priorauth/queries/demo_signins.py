"""The demo clinic's sign-ins, for the sign-in page of a development server (`make run`).

The demo clinic is described in priorauth/demo/clinic.toml (its name, the staff's mailboxes,
the email domain and the one password they share). Its sign-ins are offered only while that
clinic exists in the database and the app runs with PRIORAUTH_ENV=development; never in
production.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from priorauth.domain.vocab import label
from priorauth.extensions import db
from priorauth.models import Clinic, User

DEMO_CLINIC_FILE = Path(__file__).resolve().parent.parent / "demo" / "clinic.toml"


@dataclass(frozen=True)
class DemoSignIns:
    """Who can sign in to the demo clinic: (email, role in words) per user, one password."""

    password: str
    users: tuple[tuple[str, str], ...]


@cache
def _demo_clinic() -> dict:
    with DEMO_CLINIC_FILE.open("rb") as file:
        return tomllib.load(file)


def demo_sign_ins(environment: str) -> DemoSignIns | None:
    """The demo clinic's active users and their password in development; None otherwise
    (production, or no demo clinic in this database)."""
    if environment != "development":
        return None
    demo = _demo_clinic()
    rows = db.session.execute(
        sa.select(User.email, User.role)
        .join(Clinic, Clinic.id == User.clinic_id)
        .where(
            Clinic.name == demo["name"],
            User.active.is_(True),
            User.email.like(f"%@{demo['email_domain']}"),
        )
        .order_by(User.id)
    ).all()
    if not rows:
        return None
    return DemoSignIns(demo["password"], tuple((e, label(r).lower()) for e, r in rows))
