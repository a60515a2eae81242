"""Finding patients and requests in one clinic: the search page, the patient list and the
patient pickers of the new-request and coverage-check forms all ask here.

A patient matches by MRN, first or last name, "First Last", "Last, First", or the member ID
of any of their coverages; a request by auth number, payer reference or #id.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from priorauth.domain.workflow import Status
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Coverage, Patient
from priorauth.queries.paging import Page, paginate
from priorauth.services.scope import scoped
from priorauth.services.usage import views

# Requests still being worked on or still usable: not closed by a decision or a cancel.
OPEN_STATUSES = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.PENDED,
    Status.APPROVED,
    Status.PARTIALLY_APPROVED,
    Status.APPEALED,
)
# The derived statuses that close an approved request.
CLOSED_DERIVED = {Status.EXPIRED.value, Status.EXHAUSTED.value}


def as_typed(text: str) -> str:
    """ "Last, First" as "First Last", the way a full name is matched."""
    if "," in text:
        last, _, first = text.partition(",")
        return f"{first.strip()} {last.strip()}".strip()
    return text.strip()


def _patient_match(text: str):
    like = f"%{as_typed(text).lower()}%"
    member = (
        sa.select(Coverage.id)
        .where(Coverage.patient_id == Patient.id, sa.func.lower(Coverage.member_id).like(like))
        .exists()
    )
    return sa.or_(
        sa.func.lower(Patient.mrn).like(like),
        sa.func.lower(Patient.last_name).like(like),
        sa.func.lower(Patient.first_name).like(like),
        sa.func.lower(Patient.first_name + " " + Patient.last_name).like(like),
        member,
    )


def patients_query(clinic_id: int, text: str = "") -> sa.Select:
    """The clinic's patients matching `text` (all of them for no text), by name."""
    query = scoped(Patient, clinic_id)
    if text.strip():
        query = query.where(_patient_match(text))
    return query.order_by(Patient.last_name, Patient.first_name, Patient.id)


def find_patients(clinic_id: int, text: str, page: int = 1, per_page: int = 25) -> Page:
    """A page of matching patients with their coverages (three statements)."""
    query = patients_query(clinic_id, text).options(selectinload(Patient.coverages))
    return paginate(query, page, per_page)


def _request_id(text: str) -> int | None:
    digits = text.removeprefix("#")
    return int(digits) if digits.isdigit() and len(digits) < 10 else None


def requests_query(clinic_id: int, text: str) -> sa.Select:
    like = f"%{text.strip().lower()}%"
    matches = [
        sa.func.lower(AuthorizationRequest.auth_number).like(like),
        sa.func.lower(AuthorizationRequest.payer_reference).like(like),
    ]
    if _request_id(text) is not None:
        matches.append(AuthorizationRequest.id == _request_id(text))
    return (
        scoped(AuthorizationRequest, clinic_id)
        .options(joinedload(AuthorizationRequest.patient))
        .where(sa.or_(*matches))
        .order_by(AuthorizationRequest.id.desc())
    )


def find_requests(clinic_id: int, text: str, today: date, page=1, per_page=25) -> Page:
    found = paginate(requests_query(clinic_id, text), page, per_page)
    return replace(found, items=views(found.items, today))


def exact_match(clinic_id: int, text: str) -> tuple[str, int] | None:
    """("patient", id) for the one patient with this MRN, ("authorization", id) for the one
    request with this auth number; None when neither or more than one."""
    lowered = text.strip().lower()
    patients = db.session.scalars(
        scoped(Patient, clinic_id).where(sa.func.lower(Patient.mrn) == lowered).limit(2)
    ).all()
    auths = db.session.scalars(
        scoped(AuthorizationRequest, clinic_id)
        .where(sa.func.lower(AuthorizationRequest.auth_number) == lowered)
        .limit(2)
    ).all()
    if len(patients) == 1 and not auths:
        return "patient", patients[0].id
    if len(auths) == 1 and not patients:
        return "authorization", auths[0].id
    return None


def open_requests(clinic_id: int, patient_ids, today: date) -> dict[int, list]:
    """Each patient's open requests, newest first (one query for all the patients)."""
    ids = set(patient_ids)
    if not ids:
        return {}
    query = (
        scoped(AuthorizationRequest, clinic_id)
        .where(AuthorizationRequest.patient_id.in_(ids))
        .where(AuthorizationRequest.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(AuthorizationRequest.id.desc())
    )
    found: dict[int, list] = {i: [] for i in ids}
    for auth in views(db.session.scalars(query).all(), today):
        if auth.current_status not in CLOSED_DERIVED:
            found[auth.patient_id].append(auth)
    return found


@dataclass(frozen=True)
class Results:
    """What the search page shows for one text."""

    text: str
    patients: Page
    requests: Page
    open_requests: dict[int, list] = field(default_factory=dict)


def search(clinic_id: int, text: str, today: date, pages: dict) -> Results:
    """Patients and requests matching `text`; `pages` holds (page, per_page) per section."""
    patients = find_patients(clinic_id, text, *pages["patients"])
    return Results(
        text=text,
        patients=patients,
        requests=find_requests(clinic_id, text, today, *pages["requests"]),
        open_requests=open_requests(clinic_id, [p.id for p in patients.items], today),
    )
