"""What `make bench` and `make load` run against: the size of the scale database (env
BENCH_CLINICS, BENCH_PATIENTS, BENCH_AUTHORIZATIONS, BENCH_INFUSIONS) and where it lives
(a SQLite file in instance/ named after the sizes; PostgreSQL at PRIORAUTH_BENCH_DATABASE_URL)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTANCE = ROOT / "instance"
RESULTS = INSTANCE / "bench-results.json"
PG_VAR = "PRIORAUTH_BENCH_DATABASE_URL"
FULL = {"clinics": 20, "patients": 100_000, "authorizations": 300_000, "infusions": 1_000_000}


@dataclass(frozen=True)
class Sizes:
    clinics: int
    patients: int
    authorizations: int
    infusions: int

    @classmethod
    def from_env(cls) -> Sizes:
        return cls(
            **{name: int(os.environ.get(f"BENCH_{name.upper()}", n)) for name, n in FULL.items()}
        )

    @property
    def key(self) -> str:
        """Names the database built at these sizes: c20-p100000-a300000-i1000000."""
        return f"c{self.clinics}-p{self.patients}-a{self.authorizations}-i{self.infusions}"

    def as_options(self) -> list[str]:
        return [
            *("--clinics", str(self.clinics), "--patients", str(self.patients)),
            *("--authorizations", str(self.authorizations), "--infusions", str(self.infusions)),
        ]


@dataclass(frozen=True)
class Target:
    """One database to build and measure: its dialect label, URL and build stamp file."""

    label: str
    url: str
    stamp: Path


def targets(sizes: Sizes) -> list[Target]:
    """SQLite always; PostgreSQL too when PRIORAUTH_BENCH_DATABASE_URL is set."""
    sqlite_file = INSTANCE / f"bench-{sizes.key}.sqlite"
    found = [
        Target("sqlite", f"sqlite:///{sqlite_file}", INSTANCE / f"bench-{sizes.key}.sqlite.json")
    ]
    pg = os.environ.get(PG_VAR)
    if pg:
        found.append(Target("postgresql", pg, INSTANCE / f"bench-{sizes.key}.postgresql.json"))
    return found
