"""Coverage check and runway: every reason code, the authorization choice, unit rounding."""

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
from priorauth.domain.runway import PlannedInfusion, project_runway
from priorauth.domain.usage import UnitsUse
from priorauth.domain.workflow import Status

DAY = date(2026, 3, 10)
START = date(2026, 1, 1)
END = date(2026, 6, 30)
INSURED = (CoverageWindow(date(2025, 1, 1), None),)

MG_PER_UNIT = {
    "J1437": "10", "J1439": "1", "J1443": "0.1", "J1444": "0.1", "J1445": "0.1",
    "J1750": "50", "J1756": "1", "J2916": "12.5", "Q0138": "1", "Q0139": "1",
}  # fmt: skip


def auth(id=1, status="approved", start=START, end=END, units=1000, visits=None, **kw):
    kw.setdefault("hcpcs_code", "J1439")
    return AuthFacts(id, status, approved_start=start, approved_end=end, units_approved=units,
                     administrations_approved=visits, **kw)  # fmt: skip


def infusion(id, day, units, auth_id=1, code="J1439", administered=False):
    return InfusionFacts(id, code, day, units, auth_id, administered)


def question(dose="100", day=DAY, code="J1439", exclude=None):
    return CoverageQuestion(code, day, Decimal(dose), Decimal(MG_PER_UNIT[code]), exclude)


def with_policy(coverages, policy):
    """Each window with `policy` for every code (None: no policy on file)."""
    policies = {} if policy is None else dict.fromkeys(MG_PER_UNIT, policy)
    return tuple(replace(w, policies=policies) for w in coverages)


def check(q=None, auths=(), infusions=(), policy=None, coverages=INSURED):
    return check_coverage(q or question(), auths, infusions, with_policy(coverages, policy))


# --- covered, and the authorization chosen


def test_covered_by_the_one_approved_authorization_after_booked_and_given_units():
    used = [infusion(10, date(2026, 2, 1), 300, administered=True), infusion(11, END, 200)]
    answer = check(auths=[auth(units=1000)], infusions=used)
    assert answer.covered
    assert answer.authorization_id == 1
    assert answer.units_required == 100
    assert answer.units_left == 500
    assert answer.reasons == ()


def test_partially_approved_serves_and_a_status_enum_is_accepted():
    assert check(auths=[auth(status="partially_approved")]).covered
    assert check(auths=[auth(status=Status.APPROVED)]).covered


def test_open_bounds_and_unlimited_units_and_visits_serve_any_date():
    answer = check(question(day=date(2040, 1, 1)), [auth(start=None, end=None, units=None)])
    assert answer.covered
    assert answer.units_left is None


def test_earliest_ending_serving_authorization_wins():
    auths = [auth(1, end=date(2026, 12, 31)), auth(2, end=date(2026, 4, 30)), auth(3, end=None)]
    assert check(auths=auths).authorization_id == 2


def test_open_ended_authorization_comes_last_and_ties_go_to_the_lowest_id():
    assert check(auths=[auth(5, end=None), auth(6, end=END)]).authorization_id == 6
    assert check(auths=[auth(8, end=END), auth(7, end=END)]).authorization_id == 7


def test_exhausted_earlier_authorization_gives_way_to_the_other():
    auths = [auth(1, end=date(2026, 4, 30), units=150), auth(2, end=END, units=500)]
    answer = check(auths=auths, infusions=[infusion(10, date(2026, 2, 1), 100, auth_id=1)])
    assert answer.covered
    assert answer.authorization_id == 2
    assert answer.units_left == 500


def test_only_the_questions_code_counts_for_authorizations_and_infusions():
    other_code_spend = infusion(10, DAY, 1000, auth_id=1, code="J1756")
    answer = check(auths=[auth(units=100)], infusions=[other_code_spend])
    assert answer.covered
    assert answer.units_left == 100
    no_match = check(auths=[auth(hcpcs_code="J1756")])
    assert no_match.reason_codes == (cov.NO_AUTHORIZATION,)


@pytest.mark.parametrize("day", [START, END])
def test_first_and_last_approved_days_are_covered(day):
    assert check(question(day=day), [auth()]).covered


