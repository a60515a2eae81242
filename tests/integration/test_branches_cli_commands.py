"""Operators' commands run in the test process: `flask seed-demo` (first and second run),
`flask scheduler run` until SIGTERM, and the sizes `flask backup` prints."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
import sqlalchemy as sa

from priorauth import scheduler as jobs
from priorauth.cli.backup import _size
from priorauth.demo import data as demo_data
from priorauth.extensions import db
from priorauth.models import Clinic, User


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _sign_ins(output: str) -> list[tuple[str, str]]:
    rows = output.split("Demo sign-ins")[1].splitlines()[1:]
    return [tuple(row.split()) for row in rows if row.strip()]


def test_seed_demo_prints_the_sign_ins_and_a_second_run_adds_nothing(app_ctx):
    first = cli(app_ctx, "seed-demo")
    assert first.exit_code == 0, first.output
    assert f"(password for all: {demo_data.PASSWORD})" in first.output
    logins = _sign_ins(first.output)
    db.session.rollback()
    users = db.session.scalars(sa.select(User)).all()
    assert sorted((u.role, u.email) for u in users) == sorted(logins)
    assert {role for role, _ in logins} == {"admin", "front_desk", "scheduler", "billing"}

    again = cli(app_ctx, "seed-demo")
    assert again.exit_code == 0, again.output
    assert again.output.startswith("demo data already present; nothing added\n")
    assert sorted(_sign_ins(again.output)) == sorted(logins)  # the same sign-ins, reprinted
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Clinic.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == len(users)


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0 bytes"),
        (1023, "1023 bytes"),
        (1024, "1.0 KB"),
        (1536, "1.5 KB"),
        (1024**2 - 1, "1024.0 KB"),
        (5 * 1024**2, "5.0 MB"),
        (3 * 1024**3 + 1024**3 // 2, "3.5 GB"),
        (5000 * 1024**3, "5000.0 GB"),
    ],
)
def test_backup_sizes_are_shown_in_the_largest_unit_up_to_gb(count, shown):
    assert _size(count) == shown


@pytest.fixture
def own_signal_handlers():
    """`flask scheduler run` installs SIGINT and SIGTERM handlers: put pytest's back after."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def _terminate_once_scheduling(app, scheduled: dict) -> threading.Thread:
    """SIGTERM to this process once the app's scheduler is active (published only once its
    jobs are synced); `scheduled` gets the scheduler and the job ids it held then."""

    def watch() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            active = jobs.active(app)
            if active is not None:
                scheduled["ids"] = {job.id for job in active.get_jobs()}
                scheduled["scheduler"] = active
                break
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    watcher = threading.Thread(target=watch)
    watcher.start()
    return watcher


def test_scheduler_run_schedules_until_sigterm_then_stops(app_ctx, clinic, own_signal_handlers):
    assert jobs.active(app_ctx) is None
    scheduled: dict = {}
    watcher = _terminate_once_scheduling(app_ctx, scheduled)
    try:
        result = cli(app_ctx, "scheduler", "run", "--standby-poll", "0.1")
    finally:
        watcher.join(timeout=40)
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM apscheduler_jobs"))
    assert result.exit_code == 0, result.output
    assert result.output == "scheduler starting (Ctrl-C stops it)\nscheduler stopped\n"
    assert not scheduled["scheduler"].running and jobs.active(app_ctx) is None
    expected = {
        jobs.clinic_job_id(clinic.id),
        "digest-retry",
        "attention-refresh",
        "database-optimize",
        "resync",
        "heartbeat",
    }
    assert expected <= scheduled["ids"]
