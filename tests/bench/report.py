"""Printing the bench's figures as a table and keeping them in instance/bench-results.json
(one section per database, plus `load` from make load and the machine they ran on)."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.measure import Figures
from tests.bench.sizes import RESULTS

HEADER = (
    f"{'operation':<34}{'median ms':>10}{'p95 ms':>10}{'stmts':>7}"
    f"{'floor ms':>10}{'floor st':>9}{'ratio':>8}  goal"
)


def _num(value, width: int, digits: int = 2) -> str:
    if value is None:
        return f"{'-':>{width}}"
    if isinstance(value, int):
        return f"{value:>{width},}"
    return f"{value:>{width},.{digits}f}"


def _goal(row: Figures) -> str:
    parts = []
    if row.goal_ms is not None:
        parts.append(f"< {row.goal_ms:g} ms")
    if row.goal_ratio is not None:
        parts.append(f"<= {row.goal_ratio:g}x")
    if not parts:
        return ""
    return f"{' and '.join(parts)}: {'ok' if row.meets_goal else 'MISSED'}"


def line(row: Figures) -> str:
    return (
        f"{row.name:<34}{_num(row.median_ms, 10)}{_num(row.p95_ms, 10)}"
        f"{_num(row.statements, 7)}{_num(row.floor_median_ms, 10)}"
        f"{_num(row.floor_statements, 9)}{_num(row.ratio, 7, 1)}x  {_goal(row)}"
    )


def print_table(label: str, rows: list[Figures], memory: dict) -> None:
    print(f"\n== {label} ==")
    print(HEADER)
    for row in rows:
        print(line(row))
    for name, megabytes in memory.items():
        print(f"{'peak RSS, ' + name:<34}{_num(megabytes, 10, 1)} MB")


def machine() -> dict:
    """nproc, RAM and CPU model, as docs/performance.md records them."""
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    models = [row.split(":", 1)[1].strip() for row in cpuinfo if row.startswith("model name")]
    model = models[0] if models else platform.processor()
    return {
        "nproc": os.cpu_count(),
        "ram_mb": total_kb // 1024,
        "cpu": model,
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def save(section: str, figures: dict) -> None:
    """Merge one section (a database's bench figures, or `load`) into bench-results.json."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[section] = {**figures, "measured_at": datetime.now(UTC).isoformat(timespec="seconds")}
    results["machine"] = machine()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str))


def _cell(value, suffix: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:,.2f}{suffix}" if isinstance(value, float) else f"{value:,}{suffix}"


def _operations_table(section: str, figures: dict) -> list[str]:
    lines = [
        f"\n{section}, {figures['build']['sizes']} ({figures['measured_at']}):\n",
        "| operation | median ms | p95 ms | statements | floor ms | floor statements | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in figures["operations"]:
        cells = [row[k] for k in ("median_ms", "p95_ms", "statements", "floor_median_ms")]
        shown = " | ".join(_cell(value) for value in [*cells, row["floor_statements"]])
        lines.append(f"| {row['name']} | {shown} | {_cell(row['ratio'], 'x')} |")
    memory = ", ".join(f"{k.strip()} {_cell(v)} MB" for k, v in figures["memory_mb"].items())
    return [*lines, f"\nPeak RSS: {memory}."]


def _load_table(section: str, figures: dict) -> list[str]:
    lines = [
        f"\n{section}, {figures['seconds_each']:g} s per endpoint ({figures['measured_at']}):\n",
        "| endpoint | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    for name in ("coverage-check", "constant", "reference"):
        if name in figures:
            row = figures[name]
            cells = [row[k] for k in ("req_per_s", "p50_ms", "p99_ms", "errors")]
            lines.append(f"| {name} | {' | '.join(_cell(v) for v in cells)} |")
    ratios = [f"÷ {k[9:]} {v:.2f}x" for k, v in figures.items() if k.startswith("ratio_to_")]
    rss = ", ".join(f"{w['VmRSS']:.0f} MB" for w in figures["worker_rss_mb"])
    return [*lines, f"\ncoverage-check {', '.join(ratios)}; worker RSS after load: {rss}."]


def markdown(results: dict) -> str:
    """The results as docs/performance.md's tables: `python -m tests.bench.report`."""
    lines = []
    for section, figures in results.items():
        if "operations" in figures:
            lines += _operations_table(section, figures)
        elif section.startswith("load "):
            lines += _load_table(section, figures)
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(json.loads(RESULTS.read_text())))