def test_day_before_start_is_not_yet_active():
    answer = check(question(day=START - timedelta(days=1)), [auth()])
    assert not answer.covered
    assert answer.reason_codes == (cov.AUTH_NOT_YET_ACTIVE,)
    assert "2026-01-01" in answer.reasons[0].message
    assert answer.authorization_id == 1


def test_day_after_end_is_expired():
    answer = check(question(day=END + timedelta(days=1)), [auth()])
    assert not answer.covered
    assert answer.reason_codes == (cov.AUTH_EXPIRED,)
    assert "2026-06-30" in answer.reasons[0].message


def test_units_left_equal_to_required_is_covered():
    answer = check(auths=[auth(units=300)], infusions=[infusion(10, DAY, 200)])
    assert answer.covered
    assert answer.units_left == 100


def test_one_unit_short_is_units_exhausted():
    answer = check(auths=[auth(units=299)], infusions=[infusion(10, DAY, 200)])
    assert not answer.covered
    assert answer.reason_codes == (cov.UNITS_EXHAUSTED,)
    assert answer.units_left == 99
    assert "99 units left" in answer.reasons[0].message
    assert "needs 100" in answer.reasons[0].message


def test_visits_exhausted_when_all_administrations_are_booked_or_given():
    spent = [infusion(10, date(2026, 1, 5), 100, administered=True), infusion(11, END, 100)]
    answer = check(auths=[auth(visits=2)], infusions=spent)
    assert not answer.covered
    assert answer.reason_codes == (cov.VISITS_EXHAUSTED,)
    assert "2" in answer.reasons[0].message
    assert check(auths=[auth(visits=3)], infusions=spent).covered


# --- no approved authorization


def test_no_authorization_at_all():
    answer = check(auths=[])
    assert not answer.covered
    assert answer.reason_codes == (cov.NO_AUTHORIZATION,)
    assert answer.authorization_id is None
    assert answer.units_left is None
    assert "J1439" in answer.reasons[0].message


def test_cancelled_and_not_required_requests_do_not_count():
    auths = [auth(1, status="cancelled"), auth(2, status="not_required")]
    assert check(auths=auths).reason_codes == (cov.NO_AUTHORIZATION,)


def test_a_draft_gives_no_authorization_and_says_so():
    answer = check(auths=[auth(status="draft")])
    assert answer.reason_codes == (cov.NO_AUTHORIZATION,)
    assert "a draft request exists but was not submitted" in answer.reasons[0].message


@pytest.mark.parametrize("status", ["submitted", "pended", "appealed"])
def test_pending_request_cites_the_due_date(status):
    awaiting = auth(status=status, units=None, decision_due=date(2026, 12, 3))
    answer = check(auths=[awaiting])
    assert not answer.covered
    assert answer.reason_codes == (cov.AUTH_PENDING,)
    assert "answer due 2026-12-03" in answer.reasons[0].message


def test_pending_request_without_a_due_date():
    answer = check(auths=[auth(status="submitted")])
    assert answer.reason_codes == (cov.AUTH_PENDING,)
    assert "due" not in answer.reasons[0].message


def test_denied_request():
    answer = check(auths=[auth(status="denied")])
    assert not answer.covered
    assert answer.reason_codes == (cov.AUTH_DENIED,)


def test_pending_and_denied_are_both_reported():
    answer = check(auths=[auth(1, status="denied"), auth(2, status="appealed", units=None)])
    assert set(answer.reason_codes) == {cov.AUTH_PENDING, cov.AUTH_DENIED}
    assert cov.NO_AUTHORIZATION not in answer.reason_codes


def test_every_failing_authorization_gives_its_reason():
    auths = [
        auth(1, end=date(2026, 2, 28)),
        auth(2, start=date(2026, 4, 1)),
        auth(3, units=50),
        auth(4, status="submitted"),
    ]
    answer = check(auths=auths)
    assert not answer.covered
    assert answer.reason_codes == (
        cov.AUTH_EXPIRED,
        cov.AUTH_NOT_YET_ACTIVE,
        cov.UNITS_EXHAUSTED,
        cov.AUTH_PENDING,
    )
    assert answer.authorization_id == 3  # the one active in dates came closest
    assert answer.units_left == 50


