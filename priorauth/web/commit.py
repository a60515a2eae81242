"""The one commit point of a page: call a use case, commit, or roll back its refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from priorauth.errors import AppError
from priorauth.extensions import db

T = TypeVar("T")


def committed(use_case: Callable[[], T]) -> tuple[T | None, AppError | None]:
    """-> (result, None) after a commit, or (None, refusal) after a rollback.

    A view reads parse -> call -> respond::

        infusion, refusal = committed(lambda: infusions.update(current_user, id, data))
        if refusal is None:
            flash(...); return redirect(...)
        return page(errors=service_errors(refusal), status=refusal.status)
    """
    try:
        result = use_case()
        db.session.commit()
    except AppError as refusal:
        db.session.rollback()
        return None, refusal
    return result, None
