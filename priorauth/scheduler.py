"""APScheduler in one dedicated process (`flask scheduler run`), never in web workers.

One cron job per clinic at its digest hour (clinic time zone) sends the daily digest; a
retry job picks up failed deliveries; hourly, the stored attention facts the new day made
stale are recomputed, and nightly SQLite's planner statistics refreshed (priorauth/upkeep.py);
a heartbeat job logs that the scheduler is alive.
Jobs live in the app database (SQLAlchemyJobStore, table apscheduler_jobs, kept out of
Alembic). Only one process schedules: PostgreSQL gives it a session advisory lock (a second
process waits as a standby); SQLite gives it an exclusive lock on a file in instance/.
"""

from __future__ import annotations

import concurrent.futures
import fcntl
import hashlib
import logging
import os
import threading
from datetime import date, datetime

import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.executors.pool import BasePoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from sqlalchemy.pool import NullPool

from priorauth.extensions import db
from priorauth.models import Clinic

log = logging.getLogger("priorauth.scheduler")
ACTIVE = "priorauth.scheduler"  # app.extensions key: the scheduler this process runs
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 6 * 3600, "max_instances": 1}


class _AppContextPool(concurrent.futures.ThreadPoolExecutor):
    """A thread pool whose every task runs inside the app's context."""

    def __init__(self, app: Flask, max_workers: int = 10):
        super().__init__(max_workers)
        self.app = app

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(self._in_context, fn, *args, **kwargs)

    def _in_context(self, fn, *args, **kwargs):
        with self.app.app_context():
            return fn(*args, **kwargs)


class AppExecutor(BasePoolExecutor):
    """APScheduler's executor for our jobs: each job runs in the app's context, so the jobs
    reach the app through `current_app` (no module global to set before they run)."""

    def __init__(self, app: Flask, max_workers: int = 10):
        super().__init__(_AppContextPool(app, max_workers))


def active(app: Flask) -> BackgroundScheduler | None:
    """The scheduler this process runs for the app, once its jobs are synced; else None."""
    return app.extensions.get(ACTIVE)


def send_clinic_digest(clinic_id: int, day: str | None = None) -> dict:
    """The job: today's digest for one clinic (safe to run again: deliveries are unique).

    Runs in an app context of its own (its own session), inside the job's."""
    from priorauth.notify.runner import send_digests
    from priorauth.services.clock import clinic_today

    with current_app.app_context():
        clinic = db.session.get(Clinic, clinic_id)
        if clinic is None:
            return {}
        digest_date = date.fromisoformat(day) if day else clinic_today(clinic)
        report = send_digests(clinic_id, digest_date)
        log.info("digest run for clinic %s on %s: %s", clinic_id, digest_date, report)
        return report


def retry_failed_digests() -> None:
    """Every clinic whose digest hour has passed today: send what is still due (retries)."""
    from priorauth.services.clock import clinic_now

    with current_app.app_context():
        clinics = db.session.scalars(sa.select(Clinic)).all()
        due = [c.id for c in clinics if clinic_now(c).hour >= c.digest_hour]
    for clinic_id in due:
        send_clinic_digest(clinic_id)


def resync() -> None:
    """Pick up new clinics and changed digest hours without a restart (only in the process
    that runs the scheduler)."""
    app = current_app._get_current_object()
    scheduler = active(app)
    if scheduler is not None:
        sync_jobs(scheduler, app)


def heartbeat() -> None:
    log.info("scheduler alive at %s", datetime.now().isoformat(timespec="seconds"))


def clinic_job_id(clinic_id: int) -> str:
    return f"digest-clinic-{clinic_id}"


# The jobs every scheduler runs besides one digest job per clinic: (id, function, trigger).
FIXED_JOBS = (
    (
        "digest-retry",
        "priorauth.scheduler:retry_failed_digests",
        lambda app: IntervalTrigger(minutes=10),
    ),
    (
        "attention-refresh",
        "priorauth.upkeep:refresh_attention",
        lambda app: IntervalTrigger(hours=1),
    ),
    (
        "database-optimize",
        "priorauth.upkeep:optimize_database",
        lambda app: CronTrigger(hour=3, minute=30),
    ),
    ("resync", "priorauth.scheduler:resync", lambda app: IntervalTrigger(minutes=15)),
    (
        "heartbeat",
        "priorauth.scheduler:heartbeat",
        lambda app: IntervalTrigger(seconds=app.config["SCHEDULER_HEARTBEAT_SECONDS"]),
    ),
)


