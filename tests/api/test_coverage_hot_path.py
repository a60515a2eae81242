"""The coverage check's hot path (services.coverage_rows) gives exactly the answer of the full
path (services.coverage.check, which other callers still use), and so does the bench's floor
(tests/bench/floors.py), for many generated patients (the statements it sends:
tests/api/test_coverage_queries.py)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from priorauth.domain import coverage as cov
from priorauth.domain.workflow import Status
from priorauth.errors import NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import (
    AuthorizationRequest,
    Coverage,
    EligibilityCheck,
    Infusion,
    Patient,
    Payer,
    PayerPolicy,
)
from priorauth.services import coverage, coverage_rows
from tests import factories
from tests.api.builders import TODAY
from tests.bench.floors import coverage_floor

CODES = ("J1439", "J1756")
STATUSES = [s.value for s in Status if s not in (Status.EXPIRED, Status.EXHAUSTED)]
PATIENTS, QUESTIONS_PER_PATIENT = 60, 6


def _day(rng, spread=200) -> date:
    return TODAY + timedelta(days=rng.randint(-spread, spread))


def _maybe(rng, value, chance=0.5):
    return value if rng.random() < chance else None


def _payers(rng, clinic) -> list[Payer]:
    payers = [
        Payer(
            clinic_id=clinic.id,
            name=f"Payer {n}",
            standard_response_days=rng.randint(3, 20),
            expedited_response_hours=rng.randint(24, 96),
        )
        for n in range(3)
    ]
    db.session.add_all(payers)
    db.session.flush()
    for payer in payers:
        for code in CODES:
            if rng.random() < 0.8:  # some codes have no policy at all
                db.session.add(_policy(rng, clinic, payer, code))
    return payers


def _policy(rng, clinic, payer, code) -> PayerPolicy:
    return PayerPolicy(
        clinic_id=clinic.id,
        payer_id=payer.id,
        hcpcs_code=code,
        pa_required=rng.random() < 0.75,
        max_mg_per_dose=_maybe(rng, Decimal(rng.choice([300, 500, 750, 1000])), 0.7),
        min_days_between_doses=_maybe(rng, rng.choice([5, 7, 14, 28])),
    )


def _coverages(rng, clinic, patient, payers) -> list[Coverage]:
    rows = []
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        start = TODAY - timedelta(days=rng.randint(-60, 500))
        rows.append(
            Coverage(
                clinic_id=clinic.id,
                patient_id=patient.id,
                payer_id=rng.choice(payers).id,
                member_id="M",
                start_date=start,
                end_date=_maybe(rng, start + timedelta(days=rng.randint(0, 500))),
                created_at=datetime(2026, 1, 1) + timedelta(days=rng.randint(0, 300)),
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _authorization(rng, clinic, patient, coverage_row) -> AuthorizationRequest:
    status = rng.choice(STATUSES)
    start = _day(rng)
    approved = status in ("approved", "partially_approved") or rng.random() < 0.1
    return AuthorizationRequest(
        clinic_id=clinic.id,
        patient_id=patient.id,
        coverage_id=coverage_row.id,
        hcpcs_code=rng.choice(CODES),
        dose_mg=500,
        units_requested=1000,
        requested_start=start,
        requested_end=start + timedelta(days=180),
        status=status,
        urgency=rng.choice(["standard", "expedited"]),
        submitted_at=_maybe(rng, datetime(2026, 6, 1, rng.randint(0, 23)), 0.7),
        units_approved=_maybe(
            rng, rng.choice([0, 200, 500, 1000, 3000]), 0.85 if approved else 0.2
        ),
        administrations_approved=_maybe(rng, rng.randint(1, 3)),
        approved_start=_maybe(rng, start, 0.85 if approved else 0.2),
        approved_end=_maybe(rng, start + timedelta(days=rng.randint(0, 240)), 0.85),
        auth_number=_maybe(rng, f"A-{rng.randint(1, 9999)}"),
    )


def _infusion(rng, clinic, patient, auths) -> Infusion:
    status = rng.choice(["scheduled", "scheduled", "administered", "administered", "cancelled"])
    when = datetime.combine(_day(rng, 150), datetime.min.time()) + timedelta(hours=9)
    given = status == "administered"
    auth = rng.choice([*auths, None])
    code = auth.hcpcs_code if auth and rng.random() < 0.85 else rng.choice(CODES)
    return Infusion(
        clinic_id=clinic.id,
        patient_id=patient.id,
        hcpcs_code=code,
        authorization_id=auth.id if auth else None,
        scheduled_at=when,
        dose_mg=500,
        units_reserved=rng.choice([0, 100, 200, 500]),
        status=status,
        administered_at=_maybe(rng, when + timedelta(days=rng.randint(-2, 2))) if given else None,
        units_used=_maybe(rng, rng.choice([100, 250, 500]), 0.8) if given else None,
    )


def _patient(rng, clinic, payers, n: int) -> tuple[Patient, list[Infusion]]:
    patient = Patient(
        clinic_id=clinic.id, mrn=f"EQ{n}", first_name="E", last_name=f"Q{n}",
        birth_date=date(1970, 1, 1),
    )  # fmt: skip
    db.session.add(patient)
    db.session.flush()
    plans = _coverages(rng, clinic, patient, payers)
    count = rng.randint(0, 6) if plans else 0
    auths = [_authorization(rng, clinic, patient, rng.choice(plans)) for _ in range(count)]
    db.session.add_all(auths)
    db.session.flush()
    infusions = [_infusion(rng, clinic, patient, auths) for _ in range(rng.randint(0, 8))]
    db.session.add_all(infusions)
    db.session.flush()
    for _ in range(rng.choice([0, 0, 1, 2])) if infusions else ():
        db.session.add(
            EligibilityCheck(
                clinic_id=clinic.id,
                infusion_id=rng.choice(infusions).id,
                patient_id=patient.id,
                checked_at=datetime(2026, 1, 1) + timedelta(days=rng.randint(0, 330)),
                method="portal",
                result=rng.choice(["active", "inactive", "changed_plan"]),
            )
        )
    return patient, infusions


def _questions(rng, patient, infusions):
    for _ in range(QUESTIONS_PER_PATIENT):
        exclude = (
            rng.choice([i.id for i in infusions]) if infusions and rng.random() < 0.4 else None
        )
        code = rng.choice(CODES)
        yield (
            patient.id,
            rng.choice([code, f" {code.lower()} "]),
            _day(rng),
            Decimal(rng.choice(["50", "100", "500", "510", "1000"])),
            exclude,
        )


def _same(full: cov.CoverageAnswer, hot: cov.CoverageAnswer) -> None:
    assert hot == full
    assert [r.fix for r in hot.reasons] == [r.fix for r in full.reasons]  # fix: compare=False


def test_the_hot_path_answers_exactly_as_the_full_path(app_ctx):
    rng = random.Random(12)
    clinic = factories.clinic(timezone="America/Los_Angeles")  # the answer-due day is local
    payers = _payers(rng, clinic)
    asked = []
    for n in range(PATIENTS):
        patient, infusions = _patient(rng, clinic, payers, n)
        asked += list(_questions(rng, patient, infusions))
    db.session.commit()
    seen, covered = Counter(), Counter()
    for patient_id, code, day, dose, exclude in asked:
        full = coverage.check(patient_id, code, day, dose, exclude)
        hot = coverage_rows.check(clinic.id, patient_id, code, day, dose, exclude)
        _same(full, hot)
        if exclude is None:  # the bench's floor: one hand-written statement, same answer
            _same(full, coverage_floor(patient_id, code, day, dose, clinic.id))
        seen.update(hot.reason_codes)
        covered[hot.covered] += 1
    # the generated situations reach every rule, both ways
    assert covered[True] >= 20 and covered[False] >= 20, covered
    assert set(seen) >= {
        cov.NO_AUTHORIZATION, cov.AUTH_PENDING, cov.AUTH_DENIED, cov.AUTH_NOT_YET_ACTIVE,
        cov.AUTH_EXPIRED, cov.UNITS_EXHAUSTED, cov.VISITS_EXHAUSTED, cov.DOSE_EXCEEDS_LIMIT,
        cov.TOO_SOON, cov.COVERAGE_INACTIVE, cov.PA_NOT_REQUIRED,
    }, seen  # fmt: skip
    assert any("answer due" in r.message for r in _all_reasons(clinic, asked))


def _all_reasons(clinic, asked):
    for patient_id, code, day, dose, exclude in asked:
        yield from coverage_rows.check(clinic.id, patient_id, code, day, dose, exclude).reasons


def test_the_hot_path_refuses_as_the_full_path(app_ctx):
    own, other = factories.clinic(), factories.clinic()
    patient = Patient(clinic_id=own.id, mrn="R1", first_name="R", last_name="R",
                      birth_date=date(1970, 1, 1))  # fmt: skip
    db.session.add(patient)
    db.session.commit()
    with pytest.raises(NotFound):
        coverage_rows.check(other.id, patient.id, "J1439", TODAY, 100)
    for missing in (patient.id + 1, 0, -3, 2**40):
        with pytest.raises(NotFound):
            coverage_rows.check(own.id, missing, "J1439", TODAY, 100)
    with pytest.raises(ValidationFailed) as refused:
        coverage_rows.check(own.id, patient.id, "J9999", TODAY, 100)
    assert "J9999" in str(refused.value.message)
    with pytest.raises(ValidationFailed):
        coverage.check(patient.id, "J9999", TODAY, 100)
    answer = coverage_rows.check(own.id, patient.id, " j1439 ", TODAY, 100)  # no plan, no request
    _same(coverage.check(patient.id, "J1439", TODAY, 100), answer)
    assert set(answer.reason_codes) == {cov.NO_AUTHORIZATION, cov.COVERAGE_INACTIVE}


def test_a_plan_added_at_the_failed_reverification_still_counts_as_lapsed(app_ctx):
    """The boundary of services.eligibility.lapsed_patients: a plan added at the very moment
    of the failed re-verification does not lift it; one added after does."""
    clinic = factories.clinic()
    rng = random.Random(3)
    payers = _payers(rng, clinic)
    patient = Patient(clinic_id=clinic.id, mrn="L1", first_name="L", last_name="L",
                      birth_date=date(1970, 1, 1))  # fmt: skip
    db.session.add(patient)
    db.session.flush()
    checked = datetime(2026, 3, 1, 12, 0)
    plan = Coverage(
        clinic_id=clinic.id,
        patient_id=patient.id,
        payer_id=payers[0].id,
        member_id="M",
        start_date=TODAY - timedelta(days=30),
        created_at=checked,
    )
    db.session.add(plan)
    db.session.flush()
    booked = _infusion(rng, clinic, patient, [])
    db.session.add(booked)
    db.session.flush()
    db.session.add(
        EligibilityCheck(clinic_id=clinic.id, infusion_id=booked.id, patient_id=patient.id,
                         checked_at=checked, method="portal", result="inactive")
    )  # fmt: skip
    db.session.commit()
    for added, lapsed in ((checked, True), (checked + timedelta(seconds=1), False)):
        plan.created_at = added
        db.session.commit()
        full = coverage.check(patient.id, "J1439", TODAY, 100)
        hot = coverage_rows.check(clinic.id, patient.id, "J1439", TODAY, 100)
        _same(full, hot)
        assert (cov.COVERAGE_INACTIVE in hot.reason_codes) is lapsed
