"""Authorization requests: create, edit, check, and move through the workflow."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from priorauth.domain import evidence as ev
from priorauth.domain.units import billing_units
from priorauth.domain.vocab import label
from priorauth.domain.workflow import APPROVED_STATUSES, AWAITING_PAYER, Status
from priorauth.errors import Conflict, ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Coverage, Patient
from priorauth.services import audit, snapshots
from priorauth.services.payers import drug_code, find_policy
from priorauth.services.scope import get_owned, scoped
from priorauth.services.usage import AuthorizationView, view_of

EDITABLE = {Status.DRAFT, Status.PENDED}


def get_authorization(clinic_id: int, auth_id: int, today: date) -> AuthorizationView:
    """The request with its units use and its status as of `today`."""
    return view_of(get_owned(AuthorizationRequest, auth_id, clinic_id, what="authorization"), today)


def _check_links(clinic_id: int, data: dict) -> None:
    patient = get_owned(Patient, data["patient_id"], clinic_id, what="patient")
    coverage = db.session.get(Coverage, data["coverage_id"])
    if coverage is None or coverage.patient_id != patient.id:
        raise ValidationFailed.on("coverage_id", "is not a coverage of this patient")
    drug_code(data["hcpcs_code"])


def _units(data: dict) -> int:
    drug = drug_code(data["hcpcs_code"])
    return billing_units(data["dose_mg"], drug.mg_per_unit) * data["administrations"]


def create_authorization(actor, data: dict) -> AuthorizationRequest:
    _check_links(actor.clinic_id, data)
    auth = AuthorizationRequest(
        clinic_id=actor.clinic_id,
        created_by_id=actor.id,
        owner_id=actor.id,  # its creator works it until reassigned (services/owners.py)
        units_requested=_units(data),
        **data,
    )
    return audit.added(actor, auth, to_status=auth.status, changes=data)


def update_authorization(actor, auth_id: int, data: dict) -> AuthorizationRequest:
    auth = get_owned(AuthorizationRequest, auth_id, actor.clinic_id, what="authorization")
    if Status(auth.status) not in EDITABLE:
        raise Conflict(
            f"a {auth.status} request cannot be edited; only draft or pended requests can",
            code="NOT_EDITABLE",
        )
    merged = {c: getattr(auth, c) for c in ("patient_id", "coverage_id", "hcpcs_code")}
    merged |= {"dose_mg": auth.dose_mg, "administrations": auth.administrations} | data
    _check_links(actor.clinic_id, merged)
    if merged.get("requested_end", auth.requested_end) < merged.get(
        "requested_start", auth.requested_start
    ):
        raise ValidationFailed.on("requested_end", "must be on or after requested_start")
    auth.units_requested = _units(merged)
    audit.apply_changes(actor, auth, data)
    return auth


def checklist_for(auth: AuthorizationRequest, as_of: date) -> ev.Checklist:
    policy = find_policy(auth.coverage.payer_id, auth.hcpcs_code)
    return ev.build_checklist(
        snapshots.policy_facts(policy),
        snapshots.request_facts(auth),
        snapshots.patient_evidence(auth.patient_id),
        as_of,
    )


def in_play(clinic_id: int, today: date) -> list[AuthorizationRequest]:
    """Requests still needing someone: open ones, approvals not ended, appealable denials.

    The dashboard queues and the reminders both start from this list.
    """
    approved = [s.value for s in APPROVED_STATUSES]
    open_ = [s.value for s in (Status.DRAFT, Status.PENDED, *AWAITING_PAYER)]
    relevant = sa.or_(
        AuthorizationRequest.status.in_(open_),
        sa.and_(
            AuthorizationRequest.status.in_(approved),
            sa.or_(
                AuthorizationRequest.approved_end.is_(None),
                AuthorizationRequest.approved_end >= today,
            ),
        ),
        sa.and_(
            AuthorizationRequest.status == Status.DENIED.value,
            AuthorizationRequest.appeal_deadline >= today,
        ),
    )
    query = (
        scoped(AuthorizationRequest, clinic_id)
        .options(
            joinedload(AuthorizationRequest.coverage).joinedload(Coverage.payer),
            joinedload(AuthorizationRequest.patient),
        )
        .where(relevant)
        .order_by(AuthorizationRequest.id)
    )
    return list(db.session.scalars(query).unique())


def request_in(actor, auth_id: int, statuses, refusal: str, code: str) -> AuthorizationRequest:
    """The clinic's request, refused in words (409 `code`) unless its stored status is one of
    `statuses`: "<refusal>; request #12 is denied"."""
    auth = get_owned(AuthorizationRequest, auth_id, actor.clinic_id, what="authorization")
    if Status(auth.status) not in statuses:
        status = label(auth.status).lower()
        raise Conflict(
            f"{refusal}; request #{auth.id} is {status}", code=code, current_status=auth.status
        )
    return auth
