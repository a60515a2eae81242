"""The billing worklist: administrations by date of service, their claim lines and where each
stands (ready to bill, missing documentation, billed; docs/domain.md §4).

The status follows a domain rule (`domain.units.stored_lines_missing`) over the reaction note
and the stored claim lines, so it is worked out in Python: one light query reads the range's
administrations (id, date, billed, note, lines), the status filter and the page are cut from
that, and the page's rows are then read in full (patient, authorization) with their plans.
Four statements, however many rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from priorauth.domain.units import billing_status, stored_lines_missing
from priorauth.domain.vocab import InfusionStatus
from priorauth.extensions import db
from priorauth.models import Coverage, Infusion
from priorauth.queries.paging import Page, page_of
from priorauth.services.scope import scoped

DEFAULT_DAYS = 30  # without a From day the worklist starts this many days before To

CSV_COLUMNS = (
    ("service_date", "Date of service"),
    ("patient_mrn", "Patient MRN"),
    ("member_id", "Member ID"),
    ("payer", "Payer"),
    ("hcpcs_code", "Code"),
    ("modifiers", "Modifiers"),
    ("units", "Units"),
    ("auth_number", "Authorization number"),
    ("lot_number", "NDC/lot"),
)


@dataclass(frozen=True)
class Claim:
    """One administration as billing sees it."""

    infusion: Infusion
    service_date: date
    status: str
    missing: list[str]
    plan: Coverage | None

    @property
    def lines(self) -> list[dict]:
        return self.infusion.claim_lines or []


def date_range(filters: dict, today: date) -> tuple[date, date]:
    """The days asked for: To defaults to today, From to DEFAULT_DAYS before To."""
    end = filters.get("end") or max(today, filters.get("start") or today)
    return filters.get("start") or end - timedelta(days=DEFAULT_DAYS), end


def _status_of(row) -> tuple[str, list[str]]:
    missing = stored_lines_missing(row.reaction, row.claim_lines or [])
    return billing_status(row.billed_at is not None, missing), missing


def _matching_ids(clinic_id: int, start: date, end: date, status: str | None) -> list[int]:
    """The ids of the range's administrations with the status, by date of service."""
    query = (
        sa.select(Infusion.id, Infusion.billed_at, Infusion.reaction, Infusion.claim_lines)
        .where(Infusion.clinic_id == clinic_id, Infusion.status == InfusionStatus.ADMINISTERED)
        .where(Infusion.administered_at >= datetime.combine(start, time.min))
        .where(Infusion.administered_at < datetime.combine(end + timedelta(days=1), time.min))
        .order_by(Infusion.administered_at, Infusion.id)
    )
    rows = db.session.execute(query).all()
    return [row.id for row in rows if status is None or _status_of(row)[0] == status]


def _claims(clinic_id: int, ids: list[int]) -> list[Claim]:
    """The administrations in full, in the order of `ids`, each with the plan billed."""
    if not ids:
        return []
    query = scoped(Infusion, clinic_id).where(Infusion.id.in_(ids))
    found = db.session.scalars(
        query.options(joinedload(Infusion.patient), joinedload(Infusion.authorization))
    ).all()
    by_id = {row.id: row for row in found}
    infusions = [by_id[i] for i in ids if i in by_id]
    plans = _plans(clinic_id, {_plan_id(row) for row in infusions} - {None})
    return [_claim(row, plans.get(_plan_id(row))) for row in infusions]


def _plan_id(infusion: Infusion) -> int | None:
    """The plan billed: named on the claim lines, else the authorization's."""
    lines = infusion.claim_lines or []
    named = next((line["coverage_id"] for line in lines if line.get("coverage_id")), None)
    if named is None and infusion.authorization is not None:
        return infusion.authorization.coverage_id
    return named


def _plans(clinic_id: int, ids: set[int]) -> dict[int, Coverage]:
    if not ids:
        return {}
    query = scoped(Coverage, clinic_id).where(Coverage.id.in_(sorted(ids)))
    return {c.id: c for c in db.session.scalars(query.options(joinedload(Coverage.payer)))}


def _claim(infusion: Infusion, plan: Coverage | None) -> Claim:
    status, missing = _status_of(infusion)
    return Claim(infusion, infusion.administered_at.date(), status, missing, plan)


def worklist(clinic_id: int, filters: dict, today: date, page: int, per_page: int) -> Page:
    """A page of the worklist (items are `Claim`s), oldest date of service first."""
    start, end = date_range(filters, today)
    ids = page_of(_matching_ids(clinic_id, start, end, filters.get("status")), page, per_page)
    return Page(_claims(clinic_id, list(ids.items)), ids.total, ids.page, per_page)


def claims(clinic_id: int, filters: dict, today: date) -> list[Claim]:
    """Every administration of the range with the status (for the CSV and the API)."""
    start, end = date_range(filters, today)
    return _claims(clinic_id, _matching_ids(clinic_id, start, end, filters.get("status")))


def line_rows(found: list[Claim]) -> list[dict]:
    """One row per claim line, with what a claim needs beside it (CSV_COLUMNS and more)."""
    return [_line_row(claim, line) for claim in found for line in claim.lines]


def _line_row(claim: Claim, line: dict) -> dict:
    infusion, plan = claim.infusion, claim.plan
    return {
        "infusion_id": infusion.id,
        "service_date": date.fromisoformat(line["service_date"])
        if line.get("service_date")
        else claim.service_date,
        "patient_mrn": infusion.patient.mrn,
        "member_id": plan.member_id if plan else None,
        "payer": plan.payer.name if plan else None,
        "hcpcs_code": line["hcpcs_code"],
        "modifiers": list(line.get("modifiers") or []),
        "units": line["units"],
        "auth_number": line.get("auth_number"),
        "lot_number": infusion.lot_number,
        "status": claim.status,
        "missing": claim.missing,
    }