def test_closest_failing_authorization_is_the_earliest_ending_when_none_is_in_dates():
    auths = [auth(1, start=date(2026, 5, 1)), auth(2, end=date(2026, 2, 1), units=40)]
    answer = check(auths=auths)
    assert answer.authorization_id == 2
    assert answer.units_left == 40


# --- payer policy and insurance


def test_dose_over_the_payers_limit():
    policy = PolicyFacts(max_mg_per_dose=Decimal("750"))
    answer = check(question("750.5"), [auth()], policy=policy)
    assert not answer.covered
    assert answer.reason_codes == (cov.DOSE_EXCEEDS_LIMIT,)
    assert "750.5 mg" in answer.reasons[0].message
    assert "750 mg" in answer.reasons[0].message
    assert answer.authorization_id == 1
    assert check(question("750"), [auth()], policy=policy).covered


@pytest.mark.parametrize(("offset", "soon"), [(-6, True), (6, True), (0, True), (-7, False)])
def test_too_soon_before_or_after_another_infusion(offset, soon):
    other = infusion(10, DAY + timedelta(days=offset), 100)
    answer = check(auths=[auth()], infusions=[other], policy=PolicyFacts(min_days_between_doses=7))
    assert answer.covered is not soon
    assert (cov.TOO_SOON in answer.reason_codes) is soon


def test_too_soon_message_cites_the_other_date_and_the_minimum():
    other = infusion(10, date(2026, 3, 5), 100, administered=True)
    policy = PolicyFacts(min_days_between_doses=7)
    answer = check(auths=[auth()], infusions=[other], policy=policy)
    assert answer.reason_codes == (cov.TOO_SOON,)
    assert "2026-03-05" in answer.reasons[0].message
    assert "7 days" in answer.reasons[0].message


def test_too_soon_ignores_other_codes():
    other = infusion(10, DAY, 100, code="J1756", auth_id=None)
    policy = PolicyFacts(min_days_between_doses=7)
    assert check(auths=[auth()], infusions=[other], policy=policy).covered


def test_rescheduling_ignores_its_own_reservation():
    own = infusion(10, DAY - timedelta(days=2), 100)
    policy = PolicyFacts(min_days_between_doses=7)
    blocked = check(question(), [auth(units=100)], [own], policy)
    assert set(blocked.reason_codes) == {cov.UNITS_EXHAUSTED, cov.TOO_SOON}
    moved = check(question(exclude=10), [auth(units=100)], [own], policy)
    assert moved.covered
    assert moved.units_left == 100


def test_insurance_ended_before_the_date():
    ended = (CoverageWindow(date(2025, 1, 1), date(2026, 2, 28)),)
    answer = check(auths=[auth()], coverages=ended)
    assert not answer.covered
    assert answer.reason_codes == (cov.COVERAGE_INACTIVE,)
    assert "2026-02-28" in answer.reasons[0].message


def test_insurance_last_day_is_covered():
    window = (CoverageWindow(date(2025, 1, 1), DAY),)
    assert check(auths=[auth()], coverages=window).covered


def test_insurance_found_inactive_on_reverification():
    inactive = (CoverageWindow(date(2025, 1, 1), None, verified_inactive=True),)
    answer = check(auths=[auth()], coverages=inactive)
    assert answer.reason_codes == (cov.COVERAGE_INACTIVE,)
    assert "re-verification" in answer.reasons[0].message
    both = (*inactive, CoverageWindow(date(2026, 1, 1), None))
    assert check(auths=[auth()], coverages=both).covered


def test_no_insurance_window_or_one_starting_later():
    assert check(auths=[auth()], coverages=()).reason_codes == (cov.COVERAGE_INACTIVE,)
    later = (CoverageWindow(date(2026, 4, 1), None),)
    answer = check(auths=[auth()], coverages=later)
    assert answer.reason_codes == (cov.COVERAGE_INACTIVE,)
    assert "2026-04-01" in answer.reasons[0].message


