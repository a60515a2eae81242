"""`flask scheduler run`: the one process that runs APScheduler (foreground, logs each run)."""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from priorauth import scheduler as jobs

scheduler_cli = AppGroup("scheduler", help="Run the job scheduler (one process per deployment).")


@scheduler_cli.command("run")
@click.option("--standby-poll", default=5.0, show_default=True, help="Seconds between lock tries.")
def run_scheduler(standby_poll: float) -> None:
    """Run the digest jobs until interrupted; a second process waits as a standby."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    app = current_app._get_current_object()
    click.echo("scheduler starting (Ctrl-C stops it)")
    jobs.run(jobs.Leader(app), stop, standby_poll=standby_poll)
    click.echo("scheduler stopped")
