"""The scheduler's jobs and its standby loop, run in the test process: a job for a clinic
that is gone, a digest for a given day, the retry job's choice of clinics, failed jobs
logged, and a standby that announces itself once and lets go of nothing it does not hold."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler

from priorauth import scheduler as jobs
from priorauth.extensions import db
from priorauth.models import DigestDelivery
from priorauth.services.clock import clinic_now
from tests import factories


@pytest.fixture
def jobs_app(app_ctx):
    """The app the jobs run in: they reach it through its context, as the executor gives it."""
    return app_ctx


def _deliveries() -> list[DigestDelivery]:
    db.session.rollback()  # see what the job committed
    return db.session.scalars(sa.select(DigestDelivery).order_by(DigestDelivery.id)).all()


def _reader(clinic):
    """A user who gets a digest even when it is empty."""
    user = factories.user(clinic, "billing")
    user.digest_when_empty = True
    db.session.commit()
    return user


def test_the_job_of_a_clinic_that_is_gone_sends_nothing(jobs_app, clinic):
    _reader(clinic)
    assert jobs.send_clinic_digest(clinic.id + 1000) == {}
    assert _deliveries() == []


def test_a_clinic_job_given_a_day_sends_that_days_digest(jobs_app, clinic):
    user = _reader(clinic)
    report = jobs.send_clinic_digest(clinic.id, "2026-03-02")
    assert report["sent"] == 1, report
    [row] = _deliveries()
    assert (row.user_id, row.digest_date, row.status) == (user.id, date(2026, 3, 2), "sent")


def test_the_retry_job_sends_only_for_clinics_past_their_digest_hour(jobs_app):
    due, later = factories.clinic("Due"), factories.clinic("Later")
    due.digest_hour = 0  # always passed
    # a zone where it is not yet 22:00, so the 23:00 digest hour is still ahead
    later.timezone = "UTC" if clinic_now(later).hour < 22 else "America/Los_Angeles"
    later.digest_hour = 23
    db.session.commit()
    waiting, reader = _reader(later), _reader(due)
    jobs.retry_failed_digests()
    sent = {(row.user_id, row.status) for row in _deliveries()}
    assert sent == {(reader.id, "sent")}
    assert waiting.id not in {user_id for user_id, _ in sent}


def test_resync_acts_only_on_the_scheduler_of_this_process(jobs_app, clinic, monkeypatch):
    scheduler = BackgroundScheduler(timezone="UTC")  # not started: jobs stay pending
    assert jobs.active(jobs_app) is None  # this process is not the active one
    jobs.resync()
    assert scheduler.get_jobs() == []
    monkeypatch.setitem(jobs_app.extensions, jobs.ACTIVE, scheduler)
    jobs.resync()
    assert jobs.clinic_job_id(clinic.id) in {job.id for job in scheduler.get_jobs()}


def test_the_heartbeat_and_a_failed_job_are_logged(app_ctx, caplog):
    leader = jobs.Leader(app_ctx, "solo")
    failed = JobExecutionEvent(
        EVENT_JOB_ERROR,
        "digest-clinic-7",
        "default",
        datetime(2026, 3, 2, 6),
        exception=RuntimeError("smtp"),
    )
    with caplog.at_level(logging.INFO, logger="priorauth.scheduler"):
        jobs.heartbeat()
        leader._on_job(failed)
    assert leader.executed == 1
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert any(m.startswith("scheduler alive at ") for _, m in messages), messages
    assert ("ERROR", "job digest-clinic-7 failed: smtp") in messages


class CountingStandby(jobs.Leader):
    """A real Leader that stops itself after its third try for the lock."""

    def __init__(self, app, stop: threading.Event):
        super().__init__(app, "standby")
        self.stop, self.tries = stop, 0

    def try_lock(self) -> bool:
        got = super().try_lock()
        self.tries += 1
        if self.tries == 3:
            self.stop.set()
        return got


def test_a_standby_announces_itself_once_and_stops_without_the_lock(app_ctx, caplog):
    active = jobs.Leader(app_ctx, "active")
    assert active.try_lock()
    stop = threading.Event()
    standby = CountingStandby(app_ctx, stop)
    try:
        with caplog.at_level(logging.INFO, logger="priorauth.scheduler"):
            jobs.run(standby, stop, standby_poll=0)
    finally:
        active.release()
    assert standby.tries == 3
    assert standby.scheduler is None and standby.executed == 0
    waiting = [r for r in caplog.records if "waiting as a standby" in r.getMessage()]
    assert len(waiting) == 1
    assert waiting[0].getMessage().startswith("standby: another scheduler holds the lock")
    after = jobs.Leader(app_ctx, "after")  # the active one's release freed the lock
    try:
        assert after.try_lock()
    finally:
        after.release()
