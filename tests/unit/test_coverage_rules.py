"""Coverage rules the examples in test_coverage.py leave open (pinned by mutation testing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from priorauth.domain import coverage as cov
from priorauth.domain.coverage import (
    AuthFacts,
    CoverageQuestion,
    CoverageWindow,
    InfusionFacts,
    PolicyFacts,
    check_coverage,
)
from priorauth.domain.workflow import Status

DAY = date(2026, 3, 10)
START, END = date(2026, 1, 1), date(2026, 6, 30)
INSURED = (CoverageWindow(date(2025, 1, 1), None),)


def auth(id=1, status="approved", start=START, end=END, units=1000, visits=None, **kw):
    kw.setdefault("hcpcs_code", "J1439")
    return AuthFacts(id, status, approved_start=start, approved_end=end, units_approved=units,
                     administrations_approved=visits, **kw)  # fmt: skip


def infusion(id, day, units=100, auth_id=1, code="J1439"):
    return InfusionFacts(id, code, day, units, auth_id)


def question(dose="100", day=DAY, code="J1439", per_unit="1", exclude=None):
    return CoverageQuestion(code, day, Decimal(dose), Decimal(per_unit), exclude)


def check(q=None, auths=(), infusions=(), policy=None, coverages=INSURED):
    """The check with `policy` on every window for the question's code."""
    q = q or question()
    policies = {} if policy is None else {q.hcpcs_code: policy}
    windows = tuple(replace(w, policies=policies) for w in coverages)
    return check_coverage(q, auths, infusions, windows)


def test_the_module_constants_are_the_designed_ones():
    assert {
        "NO_AUTHORIZATION", "AUTH_PENDING", "AUTH_DENIED", "AUTH_NOT_YET_ACTIVE",
        "AUTH_EXPIRED", "UNITS_EXHAUSTED", "VISITS_EXHAUSTED",
    } == cov.AUTHORIZATION_REASONS  # fmt: skip
    assert cov.AUTHORIZATION_REASONS | {
        "DOSE_EXCEEDS_LIMIT", "TOO_SOON", "COVERAGE_INACTIVE",
    } == cov.BLOCKING  # fmt: skip
    assert {Status.SUBMITTED, Status.PENDED, Status.APPEALED} == cov.PENDING_STATUSES
    assert cov.PA_NOT_REQUIRED == "PA_NOT_REQUIRED"


# --- insurance windows


def test_insurance_that_starts_on_the_service_date_covers_it():
    assert check(auths=[auth()], coverages=(CoverageWindow(DAY, None),)).covered
    next_day = check(auths=[auth()], coverages=(CoverageWindow(DAY + timedelta(days=1), None),))
    assert next_day.reasons == (
        cov.Reason(
            cov.COVERAGE_INACTIVE,
            "the patient's insurance starts on 2026-03-11, after the service date 2026-03-10",
        ),
    )


def test_insurance_ending_the_day_before_names_the_latest_end():
    windows = (
        CoverageWindow(date(2024, 1, 1), date(2024, 12, 31)),
        CoverageWindow(date(2025, 1, 1), DAY - timedelta(days=1)),
    )
    assert check(auths=[auth()], coverages=windows).reasons == (
        cov.Reason(
            cov.COVERAGE_INACTIVE,
            "the patient's insurance ended on 2026-03-09, before the service date 2026-03-10",
        ),
    )


def test_ended_insurance_is_named_before_a_later_one_and_the_earliest_start_is_named():
    windows = (CoverageWindow(date(2026, 5, 1), None), CoverageWindow(date(2026, 4, 1), None))
    assert check(auths=[auth()], coverages=windows).reasons[0].message == (
        "the patient's insurance starts on 2026-04-01, after the service date 2026-03-10"
    )
    both = (*windows, CoverageWindow(date(2025, 1, 1), date(2026, 2, 1)))
    assert "ended on 2026-02-01" in check(auths=[auth()], coverages=both).reasons[0].message


def test_open_ended_insurance_that_started_later_is_not_an_ended_one():
    """A window with no end that starts after the date: 'starts on', never 'ended'."""
    windows = (CoverageWindow(date(2026, 4, 1), None),)
    assert "starts on 2026-04-01" in check(auths=[auth()], coverages=windows).reasons[0].message