def sync_jobs(scheduler: BackgroundScheduler, app: Flask) -> list[str]:
    """(Re)create one digest job per clinic, plus FIXED_JOBS; the ids scheduled."""
    with app.app_context():
        clinics = db.session.scalars(sa.select(Clinic)).all()
    ids = []
    for clinic in clinics:
        trigger = CronTrigger(hour=clinic.digest_hour, minute=0, timezone=clinic.timezone)
        job = scheduler.add_job(
            "priorauth.scheduler:send_clinic_digest",
            trigger,
            args=[clinic.id],
            id=clinic_job_id(clinic.id),
            name=f"daily digest for {clinic.name}",
            replace_existing=True,
        )
        ids.append(job.id)
    for job_id, function, trigger in FIXED_JOBS:
        scheduler.add_job(function, trigger(app), id=job_id, replace_existing=True)
    return ids + [job_id for job_id, _, _ in FIXED_JOBS]


class Leader:
    """Holds the one-scheduler lock while this process schedules."""

    def __init__(self, app: Flask, name: str = "scheduler"):
        self.app, self.name = app, name
        self.scheduler: BackgroundScheduler | None = None
        self.executed = 0
        self._conn = None
        self._file = None

    def try_lock(self) -> bool:
        with self.app.app_context():
            engine = db.engine
        if engine.dialect.name == "postgresql":
            return self._try_advisory_lock(engine)
        return self._try_file_lock()

    def _try_advisory_lock(self, engine) -> bool:
        """A session lock on a connection of its own (no pool: closing it ends the session)."""
        lock_engine = sa.create_engine(engine.url, poolclass=NullPool)
        conn = lock_engine.connect()
        lock_id = self.app.config["SCHEDULER_LOCK_ID"]
        got = conn.execute(sa.select(sa.func.pg_try_advisory_lock(lock_id))).scalar()
        conn.commit()
        if got:
            self._conn = conn  # the lock lives as long as this session
        else:
            conn.close()
            lock_engine.dispose()
        return bool(got)

    def _try_file_lock(self) -> bool:
        """One lock file per database, so separate databases get separate schedulers."""
        url = self.app.config["SQLALCHEMY_DATABASE_URI"]
        digest = hashlib.sha1(url.encode()).hexdigest()[:10]
        path = os.path.join(self.app.instance_path, f"scheduler-{digest}.lock")
        handle = open(path, "a+")  # noqa: SIM115 - held open for the process lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def start(self) -> None:
        """Start scheduling; the scheduler is published (self.scheduler, `active(app)`)
        only once its jobs are synced."""
        with self.app.app_context():
            url = db.engine.url
        # NullPool: every connection closes when returned, so shutdown leaves none open.
        store = SQLAlchemyJobStore(
            engine=sa.create_engine(url, poolclass=NullPool), tablename="apscheduler_jobs"
        )
        scheduler = BackgroundScheduler(
            jobstores={"default": store},
            executors={"default": AppExecutor(self.app)},
            job_defaults=JOB_DEFAULTS,
            timezone="UTC",
        )
        scheduler.add_listener(self._on_job, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        scheduler.start()
        jobs = sync_jobs(scheduler, self.app)
        self.scheduler = scheduler
        self.app.extensions[ACTIVE] = scheduler
        log.info("%s is the active scheduler; jobs: %s", self.name, ", ".join(jobs))

    def _on_job(self, event) -> None:
        self.executed += 1
        if event.exception:
            log.error("job %s failed: %s", event.job_id, event.exception)
        else:
            log.info("job %s ran", event.job_id)

    def release(self) -> None:
        if self.app.extensions.get(ACTIVE) is self.scheduler:
            self.app.extensions.pop(ACTIVE, None)
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        if self._conn is not None:
            self._conn.close()  # ends the session, which frees the advisory lock
            self._conn.engine.dispose()
            self._conn = None
        if self._file is not None:
            self._file.close()
            self._file = None


def run(leader: Leader, stop: threading.Event, *, standby_poll: float = 5.0) -> None:
    """Wait as a standby until this process holds the lock, then schedule until `stop`."""
    announced = False
    while not stop.is_set():
        if leader.try_lock():
            leader.start()
            break
        if not announced:
            log.info("%s: another scheduler holds the lock; waiting as a standby", leader.name)
            announced = True
        stop.wait(standby_poll)
    try:
        stop.wait()
    finally:
        leader.release()
