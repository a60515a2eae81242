"""`make load`: gunicorn (2 sync workers, 127.0.0.1, a free port) against the scale database
that `make bench` builds, an API token of the clinic's scheduler, then endpoints driven in
turn: the coverage check, a constant endpoint and (tests/bench/load_app.py) the one-query
reference; req/s, p50/p99, errors, the ratios, and the workers' RSS after the load."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.bench import context, drive
from tests.bench.build import ensure, flask_env
from tests.bench.load_app import REFERENCE_PATH
from tests.bench.report import save
from tests.bench.sizes import ROOT, Sizes, Target, targets

SECONDS = float(os.environ.get("LOAD_SECONDS", "20"))
CONNECTIONS, ROUNDS, WORKERS = 16, 4, 2
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
COVERAGE_PATH = "/api/v1/coverage-check"
# The constant endpoint: priorauth has no health or version endpoint, so a static file, which
# passes through the app's whole request pipeline (session, sign-in gate, headers), no SQL.
CONSTANT_PATH = os.environ.get("LOAD_CONSTANT_PATH", "/static/app.css")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(target: Target, port: int) -> subprocess.Popen:
    app = "tests.bench.load_app:app"
    args = [GUNICORN, "--workers", str(WORKERS), "--worker-class", "sync", "--no-control-socket"]
    args += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", app]
    return subprocess.Popen(args, cwd=ROOT, env=flask_env(target.url))


def wait_ready(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    probe = ("GET", CONSTANT_PATH, None, {})
    deadline = time.monotonic() + timeout
    while drive.send(port, probe) is not None:
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not answer on port {port}")
        time.sleep(0.2)


def worker_rss_mb(master: int) -> dict[int, dict[str, float]]:
    """Per worker of the gunicorn master: RSS now and its peak (VmHWM), in MB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    found = {}
    for pid in map(int, children):
        status = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        )
        found[pid] = {k: int(status[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM")}
    return found


def stop(server: subprocess.Popen) -> None:
    """SIGTERM: gunicorn's graceful stop; the workers finish their request and exit."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def setup(target: Target) -> tuple[context.Scene, str]:
    """The clinic's samples and a fresh API token of its bench scheduler."""
    app = context.bench_app(target.url)
    with app.app_context():
        clinic = context.largest_clinic()
        return context.prepare(clinic, 2000), context.api_token(clinic)


def _question(scene: context.Scene, path: str, token: str) -> list[drive.Request]:
    return [
        drive.json_post(
            path,
            {
                "patient_id": p,
                "hcpcs_code": code,
                "service_date": day.isoformat(),
                "dose_mg": str(mg),
            },
            token,
        )
        for _, p, code, day, mg in scene.checks
    ]


def endpoints(scene: context.Scene, token: str) -> dict:
    found = {
        "coverage-check": drive.cycling(_question(scene, COVERAGE_PATH, token)),
        "constant": drive.cycling([("GET", CONSTANT_PATH, None, {})]),
    }
    found["reference"] = drive.cycling(_question(scene, REFERENCE_PATH, token))
    return found


def show(label: str, tallies: dict[str, drive.Tally], rss: dict) -> dict:
    print(f"\n== make load, {label}: {CONNECTIONS} connections, {WORKERS} sync workers ==")
    figures = {name: tally.as_json() for name, tally in tallies.items()}
    for name, row in figures.items():
        print(
            f"{name:<16}{row['req_per_s']:>9,.0f} req/s  p50 {row['p50_ms']:7.2f} ms"
            f"  p99 {row['p99_ms']:7.2f} ms  errors {row['errors']}  ({row['requests']:,} sent)"
        )
        if row["first_error"]:
            print(f"{'':<16}first error: {row['first_error']}")
    coverage = tallies["coverage-check"].per_second
    for other in ("constant", "reference"):
        if other in tallies and tallies[other].per_second:
            ratio = coverage / tallies[other].per_second
            figures[f"ratio_to_{other}"] = round(ratio, 3)
            print(f"coverage-check / {other}: {ratio:.2f}x")
    for pid, mb in rss.items():
        print(f"worker {pid}: RSS {mb['VmRSS']:.1f} MB (peak {mb['VmHWM']:.1f} MB)")
    return {**figures, "worker_rss_mb": list(rss.values())}


def load_database(target: Target) -> None:
    scene, token = setup(target)
    port = free_port()
    server = start_gunicorn(target, port)
    try:
        wait_ready(port, server)
        tallies = drive.alternate(port, endpoints(scene, token), SECONDS, ROUNDS, CONNECTIONS)
        rss = worker_rss_mb(server.pid)
    finally:
        stop(server)
    figures = show(target.label, tallies, rss)
    save(f"load {target.label}", {"seconds_each": SECONDS, "connections": CONNECTIONS, **figures})


def main() -> None:
    sizes = Sizes.from_env()
    for target in targets(sizes):
        ensure(target, sizes)
        load_database(target)


if __name__ == "__main__":
    main()