def test_no_insurance_on_file_and_reverification_messages():
    assert check(auths=[auth()], coverages=()).reasons == (
        cov.Reason(
            cov.COVERAGE_INACTIVE, "no insurance coverage on file for the service date 2026-03-10"
        ),
    )
    inactive = (CoverageWindow(DAY, DAY, verified_inactive=True),)
    assert check(auths=[auth()], coverages=inactive).reasons == (
        cov.Reason(
            cov.COVERAGE_INACTIVE,
            "a re-verification found the insurance covering 2026-03-10 inactive or changed",
        ),
    )


# --- too soon


def test_too_soon_with_two_nearby_infusions_cites_the_nearest_and_its_gap():
    """Two infusions inside the minimum: the nearest is cited, with the gap in days."""
    near = [infusion(10, DAY - timedelta(days=5)), infusion(11, DAY + timedelta(days=2))]
    answer = check(auths=[auth()], infusions=near, policy=PolicyFacts(min_days_between_doses=7))
    assert answer.reasons == (
        cov.Reason(
            cov.TOO_SOON,
            "another J1439 infusion on 2026-03-12 is 2 days from 2026-03-10; "
            "this payer requires at least 7 days between doses",
        ),
    )


def test_too_soon_tie_on_the_gap_cites_the_earlier_date():
    both = [infusion(11, DAY + timedelta(days=3)), infusion(10, DAY - timedelta(days=3))]
    answer = check(auths=[auth()], infusions=both, policy=PolicyFacts(min_days_between_doses=7))
    assert "on 2026-03-07 is 3 days" in answer.reasons[0].message


def test_too_soon_tie_on_the_date_goes_by_id_and_never_compares_missing_values():
    same_day = [infusion(12, DAY - timedelta(days=1)), infusion(3, DAY - timedelta(days=1))]
    answer = check(auths=[auth()], infusions=same_day, policy=PolicyFacts(min_days_between_doses=7))
    assert answer.reason_codes == (cov.TOO_SOON,)
    assert "on 2026-03-09 is 1 days" in answer.reasons[0].message


def test_an_infusion_exactly_the_minimum_apart_is_not_too_soon():
    other = [infusion(10, DAY + timedelta(days=7))]
    answer = check(auths=[auth()], infusions=other, policy=PolicyFacts(min_days_between_doses=7))
    assert answer.covered
    assert answer.reasons == ()


# --- units and visits at the edges of an approval


@pytest.mark.parametrize("day", [START, END])
def test_unit_shortfall_on_an_approvals_first_or_last_day_is_units_exhausted(day):
    """In dates on its first and last day: the reason is the units, not the dates."""
    answer = check(question(day=day), [auth(units=99)])
    assert not answer.covered
    assert answer.reasons == (
        cov.Reason(
            cov.UNITS_EXHAUSTED,
            "authorization #1 has 99 units left (0 given, 0 booked of 99 approved) "
            "but this dose needs 100",
        ),
    )
    assert answer.authorization_id == 1
    assert answer.units_left == 99


@pytest.mark.parametrize("day", [START, END])
def test_no_visit_left_on_an_approvals_first_or_last_day_is_visits_exhausted(day):
    spent = [infusion(10, date(2025, 12, 1))]
    answer = check(question(day=day), [auth(visits=1)], spent)
    assert answer.reason_codes == (cov.VISITS_EXHAUSTED,)


def test_exactly_enough_units_but_no_visit_left_is_visits_exhausted_only():
    spent = [infusion(10, date(2026, 1, 5), units=900)]
    answer = check(auths=[auth(units=1000, visits=1, auth_number="PA-77")], infusions=spent)
    assert answer.reasons == (
        cov.Reason(
            cov.VISITS_EXHAUSTED,
            "authorization PA-77 (#1): all 1 approved administration given or booked "
            "(0 given, 1 booked)",
        ),
    )
    assert answer.units_left == 100


