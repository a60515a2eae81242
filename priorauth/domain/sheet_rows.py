"""One spreadsheet row, read and checked (docs/interop.md, "Spreadsheet import"): its cells
(domain/sheet_values.py), the code against the catalog, the units against the dose, the
decision's fields. Every problem is (row, column, message); a row without any is a SheetRow."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from priorauth.domain.sheet_columns import FIELDS, REQUIRED
from priorauth.domain.sheet_values import EXPIRED, PARSERS, CellError, text
from priorauth.domain.units import billing_units
from priorauth.domain.workflow import APPROVED_STATUSES, Status


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class SheetRow:
    """A row that passed every check, as plain values ready to store."""

    row: int
    mrn: str
    payer: str
    hcpcs_code: str
    dose_mg: Decimal
    administrations: int
    units_requested: int
    requested_start: date
    requested_end: date
    status: str
    expired: bool = False
    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    member_id: str | None = None
    diagnosis_codes: tuple[str, ...] = ()
    submitted_on: date | None = None
    auth_number: str | None = None
    units_approved: int | None = None
    approved_start: date | None = None
    approved_end: date | None = None
    decided_on: date | None = None
    ordering_provider: str | None = None
    notes: str | None = None

    @property
    def import_key(self) -> str:
        return import_key(
            self.mrn, self.hcpcs_code, self.requested_start, self.auth_number, self.payer
        )


def import_key(mrn: str, code: str, start: date, auth_number: str | None, payer: str) -> str:
    """A row's identity (64 hex characters): the same MRN, code, requested start and
    authorization number (or, without one, payer) is the same request, whatever else changed."""
    which = (auth_number or "").strip().upper() or f"payer:{payer.strip().lower()}"
    text = "|".join((mrn.strip().upper(), code.upper(), start.isoformat(), which))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class RowCheck:
    """The values read so far and the problems found, for one row."""

    row: int
    headers: Mapping[str, str]
    values: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, field_name: str, message: str) -> None:
        column = self.headers.get(field_name, FIELDS[field_name])
        self.problems.append(Problem(self.row, column, message))


def check_row(
    row: int,
    cells: Mapping[str, object],
    headers: Mapping[str, str],
    catalog: Mapping[str, Decimal],
    today: date,
) -> tuple[SheetRow | None, list[Problem]]:
    """Read one row (`cells`: field -> cell value; `headers`: field -> the file's header, to
    name columns; `catalog`: code -> mg per billing unit). -> (the row or None, its problems)."""
    check = RowCheck(row, headers)
    _read_cells(check, cells)
    _check_code_and_units(check, catalog)
    _check_dates(check)
    _check_decision(check, today)
    if check.problems:
        return None, check.problems
    return SheetRow(row=row, **check.values), []


def _read_cells(check: RowCheck, cells: Mapping[str, object]) -> None:
    for name in FIELDS:
        raw = text(cells.get(name))
        if raw is None:
            if name in REQUIRED:
                check.problem(name, "is empty; it is required")
            continue
        try:
            value = PARSERS[name](cells[name]) if name in PARSERS else raw
        except CellError as error:
            check.problem(name, str(error))
            continue
        check.values[name] = value
    if check.values.get("hcpcs_code"):
        check.values["hcpcs_code"] = check.values["hcpcs_code"].upper()


def _check_code_and_units(check: RowCheck, catalog: Mapping[str, Decimal]) -> None:
    values = check.values
    code = values.get("hcpcs_code")
    if code and code not in catalog:
        check.problem("hcpcs_code", f"{code} is not in the drug code catalog")
    administrations = values.setdefault("administrations", 1)
    if code not in catalog or "dose_mg" not in values:
        return
    units = billing_units(values["dose_mg"], catalog[code]) * administrations
    given = values.setdefault("units_requested", units)
    if given != units:
        check.problem(
            "units_requested",
            f"{given} units do not match {values['dose_mg']} mg of {code} × {administrations} "
            f"(that is {units} units)",
        )


def _check_dates(check: RowCheck) -> None:
    values = check.values
    start, end = values.get("requested_start"), values.get("requested_end")
    if start and end and end < start:
        check.problem("requested_end", "is before the requested start")
    start, end = values.get("approved_start"), values.get("approved_end")
    if start and end and end < start:
        check.problem("approved_end", "is before the approved start")


_APPROVAL_WORDS = {
    Status.APPROVED: "an approved",
    Status.PARTIALLY_APPROVED: "a partially approved",
}


def _check_decision(check: RowCheck, today: date) -> None:
    """An approval (or an expired one) needs its number; its dates and units default to the
    request's; fewer units approved than requested is a partial approval."""
    values = check.values
    status = values.get("status")
    values["expired"] = status == EXPIRED
    if status == EXPIRED:
        status = values["status"] = Status.APPROVED.value
    if status not in APPROVED_STATUSES:
        return
    if not values.get("auth_number"):
        check.problem("auth_number", f"is empty; {_APPROVAL_WORDS[status]} request needs it")
    if "requested_start" not in values or "requested_end" not in values:
        return
    values.setdefault("approved_start", values["requested_start"])
    values.setdefault("approved_end", max(values["requested_end"], values["approved_start"]))
    requested = values.get("units_requested")  # none when the code is not in the catalog
    approved = values.setdefault("units_approved", requested)
    if requested and approved < requested:
        values["status"] = Status.PARTIALLY_APPROVED.value
    if values["expired"] and values["approved_end"] >= today:
        check.problem("status", f"says expired but the approval ends {values['approved_end']}")
