"""The follow-through reads and writes send a number of SQL statements that does not grow
with the data (as tests/integration/test_statement_counts.py for the other operations): the
sync of the reminder states (first, steady, and after every reminder was acknowledged and
escalated), the escalated page, the dashboard's escalated count and a digest's links, on
the scale generator's data at two sizes, the second three times the first."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import ReminderState, User
from priorauth.queries import escalations
from priorauth.queries.reminders import ClinicState
from priorauth.services import action_links, reminder_states
from priorauth.services.clock import clinic_now
from tests.bench import context
from tests.bench.measure import statements_of
from tests.integration.test_statement_counts import _empty_tables, _generated


def _counts(app) -> dict[str, int]:
    clinic = context.largest_clinic()
    scene = context.prepare(clinic, 1)
    now = clinic_now(clinic)
    reminders = ClinicState(clinic, now).reminders()  # stale facts refreshed: not counted
    db.session.commit()
    counts = {"first sync": statements_of(reminder_states.sync, clinic, reminders, now.date())}
    db.session.commit()
    keys = db.session.scalars(sa.select(ReminderState.key)).all()
    assert len(keys) > 20, "the generated clinic has reminders due"
    counts["steady sync"] = statements_of(escalations.synced, clinic, now)
    db.session.execute(
        sa.update(ReminderState).values(first_seen_on=now.date() - timedelta(days=30))
    )
    db.session.commit()
    counts["escalating sync"] = statements_of(escalations.synced, clinic, now)
    db.session.commit()
    assert escalations.count(clinic.id, now.date()) > 10
    counts["dashboard count"] = statements_of(escalations.count, clinic.id, now.date())
    admin = context.signed_in(app, *scene.admin)
    counts["escalated page"] = statements_of(admin.get, "/escalated")
    user = db.session.scalars(sa.select(User).where(User.clinic_id == clinic.id)).first()
    counts["digest links"] = statements_of(action_links.issue, user, keys)
    db.session.rollback()
    return counts


def test_follow_through_statements_are_the_same_at_three_times_the_data(app_ctx):
    _generated(1)
    small = _counts(app_ctx)
    _empty_tables()
    _generated(3)
    large = _counts(app_ctx)
    assert large == small, f"statements at 1x and 3x: {small} != {large}"
