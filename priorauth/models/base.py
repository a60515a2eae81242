"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from priorauth.domain.vocab import values

MG = sa.Numeric(10, 3)
LAB_VALUE = sa.Numeric(8, 2)
INTEGER_MAX = 2**31 - 1  # the largest value of an Integer column (and id) on PostgreSQL


def utcnow() -> datetime:
    """Naive UTC now: every timestamp column stores UTC; pages convert to the clinic's zone."""
    return datetime.now(UTC).replace(tzinfo=None)


class ClinicOwned:
    """A row that belongs to one clinic; queries go through priorauth.services.scope."""

    @declared_attr
    def clinic_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("clinics.id"), index=True)


def one_of(column: str, vocabulary, *, nullable: bool = False) -> str:
    """A CHECK constraint's SQL: the column holds a value of the vocabulary (domain/vocab.py),
    e.g. "status IN ('pending', 'sent', 'failed')"; nullable: or nothing."""
    listed = ", ".join(f"'{value}'" for value in values(vocabulary))
    test = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {test}" if nullable else test


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)