def test_several_reasons_at_once():
    policy = PolicyFacts(max_mg_per_dose=Decimal("500"), min_days_between_doses=7)
    ended = (CoverageWindow(date(2025, 1, 1), date(2026, 1, 31)),)
    answer = check(
        question("510"),
        [auth(end=date(2026, 2, 28))],
        [infusion(10, DAY - timedelta(days=3), 100)],
        policy,
        ended,
    )
    assert not answer.covered
    assert set(answer.reason_codes) == {
        cov.AUTH_EXPIRED,
        cov.DOSE_EXCEEDS_LIMIT,
        cov.TOO_SOON,
        cov.COVERAGE_INACTIVE,
    }


def test_pa_not_required_is_covered_without_an_authorization():
    answer = check(auths=[], policy=PolicyFacts(pa_required=False))
    assert answer.covered
    assert answer.reason_codes == (cov.PA_NOT_REQUIRED,)
    assert answer.reasons[0].message == "J1439 needs no prior authorization with this payer"
    assert answer.authorization_id is None
    assert answer.units_left is None


def test_pa_not_required_still_applies_the_dose_limit():
    policy = PolicyFacts(pa_required=False, max_mg_per_dose=Decimal("50"))
    answer = check(auths=[], policy=policy)
    assert not answer.covered
    assert answer.reason_codes == (cov.PA_NOT_REQUIRED, cov.DOSE_EXCEEDS_LIMIT)


def test_no_policy_on_file_means_pa_required():
    assert check(auths=[], policy=None).reason_codes == (cov.NO_AUTHORIZATION,)


def test_blocking_is_every_code_but_pa_not_required():
    codes = {
        cov.NO_AUTHORIZATION, cov.AUTH_PENDING, cov.AUTH_DENIED, cov.AUTH_NOT_YET_ACTIVE,
        cov.AUTH_EXPIRED, cov.UNITS_EXHAUSTED, cov.VISITS_EXHAUSTED, cov.DOSE_EXCEEDS_LIMIT,
        cov.TOO_SOON, cov.COVERAGE_INACTIVE,
    }  # fmt: skip
    assert codes == cov.BLOCKING
    assert cov.PA_NOT_REQUIRED not in cov.BLOCKING


# --- rounding at unit boundaries, for every code of docs/domain.md §1


@pytest.mark.parametrize(
    ("code", "dose", "units"),
    [
        ("J1437", "1000", 100),
        ("J1437", "1001", 101),
        ("J1439", "750", 750),
        ("J1439", "750.5", 751),
        ("J1443", "5", 50),
        ("J1443", "5.01", 51),
        ("J1444", "272", 2720),
        ("J1444", "0.05", 1),
        ("J1445", "6.7", 67),
        ("J1445", "6.75", 68),
        ("J1750", "100", 2),
        ("J1750", "101", 3),
        ("J1756", "200", 200),
        ("J1756", "200.5", 201),
        ("J2916", "125", 10),
        ("J2916", "125.1", 11),
        ("Q0138", "510", 510),
        ("Q0138", "510.1", 511),
        ("Q0139", "510", 510),
        ("Q0139", "0.2", 1),
    ],
)
def test_units_round_up_and_decide_coverage_at_the_boundary(code, dose, units):
    enough = check(question(dose, code=code), [auth(units=units, hcpcs_code=code)])
    assert enough.units_required == units
    assert enough.covered
    short = check(question(dose, code=code), [auth(units=units - 1, hcpcs_code=code)])
    assert short.reason_codes == (cov.UNITS_EXHAUSTED,)


# --- runway


def planned(id, day, dose="500", code="J1439"):
    return PlannedInfusion(id, code, day, Decimal(dose), Decimal(MG_PER_UNIT[code]))


def runway(plans, auths, given=(), policies=None, coverages=INSURED):
    windows = tuple(replace(w, policies=policies or {}) for w in coverages)
    return project_runway(plans, auths, given, windows)


