"""A clinic with a row in every table a clinic export carries: the demo clinic, plus what the
demo story does not make (queue owners, payer rates, follow-ups, re-verifications, documents,
letters, reminder states, a renewal, the issue-14/15 columns), and a small clinic for refusals.

`snapshot(clinic_id)` reads a clinic's rows table by table with every reference written as
the position (in id order) of the row it names, so two clinics compare field by field with
their ids aside."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from priorauth import demo
from priorauth.extensions import db
from priorauth.models import (
    Attachment,
    AuditEvent,
    AuthorizationRequest,
    Clinic,
    Coverage,
    EligibilityCheck,
    FollowUp,
    Infusion,
    Letter,
    LetterTemplate,
    Patient,
    Payer,
    PayerPolicy,
    PayerRate,
    QueueOwner,
    ReminderState,
    User,
)
from priorauth.services import attention
from priorauth.services.clinic_transfer import EXPORTED, NOT_IMPORTED, SECRET_COLUMNS, table

TODAY = date(2026, 3, 16)
PDF = b"%PDF-1.4\n% a lab report\n%%EOF\n"
IMPORTED = tuple(name for name in EXPORTED if name not in NOT_IMPORTED)
NOT_COMPARED = {"clinics": {"name"}, "users": {"email", "password_hash", *SECRET_COLUMNS["users"]}}


def _first(model, clinic_id: int, *where):
    query = sa.select(model).where(model.clinic_id == clinic_id, *where).order_by(model.id)
    return db.session.scalars(query.limit(1)).one()


def full_clinic() -> Clinic:
    """The demo clinic with a row in every exported table; its facts computed now."""
    demo.seed(today=TODAY)
    clinic = db.session.scalars(sa.select(Clinic)).one()
    clinic.import_columns, clinic.holiday_subdivision = {"MRN": "mrn"}, "NY"
    _add_extras(clinic)
    patients = db.session.scalars(sa.select(Patient.id).where(Patient.clinic_id == clinic.id))
    attention.refresh_patients(list(patients))
    db.session.commit()
    return clinic


def _add_extras(clinic: Clinic) -> None:
    cid = clinic.id
    user = _first(User, cid)
    user.calendar_token_hash, user.locked_until = "c" * 64, datetime(2026, 3, 1, 9)
    request = _first(AuthorizationRequest, cid, AuthorizationRequest.status == "approved")
    later = _first(AuthorizationRequest, cid, AuthorizationRequest.id > request.id)
    later.renews_id, later.owner_id = request.id, user.id
    later.review_action_code, later.import_key = "A1", "sheet-row-7"
    infusion = _first(Infusion, cid)
    policy = _first(PayerPolicy, cid)
    attachment = Attachment(
        clinic_id=cid,
        patient_id=request.patient_id,
        authorization_id=request.id,
        kind="lab_report",
        filename="labs.pdf",
        content_type="application/pdf",
        size_bytes=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        content=PDF,
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    db.session.flush()
    db.session.add_all(
        [
            QueueOwner(clinic_id=cid, queue="to_submit", user_id=user.id),
            PayerRate(
                clinic_id=cid,
                payer_id=policy.payer_id,
                hcpcs_code=policy.hcpcs_code,
                dollars_per_unit=Decimal("1.25"),
                updated_by_id=user.id,
            ),
            FollowUp(
                clinic_id=cid,
                authorization_id=request.id,
                at=datetime(2026, 3, 2, 15),
                channel="phone",
                contact="Dana at the plan",
                payer_said="in clinical review",
                logged_by_id=user.id,
            ),
            EligibilityCheck(
                clinic_id=cid,
                infusion_id=infusion.id,
                patient_id=infusion.patient_id,
                checked_by_id=user.id,
                method="portal",
                result="active",
                note="verified",
            ),
            LetterTemplate(
                clinic_id=cid, kind="appeal", body="Dear {{ payer }},", updated_by_id=user.id
            ),
            Letter(
                clinic_id=cid,
                authorization_id=request.id,
                kind="appeal",
                body="Dear plan,",
                created_by_id=user.id,
                sent_at=datetime(2026, 3, 3, 16),
                packet_id=attachment.id,
            ),
            ReminderState(
                clinic_id=cid,
                key=f"expiring:{request.id}",
                type="expiring",
                authorization_id=request.id,
                due_date=TODAY + timedelta(days=7),
                first_seen_on=TODAY,
                escalates_on=TODAY + timedelta(days=2),
                owner_id=user.id,
            ),
            AuditEvent(  # about a row an export leaves out: not imported
                clinic_id=cid,
                user_id=user.id,
                entity_type="api_tokens",
                entity_id=1,
                action="api_token_issued",
                at=datetime(2026, 3, 4, 12),
            ),
        ]
    )
    db.session.flush()


def small_clinic(name: str = "Small", with_user: bool = True) -> Clinic:
    """A clinic with a payer, a patient and a coverage (and one user)."""
    clinic = Clinic(name=name, timezone="UTC")
    db.session.add(clinic)
    db.session.flush()
    payer = Payer(clinic_id=clinic.id, name="Acme Health")
    patient = Patient(
        clinic_id=clinic.id,
        mrn="M1",
        first_name="Ann",
        last_name="Lee",
        birth_date=date(1970, 1, 2),
    )
    db.session.add_all([payer, patient])
    if with_user:
        db.session.add(
            User(
                clinic_id=clinic.id,
                email="ann@small.test",
                name="Ann",
                role="admin",
                password_hash="x",
            )
        )
    db.session.flush()
    db.session.add(
        Coverage(
            clinic_id=clinic.id,
            patient_id=patient.id,
            payer_id=payer.id,
            member_id="X1",
            start_date=date(2026, 1, 1),
        )
    )
    db.session.commit()
    return clinic


def _rows(name: str, clinic_id: int) -> list[dict]:
    rows = table(name)
    owner = rows.c.id if name == "clinics" else rows.c.clinic_id
    query = sa.select(rows).where(owner == clinic_id).order_by(rows.c.id)
    return [dict(row) for row in db.session.execute(query).mappings()]


def snapshot(clinic_id: int) -> dict[str, list[dict]]:
    """Every imported table's rows of the clinic, ids replaced by positions."""
    found = {name: _rows(name, clinic_id) for name in IMPORTED}
    positions = {name: {row["id"]: i for i, row in enumerate(rows)} for name, rows in found.items()}
    return {name: [_plain(name, row, positions) for row in rows] for name, rows in found.items()}


def _plain(name: str, row: dict, positions: dict) -> dict:
    plain = {}
    for column in table(name).columns:
        value = row[column.name]
        if column.name == "id" or column.name in NOT_COMPARED.get(name, ()):
            continue
        targets = {fk.column.table.name for fk in column.foreign_keys} & set(positions)
        if targets and value is not None:
            value = ("row", positions[targets.pop()][value])
        plain[column.name] = value
    if name == "audit_events":
        plain["entity_id"] = positions.get(row["entity_type"], {}).get(row["entity_id"])
    if name == "infusions" and row["coverage_summary"]:  # recomputed: names requests' ids
        requests = positions["authorization_requests"]
        renamed = lambda m: f"(#row {requests[int(m[1])]})"  # noqa: E731
        plain["coverage_summary"] = re.sub(r"\(#(\d+)\)", renamed, row["coverage_summary"])
    return plain
