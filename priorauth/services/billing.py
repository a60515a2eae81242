"""Mark administrations billed: all the chosen ones or none, each audited (docs/domain.md §4)."""

from __future__ import annotations

from datetime import datetime

from priorauth.domain.units import stored_lines_missing
from priorauth.domain.vocab import InfusionStatus, label
from priorauth.errors import Conflict, NotFound
from priorauth.extensions import db
from priorauth.models import Infusion
from priorauth.services import audit
from priorauth.services.scope import scoped


def _chosen(clinic_id: int, ids: list[int]) -> list[Infusion]:
    """The clinic's rows with these ids, locked; an id not found is a 404 naming it."""
    query = scoped(Infusion, clinic_id).where(Infusion.id.in_(ids)).order_by(Infusion.id)
    rows = db.session.scalars(query.with_for_update()).all()
    absent = sorted(set(ids) - {row.id for row in rows})
    if absent:
        names = ", ".join(str(i) for i in absent)
        problem = f"no administration with id {names} in this clinic"
        raise NotFound(problem, {"infusion_ids": [problem]})
    return rows


def _why_not(infusion: Infusion) -> str | None:
    """Why this one cannot be marked billed, in words; None when it can."""
    if infusion.status != InfusionStatus.ADMINISTERED:
        return f"infusion {infusion.id} is {label(infusion.status).lower()}, not administered"
    if infusion.billed_at is not None:
        return f"infusion {infusion.id} was already marked billed"
    missing = stored_lines_missing(infusion.reaction, infusion.claim_lines or [])
    if missing:
        return f"infusion {infusion.id} is missing documentation: {' and '.join(missing)}"
    return None


def mark_billed(actor, infusion_ids: list[int], now_utc: datetime) -> list[Infusion]:
    """Stamp billed_at / billed_by on every chosen administration, or refuse them all (409
    naming each one that is not ready to bill)."""
    rows = _chosen(actor.clinic_id, sorted(set(infusion_ids)))
    problems = [p for p in map(_why_not, rows) if p]
    if problems:
        raise Conflict(
            "nothing was marked billed: " + "; ".join(problems),
            {"infusion_ids": problems},
            code="NOT_READY_TO_BILL",
        )
    for infusion in rows:
        infusion.billed_at, infusion.billed_by_id = now_utc, actor.id
        lines = len(infusion.claim_lines or [])
        audit.record(actor, infusion, "billed", changes={"billed_at": now_utc, "lines": lines})
    return rows