def test_one_visit_left_but_units_short_is_units_exhausted_only():
    spent = [infusion(10, date(2026, 1, 5), units=901)]
    answer = check(auths=[auth(units=1000, visits=2)], infusions=spent)
    assert answer.reason_codes == (cov.UNITS_EXHAUSTED,)


def test_an_approval_with_exactly_one_unit_left_covers_a_one_unit_dose():
    spent = [infusion(10, date(2026, 1, 5), units=999)]
    answer = check(question("1"), [auth(units=1000)], spent)
    assert answer.covered
    assert answer.units_left == 1
    assert check(question("1.5"), [auth(units=1000)], spent).reason_codes == (cov.UNITS_EXHAUSTED,)


def test_units_required_is_reported_on_answers_that_are_not_covered():
    """The dose's units are in every answer: no authorization, denied, pending, dose limit."""
    dose = question("250.5")
    nothing = check(dose, auths=[])
    assert (nothing.covered, nothing.units_required) == (False, 251)
    short = check(dose, auths=[auth(units=10)])
    assert (short.covered, short.units_required, short.units_left) == (False, 251, 10)
    assert check(dose, auths=[auth(status="denied")]).units_required == 251
    assert check(dose, auths=[auth(status="submitted")]).units_required == 251
    limit = PolicyFacts(max_mg_per_dose=Decimal("100"))
    assert check(dose, auths=[auth()], policy=limit).units_required == 251
    no_pa = check(dose, policy=PolicyFacts(pa_required=False), coverages=())
    assert (no_pa.covered, no_pa.units_required) == (False, 251)


def test_dates_failure_messages_name_the_authorization_number():
    late = check(question(day=END + timedelta(days=1)), [auth(auth_number="PA-9")])
    assert late.reasons[0].message == (
        "authorization PA-9 (#1) ended on 2026-06-30, before the service date 2026-07-01"
    )
    early = check(question(day=START - timedelta(days=1)), [auth(auth_number="PA-9")])
    assert early.reasons[0].message == (
        "authorization PA-9 (#1) starts on 2026-01-01, after the service date 2025-12-31"
    )


# --- requests and their messages


def test_pending_request_message_in_full():
    pending = auth(4, status="pended", decision_due=date(2026, 3, 20))
    assert check(auths=[pending]).reasons == (
        cov.Reason(
            cov.AUTH_PENDING,
            "request #4 for J1439 is pended and awaits the payer, answer due 2026-03-20",
        ),
    )


def test_denied_and_no_authorization_messages_in_full():
    assert check(auths=[auth(3, status="denied")]).reasons[0].message == (
        "request #3 for J1439 was denied by the payer"
    )
    assert check(auths=[]).reasons[0].message == "there is no authorization on file for J1439"
    assert check(auths=[auth(status="draft")]).reasons[0].message == (
        "there is no authorization for J1439: a draft request exists but was not submitted"
    )


def test_an_approved_request_that_fails_adds_no_no_authorization_reason():
    assert check(auths=[auth(units=10)]).reason_codes == (cov.UNITS_EXHAUSTED,)


def test_dose_limit_message_in_full():
    answer = check(
        question("1000.50"),
        [auth(units=None)],
        policy=PolicyFacts(max_mg_per_dose=Decimal("1000.0")),
    )
    assert answer.reasons[0].message == (
        "a dose of 1000.5 mg exceeds this payer's limit of 1000 mg per dose of J1439"
    )


def test_a_partial_approval_under_appeal_still_covers_what_was_approved():
    """The payer's partial approval stands while it reconsiders the rest (docs/domain.md §5)."""
    appealed = auth(5, status="appealed", units=300)
    answer = check(auths=[appealed])
    assert answer.covered and answer.authorization_id == 5 and answer.units_left == 300
    assert not check(auths=[appealed], infusions=[infusion(9, DAY, units=300, auth_id=5)]).covered


def test_an_appealed_denial_grants_nothing_and_awaits_the_payer():
    appealed = auth(6, status="appealed", units=None, start=None, end=None)
    answer = check(auths=[appealed])
    assert not answer.covered and answer.authorization_id is None
    assert [r.code for r in answer.reasons] == [cov.AUTH_PENDING]
