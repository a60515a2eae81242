"""The coverage check's floor: the same answer from one hand-written SQL statement.

    coverage_floor(patient_id: int, code: str, day: date, dose_mg, clinic_id: int | None = None)
        -> domain.coverage.CoverageAnswer | None

One statement (UNION ALL of three row kinds) reads everything the rules read: the patient's
plans with this code's policy, the clinic's time zone, the code's mg per unit and the latest
re-verification ('p' rows); the requests for the code with their units given and booked
aggregated ('a'); the code's booked and given infusions, for the spacing rule ('i'). The rows
go to domain.coverage.check_coverage, so the floor gives exactly the answer of the app
(tests/api/test_coverage_hot_path.py checks it). None: no such patient (in the clinic, when
clinic_id is given); LookupError: a code outside the catalog. Needs an app context.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa

from priorauth.domain import coverage as cov
from priorauth.domain.usage import UnitsUse
from priorauth.extensions import db
from priorauth.services.clock import to_clinic_time

COUNTED = "'draft','denied','pended','submitted','appealed','approved','partially_approved'"
LIVE = "'scheduled','administered'"
AWAITING = {"submitted", "appealed", "pended"}
LAPSED = {"inactive", "changed_plan"}

SQL = f"""
SELECT 'p' AS k, c.id AS id, c.start_date AS d1, c.end_date AS d2,
       CAST(pp.pa_required AS INTEGER) AS n1, pp.min_days_between_doses AS n2, pp.id AS n3,
       CAST(NULL AS INTEGER) AS n4, CAST(NULL AS INTEGER) AS n5, CAST(NULL AS INTEGER) AS n6,
       CAST(NULL AS INTEGER) AS n7, CAST(NULL AS INTEGER) AS n8,
       pp.max_mg_per_dose AS m1,
       (SELECT mg_per_unit FROM drug_codes WHERE code = :code) AS m2,
       cl.timezone AS t1, e.result AS t2, CAST(NULL AS VARCHAR(80)) AS t3,
       e.checked_at AS ts1, c.created_at AS ts2
  FROM patients p
  JOIN clinics cl ON cl.id = p.clinic_id
  LEFT JOIN eligibility_checks e
    ON e.id = (SELECT max(x.id) FROM eligibility_checks x WHERE x.patient_id = p.id)
  LEFT JOIN coverages c ON c.patient_id = p.id
  LEFT JOIN payer_policies pp ON pp.payer_id = c.payer_id AND pp.hcpcs_code = :code
 WHERE p.id = :patient AND p.clinic_id = COALESCE(:clinic, p.clinic_id)
UNION ALL
SELECT 'a', a.id, a.approved_start, a.approved_end,
       a.units_approved, a.administrations_approved,
       COALESCE(sum(CASE WHEN i.status = 'administered' THEN COALESCE(i.units_used, 0) END), 0),
       COALESCE(sum(CASE WHEN i.status = 'scheduled' THEN i.units_reserved END), 0),
       COUNT(CASE WHEN i.status = 'administered' THEN 1 END),
       COUNT(CASE WHEN i.status = 'scheduled' THEN 1 END),
       py.standard_response_days, py.expedited_response_hours,
       NULL, NULL, a.status, a.urgency, a.auth_number, a.submitted_at, NULL
  FROM authorization_requests a
  JOIN coverages ac ON ac.id = a.coverage_id
  JOIN payers py ON py.id = ac.payer_id
  LEFT JOIN infusions i
    ON i.authorization_id = a.id AND i.patient_id = a.patient_id
   AND i.hcpcs_code = a.hcpcs_code AND i.status IN ({LIVE})
 WHERE a.patient_id = :patient AND a.hcpcs_code = :code AND a.status IN ({COUNTED})
 GROUP BY a.id, py.id
UNION ALL
SELECT 'i', i.id, NULL, NULL,
       CASE WHEN i.status = 'administered' THEN COALESCE(i.units_used, 0)
            ELSE i.units_reserved END,
       i.authorization_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       i.status, NULL, NULL, i.scheduled_at, i.administered_at
  FROM infusions i
 WHERE i.patient_id = :patient AND i.hcpcs_code = :code AND i.status IN ({LIVE})
"""

TYPES = {
    **{f"d{n}": sa.Date for n in (1, 2)},
    **{f"n{n}": sa.Integer for n in range(1, 9)},
    **{f"m{n}": sa.Numeric(10, 3) for n in (1, 2)},
    **{f"t{n}": sa.String for n in (1, 2, 3)},
    **{f"ts{n}": sa.DateTime for n in (1, 2)},
}
STATEMENT = sa.text(SQL).columns(
    sa.column("k", sa.String), sa.column("id", sa.Integer),
    *(sa.column(name, kind) for name, kind in TYPES.items()),
)  # fmt: skip


def coverage_floor(patient_id: int, code: str, day: date, dose_mg, clinic_id: int | None = None):
    code = code.strip().upper()
    params = {"patient": patient_id, "code": code, "clinic": clinic_id}
    rows = db.session.execute(STATEMENT, params).all()
    plans = sorted((r for r in rows if r.k == "p"), key=_newest_first)
    if not plans:
        return None
    if plans[0].m2 is None:
        raise LookupError(f"{code} is not in the drug code catalog")
    auths = sorted((r for r in rows if r.k == "a"), key=lambda r: r.id)
    zone = SimpleNamespace(timezone=plans[0].t1)
    return cov.check_coverage(
        cov.CoverageQuestion(code, day, Decimal(dose_mg), plans[0].m2),
        [_auth(r, code, zone) for r in auths],
        [_infusion(r, code) for r in rows if r.k == "i"],
        _windows(plans, code),
        {r.id: UnitsUse(r.n1, r.n3, r.n4, r.n2, r.n5, r.n6) for r in auths},
    )


def _newest_first(row) -> tuple:
    return (-(row.d1.toordinal() if row.d1 else 0), -(row.id or 0))


def _windows(plans, code: str) -> list[cov.CoverageWindow]:
    first, added = plans[0], [r.ts2 for r in plans if r.id is not None]
    lapsed = first.t2 in LAPSED and max(added, default=datetime.min) <= first.ts1
    return [
        cov.CoverageWindow(
            r.d1,
            r.d2,
            lapsed,
            {} if r.n3 is None else {code: cov.PolicyFacts(bool(r.n1), r.m1, r.n2)},
        )
        for r in plans
        if r.id is not None
    ]


def _auth(row, code: str, zone) -> cov.AuthFacts:
    due = None
    if row.ts1 is not None and row.t1 in AWAITING:
        local = to_clinic_time(zone, row.ts1)
        due = cov.answer_due(local, row.t2, row.n7, row.n8).date()
    return cov.AuthFacts(row.id, row.t1, code, row.d1, row.d2, row.n1, row.n2, due, row.t3)


def _infusion(row, code: str) -> cov.InfusionFacts:
    given = row.t1 == "administered"
    when = row.ts2 if given and row.ts2 else row.ts1
    return cov.InfusionFacts(row.id, code, when.date(), row.n1, row.n2, given)
