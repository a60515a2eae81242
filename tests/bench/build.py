"""Build (or reuse) the scale database of a Target: schema by `flask db upgrade`, the drug
catalog, then `flask seed-scale` (helper data generator) in a child process whose peak RSS is
measured, then statistics refreshed. A JSON stamp next to it records the sizes, the build time
and the generator's peak RSS, so a later run with the same sizes reuses the database (brought
to the latest migration first). A build interrupted half-way leaves no stamp: the next run
starts it again from nothing."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from tests.bench.sizes import ROOT, Sizes, Target

FLASK = str(Path(sys.executable).with_name("flask"))


def flask_env(url: str) -> dict[str, str]:
    return {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": url}


def peak_rss_mb(pid: int | str = "self") -> float | None:
    """The process's peak RSS (VmHWM: per process image, so exec starts it afresh, unlike
    ru_maxrss, which keeps the forking parent's), in MB; None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")]
    return int(found[0]) / 1024 if found else None


def run_measured(args: list[str], env: dict[str, str]) -> float:
    """Run a command to its end (failing loudly); its peak RSS in MB, polled every 0.1 s."""
    process = subprocess.Popen(args, cwd=ROOT, env=env)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, peak_rss_mb(process.pid) or 0.0)
        time.sleep(0.1)
    if process.returncode:
        raise SystemExit(f"{' '.join(args)} failed with exit code {process.returncode}")
    return peak


def _flask(target: Target, *args: str) -> float:
    return run_measured([FLASK, *args], flask_env(target.url))


def _row_counts(url: str) -> dict[str, int] | None:
    """Rows per scale table, or None when the database is missing or empty."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("clinics", "patients", "authorization_requests", "infusions")
            }
    except sa.exc.DBAPIError:
        return None
    finally:
        engine.dispose()


def _fingerprint(url: str) -> str:
    """Names the database in the stamp without writing its password down."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _reusable(target: Target, sizes: Sizes) -> dict | None:
    if not target.stamp.exists():
        return None
    stamp = json.loads(target.stamp.read_text())
    if stamp.get("database") != _fingerprint(target.url) or stamp.get("sizes") != sizes.key:
        return None
    counts = _row_counts(target.url)
    return stamp if counts and counts.get("patients") else None


def _empty(target: Target) -> None:
    """Start from nothing: remove the SQLite file, or drop PostgreSQL's public schema."""
    if target.label == "sqlite":
        path = target.url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    engine = sa.create_engine(target.url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def _analyze(target: Target) -> None:
    """Planner statistics: `flask db upgrade` ANALYZEs SQLite; PostgreSQL is told directly."""
    _flask(target, "db", "upgrade")
    if target.label == "postgresql":
        engine = sa.create_engine(target.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        engine.dispose()


def build(target: Target, sizes: Sizes) -> dict:
    target.stamp.unlink(missing_ok=True)
    _empty(target)
    started = time.perf_counter()
    _flask(target, "db", "upgrade")
    _flask(target, "seed-reference")
    print(f"[{target.label}] generating {sizes.key} ...", flush=True)
    generator_mb = _flask(target, "seed-scale", *sizes.as_options())
    seconds = time.perf_counter() - started
    _analyze(target)
    stamp = {
        "database": _fingerprint(target.url),
        "sizes": sizes.key,
        "build_seconds": round(seconds, 1),
        "generator_peak_rss_mb": round(generator_mb, 1),
        "rows": _row_counts(target.url),
    }
    target.stamp.write_text(json.dumps(stamp, indent=2))
    return {**stamp, "reused": False}


def ensure(target: Target, sizes: Sizes) -> dict:
    """The build stamp of a database at these sizes, building it when there is none."""
    stamp = _reusable(target, sizes)
    if stamp is not None:
        print(f"[{target.label}] reusing the {sizes.key} database (built earlier)", flush=True)
        _flask(target, "db", "upgrade")  # the schema of the code measured (new indexes)
        return {**stamp, "reused": True}
    return build(target, sizes)
