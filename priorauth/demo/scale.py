"""Scale data for performance work (`flask seed-scale`): clinics, staff, payers and policies,
patients with coverages and evidence, authorization requests in every status and infusions
around each clinic's today, bulk-inserted with Core in batches.

Rows are generated patient by patient and streamed to the database a few thousand at a time
(scale_writer.py), so memory stays flat at any size. Ids are assigned here (from the tables'
current maxima), which lets a patient's requests and infusions name their parents before
those are written. The same seed on the same day gives the same data.

Afterwards the stored attention facts are filled in: units and visits given and booked by
SQL UPDATE, then checklists, badges and answer-due times by services.attention.recompute_all.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import sqlalchemy as sa
from tqdm import tqdm

from priorauth.demo.scale_infusions import Infusions
from priorauth.demo.scale_people import People, Person
from priorauth.demo.scale_requests import Requests
from priorauth.demo.scale_setup import CLINIC_PREFIX, ClinicInfo, Setup, mg_per_unit
from priorauth.demo.scale_setup import next_clinic_number as _next_clinic_number
from priorauth.demo.scale_timeline import timeline
from priorauth.demo.scale_writer import MODELS, TableLoad, Writer
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Clinic, Infusion, Patient

DEFAULT_SEED = 20261130
FULL_SIZE = {"clinics": 20, "patients": 100_000, "authorizations": 300_000, "infusions": 1_000_000}
USAGE = (  # column, infusion status, what to add up (migration d892fa10c239)
    ("units_given", "administered", sa.func.coalesce(Infusion.units_used, 0)),
    ("visits_given", "administered", None),
    ("units_booked", "scheduled", Infusion.units_reserved),
    ("visits_booked", "scheduled", None),
)


class ScaleDataPresent(Exception):
    """The database already holds scale clinics and no append was asked for."""


@dataclass
class Report:
    counts: dict[str, int]
    loads: dict[str, TableLoad]
    clinic_ids: list[int]
    seconds: float
    finishing_seconds: float  # usage UPDATEs, recompute, ANALYZE


class Ids:
    """The next id per table, counted on from the table's current maximum."""

    def __init__(self):
        self._next = {
            model.__tablename__: (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
            for model in MODELS
        }

    def take(self, table: str) -> int:
        taken = self._next[table]
        self._next[table] = taken + 1
        return taken


def share(total: int, parts: int, index: int) -> int:
    """Part `index` of `total` split into `parts` near-equal whole parts."""
    return total * (index + 1) // parts - total * index // parts


def generate(
    clinics: int,
    patients: int,
    authorizations: int,
    infusions: int,
    seed: int = DEFAULT_SEED,
    progress: bool = False,
    append: bool = False,
    recompute: bool = True,
) -> dict[str, int]:
    """Write the scale data (flushes, does not commit); returns rows written per table."""
    return load(
        clinics, patients, authorizations, infusions, seed, progress, append, recompute
    ).counts


def load(
    clinics: int,
    patients: int,
    authorizations: int,
    infusions: int,
    seed: int = DEFAULT_SEED,
    progress: bool = False,
    append: bool = False,
    recompute: bool = True,
) -> Report:
    """generate(), with the seconds spent per table (for rows/s)."""
    _check(clinics, patients, authorizations, infusions, append)
    started = time.perf_counter()
    expected = {
        "clinics": clinics,
        "users": 4 * clinics,
        "patients": patients,
        "authorization_requests": authorizations,
        "infusions": infusions,
    }
    writer = Writer(expected, progress=progress)
    cache = _page_cache(-131072)
    builder = _Builder(writer, random.Random(seed), patients, authorizations, infusions)
    first = _next_clinic_number()
    clinic_ids = [builder.clinic(first + c, share(patients, clinics, c)) for c in range(clinics)]
    writer.close()
    finishing = time.perf_counter()
    _finish(clinic_ids, progress, recompute)
    _page_cache(cache)
    counts = {name: load.rows for name, load in writer.loads.items()}
    done = time.perf_counter()
    return Report(counts, writer.loads, clinic_ids, done - started, done - finishing)


def _check(clinics, patients, authorizations, infusions, append: bool) -> None:
    if clinics < 1 or min(patients, authorizations, infusions) < 0:
        raise ValueError("at least one clinic, and no negative counts")
    if patients == 0 and (authorizations or infusions):
        raise ValueError("requests and infusions need patients")
    present = db.session.scalar(
        sa.select(sa.func.count()).where(Clinic.name.like(f"{CLINIC_PREFIX}%"))
    )
    if present and not append:
        raise ScaleDataPresent(
            f"the database already holds scale data ({present} clinics named "
            f"'{CLINIC_PREFIX}NN'); use --append to add more clinics, or start from an empty "
            "database"
        )


class _Builder:
    """Walks clinics and patients in order, so a seed always gives the same rows."""

    def __init__(self, writer: Writer, rng: random.Random, patients, authorizations, infusions):
        self.writer, self.rng = writer, rng
        self.ids = Ids()
        self.totals = (patients, authorizations, infusions)  # requests and visits split evenly
        units = mg_per_unit()
        self.setup = Setup(writer, self.ids)
        self.people = People(writer, self.ids, rng)
        self.requests = Requests(writer, self.ids, rng, units)
        self.visits = Infusions(writer, self.ids, rng, units)
        self.patient_index = 0

    def clinic(self, number: int, patients: int) -> int:
        info = self.setup.clinic(number)
        for n in range(patients):
            self.patient(info, n)
        return info.id

    def patient(self, info: ClinicInfo, n: int) -> None:
        index, self.patient_index = self.patient_index, self.patient_index + 1
        patients, authorizations, infusions = self.totals
        requests = share(authorizations, patients, index)
        infusions = share(infusions, patients, index)
        person = self.people.person(info, n + 1)
        line = timeline(self.rng, info.today, person.code, requests, infusions, rotation=n)
        grants = self.requests.write(person, line)
        for course, grant in zip(line.courses, grants, strict=True):
            self.visits.write(person, course.visits, grant, free=grant is None)
        if line.loose:
            self.visits.write(person, line.loose, None, free=_free(person))


def _free(person: Person) -> bool:
    return person.code in person.plans[-1].payer.free_codes


def _page_cache(size: int | None) -> int | None:
    """SQLite: set this connection's page cache (-131072: 128 MB, so the index pages being
    written stay in memory); returns the size it had, to set back afterwards."""
    if db.engine.dialect.name != "sqlite" or size is None:
        return None
    before = db.session.scalar(sa.text("PRAGMA cache_size"))
    db.session.execute(sa.text(f"PRAGMA cache_size = {int(size)}"))
    return before


# after the insert ---------------------------------------------------------------------------


def _finish(clinic_ids: list[int], progress: bool, recompute: bool) -> None:
    if db.engine.dialect.name == "postgresql":
        _advance_sequences()
    fill_usage(clinic_ids)
    if recompute:
        _recompute(clinic_ids, progress)
    db.session.execute(sa.text("ANALYZE"))


def _advance_sequences() -> None:
    """Ids were given explicitly: move each PostgreSQL sequence past the largest."""
    for model in MODELS:
        table = model.__tablename__
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def fill_usage(clinic_ids: list[int]) -> None:
    """units/visits given and booked of these clinics' requests, as services/usage counts them."""
    requests = AuthorizationRequest.__table__
    values = {"updated_at": requests.c.updated_at}  # not an edit: keep the stamp
    for column, status, units in USAGE:
        amount = sa.func.count() if units is None else sa.func.sum(units)
        values[column] = sa.func.coalesce(
            sa.select(amount)
            .where(Infusion.authorization_id == requests.c.id, Infusion.status == status)
            .scalar_subquery(),
            0,
        )
    db.session.execute(
        sa.update(requests).where(requests.c.clinic_id.in_(clinic_ids)).values(values)
    )


def _recompute(clinic_ids: list[int], progress: bool) -> None:
    """Checklists, badges and answer-due times, patient batch by batch (services/attention)."""
    from priorauth.services.attention import recompute_all

    patients = db.session.scalar(
        sa.select(sa.func.count()).where(Patient.clinic_id.in_(clinic_ids))
    )
    with tqdm(total=patients, desc="recompute (patients)", disable=not progress) as bar:
        recompute_all(clinic_ids=clinic_ids, progress=bar.update)
