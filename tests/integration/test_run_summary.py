"""The test run ends with one summary line per database ("database tests on sqlite: 1 passed,
4 skipped (PostgreSQL-only)"), not a line per skipped test (tests/conftest.py, pytest.ini)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Five tests, four of them PostgreSQL-only: skipped on SQLite, and all five skipped on
# PostgreSQL when no test database is configured.
SAMPLE = "tests/integration/test_audit_append_only.py"


def _run_sample() -> list[str]:
    """The sample run on SQLite only (its own pytest, never touching a PostgreSQL database)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PRIORAUTH_TEST_DATABASE_URL", "CI")}
    env.pop("COVERAGE_PROCESS_START", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", "tests/pytest.ini", "--rootdir=.", "-q"]
        + ["-p", "no:cacheprovider", SAMPLE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def test_skips_are_summed_up_in_one_line_per_database():
    lines = _run_sample()
    assert "database tests on sqlite: 1 passed, 4 skipped (PostgreSQL-only)" in lines
    assert "database tests on postgresql: 5 skipped (PRIORAUTH_TEST_DATABASE_URL not set)" in lines
    assert not [line for line in lines if line.startswith("SKIPPED")], lines
    assert lines[-1].startswith("1 passed, 9 skipped"), lines[-1]
