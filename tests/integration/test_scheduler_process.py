"""`flask scheduler run` as operators start it: a separate process on the test database that
takes the one-scheduler lock (PostgreSQL advisory lock, SQLite lock file), stores its jobs in
apscheduler_jobs, and stops cleanly (exit code 0) on SIGTERM or SIGINT. A second process waits
as a standby and takes over when the first one stops."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from priorauth import scheduler as jobs
from priorauth.extensions import db

ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")
ACTIVE = "is the active scheduler; jobs:"
STANDBY = "another scheduler holds the lock; waiting as a standby"


class SchedulerProcess:
    """One `flask scheduler run` subprocess, its output collected line by line."""

    def __init__(self, database_url: str, outbox: Path):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "MAIL_HOST": "",
            "MAIL_OUTBOX": str(outbox),
            "PYTHONUNBUFFERED": "1",
        }
        command = [str(FLASK), "--app", "wsgi.py", "scheduler", "run", "--standby-poll", "0.2"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def count(self, text: str) -> int:
        return sum(text in line for line in list(self.lines))

    def wait_for(self, text: str, times: int = 1, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while self.count(text) < times:
            assert self.process.poll() is None, f"exited {self.process.returncode}: {self.lines}"
            assert time.monotonic() < deadline, f"no {text!r} in {self.lines}"
            time.sleep(0.05)

    def stop(self, how: signal.Signals, seconds: float = 10.0) -> int:
        self.process.send_signal(how)
        code = self.process.wait(timeout=seconds)
        self._reader.join(timeout=5)
        return code

    def close(self) -> None:
        """Kill it if it still runs (a failed test), and close its pipe."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        self.process.stdout.close()


@pytest.fixture
def start(app_ctx, tmp_path):
    """Start scheduler processes on the test database; all are killed after the test."""
    started: list[SchedulerProcess] = []
    url = app_ctx.config["SQLALCHEMY_DATABASE_URI"]

    def launch() -> SchedulerProcess:
        started.append(SchedulerProcess(url, tmp_path / "outbox"))
        return started[-1]

    clear_jobs()
    yield launch
    for process in started:
        process.close()
    clear_jobs()
    lock_file(url).unlink(missing_ok=True)


def lock_file(url: str) -> Path:
    """The SQLite lock file the processes use (in the project's instance/ folder)."""
    return ROOT / "instance" / f"scheduler-{hashlib.sha1(url.encode()).hexdigest()[:10]}.lock"


def clear_jobs() -> None:
    """Empty APScheduler's table (created by the first scheduler that starts)."""
    with db.engine.begin() as conn:
        if sa.inspect(conn).has_table("apscheduler_jobs"):
            conn.execute(sa.text("DELETE FROM apscheduler_jobs"))


def stored_jobs() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(sa.text("SELECT id FROM apscheduler_jobs")))


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_scheduler_process_stores_its_jobs_and_stops_cleanly(start, clinic, how):
    process = start()
    process.wait_for(ACTIVE)
    expected = {
        jobs.clinic_job_id(clinic.id),
        "digest-retry",
        "attention-refresh",
        "database-optimize",
        "resync",
        "heartbeat",
    }
    assert stored_jobs() == expected
    started_at = time.monotonic()
    assert process.stop(how) == 0, process.lines
    assert time.monotonic() - started_at < 10
    assert process.lines[-1] == "scheduler stopped"
    assert process.count("scheduler starting") == 1
    assert stored_jobs() == expected  # the jobs stay for the next start


def test_a_second_process_waits_then_takes_over(start, clinic):
    first = start()
    first.wait_for(ACTIVE)
    second = start()
    second.wait_for(STANDBY)
    assert (first.count(ACTIVE), second.count(ACTIVE)) == (1, 0)
    assert first.stop(signal.SIGTERM) == 0, first.lines
    second.wait_for(ACTIVE)
    assert stored_jobs() == {
        jobs.clinic_job_id(clinic.id),
        "digest-retry",
        "attention-refresh",
        "database-optimize",
        "resync",
        "heartbeat",
    }
    assert second.stop(signal.SIGTERM) == 0, second.lines
    assert second.count(STANDBY) == 1  # announced once, however long it waited
