"""Batched Core inserts for the scale generator: rows are buffered per table and written in
foreign-key order a few thousand at a time, with a progress bar and a timer per table."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from tqdm import tqdm

from priorauth.extensions import db
from priorauth.models import (
    AuthorizationRequest,
    CkdStatus,
    Clinic,
    Coverage,
    DiagnosisRecord,
    Infusion,
    LabResult,
    OralIronTrial,
    Patient,
    Payer,
    PayerPolicy,
    PriorTherapy,
    User,
)

# Parents before children: a flush writes every buffer in this order, so a row's parents are
# always written in the same flush or an earlier one.
MODELS = (
    Clinic,
    User,
    Payer,
    PayerPolicy,
    Patient,
    Coverage,
    DiagnosisRecord,
    LabResult,
    CkdStatus,
    OralIronTrial,
    PriorTherapy,
    AuthorizationRequest,
    Infusion,
)
TABLES = tuple(model.__tablename__ for model in MODELS)
BATCH_SIZE = 5000


@dataclass
class TableLoad:
    """What one table received: rows and the seconds spent inserting them."""

    rows: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class Writer:
    """Buffers rows per table; `add` flushes every buffer once enough rows are waiting."""

    expected: dict[str, int | None]
    progress: bool = False
    batch_size: int = BATCH_SIZE
    loads: dict[str, TableLoad] = field(default_factory=dict)
    _buffers: dict[str, list[dict]] = field(default_factory=dict)
    _bars: dict[str, tqdm] = field(default_factory=dict)
    _waiting: int = 0

    def __post_init__(self):
        self.loads = {name: TableLoad() for name in TABLES}
        self._buffers = {name: [] for name in TABLES}
        self._bars = {
            name: tqdm(
                total=self.expected.get(name),
                desc=f"{name:<22}",
                unit=" rows",
                position=position,
                disable=not self.progress,
                leave=True,
                mininterval=0.5,
            )
            for position, name in enumerate(TABLES)
        }

    def add(self, table: str, row: dict) -> None:
        self._buffers[table].append(row)
        self._waiting += 1
        if self._waiting >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        for model in MODELS:
            rows = self._buffers[model.__tablename__]
            if rows:
                self._insert(model, rows)
                rows.clear()
        self._waiting = 0

    def _insert(self, model, rows: list[dict]) -> None:
        """One executemany per set of keys (a key left out takes its column's default)."""
        started = time.perf_counter()
        shapes: dict[frozenset, list[dict]] = {}
        for row in rows:
            shapes.setdefault(frozenset(row), []).append(row)
        for same in shapes.values():
            db.session.execute(sa.insert(model.__table__), same)
        load = self.loads[model.__tablename__]
        load.seconds += time.perf_counter() - started
        load.rows += len(rows)
        self._bars[model.__tablename__].update(len(rows))

    def close(self) -> None:
        self.flush()
        for bar in self._bars.values():
            bar.close()
