"""The scheduler's upkeep jobs (priorauth/scheduler.py runs them): keep the stored attention
facts true as the days pass, and keep SQLite's query planner informed.

Each runs in the app's context, in a transaction of its own, and is safe to run again.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import Clinic
from priorauth.queries import escalations
from priorauth.services import attention
from priorauth.services.clock import clinic_now, clinic_today

log = logging.getLogger("priorauth.scheduler")


def refresh_attention() -> dict[int, int]:
    """Every clinic: recompute the facts the new day made stale (checklists judge lab age by
    the clinic's day), and bring its reminder states in step (escalation: queries/
    escalations.synced), one transaction per clinic; {clinic id: patients refreshed}."""
    done = {}
    for clinic in db.session.scalars(sa.select(Clinic).order_by(Clinic.id)).all():
        done[clinic.id] = attention.refresh_stale(clinic.id, clinic_today(clinic))
        escalations.synced(clinic, clinic_now(clinic))
        db.session.commit()
    log.info("attention facts refreshed: %s", done)
    return done


def optimize_database(attempts: int = 10) -> bool:
    """SQLite: `PRAGMA optimize` re-gathers the planner's statistics where they have drifted
    (PostgreSQL's autovacuum does this itself). True when it ran. It reads and then writes, so
    a writer that got in between makes SQLite answer "locked" at once instead of waiting:
    it tries again a moment later."""
    if db.engine.dialect.name != "sqlite":
        return False
    for attempt in range(attempts):
        try:
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA optimize")
            return True
        except sa.exc.OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)
    return False
