"""The coverage check's two statements (services.coverage_rows runs them), built once per
process: building a statement costs more than running it here. Values come as bound
parameters: patient, code, clinic and own (the infusion being rescheduled, None for none)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa

from priorauth.domain.vocab import InfusionStatus
from priorauth.models import (
    AuthorizationRequest,
    Clinic,
    Coverage,
    DrugCode,
    EligibilityCheck,
    Infusion,
    Patient,
    Payer,
    PayerPolicy,
)
from priorauth.services.coverage import COUNTED, LIVE_INFUSIONS

GIVEN, BOOKED = InfusionStatus.ADMINISTERED.value, InfusionStatus.SCHEDULED.value
PATIENT, CODE, CLINIC = sa.bindparam("patient"), sa.bindparam("code"), sa.bindparam("clinic")
# the excluded infusion; ids start at 1, so 0 excludes none (and types the parameter)
OWN = sa.func.coalesce(sa.bindparam("own", type_=sa.Integer), 0)


@dataclass(frozen=True)
class Statements:
    patient: sa.Select
    drawn: sa.CompoundSelect


@cache
def statements() -> Statements:
    return Statements(_patient_statement(), _drawn_statement())


def _patient_statement() -> sa.Select:
    """One row per plan, newest first (one without plan columns when none): the clinic's
    time zone, the code's mg per unit, the latest re-verification, this code's policy."""
    p, cl, c, pp = (m.__table__ for m in (Patient, Clinic, Coverage, PayerPolicy))
    e, earlier, drug = EligibilityCheck.__table__, EligibilityCheck.__table__.alias(), DrugCode
    last_check = (
        sa.select(sa.func.max(earlier.c.id))
        .where(earlier.c.patient_id == p.c.id)
        .correlate(p)
        .scalar_subquery()
    )
    mg = sa.select(drug.__table__.c.mg_per_unit).where(drug.__table__.c.code == CODE)
    return (
        sa.select(
            cl.c.timezone,
            mg.scalar_subquery().label("mg_per_unit"),
            e.c.result.label("check_result"),
            e.c.checked_at,
            c.c.id.label("coverage_id"),
            c.c.start_date,
            c.c.end_date,
            c.c.created_at,
            pp.c.id.label("policy_id"),
            pp.c.pa_required,
            pp.c.max_mg_per_dose,
            pp.c.min_days_between_doses,
        )
        .select_from(p)
        .join(cl, cl.c.id == p.c.clinic_id)
        .outerjoin(e, e.c.id == last_check)
        .outerjoin(c, c.c.patient_id == p.c.id)
        .outerjoin(pp, sa.and_(pp.c.payer_id == c.c.payer_id, pp.c.hcpcs_code == CODE))
        .where(p.c.id == PATIENT, p.c.clinic_id == CLINIC)
        .order_by(c.c.start_date.desc(), c.c.id.desc())
    )


def _constants(values) -> list:
    """Our own vocabulary written into the SQL, not bound: an IN list of bound values is
    re-expanded on every execution, a cost the size of the statement's own run here."""
    return [sa.literal_column(f"'{str(v)}'", sa.String) for v in values]


def _spent(condition, value) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)


def _live(i: sa.Table) -> sa.ColumnElement:
    """This patient's booked and given infusions of the code, less the excluded one."""
    return sa.and_(
        i.c.patient_id == PATIENT,
        i.c.hcpcs_code == CODE,
        i.c.status.in_(_constants(LIVE_INFUSIONS)),
        i.c.id != OWN,
    )


# The second statement's columns: kind "a" rows are requests with their units use, kind
# "i" rows infusions; each part gives typed NULL for the other's columns.
DRAWN = {
    "kind": sa.String,
    "id": sa.Integer,
    "status": sa.String,
    "hcpcs_code": sa.String,
    "approved_start": sa.Date,
    "approved_end": sa.Date,
    "units_approved": sa.Integer,
    "administrations_approved": sa.Integer,
    "auth_number": sa.String,
    "submitted_at": sa.DateTime,
    "urgency": sa.String,
    "standard_response_days": sa.Integer,
    "expedited_response_hours": sa.Integer,
    "units_given": sa.Integer,
    "units_booked": sa.Integer,
    "visits_given": sa.Integer,
    "visits_booked": sa.Integer,
    "scheduled_at": sa.DateTime,
    "administered_at": sa.DateTime,
    "units_used": sa.Integer,
    "units_reserved": sa.Integer,
    "authorization_id": sa.Integer,
}


def _part(kind: str, **values) -> list:
    """The DRAWN columns in order: these values, typed NULL for the others."""
    values["kind"] = _constants([kind])[0]
    return [
        values.get(name, sa.cast(sa.null(), kind_of)).label(name) for name, kind_of in DRAWN.items()
    ]


def _drawn_statement() -> sa.CompoundSelect:
    """The patient's requests for the code (with their payer's response times and units and
    visits given and booked, grouped) and the code's infusions (the spacing rule), by id."""
    a, c, py, i = (m.__table__ for m in (AuthorizationRequest, Coverage, Payer, Infusion))
    given, booked = i.c.status == GIVEN, i.c.status == BOOKED
    requests = (
        sa.select(
            *_part(
                "a",
                **{name: a.c[name] for name in AUTH_COLUMNS},
                standard_response_days=py.c.standard_response_days,
                expedited_response_hours=py.c.expedited_response_hours,
                units_given=_spent(given, sa.func.coalesce(i.c.units_used, 0)),
                units_booked=_spent(booked, i.c.units_reserved),
                visits_given=_spent(given, 1),
                visits_booked=_spent(booked, 1),
            )
        )
        .join(c, c.c.id == a.c.coverage_id)
        .join(py, py.c.id == c.c.payer_id)
        .outerjoin(i, sa.and_(i.c.authorization_id == a.c.id, _live(i)))
        .where(
            a.c.patient_id == PATIENT,
            a.c.hcpcs_code == CODE,
            a.c.status.in_(_constants(COUNTED)),
        )
        .group_by(a.c.id, py.c.id)
    )
    infusions = sa.select(*_part("i", **{name: i.c[name] for name in INFUSION_COLUMNS}))
    return sa.union_all(requests, infusions.where(_live(i))).order_by("kind", "id")


AUTH_COLUMNS = (
    "id",
    "status",
    "hcpcs_code",
    "approved_start",
    "approved_end",
    "units_approved",
    "administrations_approved",
    "auth_number",
    "submitted_at",
    "urgency",
)
INFUSION_COLUMNS = (
    "id",
    "status",
    "hcpcs_code",
    "scheduled_at",
    "administered_at",
    "units_used",
    "units_reserved",
    "authorization_id",
)
