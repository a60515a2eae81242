"""Clinic scoping for every query: a user sees only their own clinic's rows."""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa

from priorauth.errors import NotFound
from priorauth.extensions import db
from priorauth.models.base import INTEGER_MAX

M = TypeVar("M")


def scoped(model: type[M], clinic_id: int) -> sa.Select:
    """SELECT model rows that belong to the clinic."""
    return sa.select(model).where(model.clinic_id == clinic_id)


def get_owned(model: type[M], ident, clinic_id: int, *, what: str | None = None) -> M:
    """The row with this id in this clinic, or NotFound (another clinic's row is not found).

    An id no key can hold (0, negative, past the integer range) is not looked up: not found.
    """
    out_of_range = isinstance(ident, int) and not 1 <= ident <= INTEGER_MAX
    row = None if ident is None or out_of_range else db.session.get(model, ident)
    if row is None or row.clinic_id != clinic_id:
        label = what or model.__tablename__.rstrip("s").replace("_", " ")
        raise NotFound(f"{label} {ident} not found", {"id": [f"no {label} with id {ident}"]})
    return row
