"""Check a spreadsheet's rows against the clinic (docs/interop.md, "Spreadsheet import"): each
row by the domain's rules (domain/sheet_rows.py), then its payer (by name, or the payer the user
picked for an unknown name), its patient (by MRN; a new one needs names and birth date) and its
coverage (a new one needs the member ID); a row already imported, or repeating an earlier row of
the file, is skipped. Rows are looked up a batch at a time: a fixed number of queries per batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from priorauth.domain.sheet_columns import FIELDS
from priorauth.domain.sheet_rows import Problem, SheetRow, check_row
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Coverage, DrugCode, Patient, Payer
from priorauth.services.sheet_file import Table

BATCH = 1000
IN_CHUNK = 500  # bound values per IN (...): inside every database's limit


@dataclass
class Outcome:
    """One row's fate: created from `sheet_row`, refused for `problems`, or `skipped` (why)."""

    row: int
    sheet_row: SheetRow | None = None
    problems: list[Problem] = field(default_factory=list)
    skipped: str | None = None

    @property
    def to_create(self) -> bool:
        return self.sheet_row is not None and not self.problems and self.skipped is None


@dataclass
class Known:
    """What the database holds for the file: payers by lower-case name (id, appeal window),
    patients by MRN, coverages by (patient, payer), requests by import key."""

    payers: dict[str, tuple[int, int]]
    patients: dict[str, int] = field(default_factory=dict)
    coverages: dict[tuple[int, int], int] = field(default_factory=dict)
    imported: dict[str, int] = field(default_factory=dict)


@dataclass
class Checked:
    outcomes: list[Outcome]
    known: Known
    unknown_payers: list[str]
    plan: Plan

    @property
    def problems(self) -> list[Problem]:
        return [p for outcome in self.outcomes for p in outcome.problems]

    @property
    def to_create(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.to_create]

    def counts(self) -> dict[str, int]:
        invalid = sum(1 for o in self.outcomes if o.problems)
        skipped = sum(1 for o in self.outcomes if o.skipped and not o.problems)
        return {
            "rows": len(self.outcomes),
            "valid": len(self.to_create),
            "invalid": invalid,
            "skipped": skipped,
            "problems": len(self.problems),
        }


@dataclass
class Plan:
    """Cross-row state: the new patients and coverages the file's valid rows will create, and
    the import keys met so far (row number of their first row)."""

    new_patients: set[str] = field(default_factory=set)
    new_coverages: set[tuple[str, int]] = field(default_factory=set)
    keys: dict[str, int] = field(default_factory=dict)


def catalog() -> dict:
    return dict(db.session.execute(sa.select(DrugCode.code, DrugCode.mg_per_unit)).all())


def known_payers(clinic_id: int, choices: dict[str, int] | None = None) -> dict:
    rows = db.session.execute(
        sa.select(Payer.name, Payer.id, Payer.appeal_window_days).where(
            Payer.clinic_id == clinic_id
        )
    ).all()
    payers = {name.strip().lower(): (pid, window) for name, pid, window in rows}
    by_id = {pid: (pid, window) for _, pid, window in rows}
    for name, payer_id in (choices or {}).items():
        if payer_id in by_id:
            payers[name.strip().lower()] = by_id[payer_id]
    return payers


