"""Spreadsheet imports: the uploaded file, its progress, its problems and its result."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from priorauth.extensions import db
from priorauth.models.base import ClinicOwned, utcnow


class ImportJob(ClinicOwned, db.Model):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="uploaded")
    total_rows: Mapped[int | None]
    processed_rows: Mapped[int] = mapped_column(default=0, server_default="0")
    mapping: Mapped[dict | None] = mapped_column(sa.JSON, doc="header -> field")
    problems: Mapped[list | None] = mapped_column(sa.JSON, deferred=True)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    valid_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    user = relationship("User")
