"""Revenue at risk (docs/follow-through.md): on a clinic built for it, the dollars equal the
sum of the uncovered bookings' units times their payer's rate, bookings at unknown rates are
counted apart, the 30- and 90-day windows hold what they should, and denials count while
their appeal window is open. Through the API (rates, bookings, decisions), the query, the
dashboard card and the report page."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from priorauth.domain import reasons as r
from priorauth.domain import revenue as rules
from priorauth.extensions import db
from priorauth.models import DrugCode, Infusion
from priorauth.queries.revenue import revenue_at_risk, weeks_at_risk
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.web.auth_helpers import sign_in

RATE = Decimal("0.85")  # Priced's dollars per unit of J1439


def book(api, patient_id, days, dose, code="J1439"):
    response = api.post(
        "/api/v1/infusions",
        json={
            "patient_id": patient_id,
            "hcpcs_code": code,
            "scheduled_at": f"{iso(TODAY + timedelta(days=days))}T10:00:00",
            "dose_mg": dose,
            "override_reason": "booked before the authorization",
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def put_rates(api, payer_id, rates, expect=200):
    response = api.put(f"/api/v1/payers/{payer_id}/rates", json={"rates": rates})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def insured(api, payer, mrn):
    patient = b.patient(api, mrn=mrn)
    coverage = b.coverage(api, patient["id"], payer["id"])
    return patient, coverage


def denied(api, patient, coverage, decided_days_ago, dose="750"):
    draft = b.request(api, patient["id"], coverage["id"], dose_mg=dose, administrations=2)
    b.move(api, draft["id"], to="submitted", channel="portal", override_reason="test setup")
    decided_on = iso(TODAY - timedelta(days=decided_days_ago))
    return b.move(
        api, draft["id"], to="denied", denial_reason="labs_out_of_range", decided_on=decided_on
    )


@pytest.fixture
def at_risk(api):
    """Priced (J1439 at $0.85 a unit, J1756 unknown) and Unpriced (no rates) payers, and:
    uncovered J1439 bookings at days 10 (750 mg), 45 (500 mg), 100 (1000 mg, beyond 90) and
    a J1756 one at day 20 on Priced; one at day 5 on Unpriced; one at day 15 behind a denial;
    a covered booking and one awaiting a pending request (at risk) that do not count; open
    denials on both payers and one whose appeal window has closed."""
    priced = b.payer(api, name="Priced")
    unpriced = b.payer(api, name="Unpriced")
    for payer in (priced, unpriced):
        b.policy(api, payer["id"], "J1439")
        b.policy(api, payer["id"], "J1756")
    put_rates(api, priced["id"], [{"hcpcs_code": "J1439", "dollars_per_unit": str(RATE)}])
    p1, _ = insured(api, priced, "P1")
    for days, dose in ((10, "750"), (45, "500"), (100, "1000")):
        book(api, p1["id"], days, dose)
    book(api, p1["id"], 20, "200", code="J1756")
    p2, c2 = insured(api, unpriced, "P2")
    book(api, p2["id"], 5, "750")
    p3, c3 = insured(api, priced, "P3")
    denied(api, p3, c3, 0)  # 1500 units requested, appeal window open
    book(api, p3["id"], 15, "750")
    denied(api, p2, c2, 10)  # open, unknown rate
    p4, c4 = insured(api, priced, "P4")
    denied(api, p4, c4, 200)  # appeal window closed 20 days ago
    p6, c6 = insured(api, priced, "P6")
    pending = b.request(api, p6["id"], c6["id"])
    b.move(api, pending["id"], to="submitted", channel="portal", override_reason="test setup")
    book(api, p6["id"], 12, "750")  # only a pending request blocks it: at risk, not counted
    covered, _ = b.approved_auth(api, dose="100", units=500, mrn="P5")
    book(api, covered["id"], 3, "100")
    return priced, unpriced


def _recomputed(clinic_id, days, rates):
    """The sum over the stored "not covered" bookings of units x rate, straight from rows."""
    found = db.session.scalars(
        sa.select(Infusion).where(
            Infusion.clinic_id == clinic_id,
            Infusion.coverage_badge == "not_covered",
            Infusion.scheduled_at < sa.func.datetime("now", f"+{days} days")
            if db.engine.dialect.name == "sqlite"
            else Infusion.scheduled_at < sa.text(f"now() + interval '{days} days'"),
        )
    ).all()
    total, unknown = Decimal("0"), 0
    for infusion in found:
        per_unit = db.session.get(DrugCode, infusion.hcpcs_code).mg_per_unit
        rate = rates.get(infusion.hcpcs_code)
        if rate is None or infusion.patient.coverages[0].payer.name != "Priced":
            unknown += 1
        else:
            total += rules.units_of(infusion.dose_mg, per_unit) * rate
    return total, unknown


def test_dollars_are_the_uncovered_units_times_the_rate(at_risk, admin):
    found = revenue_at_risk(admin.clinic_id, TODAY)
    near, far = found.windows[30], found.windows[90]
    # 30 days: 750 (day 10) + 750 behind the denial (day 15) at $0.85; unknown: the J1756
    # booking (200 units) and Unpriced's (750 units).
    assert near.total.dollars == Decimal("1275.00") == RATE * 1500
    assert (near.total.count, near.total.units) == (2, 1500)
    assert (near.total.unknown_count, near.total.unknown_units) == (2, 950)
    # 90 days adds the 500 mg booking at day 45; day 100 is beyond both windows.
    assert far.total.dollars == RATE * 2000
    assert (far.total.count, far.total.unknown_count) == (3, 2)
    assert _recomputed(admin.clinic_id, 30, {"J1439": RATE}) == (near.total.dollars, 2)
    assert _recomputed(admin.clinic_id, 90, {"J1439": RATE}) == (far.total.dollars, 2)


def test_by_reason_and_by_payer(at_risk, admin):
    near = revenue_at_risk(admin.clinic_id, TODAY).windows[30]
    by_reason = {line.key: line for line in near.by_reason}
    assert set(by_reason) == {r.NO_AUTHORIZATION, r.AUTH_DENIED}
    assert by_reason[r.AUTH_DENIED].dollars == RATE * 750
    assert by_reason[r.NO_AUTHORIZATION].dollars == RATE * 750
    assert by_reason[r.NO_AUTHORIZATION].unknown_units == 200  # the J1756 booking
    assert by_reason[r.AUTH_DENIED].unknown_units == 750  # Unpriced's patient was denied too
    by_payer = {line.label: line for line in near.by_payer}
    assert by_payer["Priced"].dollars == RATE * 1500 and by_payer["Priced"].unknown_units == 200
    assert by_payer["Unpriced"].dollars == 0 and by_payer["Unpriced"].unknown_units == 750


def test_denials_count_inside_their_appeal_window_only(at_risk, admin):
    denials = revenue_at_risk(admin.clinic_id, TODAY).denials
    assert denials.total.dollars == RATE * 1500  # Priced's open denial, 1500 units requested
    assert (denials.total.count, denials.total.unknown_count) == (1, 1)
    assert denials.total.unknown_units == 1500  # Unpriced's; the closed one is not counted
    assert [line.key for line in denials.by_reason] == [rules.DENIED_OPEN]


def test_the_weeks_add_up_to_the_90_day_window(at_risk, admin):
    weeks = weeks_at_risk(admin.clinic_id, TODAY)
    assert len(weeks) == 12 and weeks[0].start == TODAY
    assert sum(w.line.dollars for w in weeks) == RATE * 2000  # 12 weeks = 84 days: all three
    assert [w.line.dollars for w in weeks[:3]] == [0, RATE * 750, RATE * 750]  # days 10, 15
    assert (weeks[0].line.unknown_count, weeks[2].line.unknown_count) == (1, 1)  # days 5, 20
    assert weeks[6].line.dollars == RATE * 500  # day 45
    assert sum(w.line.unknown_count for w in weeks) == 2


def test_a_rate_changed_is_priced_at_once(at_risk, api, admin):
    priced, unpriced = at_risk
    put_rates(api, unpriced["id"], [{"hcpcs_code": "J1439", "dollars_per_unit": "2"}])
    near = revenue_at_risk(admin.clinic_id, TODAY).windows[30]
    assert near.total.dollars == RATE * 1500 + 2 * 750
    assert (near.total.unknown_count, near.total.unknown_units) == (1, 200)


def _card(html: str) -> dict[str, tuple]:
    found = {}
    for key, body in re.findall(r'<dd data-window="(\w+)">(.*?)</dd>', html, re.S):
        dollars = re.search(r'data-dollars="([\d.]+)"', body)
        unknown = re.search(r'data-unknown="(\d+)" data-unknown-units="(\d+)"', body)
        found[key] = (
            dollars.group(1) if dollars else None,
            unknown.groups() if unknown else None,
        )
    return found


def test_the_dashboard_card_and_the_report_page_say_the_same(at_risk, client, admin):
    sign_in(client, admin.email)
    card = _card(client.get("/").get_data(as_text=True))
    assert card == {
        "30": ("1275.00", ("2", "950")),
        "90": ("1700.00", ("2", "950")),
        "denials": ("1275.00", ("1", "1500")),
    }
    page = client.get("/reports/revenue").get_data(as_text=True)
    assert "$1,275.00" in page and "at unknown rates" in page
    priced = re.search(r'data-summary="30".*?data-by="payer".*?</table>', page, re.S).group(0)
    assert re.search(r"Priced</th><td>\$1,275.00</td><td>2</td><td>1500</td><td>1</td>", priced)
    assert re.search(r"Unpriced</th><td>\$0.00</td><td>0</td><td>0</td><td>1</td><td>750", priced)


def test_all_unknown_is_said_as_unknown_not_as_zero_dollars(api, client, admin):
    payer = b.payer(api, name="Nobody knows")
    b.policy(api, payer["id"], "J1439")
    patient, _ = insured(api, payer, "U1")
    book(api, patient["id"], 3, "510")
    sign_in(client, admin.email)
    html = client.get("/").get_data(as_text=True)
    thirty = re.search(r'<dd data-window="30">(.*?)</dd>', html, re.S).group(1)
    assert "$" not in thirty and "1 booking, 510 units, at unknown rates" in thirty
    nothing = re.search(r'<dd data-window="denials">(.*?)</dd>', html, re.S).group(1)
    assert "$0.00" in nothing and "(0 requests)" in nothing


def test_a_booking_with_no_plan_on_file_has_no_payer(api, admin):
    patient = b.patient(api, mrn="NOPLAN")
    book(api, patient["id"], 4, "100")
    near = revenue_at_risk(admin.clinic_id, TODAY).windows[30]
    assert [(line.label, line.unknown_count) for line in near.by_payer] == [
        ("No insurance on file", 1)
    ]
    assert [line.key for line in near.by_reason] == [r.COVERAGE_INACTIVE]
