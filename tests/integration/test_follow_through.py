"""Reminder states and escalation on the demo clinic (docs/follow-through.md): the sync adds,
resolves and reopens states, escalates exactly N business days after the day first seen
across a weekend and Thanksgiving (the clinic's US holidays), acknowledging and reassigning are
audited, and the owner shown is the reminder's own, else the request's, else the queue's."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from priorauth import demo, upkeep
from priorauth.errors import Conflict, NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, Clinic, QueueOwner, ReminderState
from priorauth.queries import escalations
from priorauth.queries.reminders import ClinicState
from priorauth.services import reminder_states
from priorauth.services.clock import clinic_now
from tests import factories
from tests.integration.test_digests import demo_user

WEDNESDAY = date(2026, 11, 25)  # the day before Thanksgiving
THANKSGIVING = date(2026, 11, 26)
FRIDAY, SUNDAY, MONDAY = date(2026, 11, 27), date(2026, 11, 29), date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)


@pytest.fixture
def clinic(app_ctx) -> Clinic:
    demo.seed(today=WEDNESDAY)
    db.session.commit()
    return db.session.scalar(sa.select(Clinic))


def due_on(clinic: Clinic, day: date):
    return ClinicState(
        clinic, datetime.combine(day, datetime.min.time()).replace(hour=9)
    ).reminders()


def states(clinic: Clinic) -> dict[str, ReminderState]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(ReminderState).where(ReminderState.clinic_id == clinic.id))
    return {row.key: row for row in rows}


def test_escalation_after_exactly_n_business_days_across_the_weekend_and_thanksgiving(
    clinic, admin_of
):
    reminders = due_on(clinic, WEDNESDAY)
    keys = [reminder_states.key_of(r) for r in reminders]
    later, acknowledged, seen_wednesday = keys[0], keys[1], set(keys[2:])
    first = reminder_states.sync(clinic, reminders[1:], WEDNESDAY)  # one not yet due
    reminder_states.acknowledge(admin_of(clinic), acknowledged)
    db.session.commit()
    assert first == reminder_states.Synced(added=len(keys) - 1)
    # first seen Wednesday, whatever day each names (some ahead, some past): Thanksgiving
    # does not count, Friday is 1, the weekend none, Monday 2
    assert {k for k, s in states(clinic).items() if s.escalates_on == MONDAY} == {
        acknowledged,
        *seen_wednesday,
    }
    assert reminder_states.sync(clinic, reminders[1:], WEDNESDAY).escalated == 0
    for day in (WEDNESDAY, FRIDAY, SUNDAY):
        if day != WEDNESDAY:
            assert reminder_states.sync(clinic, reminders, day).escalated == 0
        assert escalations.count(clinic.id, day) == 0
        assert escalations.rows(clinic.id, day) == []
    db.session.commit()
    assert states(clinic)[later].escalates_on == TUESDAY  # first seen Friday: Mon 1, Tue 2
    assert reminder_states.sync(clinic, reminders, MONDAY).escalated == len(seen_wednesday)
    db.session.commit()
    assert escalations.count(clinic.id, MONDAY) == len(seen_wednesday)
    assert {row.key for row in escalations.rows(clinic.id, MONDAY)} == seen_wednesday
    found = states(clinic)
    assert all(found[k].escalated_at is not None for k in seen_wednesday)
    assert found[acknowledged].escalated_at is None  # acknowledged: never escalates
    assert reminder_states.sync(clinic, reminders, MONDAY).escalated == 0  # stamped once
    assert reminder_states.sync(clinic, reminders, TUESDAY).escalated == 1  # the later one


def test_the_sync_resolves_vanished_reminders_and_reopens_them_fresh(clinic, admin_of):
    reminders = due_on(clinic, WEDNESDAY)
    reminder_states.sync(clinic, reminders, WEDNESDAY)
    gone = reminder_states.key_of(reminders[0])
    reminder_states.acknowledge(admin_of(clinic), gone)
    assert reminder_states.sync(clinic, reminders[1:], FRIDAY) == reminder_states.Synced(resolved=1)
    db.session.commit()
    assert states(clinic)[gone].resolved_at is not None
    with pytest.raises(NotFound):
        reminder_states.acknowledge(admin_of(clinic), gone)
    assert reminder_states.sync(clinic, reminders, MONDAY).reopened == 1
    db.session.commit()
    again = states(clinic)[gone]
    assert (again.resolved_at, again.acknowledged_at, again.first_seen_on) == (None, None, MONDAY)


def test_a_changed_escalation_setting_moves_the_escalation_day(clinic):
    reminders = due_on(clinic, WEDNESDAY)
    reminder_states.sync(clinic, reminders, WEDNESDAY)
    key = next(reminder_states.key_of(r) for r in reminders if r.due_date <= WEDNESDAY)
    clinic.escalation_business_days = 1
    reminder_states.sync(clinic, reminders, FRIDAY)
    db.session.commit()
    assert states(clinic)[key].escalates_on == FRIDAY
    assert key in {row.key for row in escalations.rows(clinic.id, FRIDAY)}


@pytest.fixture
def admin_of():
    return lambda clinic: demo_user("admin")


def test_acknowledging_takes_it_off_the_escalated_list_with_an_audit_event(clinic):
    reminders = due_on(clinic, WEDNESDAY)
    reminder_states.sync(clinic, reminders, WEDNESDAY)
    key = next(reminder_states.key_of(r) for r in reminders if r.due_date <= WEDNESDAY)
    admin = demo_user("admin")
    before = escalations.count(clinic.id, MONDAY)
    assert key in {row.key for row in escalations.rows(clinic.id, MONDAY)}
    state = reminder_states.acknowledge(admin, key)
    db.session.commit()
    assert state.acknowledged_by_id == admin.id
    assert escalations.count(clinic.id, MONDAY) == before - 1
    assert key not in {row.key for row in escalations.rows(clinic.id, MONDAY)}
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.entity_type == "reminder_states", AuditEvent.entity_id == state.id
        )
    )
    assert (event.action, event.user_id, event.note) == ("acknowledged", admin.id, key)
    with pytest.raises(Conflict) as twice:
        reminder_states.acknowledge(admin, key)
    assert twice.value.code == "ALREADY_ACKNOWLEDGED"
    stranger = factories.user(factories.clinic(), "admin")
    with pytest.raises(NotFound):
        reminder_states.acknowledge(stranger, key)


def test_the_owner_is_the_reminders_own_else_the_requests_else_the_queues(clinic):
    reminders = due_on(clinic, WEDNESDAY)
    reminder_states.sync(clinic, reminders, WEDNESDAY)
    late = next(r for r in reminders if r.due_date <= WEDNESDAY and r.infusion_id is None)
    key = reminder_states.key_of(late)
    auth = db.session.get(AuthorizationRequest, late.authorization_id)
    scheduler, billing = demo_user("scheduler"), demo_user("billing")

    def owner() -> str | None:
        db.session.commit()
        return next(r.owner_name for r in escalations.rows(clinic.id, MONDAY) if r.key == key)

    auth.owner_id = None
    assert owner() is None
    queue = escalations.registry.BY_REMINDER[str(late.type)].name
    db.session.add(QueueOwner(clinic_id=clinic.id, queue=queue, user_id=billing.id))
    assert owner() == billing.name
    auth.owner_id = scheduler.id
    assert owner() == scheduler.name
    admin = demo_user("admin")
    reminder_states.reassign(admin, key, billing.id)
    assert owner() == billing.name
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "reassigned").order_by(AuditEvent.id)
    ).all()[-1]
    assert (event.entity_type, event.changes) == (
        "reminder_states",
        {"owner_id": {"from": None, "to": billing.id}},
    )


@pytest.mark.parametrize("owner", [None, "7", 0, 2**40, -1])
def test_reassigning_to_no_active_user_of_the_clinic_is_refused_naming_the_field(clinic, owner):
    reminders = due_on(clinic, WEDNESDAY)
    reminder_states.sync(clinic, reminders, WEDNESDAY)
    key = reminder_states.key_of(reminders[0])
    with pytest.raises(ValidationFailed) as refused:
        reminder_states.reassign(demo_user("admin"), key, owner)
    assert "owner_id" in refused.value.errors


def test_reassigning_to_another_clinics_or_an_inactive_user_is_refused(clinic):
    reminders = due_on(clinic, WEDNESDAY)
    reminder_states.sync(clinic, reminders, WEDNESDAY)
    key = reminder_states.key_of(reminders[0])
    other = factories.user(factories.clinic(), "admin")
    gone = demo_user("billing")
    gone.active = False
    db.session.commit()
    for user in (other, gone):
        with pytest.raises(ValidationFailed):
            reminder_states.reassign(demo_user("admin"), key, user.id)
    assert states(clinic)[key].owner_id is None


def test_the_hourly_upkeep_job_syncs_every_clinics_states(app_ctx):
    demo.seed()
    db.session.commit()
    clinic = db.session.scalar(sa.select(Clinic))
    upkeep.refresh_attention()
    now = clinic_now(clinic)
    expected = {reminder_states.key_of(r) for r in ClinicState(clinic, now).reminders()}
    assert expected and set(states(clinic)) == expected


def test_the_digest_adds_escalated_items_only_for_reminders_it_lists_and_only_today(clinic):
    reminders = due_on(clinic, WEDNESDAY)
    reminder_states.sync(clinic, reminders, WEDNESDAY)
    db.session.commit()
    assert escalations.rows(clinic.id, MONDAY)
    assert escalations.digest_items(clinic.id, MONDAY, []) == []  # none of them listed
    items = ["an item"]
    assert escalations.with_escalated(clinic, date(2020, 1, 6), items) is items  # a past day


def test_a_digest_without_reminders_gets_no_links(app_ctx):
    from priorauth.models import ActionLink
    from priorauth.services import action_links

    user = factories.user(factories.clinic(), "admin")
    assert action_links.issue(user, []) == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionLink)) == 0
