"""Timing an operation against its floor: statements counted on one call (which also warms
both up), then the pairs interleaved, operation then floor on the same sample, so that load
from elsewhere on the machine hits both alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from priorauth.extensions import db
from tests.querycount import counting_queries


@dataclass(frozen=True)
class Figures:
    """One operation's line: milliseconds, statements, and the same of its floor."""

    name: str
    samples: int
    median_ms: float
    p95_ms: float
    statements: int
    floor_median_ms: float | None
    floor_statements: int | None
    goal_ms: float | None = None
    goal_ratio: float | None = None

    @property
    def ratio(self) -> float | None:
        if not self.floor_median_ms:
            return None
        return self.median_ms / self.floor_median_ms

    @property
    def meets_goal(self) -> bool:
        fast = self.goal_ms is None or self.median_ms < self.goal_ms
        near = self.goal_ratio is None or (self.ratio is not None and self.ratio <= self.goal_ratio)
        return fast and near

    def as_json(self) -> dict:
        ratio = self.ratio
        return {**asdict(self), "ratio": round(ratio, 2) if ratio else None, "ok": self.meets_goal}


def statements_of(fn: Callable, *args) -> int:
    with counting_queries() as statements:
        fn(*args)
    return len(statements)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


def _elapsed_ms(fn: Callable, args: tuple) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def _floor_call(floor: Callable) -> Callable:
    """The floor as a request would run it: its session ended after each call."""

    def call(*args):
        try:
            return floor(*args)
        finally:
            db.session.close()

    return call


def measure(name: str, operation: Callable, floor: Callable | None, samples: list, **goal):
    """Figures of `operation(*sample)` (and `floor(*sample)`) over the samples, interleaved."""
    floor = _floor_call(floor) if floor else None
    statements = statements_of(operation, *samples[0])
    floor_statements = statements_of(floor, *samples[0]) if floor else None
    times, floor_times = [], []
    for sample in samples:
        times.append(_elapsed_ms(operation, sample))
        if floor:
            floor_times.append(_elapsed_ms(floor, sample))
    print(f"  measured {name}", flush=True)
    return Figures(
        name,
        len(samples),
        statistics.median(times),
        percentile(times, 0.95),
        statements,
        statistics.median(floor_times) if floor_times else None,
        floor_statements,
        **goal,
    )
