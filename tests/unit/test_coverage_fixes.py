"""What fixes each reason, what a booking draws on, and the rules moved into domain/ from
services/ (the policy of the day, the payer's due time, the runway badge, "unverified since
booking"): docs/domain.md §6, §7, §9."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from priorauth.domain import coverage as cov
from priorauth.domain.coverage import (
    AuthFacts,
    CoverageQuestion,
    CoverageWindow,
    Fix,
    InfusionFacts,
    PolicyFacts,
    answer_due,
    check_coverage,
    policy_on,
)
from priorauth.domain.reminders import unverified_since_booking
from priorauth.domain.runway import (
    AT_RISK,
    COVERED,
    NOT_COVERED,
    PlannedInfusion,
    RunwayStep,
    badge_for,
    project_runway,
)

DAY = date(2026, 3, 10)
START, END = date(2026, 1, 1), date(2026, 6, 30)


def auth(id=1, status="approved", start=START, end=END, units=1000, visits=None):
    return AuthFacts(id, status, "J1439", start, end, units, visits)


def infusion(id, day, units=100, auth_id=1, administered=False):
    return InfusionFacts(id, "J1439", day, units, auth_id, administered)


def windows(policy=None, **kw):
    policies = {"J1439": policy} if policy else {}
    return (CoverageWindow(date(2025, 1, 1), None, policies=policies, **kw),)


def check(auths=(), infusions=(), dose="100", day=DAY, coverages=None, policy=None):
    question = CoverageQuestion("J1439", day, Decimal(dose), Decimal("1"))
    return check_coverage(question, auths, infusions, coverages or windows(policy))


def fixes(answer) -> dict[str, Fix | None]:
    return {r.code: r.fix for r in answer.reasons}


# --- every blocking reason names what fixes it


def test_no_authorization_is_fixed_by_starting_a_request():
    assert fixes(check()) == {cov.NO_AUTHORIZATION: Fix(cov.FIX_REQUEST)}


def test_a_pending_or_denied_request_is_followed_up_on_that_request():
    answer = check(auths=[auth(4, status="pended"), auth(5, status="denied")])
    found = fixes(answer)
    assert found[cov.AUTH_PENDING] == Fix(cov.FIX_FOLLOW_UP, authorization_id=4)
    assert found[cov.AUTH_DENIED] == Fix(cov.FIX_FOLLOW_UP, authorization_id=5)


def test_expired_or_used_up_approvals_are_renewed_by_their_own_id():
    assert fixes(check(auths=[auth(7, end=DAY - timedelta(days=1))])) == {
        cov.AUTH_EXPIRED: Fix(cov.FIX_RENEW, authorization_id=7)
    }
    used_up = check(auths=[auth(8, units=150, visits=1)], infusions=[infusion(1, START, 100, 8)])
    assert fixes(used_up) == {
        cov.UNITS_EXHAUSTED: Fix(cov.FIX_RENEW, authorization_id=8),
        cov.VISITS_EXHAUSTED: Fix(cov.FIX_RENEW, authorization_id=8),
    }


def test_an_approval_not_yet_active_moves_the_date_to_its_first_day():
    later = date(2026, 4, 1)
    assert fixes(check(auths=[auth(start=later)])) == {
        cov.AUTH_NOT_YET_ACTIVE: Fix(cov.FIX_MOVE, day=later)
    }


def test_a_dose_over_the_limit_is_fixed_by_changing_the_dose():
    answer = check(auths=[auth()], dose="800", policy=PolicyFacts(max_mg_per_dose=Decimal(750)))
    assert fixes(answer) == {cov.DOSE_EXCEEDS_LIMIT: Fix(cov.FIX_DOSE)}


def test_too_soon_moves_to_the_first_day_far_enough_from_every_other_infusion():
    """Moving past the nearest one lands near a second; the fix clears both."""
    others = [infusion(1, DAY - timedelta(days=2)), infusion(2, DAY + timedelta(days=6))]
    answer = check(auths=[auth()], infusions=others, policy=PolicyFacts(min_days_between_doses=7))
    assert fixes(answer) == {cov.TOO_SOON: Fix(cov.FIX_MOVE, day=DAY + timedelta(days=13))}


def test_insurance_problems_are_fixed_by_reverifying_or_by_its_start_date():
    inactive = windows(verified_inactive=True)
    assert fixes(check(auths=[auth()], coverages=inactive)) == {
        cov.COVERAGE_INACTIVE: Fix(cov.FIX_VERIFY)
    }
    ended = (CoverageWindow(date(2025, 1, 1), DAY - timedelta(days=1)),)
    assert fixes(check(auths=[auth()], coverages=ended)) == {
        cov.COVERAGE_INACTIVE: Fix(cov.FIX_VERIFY)
    }
    later = (CoverageWindow(date(2026, 4, 1), None),)
    assert fixes(check(auths=[auth()], coverages=later)) == {
        cov.COVERAGE_INACTIVE: Fix(cov.FIX_MOVE, day=date(2026, 4, 1))
    }


def test_every_blocking_reason_of_a_crowded_answer_has_a_fix():
    answer = check(
        auths=[auth(1, end=DAY - timedelta(days=1)), auth(2, status="submitted")],
        infusions=[infusion(9, DAY, auth_id=None)],
        dose="900",
        coverages=(
            CoverageWindow(
                date(2025, 1, 1),
                DAY - timedelta(days=1),
                policies={
                    "J1439": PolicyFacts(max_mg_per_dose=Decimal(500), min_days_between_doses=7)
                },
            ),
        ),
    )
    assert not answer.covered
    assert len(answer.reasons) == 5
    assert all(r.fix is not None for r in answer.reasons if r.code in cov.BLOCKING)


def test_pa_not_required_needs_no_fix_and_still_counts_the_units():
    answer = check(dose="250.5", policy=PolicyFacts(pa_required=False))
    assert answer.covered and fixes(answer) == {cov.PA_NOT_REQUIRED: None}
    assert (answer.units_required, answer.draws_on, answer.units_short) == (251, None, 0)


# --- what a booking draws on, and the deficit it creates


def test_a_covered_answer_draws_on_the_serving_approval():
    answer = check(auths=[auth(3)])
    assert (answer.draws_on, answer.units_short) == (3, 0)


def test_an_approval_in_dates_without_enough_units_is_drawn_on_and_shows_the_deficit():
    answer = check(auths=[auth(3, units=150)], infusions=[infusion(1, START, 100, 3)])
    assert not answer.covered
    assert (answer.authorization_id, answer.draws_on, answer.units_left) == (3, 3, 50)
    assert answer.units_short == 50


def test_an_approval_already_overdrawn_is_short_by_the_whole_dose():
    answer = check(auths=[auth(3, units=100)], infusions=[infusion(1, START, 150, 3)])
    assert (answer.units_left, answer.units_short) == (-50, 100)


def test_an_approval_outside_the_date_is_named_but_not_drawn_on():
    answer = check(auths=[auth(3, end=DAY - timedelta(days=1))])
    assert (answer.authorization_id, answer.draws_on, answer.units_short) == (3, None, 0)


def test_a_served_booking_refused_for_spacing_still_draws_on_its_approval():
    answer = check(
        auths=[auth(3)],
        infusions=[infusion(1, DAY, auth_id=3)],
        policy=PolicyFacts(min_days_between_doses=7),
    )
    assert not answer.covered and answer.draws_on == 3


# --- the policy of the day, from the windows themselves


def test_the_policy_is_the_one_of_the_plan_active_that_day_else_the_latest_plan():
    old, new = PolicyFacts(max_mg_per_dose=Decimal(1)), PolicyFacts(max_mg_per_dose=Decimal(2))
    plans = (
        CoverageWindow(date(2025, 1, 1), date(2025, 12, 31), policies={"J1439": old}),
        CoverageWindow(date(2026, 1, 1), date(2026, 12, 31), policies={"J1439": new}),
    )
    assert policy_on(plans, "J1439", date(2025, 6, 1)) is old
    assert policy_on(plans, "J1439", date(2026, 6, 1)) is new
    assert policy_on(plans, "J1439", date(2027, 6, 1)) is new  # none active: the latest
    assert policy_on(plans, "J1756", date(2026, 6, 1)) is None
    assert policy_on((), "J1439", DAY) is None


# --- the payer's due time, computed once


def test_answer_due_counts_days_or_hours_after_the_submission():
    sent = datetime(2026, 3, 10, 16, 30)
    assert answer_due(sent, "standard", 15, 72) == datetime(2026, 3, 25, 16, 30)
    assert answer_due(sent, "expedited", 15, 72) == datetime(2026, 3, 13, 16, 30)


# --- the runway step's badge and reasons, decided in domain/runway.py


def planned(id, day, dose="100"):
    return PlannedInfusion(id, "J1439", day, Decimal(dose), Decimal("1"))


def test_runway_steps_carry_both_answers_badge_reasons_and_deficit():
    """Two bookings of 100 on 150 units: the first is covered in date order but not as booked
    (the second took 100); the second is short both ways."""
    booked = [infusion(1, DAY, 100, 1), infusion(2, DAY + timedelta(days=14), 100, 1)]
    result = project_runway(
        [planned(1, DAY), planned(2, DAY + timedelta(days=14))],
        [auth(1, units=150)],
        booked,
        windows(),
    )
    first, second = result.steps
    assert first.answer.covered and not first.now.covered
    assert first.badge == NOT_COVERED and first.units_short == 50
    assert second.badge == NOT_COVERED and second.units_short == 50
    assert result.first_uncovered is second
    assert [r.code for r in second.reasons] == [cov.UNITS_EXHAUSTED]
    assert second.reasons[0].fix == Fix(cov.FIX_RENEW, authorization_id=1)


def test_the_badge_reads_the_failing_answer_the_runway_first():
    """Both answers fail: the runway's decides; only the booking as it stands fails: that one."""
    ok = check(auths=[auth()])
    short = check(auths=[auth(units=50)])
    pending = check(auths=[auth(status="submitted")])
    assert badge_for(pending, short) == AT_RISK
    assert badge_for(short, pending) == NOT_COVERED
    assert badge_for(ok, pending) == AT_RISK
    runway_short = RunwayStep(1, DAY, Decimal(100), short, pending)
    assert [r.code for r in runway_short.reasons] == [cov.UNITS_EXHAUSTED]
    booked_short = RunwayStep(1, DAY, Decimal(100), ok, short)
    assert [r.code for r in booked_short.reasons] == [cov.UNITS_EXHAUSTED]
    booked_pending = RunwayStep(1, DAY, Decimal(100), ok, pending)
    assert [r.code for r in booked_pending.reasons] == [cov.AUTH_PENDING]


