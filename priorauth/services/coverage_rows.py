"""The coverage check's hot path: the same answer as services.coverage.check, from plain rows.

Two statements (services.coverage_sql), however much data: the patient with their clinic's
time zone, the code's mg per unit, their latest re-verification and their plans with this
code's policy; then their requests for the code, each with its units and visits given and
booked (grouped, less the infusion being rescheduled), and the code's infusions (the spacing
rule). No ORM objects: the rows become the domain's facts, and domain.coverage.check_coverage,
the one place of the rules, answers (tests/api/test_coverage_hot_path.py compares the answers
with the full path's for many situations).

The drug catalog is not cached: the code's mg per unit is read by the first statement (a
primary-key lookup inside it), so a catalog reloaded by `flask seed-reference` in another
process can never leave a stale value here, and it costs no statement of its own.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from priorauth.domain import coverage as cov
from priorauth.domain.usage import UnitsUse
from priorauth.domain.workflow import AWAITING_PAYER, Status
from priorauth.errors import NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models.base import INTEGER_MAX
from priorauth.services.clock import to_clinic_time
from priorauth.services.coverage import infusion_facts
from priorauth.services.coverage_sql import statements
from priorauth.services.eligibility import LAPSED

AWAITING_ANSWER = frozenset(s.value for s in AWAITING_PAYER | {Status.PENDED})


def check(
    clinic_id: int,
    patient_id: int,
    code: str,
    day: date,
    dose_mg,
    exclude_infusion_id: int | None = None,
) -> cov.CoverageAnswer:
    """Is the clinic's patient covered for this code, dose and date? NotFound for a patient
    outside the clinic, ValidationFailed (hcpcs_code) for a code outside the catalog."""
    code = code.strip().upper()
    if not isinstance(patient_id, int) or not 1 <= patient_id <= INTEGER_MAX:
        raise _not_found(patient_id)
    keys = {"patient": patient_id, "code": code, "clinic": clinic_id, "own": exclude_infusion_id}
    connection = db.session.connection()
    patient = connection.execute(statements().patient, keys).all()
    if not patient:
        raise _not_found(patient_id)
    first = patient[0]
    if first.mg_per_unit is None:
        raise ValidationFailed.on("hcpcs_code", f"{code} is not in the drug code catalog")
    drawn = connection.execute(statements().drawn, keys).all()
    auths = [r for r in drawn if r.kind == "a"]
    return cov.check_coverage(
        cov.CoverageQuestion(code, day, Decimal(dose_mg), first.mg_per_unit, exclude_infusion_id),
        [_auth_facts(r, code, first) for r in auths],
        [infusion_facts(r) for r in drawn if r.kind == "i"],
        _windows(patient, code),
        {r.id: _use(r) for r in auths},
    )


def _not_found(patient_id) -> NotFound:
    return NotFound(f"patient {patient_id} not found", {"id": [f"no patient with id {patient_id}"]})


def _lapsed(rows: list[sa.Row]) -> bool:
    """services.eligibility.lapsed_patients for one patient: the latest re-verification found
    no active plan, and no plan was added since."""
    first = rows[0]
    if first.check_result not in LAPSED:
        return False
    added = [r.created_at for r in rows if r.coverage_id is not None]
    return max(added, default=datetime.min) <= first.checked_at


def _windows(rows: list[sa.Row], code: str) -> list[cov.CoverageWindow]:
    lapsed = _lapsed(rows)
    return [
        cov.CoverageWindow(
            r.start_date,
            r.end_date,
            verified_inactive=lapsed,
            policies={} if r.policy_id is None else {code: _policy(r)},
        )
        for r in rows
        if r.coverage_id is not None
    ]


def _policy(row: sa.Row) -> cov.PolicyFacts:
    return cov.PolicyFacts(
        pa_required=row.pa_required,
        max_mg_per_dose=row.max_mg_per_dose,
        min_days_between_doses=row.min_days_between_doses,
    )


def _auth_facts(row: sa.Row, code: str, clinic) -> cov.AuthFacts:
    return cov.AuthFacts(
        id=row.id,
        status=row.status,
        hcpcs_code=code,
        approved_start=row.approved_start,
        approved_end=row.approved_end,
        units_approved=row.units_approved,
        administrations_approved=row.administrations_approved,
        decision_due=_decision_due(row, clinic),
        auth_number=row.auth_number,
    )


def _decision_due(row: sa.Row, clinic) -> date | None:
    """services.coverage.decision_due from the row's own columns and its payer's."""
    if row.submitted_at is None or row.status not in AWAITING_ANSWER:
        return None
    submitted = to_clinic_time(clinic, row.submitted_at)
    days, hours = row.standard_response_days, row.expedited_response_hours
    return cov.answer_due(submitted, row.urgency, days, hours).date()


def _use(row: sa.Row) -> UnitsUse:
    return UnitsUse(
        row.units_approved,
        int(row.units_given),
        int(row.units_booked),
        row.administrations_approved,
        int(row.visits_given),
        int(row.visits_booked),
    )
