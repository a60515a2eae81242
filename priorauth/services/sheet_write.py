"""Write a checked spreadsheet (services/sheet_check.py) in the caller's transaction: the new
patients and coverages, then the requests and one audit event per created row, in bulk
statements (10,000 rows in seconds). The touched patients are handed to the attention listener
(services/attention_events.py), which recomputes their stored facts before the commit."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from priorauth.domain.sheet_rows import SheetRow
from priorauth.domain.workflow import AWAITING_PAYER, Status
from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, Coverage, Patient
from priorauth.services import attention_events, clock
from priorauth.services.sheet_check import Checked, Outcome

IMPORTED = "imported"
APPEALABLE = (Status.DENIED.value, Status.PARTIALLY_APPROVED.value)
WAITING = {s.value for s in AWAITING_PAYER | {Status.PENDED}}


def write(actor, clinic_id: int, checked: Checked, note: str) -> dict:
    """Create what the checked rows to create need; -> {"patients", "coverages", "requests":
    counts, "rows": row number -> request id}. `note` names the import on each audit event."""
    outcomes = checked.to_create
    events = Events(actor, clinic_id, note)
    patients = _new_patients(clinic_id, outcomes, checked, events)
    coverages = _new_coverages(clinic_id, outcomes, checked, events)
    created = _requests(actor, clinic_id, outcomes, checked, events)
    events.flush()
    touched = db.session.info.setdefault(attention_events.PATIENTS, set())
    touched.update(checked.known.patients[o.sheet_row.mrn] for o in outcomes)
    return {"patients": patients, "coverages": coverages, "requests": len(created), "rows": created}


class Events:
    """Audit events gathered as plain rows and written as one bulk INSERT."""

    def __init__(self, actor, clinic_id: int, note: str):
        self.rows: list[dict] = []
        self.base = {
            "clinic_id": clinic_id,
            "user_id": getattr(actor, "id", None),
            "action": IMPORTED,
            "note": note,
            "at": clock.recorded_now(),
            "from_status": None,
            "remote_addr": None,
        }

    def add(self, table: str, entity_id: int, patient_id: int, to_status=None, changes=None):
        self.rows.append(
            self.base
            | {
                "entity_type": table,
                "entity_id": entity_id,
                "patient_id": patient_id,
                "to_status": to_status,
                "changes": changes,
            }
        )

    def flush(self) -> None:
        if self.rows:
            db.session.execute(sa.insert(AuditEvent), self.rows)


def _first_rows(outcomes: list[Outcome], key) -> dict:
    first = {}
    for outcome in outcomes:
        first.setdefault(key(outcome.sheet_row), outcome.sheet_row)
    return first


def _new_patients(clinic_id: int, outcomes, checked: Checked, events: Events) -> int:
    known = checked.known.patients
    rows = _first_rows([o for o in outcomes if o.sheet_row.mrn not in known], lambda r: r.mrn)
    patients = [
        Patient(
            clinic_id=clinic_id,
            mrn=r.mrn,
            first_name=r.first_name,
            last_name=r.last_name,
            birth_date=r.birth_date,
            sex=r.sex,
        )
        for r in rows.values()
    ]
    db.session.add_all(patients)
    db.session.flush()
    for patient in patients:
        known[patient.mrn] = patient.id
        events.add("patients", patient.id, patient.id, changes={"mrn": patient.mrn})
    return len(patients)


def _payer_id(checked: Checked, row: SheetRow) -> int:
    return checked.known.payers[row.payer.strip().lower()][0]


def _new_coverages(clinic_id: int, outcomes, checked: Checked, events: Events) -> int:
    known, patients = checked.known.coverages, checked.known.patients
    pairs: dict[tuple[int, int], list[SheetRow]] = {}
    for outcome in outcomes:
        pair = (patients[outcome.sheet_row.mrn], _payer_id(checked, outcome.sheet_row))
        if pair not in known:
            pairs.setdefault(pair, []).append(outcome.sheet_row)
    coverages = [
        Coverage(
            clinic_id=clinic_id,
            patient_id=patient_id,
            payer_id=payer_id,
            member_id=next(r.member_id for r in rows if r.member_id),
            start_date=min(r.requested_start for r in rows),
        )
        for (patient_id, payer_id), rows in pairs.items()
    ]
    db.session.add_all(coverages)
    db.session.flush()
    for coverage in coverages:
        known[(coverage.patient_id, coverage.payer_id)] = coverage.id
        changes = {"payer_id": coverage.payer_id, "member_id": coverage.member_id}
        events.add("coverages", coverage.id, coverage.patient_id, changes=changes)
    return len(coverages)


def _requests(actor, clinic_id: int, outcomes, checked: Checked, events: Events) -> dict:
    values = [_request_values(actor, clinic_id, o.sheet_row, checked) for o in outcomes]
    if not values:
        return {}
    table = AuthorizationRequest.__table__
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids = [row.id for row in db.session.execute(statement, values)]
    created = {}
    for outcome, row_values, request_id in zip(outcomes, values, ids, strict=True):
        created[outcome.row] = request_id
        change = {"row": outcome.row, "import_key": row_values["import_key"]}
        events.add(
            AuthorizationRequest.__tablename__,
            request_id,
            row_values["patient_id"],
            to_status=row_values["status"],
            changes=change,
        )
    return created


def _request_values(actor, clinic_id: int, row: SheetRow, checked: Checked) -> dict:
    patient_id = checked.known.patients[row.mrn]
    payer_id, appeal_days = checked.known.payers[row.payer.strip().lower()]
    appealable = row.status in APPEALABLE and row.decided_on is not None
    submitted = row.submitted_on if row.status in WAITING else None
    return {
        "clinic_id": clinic_id,
        "patient_id": patient_id,
        "coverage_id": checked.known.coverages[(patient_id, payer_id)],
        "hcpcs_code": row.hcpcs_code,
        "diagnosis_codes": list(row.diagnosis_codes),
        "ordering_provider": row.ordering_provider,
        "dose_mg": row.dose_mg,
        "administrations": row.administrations,
        "units_requested": row.units_requested,
        "requested_start": row.requested_start,
        "requested_end": row.requested_end,
        "urgency": "standard",
        "status": row.status,
        "submitted_at": datetime.combine(submitted, time(12)) if submitted else None,
        "decided_on": row.decided_on,
        "auth_number": row.auth_number,
        "units_approved": row.units_approved,
        "administrations_approved": row.administrations if row.units_approved else None,
        "approved_start": row.approved_start,
        "approved_end": row.approved_end,
        "appeal_deadline": row.decided_on + timedelta(days=appeal_days) if appealable else None,
        "notes": row.notes,
        "import_key": row.import_key,
        "created_by_id": getattr(actor, "id", None),
        "owner_id": getattr(actor, "id", None),
        "version": 1,
        "created_at": clock.utcnow(),
        "updated_at": clock.utcnow(),
    }
