"""The scheduler: one active process (lock), jobs with explicit ids, kept out of Alembic."""

from __future__ import annotations

import threading
import time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_EXECUTED
from flask import current_app

from priorauth import scheduler as jobs
from priorauth.extensions import db


def wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def fast_heartbeat(app_ctx):
    before = app_ctx.config["SCHEDULER_HEARTBEAT_SECONDS"]
    app_ctx.config["SCHEDULER_HEARTBEAT_SECONDS"] = 1
    yield app_ctx
    app_ctx.config["SCHEDULER_HEARTBEAT_SECONDS"] = before
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM apscheduler_jobs"))


def synced(leader) -> bool:
    """The leader scheduler runs and has added its jobs (the heartbeat job comes last)."""
    return leader.scheduler is not None and leader.scheduler.get_job("heartbeat") is not None


def start(app, name):
    leader, stop = jobs.Leader(app, name), threading.Event()
    thread = threading.Thread(target=jobs.run, args=(leader, stop), kwargs={"standby_poll": 0.2})
    thread.start()
    return leader, stop, thread


def test_two_schedulers_one_runs_the_jobs_the_other_waits(fast_heartbeat, clinic):
    app = fast_heartbeat
    first, stop_first, t1 = start(app, "first")
    assert wait_for(lambda: first.scheduler is not None and first.scheduler.running)
    second, stop_second, t2 = start(app, "second")
    try:
        assert wait_for(lambda: first.executed >= 2)
        assert second.scheduler is None and second.executed == 0
        ids = {job.id for job in first.scheduler.get_jobs()}
        assert {
            jobs.clinic_job_id(clinic.id),
            "digest-retry",
            "attention-refresh",
            "database-optimize",
            "resync",
            "heartbeat",
        } <= ids
        stop_first.set()
        t1.join(timeout=20)
        assert wait_for(lambda: second.scheduler is not None and second.executed >= 1)
    finally:
        stop_first.set()
        stop_second.set()
        t1.join(timeout=20)
        t2.join(timeout=20)


def test_clinic_job_runs_at_its_digest_hour_in_its_time_zone(fast_heartbeat, clinic):
    clinic.timezone, clinic.digest_hour = "America/Chicago", 7
    db.session.commit()
    leader, stop, thread = start(fast_heartbeat, "solo")
    try:
        assert wait_for(lambda: synced(leader))
        job = leader.scheduler.get_job(jobs.clinic_job_id(clinic.id))
        fire = job.next_run_time.astimezone(ZoneInfo("America/Chicago"))
        assert (fire.hour, fire.minute) == (7, 0)
        assert job.coalesce is True and job.misfire_grace_time >= 3600
    finally:
        stop.set()
        thread.join(timeout=20)


def test_resync_adds_a_job_for_a_new_clinic(fast_heartbeat, clinic):
    from tests import factories

    leader, stop, thread = start(fast_heartbeat, "solo")
    try:
        assert wait_for(lambda: synced(leader))
        newcomer = factories.clinic("Newcomer")
        assert leader.scheduler.get_job(jobs.clinic_job_id(newcomer.id)) is None
        jobs.resync()
        assert leader.scheduler.get_job(jobs.clinic_job_id(newcomer.id)) is not None
    finally:
        stop.set()
        thread.join(timeout=20)


def test_apscheduler_table_is_excluded_from_autogenerate(app_ctx):
    from priorauth.factory import _include_object

    assert _include_object(None, "apscheduler_jobs", "table", True, None) is False
    assert _include_object(None, "patients", "table", True, None) is True


def app_of_the_job() -> str:
    """A job that answers the name of the app whose context it runs in."""
    return current_app.name


def test_the_scheduler_is_published_only_with_its_jobs_and_withdrawn_on_release(app_ctx, clinic):
    """No module globals: the active scheduler hangs on its app once every job is stored,
    and jobs reach the app through the context the executor gives them."""
    leader = jobs.Leader(app_ctx, "solo")
    assert jobs.active(app_ctx) is None and leader.scheduler is None
    assert leader.try_lock()
    try:
        leader.start()
        active = jobs.active(app_ctx)
        assert active is leader.scheduler
        ids = {job.id for job in active.get_jobs()}
        assert {
            jobs.clinic_job_id(clinic.id),
            "digest-retry",
            "attention-refresh",
            "database-optimize",
            "resync",
            "heartbeat",
        } <= ids
        ran, answers = threading.Event(), []

        def collect(event):
            if event.job_id == "probe":
                answers.append(event.retval)
                ran.set()

        active.add_listener(collect, EVENT_JOB_EXECUTED)
        active.add_job("tests.integration.test_scheduler:app_of_the_job", id="probe")
        assert ran.wait(15) and answers == [app_ctx.name]
    finally:
        leader.release()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM apscheduler_jobs"))
    assert jobs.active(app_ctx) is None and not leader.scheduler.running
