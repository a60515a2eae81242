"""Each scheduled job RUNS once, started by a real APScheduler (jobs stored in the app
database) against a real SMTP server (aiosmtpd on 127.0.0.1): the per-clinic digest job, the
retry job, the resync job and the heartbeat. A job is made due now (modify_job) and the
scheduler itself calls it, with its stored arguments, in the app handed to Leader.start.

The jobs read the real clock (the day of the digest is the clinic's today), so the data is
built around the clinic's real today; "later" is made by moving a row's next attempt back."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

from priorauth import scheduler as jobs
from priorauth.demo import data as demo_data
from priorauth.extensions import db
from priorauth.models import Clinic, DigestDelivery
from priorauth.services.clock import clinic_today
from tests import factories
from tests.integration.test_digests import (
    demo_user,
    expected_items,
    items_in,
    linked_ids,
    parts,
    seed_demo,
    smtp_server,
)

ZONES = ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kolkata", "America/Chicago")


class Running:
    """A started Leader whose job runs are collected as (job id, return value, error)."""

    def __init__(self, app):
        self.leader = jobs.Leader(app, "test")
        self.runs: list = []
        self._lock = threading.Lock()

    def __enter__(self):
        self.leader.start()
        self.leader.scheduler.add_listener(self._collect, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        return self

    def __exit__(self, *exc):
        self.leader.release()

    def _collect(self, event) -> None:
        with self._lock:
            self.runs.append((event.job_id, event.retval, event.exception))

    def run_now(self, job_id: str, seconds: float = 30.0):
        """Make the job due now, let the scheduler run it once, answer what it returned."""
        before = len(self.runs_of(job_id))
        self.leader.scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))
        deadline = time.monotonic() + seconds
        while len(self.runs_of(job_id)) == before:
            assert time.monotonic() < deadline, f"job {job_id} did not run"
            time.sleep(0.05)
        [(_, retval, error)] = self.runs_of(job_id)[before:]
        assert error is None, error
        return retval

    def runs_of(self, job_id: str) -> list:
        with self._lock:
            return [run for run in self.runs if run[0] == job_id]


@pytest.fixture
def running(app_ctx):
    with Running(app_ctx) as scheduler:
        yield scheduler
    with db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM apscheduler_jobs"))


@pytest.fixture
def demo_clinic(app_ctx) -> tuple[int, object]:
    """The demo clinic seeded on its real today: (id, that day)."""
    day = datetime.now(ZoneInfo(demo_data.TIMEZONE)).date()
    clinic = seed_demo(day)
    assert clinic_today(clinic) == day
    return clinic.id, day


def rows() -> dict[str, DigestDelivery]:
    db.session.expire_all()
    return {r.user.email: r for r in db.session.scalars(sa.select(DigestDelivery))}


def a_zone_before(hour: int) -> str:
    """A time zone where the local hour is still well before `hour` now."""
    return next(z for z in ZONES if datetime.now(ZoneInfo(z)).hour <= hour - 2)


def test_the_clinic_digest_job_sends_the_days_digests_once(mail, demo_clinic, running):
    clinic_id, day = demo_clinic
    job_id = jobs.clinic_job_id(clinic_id)
    job = running.leader.scheduler.get_job(job_id)
    assert (job.func_ref, job.args) == ("priorauth.scheduler:send_clinic_digest", (clinic_id,))
    with smtp_server(mail["MAIL_PORT"]) as inbox:
        first = running.run_now(job_id)
        again = running.run_now(job_id)
    assert (first["sent"], first["skipped_empty"], first["failed"]) == (3, 1, 0)
    assert (again["sent"], again["already_sent"]) == (0, 3)
    expected = expected_items(day)
    assert sorted(inbox.to().values()) == [1, 1, 1]
    for role in ("front_desk", "scheduler", "admin"):
        message = inbox.of(demo_user(role).email)
        assert linked_ids(items_in(parts(message)[1])) == expected[role], role
        assert message["Subject"].endswith(f"{day}: {len(expected[role])} items")
    sent = rows()
    assert set(sent) == {demo_user(r).email for r in ("front_desk", "scheduler", "admin")}
    for row in sent.values():
        assert (row.status, row.attempts, row.digest_date, row.last_error) == (
            "sent",
            1,
            day,
            None,
        )


def test_the_retry_job_sends_what_failed_once_its_time_has_come(mail, demo_clinic, running):
    clinic_id, day = demo_clinic
    clinic = db.session.get(Clinic, clinic_id)
    clinic.digest_hour = 0  # its digest hour has passed today, whatever the time
    later = factories.clinic("Later Clinic", timezone=a_zone_before(23))
    later.digest_hour = 23  # not yet today: the retry job leaves it alone
    waiting = factories.user(later, "admin")
    waiting.digest_when_empty = True
    db.session.commit()
    down = running.run_now(jobs.clinic_job_id(clinic_id))  # no SMTP server yet
    assert (down["failed"], down["sent"]) == (3, 0)
    assert {(r.status, r.attempts) for r in rows().values()} == {("failed", 1)}
    with smtp_server(mail["MAIL_PORT"]) as inbox:
        assert running.run_now("digest-retry") is None
        assert inbox.messages == []  # the backoff has not run out yet
        for row in rows().values():  # five minutes later: the next attempts are due
            row.next_attempt_at -= timedelta(minutes=6)
        db.session.commit()
        running.run_now("digest-retry")
        running.run_now("digest-retry")
    assert sorted(inbox.to().values()) == [1, 1, 1]
    assert waiting.email not in inbox.to()
    sent = rows()
    assert waiting.email not in sent
    assert {(r.status, r.attempts, r.digest_date) for r in sent.values()} == {("sent", 2, day)}
    expected = expected_items(day)["admin"]
    assert linked_ids(items_in(parts(inbox.of(demo_user("admin").email))[1])) == expected


def test_the_resync_job_schedules_new_clinics_and_moved_hours(app_ctx, clinic, running):
    scheduler = running.leader.scheduler
    clinic.timezone, clinic.digest_hour = "Asia/Tokyo", 5
    newcomer = factories.clinic("Newcomer", timezone="America/Chicago")
    newcomer.digest_hour = 7
    db.session.commit()
    assert scheduler.get_job(jobs.clinic_job_id(newcomer.id)) is None
    assert running.run_now("resync") is None
    for row, zone, hour in ((clinic, "Asia/Tokyo", 5), (newcomer, "America/Chicago", 7)):
        job = scheduler.get_job(jobs.clinic_job_id(row.id))
        fire = job.next_run_time.astimezone(ZoneInfo(zone))
        assert (fire.hour, fire.minute) == (hour, 0), row.name
        assert job.args == (row.id,)
    stored = db.session.scalars(sa.text("SELECT id FROM apscheduler_jobs ORDER BY id")).all()
    ids = {jobs.clinic_job_id(clinic.id), jobs.clinic_job_id(newcomer.id)}
    assert set(stored) == ids | {
        "digest-retry",
        "attention-refresh",
        "database-optimize",
        "resync",
        "heartbeat",
    }


def test_the_nightly_job_refreshes_sqlites_planner_statistics(app_ctx, running):
    assert running.run_now("database-optimize") is (db.engine.dialect.name == "sqlite")


def test_the_heartbeat_job_logs_that_the_scheduler_is_alive(app_ctx, running, caplog):
    caplog.set_level(logging.INFO, logger="priorauth.scheduler")
    assert running.run_now("heartbeat") is None
    alive = [r.getMessage() for r in caplog.records if r.name == "priorauth.scheduler"]
    assert any(m.startswith("scheduler alive at ") for m in alive), alive
    assert "job heartbeat ran" in alive