def check(
    clinic_id: int,
    table: Table,
    mapping: dict,
    today: date,
    payer_choices: dict[str, int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Checked:
    """Check every row of the table (mapping: header -> field or None), a batch at a time;
    `progress(n)` is told after each batch."""
    headers = {f: h for h, f in mapping.items() if f}
    codes, known, plan = catalog(), Known(known_payers(clinic_id, payer_choices)), Plan()
    outcomes, unknown = [], set()
    for start in range(0, len(table.rows), BATCH):
        batch = table.rows[start : start + BATCH]
        read = [_read(number, cells, headers, codes, today) for number, cells in batch]
        _load(clinic_id, [o.sheet_row for o in read if o.sheet_row], known)
        for outcome in read:
            _check_links(outcome, known, plan, headers, unknown)
        outcomes += read
        if progress:
            progress(len(batch))
    return Checked(outcomes, known, sorted(unknown), plan)


def _read(number: int, cells: dict, headers: dict, codes: dict, today: date) -> Outcome:
    values = {f: cells.get(h) for f, h in headers.items()}
    sheet_row, problems = check_row(number, values, headers, codes, today)
    return Outcome(number, sheet_row, problems)


def _in_chunks(values) -> list[list]:
    ordered = sorted(set(values))
    return [ordered[i : i + IN_CHUNK] for i in range(0, len(ordered), IN_CHUNK)]


def _load(clinic_id: int, rows: list[SheetRow], known: Known) -> None:
    """The batch's patients, their coverages and the requests already imported, into `known`."""
    for mrns in _in_chunks(r.mrn for r in rows if r.mrn not in known.patients):
        found = sa.select(Patient.mrn, Patient.id).where(
            Patient.clinic_id == clinic_id, Patient.mrn.in_(mrns)
        )
        known.patients.update(db.session.execute(found).all())
    patient_ids = [known.patients[r.mrn] for r in rows if r.mrn in known.patients]
    for ids in _in_chunks(patient_ids):
        found = sa.select(Coverage.patient_id, Coverage.payer_id, Coverage.id).where(
            Coverage.patient_id.in_(ids)
        )
        for patient_id, payer_id, coverage_id in db.session.execute(found.order_by(Coverage.id)):
            known.coverages[(patient_id, payer_id)] = coverage_id  # the latest plan wins
    for keys in _in_chunks(r.import_key for r in rows):
        found = sa.select(AuthorizationRequest.import_key, AuthorizationRequest.id).where(
            AuthorizationRequest.clinic_id == clinic_id, AuthorizationRequest.import_key.in_(keys)
        )
        known.imported.update(db.session.execute(found).all())


def _check_links(outcome: Outcome, known: Known, plan: Plan, headers: dict, unknown: set) -> None:
    row = outcome.sheet_row
    if row is None:
        return
    problems = []

    def problem(name: str, message: str) -> None:
        problems.append(Problem(row.row, headers.get(name, FIELDS[name]), message))

    payer = known.payers.get(row.payer.strip().lower())
    if payer is None:
        unknown.add(row.payer.strip())
        problem("payer", f"no payer named {row.payer!r}; pick one of the clinic's payers")
    new_patient = row.mrn not in known.patients and row.mrn not in plan.new_patients
    if new_patient:
        for name in ("first_name", "last_name", "birth_date"):
            if getattr(row, name) is None:
                problem(name, f"is empty; MRN {row.mrn} is a new patient and needs it")
    if payer and not _has_coverage(row, payer[0], known, plan) and not row.member_id:
        problem("member_id", f"is empty; MRN {row.mrn} has no plan with this payer yet")
    outcome.problems = problems
    if not problems:
        _plan(outcome, payer[0], known, plan)


def _has_coverage(row: SheetRow, payer_id: int, known: Known, plan: Plan) -> bool:
    patient_id = known.patients.get(row.mrn)
    return (patient_id, payer_id) in known.coverages or (row.mrn, payer_id) in plan.new_coverages


def _plan(outcome: Outcome, payer_id: int, known: Known, plan: Plan) -> None:
    row, key = outcome.sheet_row, outcome.sheet_row.import_key
    if key in known.imported:
        outcome.skipped = f"already imported (request #{known.imported[key]})"
        return
    if key in plan.keys:
        outcome.skipped = f"the same request as row {plan.keys[key]}"
        return
    plan.keys[key] = row.row
    if row.mrn not in known.patients:
        plan.new_patients.add(row.mrn)
    if not _has_coverage(row, payer_id, known, plan):
        plan.new_coverages.add((row.mrn, payer_id))
