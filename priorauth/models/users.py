"""Clinics, their staff and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from priorauth.domain.vocab import Role
from priorauth.extensions import db
from priorauth.models.base import ClinicOwned, one_of, utcnow


class Clinic(db.Model):
    __tablename__ = "clinics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="America/New_York")
    digest_hour: Mapped[int] = mapped_column(default=6)
    expiring_days: Mapped[str] = mapped_column(sa.String(40), default="30,14,7")
    uncovered_days: Mapped[int] = mapped_column(default=7)
    appeal_days: Mapped[int] = mapped_column(default=14)
    upcoming_business_days: Mapped[int] = mapped_column(default=2)
    digest_items_per_type: Mapped[int] = mapped_column(
        default=10, server_default="10", doc="a digest lists this many items per type"
    )
    # Nothing falls through (docs/domain.md): business days skip weekends and the public
    # holidays of holiday_country / holiday_subdivision (the `holidays` package's codes).
    escalation_business_days: Mapped[int] = mapped_column(
        default=2, server_default="2", doc="a due reminder unacknowledged this long escalates"
    )
    follow_up_business_days: Mapped[int] = mapped_column(
        default=2, server_default="2", doc="a submitted request is followed up this often"
    )
    renewal_buffer_business_days: Mapped[int] = mapped_column(
        default=3, server_default="3", doc="a renewal starts this long before it must"
    )
    holiday_country: Mapped[str] = mapped_column(sa.String(2), default="US", server_default="US")
    holiday_subdivision: Mapped[str | None] = mapped_column(sa.String(10), doc="e.g. a state")
    import_columns: Mapped[dict | None] = mapped_column(
        sa.JSON, doc="spreadsheet import: the clinic's header -> field mapping, remembered"
    )

    __table_args__ = (
        sa.CheckConstraint("digest_hour >= 0 AND digest_hour <= 23", name="digest_hour_range"),
        sa.CheckConstraint("digest_items_per_type >= 1", name="digest_items_positive"),
        sa.CheckConstraint("escalation_business_days >= 1", name="escalation_days_positive"),
        sa.CheckConstraint("follow_up_business_days >= 1", name="follow_up_days_positive"),
        sa.CheckConstraint("renewal_buffer_business_days >= 0", name="renewal_buffer_not_negative"),
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(sa.ForeignKey("clinics.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    digest_opt_in: Mapped[bool] = mapped_column(default=True)
    digest_when_empty: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Sessions carry this number; raising it (sign-out, password or role change,
    # deactivation) ends every session of the user at once.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # The secret of the user's calendar feed URL, stored hashed (hash_token); rotating it
    # replaces the hash, so the old URL stops working.
    calendar_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    calendar_token_created_at: Mapped[datetime | None]

    clinic: Mapped[Clinic] = relationship()

    __table_args__ = (sa.CheckConstraint(one_of("role", Role), name="role_known"),)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    label: Mapped[str | None] = mapped_column(sa.String(100))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @classmethod
    def issue(cls, user: User) -> tuple[ApiToken, str]:
        """Create a token row and return it with the plain token, shown once."""
        plain = "pa_" + secrets.token_urlsafe(32)
        return cls(user=user, token_hash=hash_token(plain)), plain


class QueueOwner(ClinicOwned, db.Model):
    """The clinic's default owner of a work queue's items (those with no owner of their own)."""

    __tablename__ = "queue_owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    queue: Mapped[str] = mapped_column(sa.String(40), doc="a queue name of domain/queues.py")
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship()

    __table_args__ = (sa.UniqueConstraint("clinic_id", "queue", name="one_owner_per_queue"),)
