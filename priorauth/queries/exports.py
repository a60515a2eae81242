"""The lists' rows for their CSV downloads: every row the page's filters select, in the page's
order, read in one statement and streamed in batches (no paging, no cap)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, Patient
from priorauth.queries.lists import authorizations_query
from priorauth.services import audit
from priorauth.services.usage import AuthorizationView, UnitsUse, current_status

BATCH = 500  # rows fetched at a time while the download streams


def streamed(query: sa.Select):
    """The query's rows, fetched BATCH at a time (a server-side cursor on PostgreSQL)."""
    return db.session.execute(query.execution_options(yield_per=BATCH))


def authorizations(clinic_id: int, today: date, **filters) -> Iterator[AuthorizationView]:
    """Every request of the list (its filters, newest first) with its patient, units use and
    current status. The use comes from the stored facts (units_given/booked, visits_given/
    booked, docs/architecture.md), so no grouped query is needed per batch."""
    query = authorizations_query(clinic_id, **filters)
    query = query.options(joinedload(AuthorizationRequest.patient))
    for auth in streamed(query).scalars():
        use = UnitsUse(
            auth.units_approved,
            auth.units_given,
            auth.units_booked,
            auth.administrations_approved,
            auth.visits_given,
            auth.visits_booked,
        )
        yield AuthorizationView(auth, use, current_status(auth, use, today))


def audit_trail(clinic, filters: dict):
    """Every event of the trail the filters select, newest first: rows of (event, MRN, first
    name, last name), the patient's columns empty for events about no patient."""
    patient = sa.and_(Patient.id == AuditEvent.patient_id, Patient.clinic_id == clinic.id)
    query = audit.trail(clinic, filters).outerjoin(Patient, patient)
    return streamed(query.add_columns(Patient.mrn, Patient.first_name, Patient.last_name))
