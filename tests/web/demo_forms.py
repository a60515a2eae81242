"""Shared by the form tests: two demo clinics (ours and another), their rows, the admin."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from priorauth import demo
from priorauth.demo.data import PASSWORD
from priorauth.extensions import db
from priorauth.models import User
from priorauth.services import tokens

ADMIN = "admin@demo.priorauth.test"


def first(model, *where):
    """The id of the first row matching, or None."""
    return db.session.scalar(sa.select(model.id).where(*where).order_by(model.id).limit(1))


def seed_two_clinics() -> tuple[int, int]:
    """The demo clinic (ours: its admin has an API token too) and a second copy (theirs)."""
    today = datetime.now(ZoneInfo("America/New_York")).date()
    demo.seed(today=today)
    demo.seed(force=True, today=today)
    db.session.commit()
    clinics = db.session.scalars(sa.select(User.clinic_id).distinct().order_by(User.clinic_id))
    ours, theirs = clinics
    admin = db.session.get(User, first(User, User.clinic_id == ours, User.role == "admin"))
    tokens.issue(admin)
    db.session.commit()
    return ours, theirs


def sign_in_admin(client) -> None:
    answer = client.post("/login", data={"email": ADMIN, "password": PASSWORD})
    assert answer.status_code == 302