def test_badges_and_summaries():
    ok = check(auths=[auth()])
    short = check(auths=[auth(units=50)])
    pending = check(auths=[auth(status="submitted")])
    assert badge_for(ok, ok) == COVERED
    assert badge_for(short, ok) == AT_RISK
    assert badge_for(pending, pending) == AT_RISK
    assert badge_for(ok, short) == NOT_COVERED
    step = RunwayStep(1, DAY, Decimal(100), short, ok)
    assert step.summary.startswith("covered as booked, but once the earlier bookings are given:")
    waiting = RunwayStep(1, DAY, Decimal(100), pending)
    assert waiting.now is pending
    assert waiting.summary.startswith("covered only if the pending request is approved:")
    assert RunwayStep(1, DAY, Decimal(100), ok).summary == "covered"


# --- "insurance not re-verified since the booking", with today passed in


@pytest.mark.parametrize(
    ("service_day", "verified", "expected"),
    [
        (date(2026, 3, 10), None, True),  # today, never verified
        (date(2026, 3, 12), datetime(2026, 3, 1, 9), True),  # verified before the booking
        (date(2026, 3, 12), datetime(2026, 3, 3, 9), False),  # verified since
        (date(2026, 3, 12), datetime(2026, 3, 2, 9), False),  # verified as it was booked
        (date(2026, 3, 13), None, False),  # beyond two business days
        (date(2026, 3, 9), None, False),  # already past
    ],
)
def test_unverified_since_booking(service_day, verified, expected):
    """Tuesday 10 March 2026 with a two-business-day window: up to Thursday 12 March."""
    booked_at = datetime(2026, 3, 2, 9)
    today = date(2026, 3, 10)
    assert unverified_since_booking(today, service_day, booked_at, verified, 2) is expected
