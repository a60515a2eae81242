"""The clinic's lists, a page at a time: requests, payers, staff."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from priorauth.models import AuthorizationRequest, Coverage, Infusion, Payer, User
from priorauth.queries.owner_sql import owner_id_or_none
from priorauth.queries.paging import Page, paginate
from priorauth.services.scope import scoped
from priorauth.services.usage import views


def authorizations_query(clinic_id: int, *, status=None, patient_id=None, owner=None) -> sa.Select:
    """The clinic's requests, newest first, by stored status, patient and own owner (a user
    id, or owner_sql.UNOWNED: none) when given."""
    query = scoped(AuthorizationRequest, clinic_id)
    if owner is not None:
        query = query.where(AuthorizationRequest.owner_id == owner_id_or_none(owner))
    if status:
        query = query.where(AuthorizationRequest.status == status)
    if patient_id is not None:
        query = query.where(AuthorizationRequest.patient_id == patient_id)
    return query.order_by(AuthorizationRequest.id.desc())


def authorizations(clinic_id: int, today: date, page: int, per_page: int, **filters) -> Page:
    """A page of requests (AuthorizationView: with their patients, units use and current
    status), in four statements."""
    query = authorizations_query(clinic_id, **filters)
    found = paginate(query.options(joinedload(AuthorizationRequest.patient)), page, per_page)
    return replace(found, items=views(found.items, today))


def authorizations_with_coverage(clinic_id: int, **filters) -> sa.Select:
    """The requests query with each one's coverage and payer (the API answers them)."""
    coverage = joinedload(AuthorizationRequest.coverage).joinedload(Coverage.payer)
    return authorizations_query(clinic_id, **filters).options(coverage)


def infusions_query(clinic_id: int, start=None, end=None, status=None) -> sa.Select:
    """Infusions scheduled between two clinic-local days (inclusive), with their patients."""
    query = scoped(Infusion, clinic_id).order_by(Infusion.scheduled_at, Infusion.id)
    if start:
        query = query.where(Infusion.scheduled_at >= datetime.combine(start, time.min))
    if end:
        query = query.where(Infusion.scheduled_at <= datetime.combine(end, time.max))
    if status:
        query = query.where(Infusion.status == status)
    return query.options(joinedload(Infusion.patient))


def payers(clinic_id: int, page: int, per_page: int) -> Page:
    """A page of payers by name, with their policies (three statements)."""
    query = scoped(Payer, clinic_id).options(selectinload(Payer.policies))
    return paginate(query.order_by(Payer.name, Payer.id), page, per_page)


def staff(clinic_id: int, page: int, per_page: int) -> Page:
    """A page of the clinic's people, active first, then by name."""
    query = sa.select(User).where(User.clinic_id == clinic_id)
    return paginate(query.order_by(User.active.desc(), User.name, User.id), page, per_page)
