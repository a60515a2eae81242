"""The queues in SQL (queries/queue_sql.py) are the registry's queues (domain/queues.py): over
generated clinics and the demo clinic, at several moments on the edges of the windows, every
dashboard queue's members read from the stored facts equal `registry.members(...)` over states
computed from scratch, with the same row figures (day, days, units, flagged), the same counts
and flagged counts; and the reminders read from the stored facts equal the fresh ones."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from priorauth import demo
from priorauth.domain import queues as registry
from priorauth.extensions import db
from priorauth.models import Clinic, Patient
from priorauth.queries.dashboard import ClinicQueues
from priorauth.queries.reminders import ClinicState
from priorauth.services import attention
from tests.api.builders import TODAY
from tests.attention_clinic import generate
from tests.fresh_states import FreshState

NOON = datetime.combine(TODAY, time(12))
MOMENTS = (
    datetime.combine(TODAY, time(0)),  # today, first minute
    NOON,  # answers due 11:00 overdue by an hour, 13:00 not yet
    NOON + timedelta(days=1, hours=-11, minutes=-1),  # tomorrow 00:59
    datetime.combine(TODAY + timedelta(days=7), time(23, 59)),  # the uncovered window's end
    datetime.combine(TODAY + timedelta(days=30), time(9)),  # an approval ending, the tier's end
    datetime.combine(TODAY + timedelta(days=31), time(9)),
)


def _fresh_facts(clinic: Clinic, day) -> None:
    """The stored facts as of `day` (checklists judge lab age by the day)."""
    ids = db.session.scalars(sa.select(Patient.id).where(Patient.clinic_id == clinic.id)).all()
    attention.refresh_patients(ids, today=day)
    db.session.commit()


def _python_rows(fresh: FreshState, name: str) -> dict[int, tuple]:
    queue = registry.BY_NAME[name]
    states = fresh.infusion_states() if queue.subject == registry.INFUSION else fresh.auth_states()
    found = {}
    for state in registry.members(queue, states, fresh.now, fresh.limits):
        day = queue.day(state)
        days = None if day is None else (day - fresh.today).days
        flagged = queue.flags(state, fresh.now, fresh.limits)
        found[state.id] = (day, days, queue.units(state), flagged)
    return found


def _sql_rows(queues: ClinicQueues, name: str) -> dict[int, tuple]:
    found = {}
    for row in queues.rows(name):
        day = row.day.date() if isinstance(row.day, datetime) else row.day
        found[row.ident] = (day, row.days, row.units, row.flagged)
    return found


def _compare(clinic: Clinic, now: datetime) -> dict[str, int]:
    _fresh_facts(clinic, now.date())
    fresh, queues = FreshState(clinic, now), ClinicQueues(clinic, now)
    counts, flagged = queues.counts(), queues.flagged()
    sizes = {}
    for name in registry.DASHBOARD:
        expected = _python_rows(fresh, name)
        assert _sql_rows(queues, name) == expected, (name, now)
        assert counts[name] == len(expected), (name, now)
        if name in flagged:
            assert flagged[name][0] == sum(1 for r in expected.values() if r[3]), (name, now)
        sizes[name] = len(expected)
    assert ClinicState(clinic, now).reminders() == fresh.reminders(), now
    return sizes


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_queues_equal_the_registry_over_generated_clinics(app_ctx, seed):
    clinic = generate(seed, TODAY, NOON, patients=50)
    seen: dict[str, int] = {}
    for now in MOMENTS:
        for name, size in _compare(clinic, now).items():
            seen[name] = seen.get(name, 0) + size
    # the clinic puts rows in every queue at one moment or another (the test compares something)
    assert all(seen[name] > 0 for name in registry.DASHBOARD), seen


def test_sql_queues_equal_the_registry_on_the_demo_clinic(app_ctx):
    demo.seed(today=TODAY)
    db.session.commit()
    clinic = db.session.scalar(sa.select(Clinic).order_by(Clinic.id))
    for now in (
        datetime.combine(TODAY, time(9)),
        datetime.combine(TODAY + timedelta(days=3), time(18)),
    ):
        sizes = _compare(clinic, now)
        assert sizes["ready_to_submit"] and sizes["needs_evidence"], sizes


PYTHON_KEYS = {  # the order the pages had when sorted in Python
    "request": lambda r: r.ident,
    "patient": lambda r: (r.patient.last_name.lower(), r.patient.first_name.lower()),
    "payer": lambda r: r.payer_name.lower(),
    "code": lambda r: r.code,
    "status": lambda r: r.auth.current_status,
    "date": lambda r: r.day,
    "days": lambda r: r.days,
    "problems": lambda r: len(r.problems),
    "submitted": lambda r: r.auth.submitted_at,
    "units": lambda r: r.units,
    "coverage": lambda r: r.badge,
}


def _python_sorted(rows, column: str, descending: bool) -> list[int]:
    """Ties by id, empty values last in either direction."""
    key = PYTHON_KEYS[column]
    rows = sorted(rows, key=lambda r: r.ident)
    present = [r for r in rows if key(r) is not None]
    empty = [r for r in rows if key(r) is None]
    return [r.ident for r in sorted(present, key=key, reverse=descending) + empty]


def test_a_page_sorts_filters_and_pages_in_sql_as_the_rows_say(app_ctx):
    clinic = generate(3, TODAY, NOON, patients=60)
    _fresh_facts(clinic, TODAY)
    queues = ClinicQueues(clinic, NOON)
    for name in registry.DASHBOARD:
        for sort, _ in registry.BY_NAME[name].columns:
            for descending in (False, True):
                every = queues.rows(name, sort, descending)
                expected = _python_sorted(every, sort, descending)
                assert [r.ident for r in every] == expected, (name, sort, descending)
                first = queues.page(name, "", sort, descending, 1, 25)
                assert first.total == len(every)
                paged = [r.ident for r in first.items]
                for number in range(2, first.pages + 1):
                    paged += [
                        r.ident for r in queues.page(name, "", sort, descending, number, 25).items
                    ]
                assert paged == [r.ident for r in every], (name, sort, descending)
        some = queues.rows(name)
        if some:
            mrn = some[0].patient.mrn.lower()
            matched = queues.page(name, mrn, "request", False, 1, 200)
            assert [r.ident for r in matched.items] == [
                r.ident for r in some if mrn in r.patient.mrn.lower()
            ]
