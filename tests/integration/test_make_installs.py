"""`make run` installs only what running needs (requirements.txt); the test and lint tools
(requirements-dev.txt) come in only for test, lint, bench and mutation. Read from `make -n`
(what make would run) against a venv path that does not exist, so nothing is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _installs(target: str, tmp_path: Path) -> list[str]:
    """The requirement files `make <target>` would pip-install into a fresh venv."""
    if shutil.which("make") is None:  # pragma: no cover - the README requires make
        pytest.fail("make is not installed")
    plan = subprocess.run(
        ["make", "-n", target, f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.findall(r"pip install .*-r (\S+)", plan)


def test_make_run_installs_requirements_txt_only(tmp_path):
    assert _installs("run", tmp_path) == ["requirements.txt"]


@pytest.mark.parametrize("target", ["test", "lint", "bench", "mutation"])
def test_the_tool_targets_install_the_dev_requirements_on_top(target, tmp_path):
    assert _installs(target, tmp_path) == ["requirements.txt", "requirements-dev.txt"]


def test_requirements_txt_holds_no_test_or_lint_tool():
    running = (ROOT / "requirements.txt").read_text().lower()
    for tool in ("pytest", "ruff", "coverage", "playwright", "mutmut", "hypothesis"):
        assert tool not in running, f"{tool} is in requirements.txt: make run would install it"