def test_runway_third_infusion_runs_out_of_units():
    plans = [planned(3, date(2026, 3, 20)), planned(1, date(2026, 3, 1)), planned(2, DAY)]
    result = runway(plans, [auth(units=1000)])
    assert [s.infusion_id for s in result.steps] == [1, 2, 3]
    assert [s.answer.covered for s in result.steps] == [True, True, False]
    assert [s.answer.units_left for s in result.steps] == [1000, 500, 0]
    assert result.first_uncovered is result.steps[2]
    assert result.first_uncovered.answer.reason_codes == (cov.UNITS_EXHAUSTED,)


def test_runway_counts_given_infusions():
    given = [infusion(9, date(2026, 2, 1), 500, administered=True)]
    result = runway([planned(1, date(2026, 3, 1)), planned(2, DAY)], [auth()], given)
    assert result.first_uncovered is not None
    assert result.first_uncovered.infusion_id == 2


def test_runway_infusion_after_the_end_date_is_expired():
    plans = [planned(1, date(2026, 6, 1)), planned(2, date(2026, 7, 1))]
    result = runway(plans, [auth(units=None)])
    assert result.first_uncovered is not None
    assert result.first_uncovered.infusion_id == 2
    assert result.first_uncovered.answer.reason_codes == (cov.AUTH_EXPIRED,)


def test_runway_all_covered():
    plans = [planned(1, date(2026, 3, 1), "510", "Q0138"), planned(2, DAY, "510", "Q0138")]
    result = runway(plans, [auth(units=1020, hcpcs_code="Q0138")])
    assert len(result.steps) == 2
    assert all(s.answer.covered for s in result.steps)
    assert result.first_uncovered is None


def test_runway_ties_on_date_go_by_id_and_later_bookings_do_not_count_as_too_soon():
    policies = {"J1439": PolicyFacts(min_days_between_doses=7)}
    plans = [planned(2, DAY), planned(1, DAY)]
    result = runway(plans, [auth()], policies=policies)
    assert [s.infusion_id for s in result.steps] == [1, 2]
    assert result.steps[0].answer.covered
    assert result.steps[1].answer.reason_codes == (cov.TOO_SOON,)


def test_runway_uncovered_step_spends_no_units():
    plans = [planned(1, date(2026, 3, 1), "900"), planned(2, DAY, "400")]
    result = runway(plans, [auth(units=500)])
    assert result.steps[0].answer.reason_codes == (cov.UNITS_EXHAUSTED,)
    assert result.steps[1].answer.covered
    assert result.first_uncovered is result.steps[0]


def test_runway_uses_each_days_payer_policy():
    """A plan change mid-course: the later booking is judged by the new payer's dose limit."""
    switch = START + timedelta(days=20)
    strict = {"J1439": cov.PolicyFacts(max_mg_per_dose=Decimal("400"))}
    plans_ = (
        CoverageWindow(date(2025, 1, 1), switch - timedelta(days=1)),
        CoverageWindow(switch, None, policies=strict),
    )
    plans = [planned(1, START + timedelta(days=5)), planned(2, switch + timedelta(days=1))]
    result = project_runway(plans, [auth(units=5000)], (), plans_)
    assert result.steps[0].answer.covered
    assert result.first_uncovered.infusion_id == 2
    assert result.first_uncovered.answer.reason_codes == (cov.DOSE_EXCEEDS_LIMIT,)


def test_counted_usage_stands_in_for_the_tally_of_its_authorization_only():
    """usage= (the database's grouped count) replaces the infusions' tally for the requests it
    names; the others are still tallied from the infusions, which the spacing rule reads."""
    auths = (auth(1, units=500, end=DAY), auth(2, units=500))
    spent = (infusion(10, DAY - timedelta(days=3), 450, auth_id=2),)
    counted = {1: UnitsUse(500, 450, 0, None, 1, 0)}
    answer = check_coverage(question(), auths, spent, INSURED, counted)
    assert answer.reason_codes == (cov.UNITS_EXHAUSTED, cov.UNITS_EXHAUSTED)
    assert check_coverage(question(), auths, spent, INSURED).authorization_id == 1
    spaced = with_policy(INSURED, PolicyFacts(min_days_between_doses=7))
    assert cov.TOO_SOON in check_coverage(question(), auths, spent, spaced, counted).reason_codes
